package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"cardops/store"
)

func TestWebhookSettingsRotationAsAdmin(t *testing.T) {
	admin := store.LevelAdmin
	noop := func(t *testing.T, e *testEnv) {}
	rotations := func(t *testing.T, e *testEnv, result string) int {
		t.Helper()
		entries, _ := e.store.AuditLog(context.Background(), store.AuditFilter{Action: "webhook.rotate"})
		n := 0
		for _, en := range entries {
			if en.Result == result {
				n++
			}
		}
		return n
	}
	runScenarios(t, []scenario{
		{
			name: "key and secret are masked, with reveal and copy", method: "GET", url: "/settings/webhooks", as: admin, before: noop,
			wantStatus: http.StatusOK,
			wantContains: []string{`data-testid="webhook-key-masked">whk_••••••••`, `data-testid="webhook-secret-masked">whsec_••••••••`,
				"<summary>Reveal</summary>", `data-copy="webhook-secret"`, `src="/static/copy.js?v=`, "I understand the old key and secret stop working now"},
			after: func(t *testing.T, e *testEnv, rec *httptest.ResponseRecorder) {
				// The clear values sit only inside the closed reveals.
				sec := e.server.webhookSecrets.Load()
				body := rec.Body.String()
				for _, v := range []string{sec.Key, sec.Secret} {
					if strings.Count(body, v) != 1 || !strings.Contains(body, `<summary>Reveal</summary> <code class="mono" id=`) {
						t.Errorf("%s: want it once, inside a reveal", v[:6])
					}
				}
			},
		},
		{
			name: "no overlap without the confirmation is refused with a field error", method: "POST", url: "/settings/webhooks/rotate", as: admin,
			wantAudit: []string{"webhook.rotate refused"},
			before:    noop, form: map[string][]string{"overlap": {"0s"}},
			wantStatus:   http.StatusUnprocessableEntity,
			wantContains: []string{`<span class="field-error" role="alert">`, "Nothing was changed", `<option value="0s" selected>`},
			after: func(t *testing.T, e *testEnv, rec *httptest.ResponseRecorder) {
				if sec := e.server.webhookSecrets.Load(); sec.PreviousKey != "" {
					t.Errorf("secrets rotated without the confirmation")
				}
				if rotations(t, e, store.ResultRefused) != 1 {
					t.Errorf("want the refused rotation audited")
				}
			},
		},
		{
			name: "no overlap, confirmed, rotates and cuts the old pair off", method: "POST", url: "/settings/webhooks/rotate", as: admin,
			wantAudit: []string{"webhook.rotate ok"},
			before:    noop, form: map[string][]string{"overlap": {"0s"}, "confirm_cut": {"yes"}},
			wantStatus: http.StatusSeeOther, wantHeaders: map[string]string{"Location": "/settings/webhooks?rotated=1"},
			after: func(t *testing.T, e *testEnv, rec *httptest.ResponseRecorder) {
				sec := e.server.webhookSecrets.Load()
				if sec.PreviousKey == "" || sec.PreviousUntil.After(sec.RotatedAt) {
					t.Errorf("secrets = rotated at %v, previous until %v; want a rotation without overlap", sec.RotatedAt, sec.PreviousUntil)
				}
				if rotations(t, e, store.ResultOK) != 1 {
					t.Errorf("want the rotation audited")
				}
				page := scenario{method: "GET", url: "/settings/webhooks?rotated=1", as: store.LevelAdmin, wantStatus: http.StatusOK,
					wantContains: []string{"stopped working at once"}}
				page.run(t, e)
			},
		},
		{
			name: "an overlap needs no confirmation", method: "POST", url: "/settings/webhooks/rotate", as: admin,
			wantAudit: []string{"webhook.rotate ok"},
			before:    noop, form: map[string][]string{"overlap": {"1h"}},
			wantStatus: http.StatusSeeOther,
		},
		{
			name: "the copy script is served", method: "GET", url: "/static/copy.js",
			wantStatus: http.StatusOK, wantContains: []string{"data-copy", "navigator.clipboard"},
		},
	})
}

// TestWebhookRotationAuditedWithIt: the rotation and its audit row are one
// transaction: the row names the admin, their address and the overlap, and
// when the row cannot be written the key and secret stay as they were.
func TestWebhookRotationAuditedWithIt(t *testing.T) {
	runScenarios(t, []scenario{
		{
			name: "the audit row names the admin, their address and the overlap", method: "POST", url: "/settings/webhooks/rotate",
			as: store.LevelAdmin, form: map[string][]string{"overlap": {"24h"}},
			wantStatus: http.StatusSeeOther, wantHeaders: map[string]string{"Location": "/settings/webhooks?rotated=1"},
			wantAudit: []string{"webhook.rotate ok"},
			after: func(t *testing.T, e *testEnv, rec *httptest.ResponseRecorder) {
				sec := e.server.webhookSecrets.Load()
				rows, err := e.store.AuditLog(t.Context(), store.AuditFilter{Action: store.AuditWebhookRotate})
				if err != nil {
					t.Fatal(err)
				}
				wantAuditEntry(t, rows, store.AuditEntry{Actor: "admin", ActorLevel: store.LevelAdmin, RemoteAddr: "192.0.2.1",
					Action: store.AuditWebhookRotate, TargetType: "settings", TargetID: "webhooks", Result: store.ResultOK,
					Detail: "previous key and secret valid until " + sec.PreviousUntil.UTC().Format("2006-01-02 15:04:05 UTC")})
			},
		},
		{
			name: "an audit row that cannot be written leaves the key and secret as they were", method: "POST", url: "/settings/webhooks/rotate",
			as: store.LevelAdmin, form: map[string][]string{"overlap": {"1h"}},
			before:     func(t *testing.T, e *testEnv) { e.failAudit(t, store.AuditWebhookRotate, store.ResultOK) },
			wantStatus: http.StatusInternalServerError, wantContains: []string{"Something went wrong"},
			wantAudit: []string{"webhook.rotate error"},
			after: func(t *testing.T, e *testEnv, rec *httptest.ResponseRecorder) {
				stored, err := e.store.WebhookSecrets(t.Context(), "", "")
				if err != nil {
					t.Fatal(err)
				}
				if stored.PreviousKey != "" || !stored.RotatedAt.IsZero() {
					t.Errorf("stored secrets were rotated (previous key %q, rotated at %v) without their audit row", stored.PreviousKey[:min(8, len(stored.PreviousKey))], stored.RotatedAt)
				}
				if mem := e.server.webhookSecrets.Load(); mem.Key != stored.Key || mem.PreviousKey != "" {
					t.Errorf("the receiver took a rotated key that was not committed")
				}
			},
		},
	})
}
