package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"cardops/store"
)

// The test users' ids: newTestEnv creates viewer, operator and admin in
// this order.
const viewerID, operatorID, adminID = "1", "2", "3"

// wantUser checks a user's level and state after a scenario, and the audit
// rows of action as "actor:result" in order, newest first.
func wantUser(name string, level store.Level, disabled bool, action string, audit ...string) func(*testing.T, *testEnv, *httptest.ResponseRecorder) {
	return func(t *testing.T, e *testEnv, _ *httptest.ResponseRecorder) {
		t.Helper()
		u, err := e.store.UserByName(t.Context(), name)
		if err != nil {
			t.Fatal(err)
		}
		if u.Level != level || u.Disabled() != disabled {
			t.Errorf("%s: level %d disabled %v, want level %d disabled %v", name, u.Level, u.Disabled(), level, disabled)
		}
		rows, err := e.store.AuditLog(t.Context(), store.AuditFilter{Action: action})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range rows {
			if r.ID > e.setupAudit {
				got = append(got, r.Actor+":"+r.Result)
			}
		}
		if strings.Join(got, ",") != strings.Join(audit, ",") {
			t.Errorf("audit %s = %v, want %v", action, got, audit)
		}
	}
}

func reason(r string, extra ...string) url.Values {
	v := url.Values{"reason": {r}}
	for i := 0; i+1 < len(extra); i += 2 {
		v.Set(extra[i], extra[i+1])
	}
	return v
}

