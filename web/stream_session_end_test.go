package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"cardops/store"
	"cardops/store/storetest"
	"cardops/views"
)

// TestStreamsEndWithTheirSessionAtOnce: a person's open live streams (the
// event log, the API request log, a card page) end as soon as their
// session ends, whoever ends it, the command line included (within the
// console's poll), not at the next keep-alive, which is an hour away here; another person's stream goes on (from a QA pass: a
// signed-out or disabled person's stream still received new rows for up
// to 20 seconds).
func TestStreamsEndWithTheirSessionAtOnce(t *testing.T) {
	for _, tc := range []struct {
		name string
		end  func(t *testing.T, e *testEnv, cookie *http.Cookie, uid int64)
	}{
		{"the person signs out", func(t *testing.T, e *testEnv, cookie *http.Cookie, _ int64) {
			req := httptest.NewRequest(http.MethodPost, "/logout", nil)
			req.AddCookie(cookie)
			if rec := e.do(req); rec.Code != http.StatusSeeOther {
				t.Fatalf("logout: %d", rec.Code)
			}
		}},
		{"an admin ends their sessions", func(t *testing.T, e *testEnv, _ *http.Cookie, uid int64) {
			if rec := e.post(e.login("admin"), "/settings/users/"+strconv.FormatInt(uid, 10)+"/sessions/end", reason("lost laptop")); rec.Code >= 400 {
				t.Fatalf("end sessions: %d %s", rec.Code, rec.Body)
			}
		}},
		{"an admin disables them", func(t *testing.T, e *testEnv, _ *http.Cookie, uid int64) {
			if rec := e.post(e.login("admin"), "/settings/users/"+strconv.FormatInt(uid, 10)+"/disable", reason("left the company")); rec.Code >= 400 {
				t.Fatalf("disable: %d %s", rec.Code, rec.Body)
			}
		}},
		// Another process: its commit signals nothing in this one; the
		// console's watch of the count of session deletions finds it.
		{"the command line resets their password", func(t *testing.T, e *testEnv, _ *http.Cookie, _ int64) {
			cli, err := store.OpenWith(context.Background(), e.store.Path(), store.Options{BcryptCost: bcrypt.MinCost})
			if err != nil {
				t.Fatal(err)
			}
			defer cli.Close()
			if _, err := cli.ResetPassword(context.Background(), "operator", "a new long password 77", "cli"); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEnv(t, withWebhookCreds, func(c *Config) { c.StreamKeepAlive, c.SessionEndsPoll = time.Hour, 20*time.Millisecond })
			cardID := storetest.AddCard(t, e.store, storetest.Card{Holder: "Live Lena", Last4: "7001"})
			ts := startHTTP(t, e)
			u, err := e.store.UserByName(context.Background(), "operator")
			if err != nil {
				t.Fatal(err)
			}
			cookie := e.login("operator")
			events := openStream(t, ts.URL, "/events/stream", cookie, "")
			apiLog := openStream(t, ts.URL, "/api-log/stream", cookie, "")
			card := openStream(t, ts.URL, "/cards/"+cardID+"/stream", cookie, "")
			stays := openStream(t, ts.URL, "/events/stream", e.login("viewer"), "")

			tc.end(t, e, cookie, u.ID)

			m := events.next(t)
			if m.Event != views.LiveFullEvent || !containsAll(m.Data, `data-testid="live-ended"`) {
				t.Errorf("event log stream: got %s %q, want the paused control saying the session ended", m.Event, m.Data)
			}
			for name, c := range map[string]*sseClient{"event log": events, "API request log": apiLog, "card page": card} {
				select {
				case <-c.done:
				case <-time.After(5 * time.Second):
					t.Errorf("%s stream still open 5s after its session ended", name)
				}
			}
			deliverOK(t, e, notification("after-the-end"))
			if m := stays.next(t); m.Event != views.LiveRowEvent {
				t.Errorf("another person's stream got %s, want the new row", m.Event)
			}
		})
	}
}

func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}
