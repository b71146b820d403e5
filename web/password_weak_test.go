package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestWeakPasswordsRefused: a password of the right length that a guesser
// tries first is refused, in words, when a person changes their own and
// when an admin creates an account; nothing changes and a fine one still
// works (from a QA pass: "aaaaaaaaaa" was taken).
func TestWeakPasswordsRefused(t *testing.T) {
	e := newTestEnv(t)
	viewer := e.login("viewer")
	for _, weak := range []string{"aaaaaaaaaa", "1234567890", "0987654321", "qwertyuiop", "Password123", "abcdefghijk", "letmein2024"} {
		rec := e.post(viewer, "/account/password", url.Values{"current": {testPassword}, "new": {weak}, "confirm": {weak}})
		if rec.Code == http.StatusSeeOther || !strings.Contains(rec.Body.String(), "among the first a guesser tries") {
			t.Errorf("new password %q: status %d, want it refused in words", weak, rec.Code)
		}
	}
	admin := e.login("admin")
	rec := e.post(admin, "/settings/users", url.Values{"username": {"newbie"}, "level": {"1"}, "password": {"zzzzzzzzzzzz"}, "reason": {"joins support"}})
	if !strings.Contains(rec.Body.String(), "among the first a guesser tries") {
		t.Errorf("new account with a weak password: status %d, want it refused in words", rec.Code)
	}
	if _, err := e.store.UserByName(t.Context(), "newbie"); err == nil {
		t.Error("the account was created")
	}
	// Still signed in with the old password, which a fine one replaces.
	if rec := e.post(viewer, "/account/password", url.Values{"current": {testPassword}, "new": {"plum tree 42 at dusk"}, "confirm": {"plum tree 42 at dusk"}}); rec.Code != http.StatusSeeOther {
		t.Errorf("a fine password: status %d, want 303; %s", rec.Code, rec.Body)
	}
}