func TestUserManagement(t *testing.T) {
	runScenarios(t, []scenario{
		{
			name: "admin lists the users", method: "GET", url: "/settings/users", as: store.LevelAdmin,
			wantStatus:   http.StatusOK,
			wantContains: []string{`data-testid="user-row-viewer"`, `data-testid="user-row-operator"`, "L2 · Operational", "active", "Add a user"},
		},
		{
			name: "operator cannot list the users", method: "GET", url: "/settings/users", as: store.LevelOperational,
			wantStatus: http.StatusForbidden, wantContains: []string{"Not allowed"},
		},
		{
			name: "admin adds a user and sees a one-time password once", method: "POST", url: "/settings/users", as: store.LevelAdmin,
			wantAudit:  []string{"user.create ok"},
			form:       url.Values{"username": {"carol"}, "level": {"2"}},
			wantStatus: http.StatusOK, wantContains: []string{"One-time password for <strong>carol</strong>", `data-testid="handover-password"`, "must choose a password"},
			after: func(t *testing.T, e *testEnv, rec *httptest.ResponseRecorder) {
				wantUser("carol", store.LevelOperational, false, store.AuditUserCreate, "admin:ok")(t, e, rec)
				if u, _ := e.store.UserByName(t.Context(), "carol"); !u.MustChangePassword {
					t.Errorf("carol must change her password: got false")
				}
			},
		},
		{
			name: "admin adds a user with a password of their choosing", method: "POST", url: "/settings/users", as: store.LevelAdmin,
			wantAudit:  []string{"user.create ok"},
			form:       url.Values{"username": {"dave"}, "level": {"1"}, "password": {"a chosen password"}},
			wantStatus: http.StatusSeeOther, wantHeaders: map[string]string{"Location": "/settings/users?done=create&user=dave"},
			after: wantUser("dave", store.LevelReadOnly, false, store.AuditUserCreate, "admin:ok"),
		},
		{
			name: "a name that could look like another is refused in words", method: "POST", url: "/settings/users", as: store.LevelAdmin,
			wantAudit:    []string{"user.create refused"},
			form:         url.Values{"username": {"bo b"}, "level": {"1"}},
			wantStatus:   http.StatusUnprocessableEntity,
			wantContains: []string{"Use letters A–Z, digits and . _ - @ only (no spaces or accents), starting with a letter or digit", `value="bo b"`},
		},
		{
			name: "a wrong level is refused in words", method: "POST", url: "/settings/users", as: store.LevelAdmin,
			wantAudit:    []string{"user.create refused"},
			form:         url.Values{"username": {"erin"}, "level": {"9"}, "password": {"short"}},
			wantStatus:   http.StatusUnprocessableEntity,
			wantContains: []string{"Choose level 1, 2 or 3.", "The password must be at least 10 characters."},
			after: func(t *testing.T, e *testEnv, _ *httptest.ResponseRecorder) {
				if _, err := e.store.UserByName(t.Context(), "erin"); err == nil {
					t.Errorf("erin was created")
				}
				assertAudit(t, e, store.AuditUserCreate, "admin", store.ResultRefused)
			},
		},
		{
			name: "a taken name is refused", method: "POST", url: "/settings/users", as: store.LevelAdmin,
			wantAudit:  []string{"user.create refused"},
			form:       url.Values{"username": {"VIEWER"}, "level": {"1"}},
			wantStatus: http.StatusUnprocessableEntity, wantContains: []string{"There is a user with this name already."},
			after: wantUser("viewer", store.LevelReadOnly, false, store.AuditUserCreate, "admin:refused"),
		},
		{
			name: "admin changes a level with a reason", method: "POST", url: "/settings/users/" + viewerID + "/level", as: store.LevelAdmin,
			wantAudit:  []string{"user.level ok"},
			form:       reason("covers the night shift", "level", "2"),
			wantStatus: http.StatusSeeOther, wantHeaders: map[string]string{"Location": "/settings/users?done=level&user=viewer"},
			after: wantUser("viewer", store.LevelOperational, false, store.AuditUserLevel, "admin:ok"),
		},
		{
			name: "a level change needs a reason", method: "POST", url: "/settings/users/" + viewerID + "/level", as: store.LevelAdmin,
			wantAudit:  []string{"user.level refused"},
			form:       reason("  ", "level", "2"),
			wantStatus: http.StatusUnprocessableEntity, wantContains: []string{"Say why: the reason goes into the audit log.",
				`<option value="2" selected>`}, // the level chosen is kept
			// No one else is at level 1: the viewer's form does not fall back to it.
			wantNotContains: []string{`<option value="1" selected>`},
			after:           wantUser("viewer", store.LevelReadOnly, false, store.AuditUserLevel, "admin:refused"),
		},
		{
			name: "a reason over its limit is refused", method: "POST", url: "/settings/users/" + viewerID + "/disable", as: store.LevelAdmin,
			wantAudit:  []string{"user.disable refused"},
			form:       reason(strings.Repeat("x", store.UserReasonMax+1)),
			wantStatus: http.StatusUnprocessableEntity, wantContains: []string{"The reason must be at most 200 characters."},
			after: wantUser("viewer", store.LevelReadOnly, false, store.AuditUserDisable, "admin:refused"),
		},
		{
			name: "a level that is not one is refused", method: "POST", url: "/settings/users/" + viewerID + "/level", as: store.LevelAdmin,
			wantAudit:  []string{"user.level refused"},
			form:       reason("why not", "level", "admin"),
			wantStatus: http.StatusUnprocessableEntity, wantContains: []string{"Choose level 1, 2 or 3."},
			after: wantUser("viewer", store.LevelReadOnly, false, store.AuditUserLevel, "admin:refused"),
		},
		{
			name: "an unknown user is a readable 404", method: "POST", url: "/settings/users/424242/disable", as: store.LevelAdmin,
			wantAudit:  []string{"user.disable refused"},
			form:       reason("gone"),
			wantStatus: http.StatusNotFound, wantContains: []string{"User not found", "Nothing was changed."},
			after: func(t *testing.T, e *testEnv, _ *httptest.ResponseRecorder) {
				assertAudit(t, e, store.AuditUserDisable, "admin", store.ResultRefused)
			},
		},
		{
			name: "an admin cannot demote themselves", method: "POST", url: "/settings/users/" + adminID + "/level", as: store.LevelAdmin,
			wantAudit:  []string{"user.level refused"},
			form:       reason("testing", "level", "1"),
			wantStatus: http.StatusConflict, wantContains: []string{"You cannot disable or demote yourself"},
			after: wantUser("admin", store.LevelAdmin, false, store.AuditUserLevel, "admin:refused"),
		},
		{
			name: "an admin cannot disable themselves", method: "POST", url: "/settings/users/" + adminID + "/disable", as: store.LevelAdmin,
			wantAudit:  []string{"user.disable refused"},
			form:       reason("testing"),
			wantStatus: http.StatusConflict, wantContains: []string{"You cannot disable or demote yourself"},
			after: wantUser("admin", store.LevelAdmin, false, store.AuditUserDisable, "admin:refused"),
		},
		{
			name: "an admin's own password is reset on their account page, not here", method: "POST", url: "/settings/users/" + adminID + "/password-reset",
			as: store.LevelAdmin, wantAudit: []string{"user.password_reset refused"}, form: reason("self"),
			wantStatus: http.StatusConflict, wantContains: []string{"Your own password and sessions are on your account page"},
			wantNotContains: []string{`data-testid="handover-password"`},
		},
		{
			name: "an admin's own sessions are ended on their account page, not here", method: "POST", url: "/settings/users/" + adminID + "/sessions/end",
			as: store.LevelAdmin, wantAudit: []string{"user.sessions_end refused"}, form: reason("self"),
			wantStatus: http.StatusConflict, wantContains: []string{"Your own password and sessions are on your account page"},
		},
		{
			name: "the users page offers an admin no reset of their own", method: "GET", url: "/settings/users", as: store.LevelAdmin,
			wantStatus: http.StatusOK, wantContains: []string{`action="/settings/users/` + viewerID + `/password-reset"`},
			wantNotContains: []string{`action="/settings/users/` + adminID + `/password-reset"`, `action="/settings/users/` + adminID + `/sessions/end"`},
		},
		{
			name: "enabling an active user says so", method: "POST", url: "/settings/users/" + viewerID + "/enable", as: store.LevelAdmin,
			wantAudit:  []string{"user.enable refused"},
			form:       reason("why"),
			wantStatus: http.StatusConflict, wantContains: []string{"viewer is already in that state"},
			after: wantUser("viewer", store.LevelReadOnly, false, store.AuditUserEnable, "admin:refused"),
		},
	})
}

