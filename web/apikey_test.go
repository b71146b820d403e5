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
	// Revoking is final, so it asks first.
	wantBody(t, rec, http.StatusOK, "<summary class=\"btn secondary\">Revoke…</summary>", "Revoke ci-backend now")
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
	wantBody(t, e.do(req), http.StatusConflict, "Revoked already", `href="/settings/api-keys"`, "Back to the API keys")
	req = formRequest("POST", "/settings/api-keys/abc/revoke", nil)
	req.AddCookie(cookie)
	wantBody(t, e.do(req), http.StatusNotFound, "Key not found", "Back to the API keys")
}

// TestAPIKeysEndWithTheirCreatorsAccess: an admin's keys do not outlive
// what the admin may do. Demoted to level 2, the keys they made above it are
// revoked (the others stay); disabled, all of them are; each revocation is
// audited in the same change.
func TestAPIKeysEndWithTheirCreatorsAccess(t *testing.T) {
	e := newAPIEnv(t)
	addAdmin(t, e.testEnv, "leaver")
	leaver := e.login("leaver")
	makeKey := func(name, level string) string {
		t.Helper()
		body := e.post(leaver, "/settings/api-keys", url.Values{"name": {name}, "level": {level}}).Body.String()
		i := strings.Index(body, "cok_")
		if i < 0 {
			t.Fatalf("make key %s: no secret shown", name)
		}
		return body[i : i+4+43]
	}
	high, low := makeKey("leaver-admin", "3"), makeKey("leaver-read", "1")
	call := func(secret string) int {
		req := httptest.NewRequest("GET", "/api/cards/virtual-cards/"+apiCardID, nil)
		req.Header.Set("x-api-key", secret)
		return e.do(req).Code
	}
	if call(high) != 200 || call(low) != 200 {
		t.Fatal("the new keys do not work")
	}
	k, err := e.store.APIKeyBySecret(context.Background(), high)
	if err != nil {
		t.Fatal(err)
	}
	u, err := e.store.UserByName(context.Background(), "leaver")
	if err != nil {
		t.Fatal(err)
	}
	uid := itoa64(u.ID)
	admin := e.login("admin")
	rec := e.post(admin, "/settings/users/"+uid+"/level", reason("moved to support", "level", "2"))
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("demote: status %d; %.300s", rec.Code, rec.Body)
	}
	if call(high) != http.StatusUnauthorized || call(low) != 200 {
		t.Errorf("after the demotion to 2: level-3 key answers %d, level-1 key %d; want 401 and 200", call(high), call(low))
	}
	audit, err := e.store.AuditLog(context.Background(), store.AuditFilter{Action: store.AuditAPIKeyRevoke})
	if err != nil || len(audit) != 1 || audit[0].Actor != "admin" || audit[0].TargetID != itoa64(k.ID) ||
		!strings.Contains(audit[0].Detail, "revoked as its creator leaver was moved to level 2") {
		t.Errorf("revocation audit = %+v, %v", audit, err)
	}
	rec = e.post(admin, "/settings/users/"+uid+"/disable", reason("left the company"))
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("disable: status %d; %.300s", rec.Code, rec.Body)
	}
	if call(low) != http.StatusUnauthorized {
		t.Errorf("after the disable: level-1 key answers %d, want 401", call(low))
	}
	wantBody(t, e.get(admin, rec.Header().Get("Location")), http.StatusOK, "leaver: disabled; their sessions ended and their API keys revoked.")
	disable, _ := e.store.AuditLog(context.Background(), store.AuditFilter{Action: store.AuditUserDisable})
	if len(disable) != 1 || !strings.Contains(disable[0].Detail, "1 API key(s) revoked") {
		t.Errorf("disable audit = %+v", disable)
	}
}
