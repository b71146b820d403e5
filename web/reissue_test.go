package web

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"cardops/store"
	"cardops/store/storetest"
	"cardops/views"
)

// testCard is a card inserted for a reissue test.
type testCard struct {
	ID    string
	Last4 string
}

var testCardSeq int

// addTestCard inserts a card (version 1) with its current number, a movement
// and a mobile-wallet token.
func addTestCard(t *testing.T, e *testEnv, status string) testCard {
	t.Helper()
	testCardSeq++
	id := fmt.Sprintf("0b5c1d2e-0000-4000-8000-%012d", testCardSeq)
	pan, _ := store.RandomPAN("411111")
	now := time.Now().UnixMilli()
	storetest.AddCard(t, e.store, storetest.Card{ID: id, Holder: "Ana Núñez", PAN: pan, Status: status, Balance: 98765,
		CreatedAt: now, ExpMonth: 4, ExpYear: 2028,
		Movements:     []storetest.Movement{{ID: id + "-tx", At: now, Operation: "CLEARING", Amount: 500, NewBalance: 98765}},
		Tokenizations: []storetest.Tokenization{{ID: id + "-tok"}}})
	return testCard{ID: id, Last4: pan[12:]}
}

// addAdmin creates another level-3 user with testPassword.
func addAdmin(t *testing.T, e *testEnv, name string) {
	t.Helper()
	if _, err := e.store.CreateUser(context.Background(), store.NewUser{Username: name, Level: store.LevelAdmin, Password: testPassword}); err != nil {
		t.Fatal(err)
	}
}

// post sends a form as the user holding cookie.
func (e *testEnv) post(cookie *http.Cookie, target string, form url.Values) *httptest.ResponseRecorder {
	req := formRequest(http.MethodPost, target, form)
	req.AddCookie(cookie)
	return e.do(req)
}

func (e *testEnv) get(cookie *http.Cookie, target string) *httptest.ResponseRecorder {
	req := formRequest(http.MethodGet, target, nil)
	req.AddCookie(cookie)
	return e.do(req)
}

// startReissue submits step 1 as the cookie's admin and returns the request id.
func startReissue(t *testing.T, e *testEnv, cookie *http.Cookie, cardID string) string {
	t.Helper()
	rec := e.post(cookie, "/cards/"+cardID+"/reissue", url.Values{"reason": {"stolen"}, "note": {""}, "version": {"1"}})
	loc := rec.Header().Get("Location")
	if rec.Code != http.StatusSeeOther || !strings.HasPrefix(loc, "/reissues/") {
		t.Fatalf("step 1: status = %d, Location %q, want 303 to /reissues/{rid}; body %.400s", rec.Code, loc, rec.Body.String())
	}
	return strings.TrimPrefix(loc, "/reissues/")
}