// TestDemotedUserIsOutAtOnce: a demotion ends the user's sessions (and so
// the live streams a page at the old level had open); a promotion does not.
func TestDemotedUserIsOutAtOnce(t *testing.T) {
	e := newTestEnv(t)
	admin := e.login("admin")
	change := func(uid, level string) {
		t.Helper()
		req := formRequest("POST", "/settings/users/"+uid+"/level", reason("staffing", "level", level))
		req.AddCookie(admin)
		if rec := e.do(req); rec.Code != http.StatusSeeOther {
			t.Fatalf("level %s: status = %d, body %.300s", level, rec.Code, rec.Body.String())
		}
	}
	signedIn := func(c *http.Cookie) bool {
		req := httptest.NewRequest("GET", "/cards", nil)
		req.AddCookie(c)
		return e.do(req).Code == http.StatusOK
	}
	viewer := e.login("viewer")
	change(viewerID, "2")
	if !signedIn(viewer) {
		t.Error("a promotion ended the viewer's session")
	}
	op := e.login("operator")
	change(operatorID, "1")
	if signedIn(op) {
		t.Error("the demoted operator's session still works")
	}
	if audit, _ := e.store.AuditLog(t.Context(), store.AuditFilter{Action: store.AuditUserLevel}); len(audit) == 0 || !strings.Contains(audit[0].Detail, "1 session(s) ended") {
		t.Errorf("audit = %+v, want the demotion to say it ended a session", audit)
	}
}

// TestDisabledUserIsOutAtOnce: disabling ends the user's open session at
// once; afterwards a right password is told the account is disabled, a
// wrong one gets the usual answer.
func TestDisabledUserIsOutAtOnce(t *testing.T) {
	e := newTestEnv(t)
	opCookie := e.login("operator")
	req := formRequest("POST", "/settings/users/"+operatorID+"/disable", reason("left the team"))
	req.AddCookie(e.login("admin"))
	if rec := e.do(req); rec.Code != http.StatusSeeOther {
		t.Fatalf("disable: status = %d, want 303; body %.300s", rec.Code, rec.Body.String())
	}
	req = httptest.NewRequest("GET", "/cards", nil)
	req.AddCookie(opCookie)
	if rec := e.do(req); rec.Code != http.StatusSeeOther || !isGuardRedirect(rec.Header().Get("Location")) {
		t.Errorf("operator's open session after disable: status = %d, Location %q, want 303 to sign-in", rec.Code, rec.Header().Get("Location"))
	}
	rec := e.do(formRequest("POST", "/login", url.Values{"username": {"operator"}, "password": {testPassword}}))
	if rec.Code != http.StatusForbidden || !strings.Contains(rec.Body.String(), "This account is disabled.") {
		t.Errorf("right password: status = %d, want 403 saying disabled; body %.300s", rec.Code, rec.Body.String())
	}
	rec = e.do(formRequest("POST", "/login", url.Values{"username": {"operator"}, "password": {"not the password"}}))
	if rec.Code != http.StatusUnauthorized || strings.Contains(rec.Body.String(), "disabled") {
		t.Errorf("wrong password: status = %d, want 401 without a word of disabled", rec.Code)
	}
	wantUser("operator", store.LevelOperational, true, store.AuditUserDisable, "admin:ok")(t, e, rec)
}

