package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"cardops/store"
)

// TestAPIKeyPages: an admin makes a key (shown once, on the answer to the
// form), sees it listed without its secret, and revokes it; a bad form is
// shown again with what is wrong; lower levels are refused.
func TestAPIKeyPages(t *testing.T) {
	runScenarios(t, []scenario{
		{name: "operator cannot open API keys", method: "GET", url: "/settings/api-keys", as: 2, wantStatus: 403, wantContains: []string{"Not allowed"}},
		{name: "operator cannot make a key", method: "POST", url: "/settings/api-keys", as: 2,
			wantAudit: []string{"access.denied refused"},
			form:      url.Values{"name": {"x"}, "level": {"3"}}, wantStatus: 403, wantContains: []string{"Not allowed"},
			after: func(t *testing.T, e *testEnv, _ *httptest.ResponseRecorder) {
				if keys, _ := e.store.APIKeys(context.Background()); len(keys) != 0 {
					t.Errorf("a key was made: %+v", keys)
				}
			}},
		{name: "bad allowlist is shown again", method: "POST", url: "/settings/api-keys", as: 3,
			wantAudit: []string{"apikey.create refused"},
			form:      url.Values{"name": {"ci"}, "level": {"2"}, "allowlist": {"10.0.0.0/33"}}, wantStatus: 422,
			wantContains: []string{"CIDR ranges", `value="ci"`}, wantNotContains: []string{"cok_"}},
		{name: "no level chosen", method: "POST", url: "/settings/api-keys", as: 3,
			wantAudit: []string{"apikey.create refused"},
			form:      url.Values{"name": {"ci"}, "level": {"9"}}, wantStatus: 422, wantContains: []string{"Choose level 1, 2 or 3."}},
	})

	e := newTestEnv(t)
	cookie := e.login("admin")
	req := formRequest("POST", "/settings/api-keys", url.Values{"name": {"ci-backend"}, "level": {"2"}, "allowlist": {"10.0.0.0/8"}})
	req.AddCookie(cookie)
	rec := e.do(req)
	body := rec.Body.String()
	i := strings.Index(body, "cok_")
	if rec.Code != 200 || i < 0 || rec.Header().Get("Cache-Control") != "no-store" {
		t.Fatalf("make key: status %d, Cache-Control %q; want the key shown, not cached", rec.Code, rec.Header().Get("Cache-Control"))
	}
	secret := body[i : i+4+43]
	k, err := e.store.APIKeyBySecret(context.Background(), secret)
	if err != nil || k.Name != "ci-backend" || k.Level != store.LevelOperational || k.CreatedBy != "admin" {
		t.Fatalf("key = %+v, %v", k, err)
	}
	req = httptest.NewRequest("GET", "/settings/api-keys", nil)
	req.AddCookie(cookie)
	rec = e.do(req)
	if !strings.Contains(rec.Body.String(), "ci-backend") || strings.Contains(rec.Body.String(), secret) {
		t.Errorf("list: want the key's name and not its secret")
	}
	req = formRequest("POST", "/settings/api-keys/"+itoa64(k.ID)+"/revoke", nil)
	req.AddCookie(cookie)
	rec = e.do(req)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/settings/api-keys?revoked=ci-backend" {
		t.Errorf("revoke: status %d Location %q", rec.Code, rec.Header().Get("Location"))
	}
	if k, _ := e.store.APIKeyByID(context.Background(), k.ID); !k.Revoked() || k.RevokedBy != "admin" {
		t.Errorf("key after revoke = %+v", k)
	}
	req = formRequest("POST", "/settings/api-keys/"+itoa64(k.ID)+"/revoke", nil)
	req.AddCookie(cookie)
	if rec := e.do(req); rec.Code != http.StatusConflict {
		t.Errorf("second revoke: status %d, want 409", rec.Code)
	}
}
