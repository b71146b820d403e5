package storetest

import (
	"context"
	"database/sql"
	"testing"

	"cardops/store"
)

// HoldWriteLock takes the database's write lock from a second connection,
// as another process would (BEGIN IMMEDIATE), and holds it until the
// returned release is called (or the test ends).
func HoldWriteLock(t testing.TB, st *store.Store) (release func()) {
	t.Helper()
	ctx := context.Background()
	db, err := sql.Open("sqlite", "file:"+st.Path()+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatalf("storetest: hold write lock: %v", err)
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		db.Close()
		t.Fatalf("storetest: hold write lock: %v", err)
	}
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		conn.Close()
		db.Close()
		t.Fatalf("storetest: hold write lock: %v", err)
	}
	done := false
	release = func() {
		if done {
			return
		}
		done = true
		conn.ExecContext(ctx, "ROLLBACK")
		conn.Close()
		db.Close()
	}
	t.Cleanup(release)
	return release
}
