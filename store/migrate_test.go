package store

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

func TestMigrateFreshDatabase(t *testing.T) {
	ctx := context.Background()
	st, err := Open(ctx, filepath.Join(t.TempDir(), "fresh.db"))
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer st.Close()
	all, _ := migrations()
	v, err := st.SchemaVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := all[len(all)-1].version; v != want {
		t.Errorf("schema version = %d, want %d", v, want)
	}
	for _, table := range []string{"users", "sessions", "audit_log", "cards", "card_numbers", "card_transactions", "wallets", "wallet_movements", "card_tokenizations"} {
		var n int
		if err := st.r.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?`, table).Scan(&n); err != nil || n != 1 {
			t.Errorf("table %s: count %d, err %v; want it created", table, n, err)
		}
	}
	var mode string
	st.w.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode)
	var fk int
	st.w.QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&fk)
	if mode != "wal" || fk != 1 {
		t.Errorf("journal_mode = %q, foreign_keys = %d; want wal and 1", mode, fk)
	}
}

func TestMigrateRerunIsNoOp(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "again.db")
	st, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetSetting(ctx, "marker", []byte("kept")); err != nil {
		t.Fatal(err)
	}
	st.Close()
	st, err = Open(ctx, path)
	if err != nil {
		t.Fatalf("second open: %v", err)
	}
	defer st.Close()
	var n int
	st.r.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&n)
	all, _ := migrations()
	if n != len(all) {
		t.Errorf("schema_migrations rows = %d, want %d", n, len(all))
	}
	if v, err := st.Setting(ctx, "marker"); err != nil || string(v) != "kept" {
		t.Errorf("setting after re-open = %q, %v; want kept", v, err)
	}
}

func TestMigrateRefusesNewerDatabase(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "newer.db")
	st, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.w.ExecContext(ctx, `INSERT INTO schema_migrations(version, name, applied_at) VALUES (9999, '9999_future.sql', 0)`); err != nil {
		t.Fatal(err)
	}
	st.Close()
	_, err = Open(ctx, path)
	if err == nil || !strings.Contains(err.Error(), "newer cardops") {
		t.Fatalf("open = %v, want a refusal naming a newer cardops", err)
	}
}

func TestAuditLogIsAppendOnly(t *testing.T) {
	ctx := context.Background()
	st, err := Open(ctx, filepath.Join(t.TempDir(), "audit.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Audit(ctx, AuditEntry{Actor: "admin", Action: "login"}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.w.ExecContext(ctx, `UPDATE audit_log SET actor = 'mallory'`); err == nil {
		t.Error("UPDATE audit_log succeeded, want it refused")
	}
	if _, err := st.w.ExecContext(ctx, `DELETE FROM audit_log`); err == nil {
		t.Error("DELETE FROM audit_log succeeded, want it refused")
	}
}