func cardNow(t *testing.T, e *testEnv, id string) store.ReissueCard {
	t.Helper()
	c, err := e.store.ReissueCard(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func cardReissues(t *testing.T, e *testEnv, id string) []store.ReissueRequest {
	t.Helper()
	rs, err := e.store.CardReissues(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

func wantBody(t *testing.T, rec *httptest.ResponseRecorder, status int, contains ...string) {
	t.Helper()
	if rec.Code != status {
		t.Errorf("status = %d, want %d; body %.500s", rec.Code, status, rec.Body.String())
	}
	for _, s := range contains {
		if !strings.Contains(rec.Body.String(), s) {
			t.Errorf("body does not contain %q; body %.1500s", s, rec.Body.String())
		}
	}
}

func TestReissueBelowLevel3(t *testing.T) {
	for _, as := range []store.Level{store.LevelReadOnly, store.LevelOperational} {
		t.Run(userFor(as), func(t *testing.T) {
			e := newTestEnv(t)
			c := addTestCard(t, e, "ACTIVE")
			admin := e.login("admin")
			rid := startReissue(t, e, admin, c.ID)
			cookie := e.login(userFor(as))
			for _, tc := range []struct {
				method, url string
				form        url.Values
			}{
				{"GET", "/cards/" + c.ID + "/reissue", nil},
				{"POST", "/cards/" + c.ID + "/reissue", url.Values{"reason": {"lost"}, "version": {"1"}}},
				{"GET", "/reissues", nil},
				{"GET", "/reissues/" + rid, nil},
				{"POST", "/reissues/" + rid + "/confirm", url.Values{"last4": {c.Last4}, "password": {testPassword}}},
				{"POST", "/reissues/" + rid + "/reject", url.Values{"reason": {"no"}}},
			} {
				req := formRequest(tc.method, tc.url, tc.form)
				req.AddCookie(cookie)
				rec := e.do(req)
				if rec.Code != http.StatusForbidden {
					t.Errorf("%s %s: status = %d, want 403", tc.method, tc.url, rec.Code)
				}
			}
			if got := cardNow(t, e, c.ID); got.Last4 != c.Last4 || got.Version != 1 {
				t.Errorf("card changed: %+v", got)
			}
			if rs := cardReissues(t, e, c.ID); len(rs) != 1 || rs[0].Status != store.ReissuePending {
				t.Errorf("requests = %+v, want the admin's one still pending", rs)
			}
			if rec := e.get(cookie, "/"); strings.Contains(rec.Body.String(), `href="/reissues"`) {
				t.Errorf("level %d sees the Reissues navigation", as)
			}
		})
	}
}

func TestReissueStep1(t *testing.T) {
	e := newTestEnv(t)
	admin := e.login("admin")
	c := addTestCard(t, e, "ACTIVE")
	deleted := addTestCard(t, e, "DELETED")

	t.Run("shows the warning, the masked number and the reasons", func(t *testing.T) {
		rec := e.get(admin, "/cards/"+c.ID+"/reissue")
		newMonth, newYear := e.store.NewReissueExpiry()
		wantBody(t, rec, http.StatusOK, `class="warning-box"`, "This cannot be undone", "stops working at once",
			"same card id", "•••• •••• •••• "+c.Last4, "04/2028", `name="reason" value="lost"`, `value="suspected_fraud"`,
			`value="other"`, `name="version" value="1"`, "987.65 USD", "Ana Núñez",
			"Its 1 mobile-wallet link (Apple Pay, Google Pay …) stays.",
			// The expiry the reissue will give, as the store gives it.
			fmt.Sprintf("the expiry %02d/%d (three years from this month; it is 04/2028 now)", newMonth, newYear))
		if strings.Contains(rec.Body.String(), "Four-eyes mode is on") {
			t.Error("four-eyes notice shown with four-eyes off")
		}
	})
	t.Run("deleted card is refused with the provider's meaning", func(t *testing.T) {
		wantBody(t, e.get(admin, "/cards/"+deleted.ID+"/reissue"), http.StatusPreconditionFailed, "cannot be reissued", "412")
		rec := e.post(admin, "/cards/"+deleted.ID+"/reissue", url.Values{"reason": {"lost"}, "version": {"1"}})
		wantBody(t, rec, http.StatusPreconditionFailed, "deleted card cannot be reissued", `href="/cards/`+deleted.ID+`"`)
		if rs := cardReissues(t, e, deleted.ID); len(rs) != 0 {
			t.Errorf("a request was stored for a deleted card")
		}
		assertAudit(t, e, "reissue.request", "admin", store.ResultRefused)
	})
	t.Run("unknown card", func(t *testing.T) {
		wantBody(t, e.get(admin, "/cards/no-such-card/reissue"), http.StatusNotFound, "There is no card with id no-such-card")
		wantBody(t, e.post(admin, "/cards/no-such-card/reissue", url.Values{"reason": {"lost"}, "version": {"1"}}), http.StatusNotFound, "Card not found")
	})
	for _, tc := range []struct {
		name   string
		form   url.Values
		status int
		want   []string
	}{
		{"missing reason", url.Values{"version": {"1"}}, http.StatusUnprocessableEntity, []string{"Choose why the card is reissued."}},
		{"unknown reason", url.Values{"reason": {"bored"}, "version": {"1"}}, http.StatusUnprocessableEntity, []string{"Choose why the card is reissued."}},
		{"other without a note", url.Values{"reason": {"other"}, "note": {"   "}, "version": {"1"}}, http.StatusUnprocessableEntity,
			[]string{"required when the reason is “Other”", `value="other" checked`}},
		{"a note too long, and no reason", url.Values{"note": {strings.Repeat("é", 501)}, "version": {"1"}}, http.StatusUnprocessableEntity,
			[]string{"Choose why the card is reissued.", "The note must be at most 500 characters."}},
		{"tampered version", url.Values{"reason": {"lost"}, "version": {"abc"}}, http.StatusBadRequest, []string{"Damaged form"}},
		{"missing version", url.Values{"reason": {"lost"}}, http.StatusBadRequest, []string{"Damaged form"}},
		{"stale version", url.Values{"reason": {"lost"}, "version": {"7"}}, http.StatusConflict, []string{"The card changed since this page was opened"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantBody(t, e.post(admin, "/cards/"+c.ID+"/reissue", tc.form), tc.status, tc.want...)
			if rs := cardReissues(t, e, c.ID); len(rs) != 0 {
				t.Errorf("bad input stored a request: %+v", rs)
			}
		})
	}
	t.Run("valid reason makes a request and goes to step 2", func(t *testing.T) {
		rec := e.post(admin, "/cards/"+c.ID+"/reissue", url.Values{"reason": {"other"}, "note": {"chip broken"}, "version": {"1"}})
		rs := cardReissues(t, e, c.ID)
		if rec.Code != http.StatusSeeOther || len(rs) != 1 || rec.Header().Get("Location") != "/reissues/"+rs[0].ID {
			t.Fatalf("status %d, Location %q, requests %+v", rec.Code, rec.Header().Get("Location"), rs)
		}
		if rs[0].Reason != store.ReasonOther || rs[0].Note != "chip broken" || rs[0].Maker != "admin" || rs[0].CardVersion != 1 {
			t.Errorf("request = %+v", rs[0])
		}
		// Opening step 1 again points at the waiting request.
		wantBody(t, e.get(admin, "/cards/"+c.ID+"/reissue"), http.StatusOK, "admin already prepared a reissue of this card",
			`href="/reissues/`+rs[0].ID+`"`)
	})
}

func TestReissueStep2(t *testing.T) {
	e := newTestEnv(t)
	admin := e.login("admin")
	c := addTestCard(t, e, "ACTIVE")
	rid := startReissue(t, e, admin, c.ID)
	confirm := func(last4, password string) *httptest.ResponseRecorder {
		return e.post(admin, "/reissues/"+rid+"/confirm", url.Values{"last4": {last4}, "password": {password}})
	}
	wrong := "0000"
	if c.Last4 == wrong {
		wrong = "1111"
	}

	wantBody(t, e.get(admin, "/reissues/"+rid), http.StatusOK, "Step 2 of 2", "•••• •••• •••• "+c.Last4, "Stolen",
		`name="last4"`, `name="password"`, "5 of 5")
	wantBody(t, confirm("", ""), http.StatusUnprocessableEntity, "Type the 4 digits", "Enter your password.")
	wantBody(t, confirm("12a4", testPassword), http.StatusUnprocessableEntity, "Type the 4 digits")
	rec := confirm(wrong, testPassword)
	wantBody(t, rec, http.StatusUnprocessableEntity, "That is not the last 4", "Nothing was changed. 4 of 5 tries left")
	if strings.Contains(rec.Body.String(), "That is not your password") {
		t.Error("a right password is reported wrong")
	}
	wantBody(t, confirm(c.Last4, "not the password"), http.StatusUnprocessableEntity, "That is not your password", "3 of 5 tries left")
	if got := cardNow(t, e, c.ID); got.Last4 != c.Last4 || got.Version != 1 {
		t.Fatalf("wrong answers changed the card: %+v", got)
	}

	confirmFrom := time.Now()
	rec = confirm(c.Last4, testPassword)
	confirmTo := time.Now()
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/reissues/"+rid {
		t.Fatalf("confirm: status = %d, Location %q; body %.400s", rec.Code, rec.Header().Get("Location"), rec.Body.String())
	}
	after := cardNow(t, e, c.ID)
	if after.Last4 == c.Last4 || after.Version != 2 || after.BalanceCents != 98765 || after.Status != "ACTIVE" {
		t.Fatalf("card after = %+v", after)
	}
	done := e.get(admin, "/reissues/"+rid)
	wantBody(t, done, http.StatusOK, "The card was reissued", "•••• •••• •••• "+after.Last4, "Confirmed by")
	// The new number expires 3 years from the month of the confirmation,
	// read on both sides of it: a month (or year) can turn in between.
	expiry := func(at time.Time) string { at = at.UTC(); return fmt.Sprintf("%02d/%d", at.Month(), at.Year()+3) }
	if b := done.Body.String(); !strings.Contains(b, expiry(confirmFrom)) && !strings.Contains(b, expiry(confirmTo)) {
		t.Errorf("body shows no expiry %s (or %s); body %.1500s", expiry(confirmFrom), expiry(confirmTo), b)
	}

	// Double submit, back button, replayed form: one reissue, a clear answer.
	rec = confirm(c.Last4, testPassword)
	wantBody(t, rec, http.StatusConflict, "Already reissued", "already reissued with this request by admin",
		"•••• •••• •••• "+after.Last4, `href="/cards/`+c.ID+`"`)
	if got := cardNow(t, e, c.ID); got != after {
		t.Errorf("replay changed the card: %+v -> %+v", after, got)
	}
	// Step 1 replayed after the reissue: the old version is stale.
	rec = e.post(admin, "/cards/"+c.ID+"/reissue", url.Values{"reason": {"stolen"}, "version": {"1"}})
	wantBody(t, rec, http.StatusConflict, "This card was already reissued by admin", "•••• •••• •••• "+after.Last4)
	if rs := cardReissues(t, e, c.ID); len(rs) != 1 {
		t.Errorf("requests = %d, want 1", len(rs))
	}
	assertAudit(t, e, "card.reissue", "admin", store.ResultOK)
}

func TestReissueTooManyWrongTries(t *testing.T) {
	e := newTestEnv(t)
	admin := e.login("admin")
	c := addTestCard(t, e, "FROZEN")
	rid := startReissue(t, e, admin, c.ID)
	for i := 1; i < store.ReissueMaxAttempts; i++ {
		rec := e.post(admin, "/reissues/"+rid+"/confirm", url.Values{"last4": {c.Last4}, "password": {"wrong password " + fmt.Sprint(i)}})
		wantBody(t, rec, http.StatusUnprocessableEntity, fmt.Sprintf("%d of 5 tries left", store.ReissueMaxAttempts-i))
	}
	rec := e.post(admin, "/reissues/"+rid+"/confirm", url.Values{"last4": {c.Last4}, "password": {"wrong again"}})
	wantBody(t, rec, http.StatusConflict, "Request cancelled", "Nothing was changed")
	rec = e.post(admin, "/reissues/"+rid+"/confirm", url.Values{"last4": {c.Last4}, "password": {testPassword}})
	wantBody(t, rec, http.StatusConflict, "Request closed", "too many wrong attempts")
	wantBody(t, e.get(admin, "/reissues/"+rid), http.StatusOK, "This request is cancelled", "Start a new reissue")
	if got := cardNow(t, e, c.ID); got.Last4 != c.Last4 || got.Version != 1 {
		t.Errorf("card changed: %+v", got)
	}
}

func TestReissueRequestRefusals(t *testing.T) {
	e := newTestEnv(t)
	addAdmin(t, e, "admin2")
	admin, admin2 := e.login("admin"), e.login("admin2")

	t.Run("unknown request", func(t *testing.T) {
		wantBody(t, e.get(admin, "/reissues/nope"), http.StatusNotFound, "There is no reissue request nope")
		wantBody(t, e.post(admin, "/reissues/nope/confirm", url.Values{"last4": {"1234"}, "password": {testPassword}}), http.StatusNotFound, "Reissue request not found")
		wantBody(t, e.post(admin, "/reissues/nope/reject", url.Values{"reason": {"x"}}), http.StatusNotFound, "Reissue request not found")
	})
	t.Run("another admin's request", func(t *testing.T) {
		c := addTestCard(t, e, "ACTIVE")
		rid := startReissue(t, e, admin, c.ID)
		wantBody(t, e.get(admin2, "/reissues/"+rid), http.StatusOK, "only they can confirm it")
		if strings.Contains(e.get(admin2, "/reissues/"+rid).Body.String(), `name="last4"`) {
			t.Error("another admin is offered the confirmation form")
		}
		rec := e.post(admin2, "/reissues/"+rid+"/confirm", url.Values{"last4": {c.Last4}, "password": {testPassword}})
		wantBody(t, rec, http.StatusForbidden, "prepared by admin; only they can confirm it", "Nothing was changed")
		wantBody(t, e.post(admin2, "/reissues/"+rid+"/reject", url.Values{"reason": {"mine now"}}), http.StatusForbidden, "Not your request")
		if got := cardNow(t, e, c.ID); got.Last4 != c.Last4 {
			t.Errorf("card changed")
		}
		if rs := cardReissues(t, e, c.ID); rs[0].Status != store.ReissuePending || rs[0].FailedAttempts != 0 {
			t.Errorf("request = %s with %d failures, want untouched", rs[0].Status, rs[0].FailedAttempts)
		}
	})
	t.Run("request token from another card", func(t *testing.T) {
		// The request carries its card: the confirm URL has no card id to
		// swap, and the last 4 of another card is simply wrong.
		c1, c2 := addTestCard(t, e, "ACTIVE"), addTestCard(t, e, "ACTIVE")
		rid := startReissue(t, e, admin, c1.ID)
		if c1.Last4 != c2.Last4 {
			rec := e.post(admin, "/reissues/"+rid+"/confirm", url.Values{"last4": {c2.Last4}, "password": {testPassword}})
			wantBody(t, rec, http.StatusUnprocessableEntity, "That is not the last 4")
		}
		if got := cardNow(t, e, c2.ID); got.Last4 != c2.Last4 || got.Version != 1 {
			t.Errorf("the other card changed")
		}
	})
	t.Run("expired request", func(t *testing.T) {
		c := addTestCard(t, e, "ACTIVE")
		rid := startReissue(t, e, admin, c.ID)
		e.store.SetClock(func() time.Time { return time.Now().Add(store.ReissueTTL + time.Second) })
		t.Cleanup(func() { e.store.SetClock(time.Now) })
		wantBody(t, e.get(admin, "/reissues/"+rid), http.StatusOK, "This request is expired")
		rec := e.post(admin, "/reissues/"+rid+"/confirm", url.Values{"last4": {c.Last4}, "password": {testPassword}})
		wantBody(t, rec, http.StatusConflict, "Request expired", "valid for 10 minutes")
		if got := cardNow(t, e, c.ID); got.Last4 != c.Last4 {
			t.Errorf("card changed")
		}
	})
	t.Run("card frozen since step 1", func(t *testing.T) {
		c := addTestCard(t, e, "ACTIVE")
		rid := startReissue(t, e, admin, c.ID)
		if _, err := e.store.Writer().Exec(`UPDATE cards SET status = 'FROZEN', version = version + 1 WHERE id = ?`, c.ID); err != nil {
			t.Fatal(err)
		}
		rec := e.post(admin, "/reissues/"+rid+"/confirm", url.Values{"last4": {c.Last4}, "password": {testPassword}})
		wantBody(t, rec, http.StatusConflict, "The card changed after step 1", `href="/cards/`+c.ID+`"`)
	})
	t.Run("card deleted since step 1", func(t *testing.T) {
		c := addTestCard(t, e, "ACTIVE")
		rid := startReissue(t, e, admin, c.ID)
		if _, err := e.store.Writer().Exec(`UPDATE cards SET status = 'DELETED', version = version + 1 WHERE id = ?`, c.ID); err != nil {
			t.Fatal(err)
		}
		rec := e.post(admin, "/reissues/"+rid+"/confirm", url.Values{"last4": {c.Last4}, "password": {testPassword}})
		wantBody(t, rec, http.StatusPreconditionFailed, "deleted card cannot be reissued")
	})
	t.Run("reissued by another admin since step 1", func(t *testing.T) {
		c := addTestCard(t, e, "ACTIVE")
		rid1 := startReissue(t, e, admin, c.ID)
		rid2 := startReissue(t, e, admin2, c.ID)
		if rec := e.post(admin2, "/reissues/"+rid2+"/confirm", url.Values{"last4": {c.Last4}, "password": {testPassword}}); rec.Code != http.StatusSeeOther {
			t.Fatalf("admin2 confirm: status %d", rec.Code)
		}
		after := cardNow(t, e, c.ID)
		rec := e.post(admin, "/reissues/"+rid1+"/confirm", url.Values{"last4": {c.Last4}, "password": {testPassword}})
		wantBody(t, rec, http.StatusConflict, "This card was already reissued by admin2", "•••• •••• •••• "+after.Last4)
		if got := cardNow(t, e, c.ID); got != after {
			t.Errorf("card changed again")
		}
	})
}

func TestReissueFourEyesHTTP(t *testing.T) {
	e := newTestEnv(t)
	e.server.fourEyes = true
	addAdmin(t, e, "checker")
	maker, checker := e.login("admin"), e.login("checker")
	c := addTestCard(t, e, "ACTIVE")

	wantBody(t, e.get(maker, "/cards/"+c.ID+"/reissue"), http.StatusOK, "Four-eyes mode is on")
	rid := startReissue(t, e, maker, c.ID)
	rec := e.get(maker, "/reissues/"+rid)
	wantBody(t, rec, http.StatusOK, "a second admin must confirm this request", "Withdraw")
	if strings.Contains(rec.Body.String(), `name="last4"`) {
		t.Error("the maker is offered the confirmation form")
	}
	rec = e.post(maker, "/reissues/"+rid+"/confirm", url.Values{"last4": {c.Last4}, "password": {testPassword}})
	wantBody(t, rec, http.StatusForbidden, "another admin must confirm it")
	if got := cardNow(t, e, c.ID); got.Last4 != c.Last4 {
		t.Fatal("the maker reissued the card")
	}

	wantBody(t, e.get(checker, "/reissues"), http.StatusOK, "Four-eyes mode is on", "Ana Núñez", "Stolen", `href="/reissues/`+rid+`"`)
	wantBody(t, e.get(checker, "/reissues/"+rid), http.StatusOK, `name="last4"`, "Reject this request", "Prepared by")
	rec = e.post(checker, "/reissues/"+rid+"/confirm", url.Values{"last4": {c.Last4}, "password": {testPassword}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("checker confirm: status %d; body %.400s", rec.Code, rec.Body.String())
	}
	rs := cardReissues(t, e, c.ID)
	if rs[0].Status != store.ReissueDone || rs[0].Maker != "admin" || rs[0].Checker != "checker" {
		t.Errorf("request = %s by %s / %s", rs[0].Status, rs[0].Maker, rs[0].Checker)
	}
	wantBody(t, e.get(checker, "/reissues"), http.StatusOK, "No reissue is waiting", "Reissued")

	// Rejection with a reason.
	c2 := addTestCard(t, e, "ACTIVE")
	rid2 := startReissue(t, e, maker, c2.ID)
	wantBody(t, e.post(checker, "/reissues/"+rid2+"/reject", url.Values{"reason": {" "}}), http.StatusUnprocessableEntity, "Say why")
	rec = e.post(checker, "/reissues/"+rid2+"/reject", url.Values{"reason": {"cardholder found the card"}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("reject: status %d", rec.Code)
	}
	wantBody(t, e.get(maker, "/reissues/"+rid2), http.StatusOK, "This request is rejected", "cardholder found the card", "checker")
	rec = e.post(checker, "/reissues/"+rid2+"/confirm", url.Values{"last4": {c2.Last4}, "password": {testPassword}})
	wantBody(t, rec, http.StatusConflict, "checker rejected this reissue request")
	assertAudit(t, e, "reissue.reject", "checker", store.ResultOK)
}

// TestReissueStep2AfterTheCardChanged: the card changed after step 1 (here
// frozen through the card page by another admin), so step 2 says so and
// offers no confirmation form, in the queue too; a form sent anyway is
// refused, the request cancelled, and both are audited.
func TestReissueStep2AfterTheCardChanged(t *testing.T) {
	e := newTestEnv(t)
	e.server.fourEyes = true
	addAdmin(t, e, "checker")
	maker, checker := e.login("admin"), e.login("checker")
	c := addTestCard(t, e, "ACTIVE")
	rid := startReissue(t, e, maker, c.ID)
	wantBody(t, e.get(checker, "/reissues/"+rid), http.StatusOK, `name="last4"`)

	if rec := e.post(checker, "/cards/"+c.ID+"/freeze", freezeForm("suspected_fraud", "", "1")); rec.Code != http.StatusSeeOther && rec.Code != http.StatusOK {
		t.Fatalf("freeze: status %d; body %.400s", rec.Code, rec.Body.String())
	}
	if got := cardNow(t, e, c.ID); got.Status != "FROZEN" {
		t.Fatalf("card is %s after the freeze", got.Status)
	}
	for _, who := range []*http.Cookie{checker, maker} {
		rec := e.get(who, "/reissues/"+rid)
		wantBody(t, rec, http.StatusOK, "The card changed after step 1 (it was frozen", "can no longer be confirmed",
			`href="/cards/`+c.ID+`/reissue"`)
		for _, stale := range []string{`name="last4"`, "Reissue the card now", "Step 2 of 2", "a second admin must confirm"} {
			if strings.Contains(rec.Body.String(), stale) {
				t.Errorf("the changed card's request page still shows %q", stale)
			}
		}
	}
	wantBody(t, e.get(checker, "/reissues"), http.StatusOK, "Card changed: view")

	rec := e.post(checker, "/reissues/"+rid+"/confirm", url.Values{"last4": {c.Last4}, "password": {testPassword}})
	wantBody(t, rec, http.StatusConflict, "The card changed after step 1")
	assertAudit(t, e, "reissue.confirm", "checker", store.ResultRefused)
	if rs := cardReissues(t, e, c.ID); rs[0].Status != store.ReissueCancelled {
		t.Errorf("request is %s, want cancelled", rs[0].Status)
	}
	if got := cardNow(t, e, c.ID); got.Last4 != c.Last4 {
		t.Error("the card was reissued")
	}

	// A reissue done since is named on the page, as on submit.
	c2 := addTestCard(t, e, "ACTIVE")
	rid1, rid2 := startReissue(t, e, maker, c2.ID), startReissue(t, e, checker, c2.ID)
	if rec := e.post(maker, "/reissues/"+rid2+"/confirm", url.Values{"last4": {c2.Last4}, "password": {testPassword}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("confirm: status %d; body %.400s", rec.Code, rec.Body.String())
	}
	after := cardNow(t, e, c2.ID)
	rec = e.get(checker, "/reissues/"+rid1)
	wantBody(t, rec, http.StatusOK, "This card was already reissued by admin", "•••• •••• •••• "+after.Last4, "can no longer be confirmed")
	if strings.Contains(rec.Body.String(), `name="last4"`) {
		t.Error("the reissued card's older request still offers the form")
	}
}

func TestCardReissueSection(t *testing.T) {
	e := newTestEnv(t)
	admin := e.login("admin")
	c := addTestCard(t, e, "ACTIVE")
	rid := startReissue(t, e, admin, c.ID)
	e.post(admin, "/reissues/"+rid+"/confirm", url.Values{"last4": {c.Last4}, "password": {testPassword}})
	card := cardNow(t, e, c.ID)
	rs := cardReissues(t, e, c.ID)
	render := func(level store.Level, card store.ReissueCard) string {
		var b bytes.Buffer
		admin := level >= store.LevelAdmin
		if err := views.CardReissueSection(admin, admin, card.ID, card.Status, rs).Render(context.Background(), &b); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	html := render(store.LevelAdmin, card)
	for _, want := range []string{"Reissue card", `href="/cards/` + c.ID + `/reissue"`, "Reissued", "•••• •••• •••• " + c.Last4, "•••• •••• •••• " + card.Last4} {
		if !strings.Contains(html, want) {
			t.Errorf("admin section lacks %q: %s", want, html)
		}
	}
	if html := render(store.LevelReadOnly, card); strings.Contains(html, "Reissue card") || strings.Contains(html, "/reissue\"") {
		t.Errorf("viewer section offers the reissue action: %s", html)
	}
	card.Status = "DELETED"
	if html := render(store.LevelAdmin, card); strings.Contains(html, `/reissue"`) {
		t.Errorf("deleted card offers the reissue action")
	}
}

// TestReissueConcurrentHTTP fires the same confirmation twenty times at once
// through the real router (a double-clicking admin, a replaying proxy): one
// reissue, and every other answer says the card was already reissued.
func TestReissueConcurrentHTTP(t *testing.T) {
	e := newTestEnv(t)
	admin := e.login("admin")
	c := addTestCard(t, e, "ACTIVE")
	rid := startReissue(t, e, admin, c.ID)
	const n = 20
	codes := make([]int, n)
	bodies := make([]string, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			rec := e.post(admin, "/reissues/"+rid+"/confirm", url.Values{"last4": {c.Last4}, "password": {testPassword}})
			codes[i], bodies[i] = rec.Code, rec.Body.String()
		})
	}
	close(start)
	wg.Wait()
	ok := 0
	for i, code := range codes {
		switch code {
		case http.StatusSeeOther:
			ok++
		case http.StatusConflict:
			if !strings.Contains(bodies[i], "already reissued") {
				t.Errorf("409 without the reason: %.300s", bodies[i])
			}
		default:
			t.Errorf("status = %d, want 303 once and 409 otherwise; body %.300s", code, bodies[i])
		}
	}
	if ok != 1 {
		t.Errorf("successful confirmations = %d, want 1", ok)
	}
	if got := cardNow(t, e, c.ID); got.Version != 2 {
		t.Errorf("card version = %d, want 2 (one reissue)", got.Version)
	}
}
