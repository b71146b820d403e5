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
