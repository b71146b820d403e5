package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"cardops/store"
)

func TestAuditLogSearch(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	t0 := time.Date(2026, 12, 1, 14, 0, 0, 0, time.UTC)
	for i, e := range []store.AuditEntry{
		{Actor: "alice.admin", Action: "reissue.start", TargetType: "card", TargetID: "1a2b3c4d-aaaa"},
		{Actor: "alice.admin", Action: "reissue.confirm", TargetType: "card", TargetID: "1a2b3c4d-aaaa"},
		{Actor: "bob_ops", Action: "webhook.rotate", TargetType: "settings", TargetID: "webhook"},
		{Actor: "bob%ops", Action: "login", TargetType: "user", TargetID: "bob%ops"},
		{Actor: "carol", Action: "simulate.authorize", TargetType: "card", TargetID: "9f8e7d6c-bbbb"},
	} {
		e.At = t0.Add(time.Duration(i) * time.Hour)
		if err := st.Audit(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	actions := func(f store.AuditFilter) []string {
		rows, err := st.AuditLog(ctx, f)
		if err != nil {
			t.Fatalf("audit log %+v: %v", f, err)
		}
		var out []string
		for _, r := range rows {
			out = append(out, r.Action+"/"+r.Actor)
		}
		slices.Sort(out)
		return out
	}
	for _, tc := range []struct {
		name string
		f    store.AuditFilter
		want []string
	}{
		{"action prefix", store.AuditFilter{ActionPrefix: "reissue"}, []string{"reissue.confirm/alice.admin", "reissue.start/alice.admin"}},
		{"action prefix any case", store.AuditFilter{ActionPrefix: "WEBHOOK"}, []string{"webhook.rotate/bob_ops"}},
		{"action prefix is not contains", store.AuditFilter{ActionPrefix: "rotate"}, nil},
		{"partial actor", store.AuditFilter{ActorContains: "lic"}, []string{"reissue.confirm/alice.admin", "reissue.start/alice.admin"}},
		{"actor underscore is literal", store.AuditFilter{ActorContains: "b_o"}, []string{"webhook.rotate/bob_ops"}},
		{"actor percent is literal", store.AuditFilter{ActorContains: "b%o"}, []string{"login/bob%ops"}},
		{"actor backslash is literal", store.AuditFilter{ActorContains: `\`}, nil},
		{"partial target id", store.AuditFilter{TargetContains: "9f8e"}, []string{"simulate.authorize/carol"}},
		{"target type and id", store.AuditFilter{TargetContains: "card:1a2b"}, []string{"reissue.confirm/alice.admin", "reissue.start/alice.admin"}},
		{"time range, both ends included", store.AuditFilter{From: t0.Add(time.Hour), To: t0.Add(3 * time.Hour)},
			[]string{"login/bob%ops", "reissue.confirm/alice.admin", "webhook.rotate/bob_ops"}},
		{"from only", store.AuditFilter{From: t0.Add(4 * time.Hour)}, []string{"simulate.authorize/carol"}},
		{"combined", store.AuditFilter{ActorContains: "bob", ActionPrefix: "log", To: t0.Add(3 * time.Hour)}, []string{"login/bob%ops"}},
		{"a very long term is cut, not refused", store.AuditFilter{ActorContains: strings.Repeat("x", 10_000)}, nil},
		{"exact action still exact", store.AuditFilter{Action: "reissue"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := actions(tc.f); !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}
