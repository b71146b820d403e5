package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"cardops/store"
)

// TestReissueStepUpLockout: wrong step-up passwords count per admin across
// requests; the one that reaches the limit ends every session of the admin.
func TestReissueStepUpLockout(t *testing.T) {
	e := newTestEnv(t)
	admin, otherTab := e.login("admin"), e.login("admin")
	c := addTestCard(t, e, "ACTIVE")
	// Spread over requests so that none reaches its own limit.
	perRequest := store.ReissueMaxAttempts - 1
	var rids []string
	for range (store.MaxStepUpFails + perRequest - 1) / perRequest {
		rids = append(rids, startReissue(t, e, admin, c.ID))
	}
	rid := func(i int) string { return rids[(i-1)/perRequest] }
	wrong := func(rid string, i int) *http.Response {
		return e.post(admin, "/reissues/"+rid+"/confirm", url.Values{"last4": {c.Last4}, "password": {fmt.Sprintf("wrong password %d", i)}}).Result()
	}
	for i := 1; i < store.MaxStepUpFails; i++ {
		if res := wrong(rid(i), i); res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("wrong password %d: status = %d, want 422", i, res.StatusCode)
		}
	}
	res := wrong(rid(store.MaxStepUpFails), store.MaxStepUpFails)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/login?step_up=1" {
		t.Fatalf("wrong password %d: status = %d, Location %q, want 303 to /login?step_up=1", store.MaxStepUpFails, res.StatusCode, res.Header.Get("Location"))
	}
	cleared := false
	for _, ck := range res.Cookies() {
		cleared = cleared || (ck.Name == sessionCookie && ck.MaxAge < 0)
	}
	if !cleared {
		t.Errorf("the session cookie was not cleared: %v", res.Cookies())
	}
	for name, ck := range map[string]*http.Cookie{"this tab": admin, "another session": otherTab} {
		if rec := e.get(ck, "/cards"); rec.Code != http.StatusSeeOther {
			t.Errorf("%s after the lockout: status = %d, want 303 to sign-in", name, rec.Code)
		}
	}
	assertAudit(t, e, "user.step_up_lockout", "admin", store.ResultRefused)
	page := e.do(formRequest(http.MethodGet, "/login?step_up=1", nil))
	if !strings.Contains(page.Body.String(), "signed out everywhere") {
		t.Errorf("sign-in page does not say why: %.400s", page.Body.String())
	}
	if got := cardNow(t, e, c.ID); got.Last4 != c.Last4 || got.Version != 1 {
		t.Errorf("card changed: %+v", got)
	}
	// Signing in again (which needs the password, and is throttled) starts
	// the count afresh.
	again := e.login("admin")
	fresh := startReissue(t, e, again, c.ID)
	rec := e.post(again, "/reissues/"+fresh+"/confirm", url.Values{"last4": {c.Last4}, "password": {testPassword}})
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/reissues/"+fresh {
		t.Errorf("right password after signing in again: status = %d, Location %q, want 303 to the request", rec.Code, rec.Header().Get("Location"))
	}
}

// TestReissueStepUpParallelGuesses: wrong passwords sent at once over many
// requests are counted before they are checked.
func TestReissueStepUpParallelGuesses(t *testing.T) {
	e := newTestEnv(t)
	admin := e.login("admin")
	c := addTestCard(t, e, "ACTIVE")
	var rids []string
	for range 8 {
		rids = append(rids, startReissue(t, e, admin, c.ID))
	}
	const guesses = 40
	var wg sync.WaitGroup
	codes := make(chan int, guesses)
	start := make(chan struct{})
	for i := range guesses {
		wg.Go(func() {
			<-start
			codes <- e.post(admin, "/reissues/"+rids[i%len(rids)]+"/confirm",
				url.Values{"last4": {c.Last4}, "password": {fmt.Sprintf("guess %d", i)}}).Code
		})
	}
	close(start)
	wg.Wait()
	close(codes)
	wrong := 0
	for code := range codes {
		if code == http.StatusUnprocessableEntity || code == http.StatusConflict {
			wrong++ // a wrong password said so (422, or 409 when it cancelled the request)
		}
	}
	if wrong >= store.MaxStepUpFails {
		t.Errorf("%d passwords checked and refused as wrong, want fewer than %d (the last one signs out)", wrong, store.MaxStepUpFails)
	}
}

