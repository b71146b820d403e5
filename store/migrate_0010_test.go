package store_test

import (
	"context"
	"path/filepath"
	"testing"

	"cardops/store"
	"cardops/store/storetest"
)

// TestMigration0010RefoldsNames opens a database whose names were folded
// before apostrophes and hyphens were dropped, as 0010 finds it, and checks
// that the migration refolds every stored name exactly as NormalizeName does
// now, and that the name index follows.
func TestMigration0010RefoldsNames(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	st, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	oldForms := map[string]string{
		"Siobhán O'CONNOR":         "siobhan o'connor",
		"Faisal Al-Shehri":         "faisal al-shehri",
		"Zoë O’Brien‐Smith":        "zoe o'brien-smith",
		"Anna Smith - Jones":       "anna smith - jones",
		"Bob -  - Jones":           "bob - - jones",
		"'Quoted' Name":            "'quoted' name",
		"José García":              "jose garcia",
		"Jean-Baptiste D'Artagnan": "jean-baptiste d'artagnan",
	}
	ids := map[string]string{}
	for name, old := range oldForms {
		id := storetest.AddCard(t, st, storetest.Card{Holder: name})
		ids[id] = name
		if _, err := st.Writer().ExecContext(ctx, `UPDATE cards SET name_norm = ? WHERE id = ?`, old, id); err != nil {
			t.Fatal(err)
		}
	}
	for _, q := range []string{`DELETE FROM schema_migrations WHERE version = 10`, `DROP INDEX cards_bin`} {
		if _, err := st.Writer().ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()

	st, err = store.Open(ctx, path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	for id, name := range ids {
		var got string
		if err := st.Reader().QueryRowContext(ctx, `SELECT name_norm FROM cards WHERE id = ?`, id).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if want := store.NormalizeName(name); got != want {
			t.Errorf("%q: name_norm = %q, want %q", name, got, want)
		}
	}
	for q, want := range map[string]string{"oconnor": "Siobhán O'CONNOR", "alshehri": "Faisal Al-Shehri", "dartagnan": "Jean-Baptiste D'Artagnan"} {
		res, err := st.NewCardSearch(store.ParseCardQuery(q)).Page(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Hits) != 1 || res.Hits[0].HolderName != want {
			t.Errorf("search %q after the migration: %d hits, want %q", q, len(res.Hits), want)
		}
	}
	var n int
	if err := st.Reader().QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = 'cards_bin'`).Scan(&n); err != nil || n != 1 {
		t.Errorf("index cards_bin: %d, %v; want it created", n, err)
	}
}
