package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"cardops/store"
)

// TestAPIKeyCommands: add prints the key once (and only a hash is kept),
// list shows it without the secret, revoke ends it; all audited as cli.
func TestAPIKeyCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "cli.db")
	getenv := env(map[string]string{"CARDOPS_DB": db})
	ctx := context.Background()
	// The database exists already, as a key is made for a console in use.
	st, err := openAsCLI(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"apikey", "add", "ci-backend", "--level", "2", "--allow", "10.0.0.0/8,203.0.113.7"}, getenv, nil, &out, &errOut); err != nil {
		t.Fatalf("add: %v", err)
	}
	secret := strings.TrimSpace(out.String())
	if !strings.HasPrefix(secret, store.APIKeyPrefix) || len(secret) < 40 {
		t.Fatalf("add printed %q, want the key", secret)
	}
	for _, tc := range []struct {
		args    []string
		wantErr string
	}{
		{[]string{"apikey", "add", "x", "--level", "4"}, "--level must be 1, 2 or 3"},
		{[]string{"apikey", "add", "x", "--level", "1", "--allow", "10.0.0.0/99"}, "--allow"},
		{[]string{"apikey", "add", "ci-backend", "--level", "1"}, "exists"},
		{[]string{"apikey", "add", "--level", "1"}, "give the key's name"},
		{[]string{"apikey", "revoke", "abc"}, "give the key's id"},
		{[]string{"apikey", "revoke", "99"}, "not found"},
		{[]string{"apikey", "frob"}, "unknown sub-command"},
	} {
		err := run(ctx, tc.args, getenv, nil, &bytes.Buffer{}, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("%v: err = %v, want %q", tc.args, err, tc.wantErr)
		}
	}
	out.Reset()
	if err := run(ctx, []string{"apikey", "list"}, getenv, nil, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	if l := out.String(); !strings.Contains(l, "ci-backend") || !strings.Contains(l, "2 Operational") ||
		!strings.Contains(l, "10.0.0.0/8, 203.0.113.7") || strings.Contains(l, secret) {
		t.Errorf("list = %q", l)
	}
	out.Reset()
	if err := run(ctx, []string{"apikey", "revoke", "1"}, getenv, nil, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	st, err = openAsCLI(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	k, err := st.APIKeyBySecret(ctx, secret)
	if err != nil || !k.Revoked() || k.CreatedBy != "cli" {
		t.Errorf("key = %+v, %v; want revoked, created by cli", k, err)
	}
	audit, err := st.AuditLog(ctx, store.AuditFilter{Actor: "cli"})
	if err != nil || len(audit) != 2 {
		t.Errorf("audit = %d rows, %v; want create and revoke", len(audit), err)
	}
}