// TestTwoAdminsDemotingEachOther: of two admins demoting each other at
// once, exactly one succeeds and one admin is left.
func TestTwoAdminsDemotingEachOther(t *testing.T) {
	e := newTestEnv(t)
	if _, err := e.store.CreateUser(t.Context(), store.NewUser{Username: "admin2", Level: store.LevelAdmin, Password: testPassword}); err != nil {
		t.Fatal(err)
	}
	admin2, _ := e.store.UserByName(t.Context(), "admin2")
	reqs := []*http.Request{
		formRequest("POST", "/settings/users/"+adminID+"/level", reason("race", "level", "1")),
		formRequest("POST", "/settings/users/"+itoa(admin2.ID)+"/level", reason("race", "level", "1")),
	}
	reqs[0].AddCookie(e.login("admin2"))
	reqs[1].AddCookie(e.login("admin"))
	codes := make([]int, 2)
	bodies, locations := make([]string, 2), make([]string, 2)
	var wg sync.WaitGroup
	for i, req := range reqs {
		wg.Go(func() {
			rec := e.do(req)
			codes[i], bodies[i], locations[i] = rec.Code, rec.Body.String(), rec.Header().Get("Location")
		})
	}
	wg.Wait()
	ok, refused := 0, 0
	for i, c := range codes {
		switch {
		case c == http.StatusSeeOther && isGuardRedirect(locations[i]):
			// The other demotion committed first and ended this sender's
			// session: it is sent to sign in again.
			refused++
		case c == http.StatusSeeOther:
			ok++
		case c == http.StatusConflict && strings.Contains(bodies[i], "is the last active admin"):
			refused++
		case c == http.StatusForbidden && strings.Contains(bodies[i], "Not allowed"):
			// The other demotion committed before this request passed the
			// guard: its sender is no longer an admin.
			refused++
		default:
			t.Errorf("request %d: status = %d; body %.300s", i, c, bodies[i])
		}
	}
	if ok != 1 || refused != 1 {
		t.Errorf("%d succeeded, %d refused; want 1 and 1", ok, refused)
	}
	users, _ := e.store.Users(t.Context())
	admins := 0
	for _, u := range users {
		if u.Level == store.LevelAdmin {
			admins++
		}
	}
	if admins != 1 {
		t.Errorf("%d admins left, want 1", admins)
	}
}

// TestPasswordResetForcesANewPassword: a reset ends the user's sessions and
// hands over a one-time password; signing in with it leads to the change
// page and nowhere else until a new password is chosen.
func TestPasswordResetForcesANewPassword(t *testing.T) {
	e := newTestEnv(t)
	old := e.login("viewer")
	req := formRequest("POST", "/settings/users/"+viewerID+"/password-reset", reason("forgot it"))
	req.AddCookie(e.login("admin"))
	rec := e.do(req)
	if rec.Code != http.StatusOK {
		t.Fatalf("reset: status = %d, want 200", rec.Code)
	}
	pw := between(rec.Body.String(), `data-testid="handover-password">`, "<")
	if len(pw) < store.MinPasswordLength {
		t.Fatalf("one-time password %q not shown", pw)
	}
	req = httptest.NewRequest("GET", "/cards", nil)
	req.AddCookie(old)
	if rec := e.do(req); rec.Code != http.StatusSeeOther || !isGuardRedirect(rec.Header().Get("Location")) {
		t.Errorf("old session after reset: status %d Location %q, want sign-in", rec.Code, rec.Header().Get("Location"))
	}
	rec = e.do(formRequest("POST", "/login", url.Values{"username": {"viewer"}, "password": {pw}}))
	cookie := sessionCookieOf(t, rec)
	for _, path := range []string{"/cards", "/account", "/events"} {
		req := httptest.NewRequest("GET", path, nil)
		req.AddCookie(cookie)
		if rec := e.do(req); rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/account/password" {
			t.Errorf("GET %s before the change: status %d Location %q, want 303 to /account/password", path, rec.Code, rec.Header().Get("Location"))
		}
	}
	req = httptest.NewRequest("GET", "/account/password", nil)
	req.AddCookie(cookie)
	if rec := e.do(req); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Choose your own before you go on.") {
		t.Errorf("change page: status %d, want 200 saying why", rec.Code)
	}
	for _, tc := range []struct {
		form url.Values
		want string
	}{
		{url.Values{"current": {"nope nope nope"}, "new": {"my own password"}, "confirm": {"my own password"}}, "That is not your current password."},
		{url.Values{"current": {pw}, "new": {"my own password"}, "confirm": {"my own passwort"}}, "The two new passwords differ"},
		{url.Values{"current": {pw}, "new": {"short"}, "confirm": {"short"}}, "at least 10 characters"},
	} {
		req = formRequest("POST", "/account/password", tc.form)
		req.AddCookie(cookie)
		if rec := e.do(req); rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), tc.want) {
			t.Errorf("change with %v: status %d, want 422 saying %q", tc.form, rec.Code, tc.want)
		}
	}
	req = formRequest("POST", "/account/password", url.Values{"current": {pw}, "new": {"my own password"}, "confirm": {"my own password"}})
	req.AddCookie(cookie)
	if rec := e.do(req); rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/account?done=password" {
		t.Fatalf("change: status %d Location %q, want 303 to /account", rec.Code, rec.Header().Get("Location"))
	}
	req = httptest.NewRequest("GET", "/cards", nil)
	req.AddCookie(cookie)
	if rec := e.do(req); rec.Code != http.StatusOK {
		t.Errorf("GET /cards after the change: status %d, want 200", rec.Code)
	}
}

