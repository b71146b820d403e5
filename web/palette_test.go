package web

import (
	"context"
	"net/http"
	"testing"
	"time"

	"cardops/store"
	"cardops/store/storetest"
)

func TestPaletteShow(t *testing.T) {
	before := func(t *testing.T, e *testEnv) {
		storetest.AddCard(t, e.store, storetest.Card{ID: "0a1b2c3d-0000-4000-8000-000000000001", Holder: "Pal Ette", Last4: "7788"})
		if _, err := e.store.RecordDelivery(context.Background(), store.Delivery{ReceivedAt: time.UnixMilli(1_790_000_000_000),
			Headers: map[string][]string{}, Verification: "provider-key: ok", Operation: "CARDS", SubOperation: "CLEARING",
			OperationID: "opid-7f3e9a", Status: "SUCCESS", Body: []byte(`{}`)}); err != nil {
			t.Fatal(err)
		}
		if err := e.store.RecordAPIRequest(context.Background(), &store.APIRequest{KeyName: "ci", Method: "POST",
			Path: "/api/cards/webhook/simulate/authorize", Status: 201, TraceID: "9f8e7d6c5b4a3210"}); err != nil {
			t.Fatal(err)
		}
	}
	for _, sc := range []scenario{
		{name: "an operator finds an API call by trace id", method: http.MethodGet, url: "/palette?q=9F8E7D", as: store.LevelOperational, before: before,
			wantStatus: http.StatusOK, wantContains: []string{`href="/api-log/1"`, "9f8e7d6c5b4a3210", "POST /api/cards/webhook/simulate/authorize"}},
		{name: "a viewer is not shown API calls", method: http.MethodGet, url: "/palette?q=9f8e7d", as: store.LevelReadOnly, before: before,
			wantStatus: http.StatusOK, wantContains: []string{"Nothing found"}, wantNotContains: []string{"api-log", "9f8e7d6c5b4a3210"}},
		{name: "a last 4 finds the card", method: http.MethodGet, url: "/palette?q=7788", as: store.LevelReadOnly, before: before,
			wantStatus: http.StatusOK, wantContains: []string{`href="/cards/0a1b2c3d-0000-4000-8000-000000000001"`, "Pal Ette"}},
		{name: "an operation id finds the event", method: http.MethodGet, url: "/palette?q=opid-7f3", as: store.LevelReadOnly, before: before,
			wantStatus: http.StatusOK, wantContains: []string{`href="/events/1"`, "opid-7f3e9a"}},
		{name: "a viewer is not offered admin pages", method: http.MethodGet, url: "/palette?q=", as: store.LevelReadOnly,
			wantStatus: http.StatusOK, wantContains: []string{`href="/cards"`, `href="/account"`},
			wantNotContains: []string{`href="/audit"`, `href="/simulate"`, `href="/settings/users"`}},
		{name: "an admin finds Audit by name", method: http.MethodGet, url: "/palette?q=aud", as: store.LevelAdmin,
			wantStatus: http.StatusOK, wantContains: []string{`href="/audit"`}, wantNotContains: []string{`href="/cards"`}},
		{name: "an admin finds the webhook settings by the tab's word", method: http.MethodGet, url: "/palette?q=webhooks", as: store.LevelAdmin,
			wantStatus: http.StatusOK, wantContains: []string{`href="/settings/webhooks"`}},
		{name: "a viewer's webhooks are the events received", method: http.MethodGet, url: "/palette?q=Webhooks", as: store.LevelReadOnly,
			wantStatus: http.StatusOK, wantContains: []string{`href="/events"`}, wantNotContains: []string{`href="/settings/webhooks"`}},
		{name: "an operator finds Simulate", method: http.MethodGet, url: "/palette?q=Simul", as: store.LevelOperational,
			wantStatus: http.StatusOK, wantContains: []string{`href="/simulate"`}},
		{name: "a full card number is not searched here", method: http.MethodGet, url: "/palette?q=4242424242424242", as: store.LevelReadOnly,
			wantStatus: http.StatusOK, wantContains: []string{"use the card search"}, wantNotContains: []string{"4242424242424242"}},
		{name: "anonymous", method: http.MethodGet, url: "/palette?q=7788", wantStatus: http.StatusSeeOther,
			wantHeaders: map[string]string{"Location": "/login?next=%2Fpalette%3Fq%3D7788"}},
	} {
		t.Run(sc.name, func(t *testing.T) {
			sc.run(t, newTestEnv(t))
		})
	}
}
