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
			st, err := openAsCLI(ctx, db)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := st.CreateUser(ctx, store.NewUser{Username: "root", Level: store.LevelAdmin, Password: "long enough password"}); err != nil {
				t.Fatal(err)
			}
			st.Close()

			// The admin signs in with a password alone: two-factor is not
			// what this test is about.
			c := startServe(t, append([]string{"--db", db, "--require-2fa-level", "4"}, tc.args...), tc.env)
			base, out := c.Base, c.Out
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

// TestServeFourEyesDemo: a newcomer starting the demo with four-eyes gets a
// second admin, so a reissue can be prepared by one and confirmed by the
// other; a demo started first without four-eyes gets it on the first start
// with it, its password shown then, once.
func TestServeFourEyesDemo(t *testing.T) {
	db := filepath.Join(t.TempDir(), "demo.db")
	start := func(args ...string) string {
		c := startServe(t, append([]string{"--demo", "--db", db, "--demo-cards", "20"}, args...), nil)
		c.stop(t)
		return c.Out.String()
	}
	first := start()
	if strings.Contains(first, demoChecker) {
		t.Errorf("without four-eyes the demo made a second admin:\n%s", first)
	}
	second := start("--four-eyes")
	pw := regexp.MustCompile(`sign in as checker\s+password (\S+)\s+\(level 3, Admin\)`).FindStringSubmatch(second)
	if pw == nil || !strings.Contains(second, "what admin prepares, checker confirms") {
		t.Fatalf("the first four-eyes start does not give the second admin:\n%s", second)
	}
	st, err := openAsCLI(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	u, err := st.Authenticate(context.Background(), demoChecker, pw[1])
	st.Close()
	if err != nil || u.Level != store.LevelAdmin {
		t.Errorf("checker with the printed password: %+v, %v; want an admin", u, err)
	}
	if third := start("--four-eyes"); strings.Contains(third, pw[1]) || !strings.Contains(third, "user reset checker") {
		t.Errorf("a later start prints the password again or not the reset command:\n%s", third)
	}
}

// TestServeFourEyesDemoCheckerTaken: a "checker" who is someone's level-1
// account is not claimed as the second admin: the start says no reissue
// can be confirmed yet, and how to add an admin.
func TestServeFourEyesDemoCheckerTaken(t *testing.T) {
	db := filepath.Join(t.TempDir(), "demo.db")
	st, err := openAsCLI(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateUser(context.Background(), store.NewUser{Username: demoChecker, Level: store.LevelReadOnly, Password: "long enough password"}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	c := startServe(t, []string{"--demo", "--four-eyes", "--db", db, "--demo-cards", "20"}, nil)
	c.stop(t)
	out := c.Out.String()
	if strings.Contains(out, "checker confirms") || !strings.Contains(out, "checker is not an admin here") || !strings.Contains(out, "user add NAME --level 3") {
		t.Errorf("a level-1 checker was taken for the second admin:\n%s", out)
	}
}