// TestAccountSessions: a person sees their sessions, this one marked, and
// ends another one, which is then worthless.
func TestAccountSessions(t *testing.T) {
	e := newTestEnv(t)
	other := e.login("viewer")
	mine := e.login("viewer")
	req := httptest.NewRequest("GET", "/account", nil)
	req.AddCookie(mine)
	rec := e.do(req)
	body := rec.Body.String()
	if rec.Code != http.StatusOK || strings.Count(body, "/end\"") != 2 || !strings.Contains(body, `data-testid="this-session"`) {
		t.Fatalf("account: status %d, want 200 with 2 sessions, this one marked; body %.500s", rec.Code, body)
	}
	sessions, _ := e.store.UserSessions(t.Context(), 1)
	var otherID string
	for _, s := range sessions {
		if !strings.Contains(body, `action="/account/sessions/`+s.ID+`/end"`) {
			t.Errorf("session %s not listed", s.ID)
		}
		if strings.Index(body, s.ID) > strings.Index(body, "this-session") {
			otherID = s.ID
		}
	}
	req = formRequest("POST", "/account/sessions/"+otherID+"/end", nil)
	req.AddCookie(mine)
	if rec := e.do(req); rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/account?done=session" {
		t.Errorf("end: status %d Location %q", rec.Code, rec.Header().Get("Location"))
	}
	req = httptest.NewRequest("GET", "/cards", nil)
	req.AddCookie(other)
	if rec := e.do(req); rec.Code != http.StatusSeeOther {
		t.Errorf("ended session: status %d, want 303 to sign-in", rec.Code)
	}
	// Another person's session is not theirs to end.
	e.login("admin")
	adminSessions, _ := e.store.UserSessions(t.Context(), 3)
	req = formRequest("POST", "/account/sessions/"+adminSessions[0].ID+"/end", nil)
	req.AddCookie(mine)
	if rec := e.do(req); rec.Code != http.StatusNotFound || !strings.Contains(rec.Body.String(), "has ended already (or is not yours)") {
		t.Errorf("end another's session: status %d, want 404 in words", rec.Code)
	}
	if s, _ := e.store.UserSessions(t.Context(), 3); len(s) != 1 {
		t.Errorf("admin's sessions = %d, want 1", len(s))
	}
}

func sessionCookieOf(t *testing.T, rec *httptest.ResponseRecorder) *http.Cookie {
	t.Helper()
	for _, c := range rec.Result().Cookies() {
		if c.Name == sessionCookie && c.Value != "" {
			return c
		}
	}
	t.Fatalf("no session cookie; status %d body %.300s", rec.Code, rec.Body.String())
	return nil
}

// between returns the text of s between the first from and the next to.
func between(s, from, to string) string {
	_, rest, ok := strings.Cut(s, from)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, to)
	return v
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
