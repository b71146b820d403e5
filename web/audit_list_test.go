package web

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"cardops/store"
)

// addAuditRows writes audit rows an admin then looks for, an hour apart
// from 2026-12-01 10:00 UTC.
func addAuditRows(t *testing.T, e *testEnv) {
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	for i, a := range []store.AuditEntry{
		{Actor: "maria.admin", Action: "reissue.start", TargetType: "card", TargetID: "1a2b3c4d-aaaa", Detail: "row-reissue-start"},
		{Actor: "maria.admin", Action: "reissue.confirm", TargetType: "card", TargetID: "1a2b3c4d-aaaa", Detail: "row-reissue-confirm"},
		{Actor: "ops_bot", Action: "webhook.rotate", TargetType: "settings", TargetID: "webhook", Detail: "row-webhook-rotate"},
		{Actor: "carol", Action: "simulate.authorize", TargetType: "card", TargetID: "9f8e7d6c-bbbb", Detail: "row-simulate"},
	} {
		a.At = t0.Add(time.Duration(i) * time.Hour)
		if err := e.store.Audit(context.Background(), a); err != nil {
			t.Fatal(err)
		}
	}
}

func TestAuditListFiltersAsAdmin(t *testing.T) {
	admin := store.LevelAdmin
	before := addAuditRows
	all := []string{"row-reissue-start", "row-reissue-confirm", "row-webhook-rotate", "row-simulate"}
	except := func(keep ...string) []string {
		var out []string
		for _, r := range all {
			kept := false
			for _, k := range keep {
				kept = kept || k == r
			}
			if !kept {
				out = append(out, r)
			}
		}
		return out
	}
	runScenarios(t, []scenario{
		{
			name: "action prefix reissue", method: "GET", url: "/audit?action=reissue", as: admin, before: before,
			wantStatus:   http.StatusOK,
			wantContains: []string{"row-reissue-start", "row-reissue-confirm", `value="reissue"`}, wantNotContains: except("row-reissue-start", "row-reissue-confirm"),
		},
		{
			name: "action prefix webhook", method: "GET", url: "/audit?action=webhook", as: admin, before: before,
			wantStatus: http.StatusOK, wantContains: []string{"row-webhook-rotate"}, wantNotContains: except("row-webhook-rotate"),
		},
		{
			name: "partial actor", method: "GET", url: "/audit?actor=aria", as: admin, before: before,
			wantStatus: http.StatusOK, wantContains: []string{"row-reissue-start", "row-reissue-confirm"}, wantNotContains: except("row-reissue-start", "row-reissue-confirm"),
		},
		{
			name: "actor with a LIKE wildcard is literal", method: "GET", url: "/audit?actor=" + url.QueryEscape("s_b"), as: admin, before: before,
			wantStatus: http.StatusOK, wantContains: []string{"row-webhook-rotate"}, wantNotContains: except("row-webhook-rotate"),
		},
		{
			name: "partial target", method: "GET", url: "/audit?target=9f8e", as: admin, before: before,
			wantStatus: http.StatusOK, wantContains: []string{"row-simulate"}, wantNotContains: except("row-simulate"),
		},
		{
			name: "time range from datetime-local inputs", method: "GET", url: "/audit?from=2026-12-01T11:00&to=2026-12-01T12:00", as: admin, before: before,
			wantStatus:   http.StatusOK,
			wantContains: []string{"row-reissue-confirm", "row-webhook-rotate", `value="2026-12-01T11:00"`}, wantNotContains: except("row-reissue-confirm", "row-webhook-rotate"),
		},
		{
			name: "an unreadable time is a field error worded for people", method: "GET", url: "/audit?from=yesterday&action=reissue", as: admin, before: before,
			wantStatus:      http.StatusOK,
			wantContains:    []string{`<span class="field-error" role="alert">`, "like 2026-12-01 14:30", "row-reissue-start"},
			wantNotContains: []string{"2006-01-02", "row-webhook-rotate"},
		},
		{
			name: "the older page keeps the filters", method: "GET", url: "/audit?action=reissue&before=999999", as: admin, before: before,
			wantStatus: http.StatusOK, wantContains: []string{"row-reissue-start"},
		},
		{
			name: "viewer cannot read the audit log", method: "GET", url: "/audit?action=reissue", as: store.LevelReadOnly, before: before,
			wantStatus: http.StatusForbidden, wantNotContains: all,
		},
	})
}