// TestPasswordFormLockout: wrong current passwords on the password form
// count as the step-up's do (the same count: a stolen session guessing the
// password); the one that reaches the limit ends every session of the user,
// and the password is not changed.
func TestPasswordFormLockout(t *testing.T) {
	e := newTestEnv(t)
	viewer, otherTab := e.login("viewer"), e.login("viewer")
	change := func(current string) *http.Response {
		return e.post(viewer, "/account/password", url.Values{"current": {current}, "new": {"a new long password"}, "confirm": {"a new long password"}}).Result()
	}
	for i := 1; i < store.MaxStepUpFails; i++ {
		if res := change(fmt.Sprintf("guess %d", i)); res.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("wrong current password %d: status = %d, want 422", i, res.StatusCode)
		}
	}
	res := change("last guess")
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/login?step_up=1" {
		t.Fatalf("wrong current password %d: status = %d, Location %q, want 303 to /login?step_up=1", store.MaxStepUpFails, res.StatusCode, res.Header.Get("Location"))
	}
	for name, ck := range map[string]*http.Cookie{"this tab": viewer, "another session": otherTab} {
		if rec := e.get(ck, "/cards"); rec.Code != http.StatusSeeOther {
			t.Errorf("%s after the lockout: status = %d, want 303 to sign-in", name, rec.Code)
		}
	}
	// The right password, sent after, changes nothing: the session is gone.
	if res := change(testPassword); res.StatusCode == http.StatusSeeOther && res.Header.Get("Location") == "/account?done=password" {
		t.Error("the password was changed from an ended session")
	}
	assertAudit(t, e, "user.step_up_lockout", "viewer", store.ResultRefused)
	if _, err := e.store.Authenticate(context.Background(), "viewer", testPassword); err != nil {
		t.Errorf("the old password no longer signs in: %v", err)
	}
}

// TestStepUpLockoutInFlight: wrong passwords already in flight (sent at once,
// past the session check) when one of them reaches the step-up limit are
// refused without locking again: the one that reached it ends the sessions
// and leaves the only lockout row, and none says "0 session(s) ended".
func TestStepUpLockoutInFlight(t *testing.T) {
	const inFlight = 12
	for _, tc := range []struct {
		name string
		user string
		// prepare makes what the tries need and returns how to send wrong
		// password i (1-based) as cookie.
		prepare func(t *testing.T, e *testEnv, cookie *http.Cookie) func(i int) *httptest.ResponseRecorder
	}{
		{"password form", "viewer", func(t *testing.T, e *testEnv, cookie *http.Cookie) func(int) *httptest.ResponseRecorder {
			return func(i int) *httptest.ResponseRecorder {
				return e.post(cookie, "/account/password", url.Values{"current": {fmt.Sprintf("guess %d", i)},
					"new": {"a new long password"}, "confirm": {"a new long password"}})
			}
		}},
		{"reissue step 2", "admin", func(t *testing.T, e *testEnv, cookie *http.Cookie) func(int) *httptest.ResponseRecorder {
			c := addTestCard(t, e, "ACTIVE")
			// One request per try, so that no request reaches its own limit.
			rids := make([]string, store.MaxStepUpFails+inFlight)
			for i := range rids {
				rids[i] = startReissue(t, e, cookie, c.ID)
			}
			return func(i int) *httptest.ResponseRecorder {
				return e.post(cookie, "/reissues/"+rids[i-1]+"/confirm", url.Values{"last4": {c.Last4}, "password": {fmt.Sprintf("guess %d", i)}})
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEnv(t)
			cookie := e.login(tc.user)
			wrong := tc.prepare(t, e, cookie)
			for i := 1; i < store.MaxStepUpFails; i++ {
				if rec := wrong(i); rec.Code != http.StatusUnprocessableEntity {
					t.Fatalf("wrong password %d: status = %d, want 422", i, rec.Code)
				}
			}
			auditFrom := e.lastAuditID(t)
			var wg sync.WaitGroup
			start := make(chan struct{})
			recs := make([]*httptest.ResponseRecorder, inFlight)
			for i := range inFlight {
				wg.Go(func() {
					<-start
					recs[i] = wrong(store.MaxStepUpFails + i)
				})
			}
			close(start)
			wg.Wait()
			lockouts := 0
			for i, rec := range recs {
				loc := rec.Header().Get("Location")
				if rec.Code != http.StatusSeeOther || !strings.HasPrefix(loc, "/login") {
					t.Errorf("try %d: status = %d, Location %q, want 303 to sign-in", store.MaxStepUpFails+i, rec.Code, loc)
				}
				if loc == "/login?step_up=1" {
					lockouts++
				}
			}
			if lockouts == 0 {
				t.Error("no try was told it signed the user out")
			}
			if got, want := e.auditSince(t, auditFrom), []string{"user.step_up_lockout refused"}; strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("audit rows = %q, want %q (%d tries said signed out)", got, want, lockouts)
			}
		})
	}
}
