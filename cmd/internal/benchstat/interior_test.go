package benchstat

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	_ "modernc.org/sqlite"
)

// WarmInterior reads every interior page of every B-tree: as many as
// SQLite's own page statistics count as internal.
func TestWarmInteriorReadsTheInteriorPages(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "w.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{
		`CREATE TABLE big (id INTEGER PRIMARY KEY, name TEXT)`,
		`CREATE INDEX big_name ON big(name)`,
		`CREATE TABLE small (k TEXT PRIMARY KEY) WITHOUT ROWID`,
		`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000)
			INSERT INTO big SELECT i, printf('name %08d %s', i * 7919 % 200000, hex(randomblob(8))) FROM n`,
		`INSERT INTO small VALUES ('a'), ('b')`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	var interior int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM dbstat WHERE pagetype = 'internal'`).Scan(&interior); err != nil {
		t.Fatal(err)
	}
	read, err := WarmInterior(ctx, db, path)
	if err != nil {
		t.Fatal(err)
	}
	if read != interior || interior < 10 {
		t.Errorf("read %d interior pages, want %d", read, interior)
	}
}
