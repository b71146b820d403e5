package main

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"cardops/store"
)

// TestServeFourEyes starts the real command with four-eyes mode from the
// flag and from the environment, and reads the mode back from the reissue
// queue an admin sees.
func TestServeFourEyes(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"default off", nil, nil, "Four-eyes mode is off"},
		{"flag", []string{"--four-eyes"}, nil, "Four-eyes mode is on"},
		{"environment", nil, map[string]string{"CARDOPS_FOUR_EYES": "true"}, "Four-eyes mode is on"},
		{"flag wins over environment", []string{"--four-eyes=false"}, map[string]string{"CARDOPS_FOUR_EYES": "1"}, "Four-eyes mode is off"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "fe.db")
			ctx := context.Background()
			st, err := store.Open(ctx, db)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := st.CreateUser(ctx, store.NewUser{Username: "root", Level: store.LevelAdmin, Password: "long enough password"}); err != nil {
				t.Fatal(err)
			}
			st.Close()

			runCtx, cancel := context.WithCancel(ctx)
			out, errOut := &syncBuffer{}, &syncBuffer{}
			done := make(chan error, 1)
			// The admin signs in with a password alone: two-factor is not
			// what this test is about.
			args := append([]string{"serve", "--addr", "127.0.0.1:0", "--db", db, "--require-2fa-level", "4"}, tc.args...)
			go func() { done <- run(runCtx, args, env(tc.env), nil, out, errOut) }()
			t.Cleanup(func() {
				cancel()
				select {
				case <-done:
				case <-time.After(15 * time.Second):
					t.Error("server did not shut down")
				}
			})
			urlRe := regexp.MustCompile(`http://127\.0\.0\.1:\d+`)
			deadline := time.Now().Add(30 * time.Second)
			for !urlRe.MatchString(out.String()) {
				if time.Now().After(deadline) {
					t.Fatalf("no URL printed; stderr %q", errOut.String())
				}
				time.Sleep(20 * time.Millisecond)
			}
			base := urlRe.FindString(out.String())
			if on := strings.Contains(out.String(), "four-eyes reissue is on"); on != strings.Contains(tc.want, "on") {
				t.Errorf("start-up output %q, want four-eyes %s", out.String(), tc.want)
			}
			jar, _ := cookiejar.New(nil)
			client := &http.Client{Jar: jar}
			resp, err := client.PostForm(base+"/login", url.Values{"username": {"root"}, "password": {"long enough password"}, "next": {"/reissues"}})
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), tc.want) {
				t.Errorf("GET /reissues: status %d, want 200 with %q; body %.300s", resp.StatusCode, tc.want, body)
			}
		})
	}
	t.Run("bad environment value", func(t *testing.T) {
		err := run(context.Background(), []string{"serve", "--db", filepath.Join(t.TempDir(), "x.db")},
			env(map[string]string{"CARDOPS_FOUR_EYES": "maybe"}), nil, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "CARDOPS_FOUR_EYES") {
			t.Errorf("err = %v, want it to name CARDOPS_FOUR_EYES", err)
		}
	})
}
