package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"cardops/store"
)

// TestUserTwoFactorCommands: 2fa-code prints the code of the secret being
// enrolled (so a terminal is enough to enrol), 2fa-reset turns two-factor
// off; an unknown user is said in words.
func TestUserTwoFactorCommands(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "cli.db")
	getenv := env(map[string]string{"CARDOPS_DB": db})
	st, err := openAsCLI(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	u, err := st.CreateUser(ctx, store.NewUser{Username: "alice", Level: store.LevelAdmin, Password: "a fine password"})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run(ctx, []string{"user", "2fa-code", "alice"}, getenv, nil, &out, &out); err == nil || !strings.Contains(err.Error(), "has not started two-factor enrolment") {
		t.Errorf("code before enrolment: %v, want it refused in words", err)
	}
	if _, err := st.TOTPEnrolmentSecret(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := run(ctx, []string{"user", "2fa-code", "alice"}, getenv, nil, &out, &out); err != nil {
		t.Fatal(err)
	}
	code := strings.TrimSpace(out.String())
	if _, err := st.CompleteTOTPEnrolment(ctx, u.ID, code, store.Actor{Username: "alice"}); err != nil {
		t.Fatalf("enrol with the printed code %q: %v", code, err)
	}
	out.Reset()
	if err := run(ctx, []string{"user", "2fa-reset", "alice"}, getenv, nil, &out, &out); err != nil || !strings.Contains(out.String(), "two-factor sign-in of alice is off") {
		t.Fatalf("reset: %v, output %q", err, out.String())
	}
	if u, _ := st.UserByID(ctx, u.ID); u.TwoFactor() {
		t.Errorf("two-factor still on after 2fa-reset")
	}
	if err := run(ctx, []string{"user", "2fa-reset", "nobody"}, getenv, nil, &out, &out); err == nil || !strings.Contains(err.Error(), `there is no user "nobody"`) {
		t.Errorf("unknown user: %v", err)
	}
	st.Close()
}

func TestServeRefusesBadTwoFactorLevel(t *testing.T) {
	db := filepath.Join(t.TempDir(), "t.db")
	err := run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0", "--db", db, "--require-2fa-level", "0"},
		env(nil), nil, &syncBuffer{}, &syncBuffer{})
	if err == nil || !strings.Contains(err.Error(), "--require-2fa-level must be 1, 2, 3 or 4") {
		t.Errorf("run = %v, want a level error", err)
	}
}

// TestServeRequiresTwoFactor: the level comes from the environment, the
// start-up output says how to pass enrolment from a terminal, and an admin
// who signs in with a password alone is sent to enrolment.
func TestServeRequiresTwoFactor(t *testing.T) {
	db := filepath.Join(t.TempDir(), "tf.db")
	ctx := context.Background()
	st, err := openAsCLI(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateUser(ctx, store.NewUser{Username: "root", Level: store.LevelAdmin, Password: "long enough password"}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	c := startServe(t, []string{"--db", db}, map[string]string{"CARDOPS_REQUIRE_2FA_LEVEL": "2"})
	out := c.Out
	if !strings.Contains(out.String(), "two-factor sign-in is required from level 2") || !strings.Contains(out.String(), "cardops user 2fa-code NAME") {
		t.Errorf("start-up output %q, want the two-factor level and how to get a code", out.String())
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	jar, _ := cookiejar.New(nil)
	client.Jar = jar
	base := c.Base
	resp, err := client.PostForm(base+"/login", url.Values{"username": {"root"}, "password": {"long enough password"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	resp, err = client.Get(base + "/cards")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/account/2fa" {
		t.Errorf("GET /cards: status %d Location %q, want 303 to /account/2fa", resp.StatusCode, resp.Header.Get("Location"))
	}
}
