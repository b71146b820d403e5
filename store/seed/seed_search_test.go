package seed

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"cardops/store"
)

// TestSeedBuildsNameIndex seeds into an empty database and then adds to it
// (each copy pauses the name index's triggers and rebuilds the index), and
// checks that every card is found by its name and that the triggers are back.
func TestSeedBuildsNameIndex(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "seed.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := Run(ctx, st, Options{Cards: 120}); err != nil { // into empty tables
		t.Fatal(err)
	}
	if _, err := Run(ctx, st, Options{Cards: 30}); err != nil { // added to existing ones
		t.Fatal(err)
	}
	var triggers int
	if err := st.Reader().QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND name LIKE 'cards_name_fts_%'`).Scan(&triggers); err != nil {
		t.Fatal(err)
	}
	if triggers != 3 {
		t.Errorf("name index triggers = %d, want 3", triggers)
	}
	if _, err := st.Writer().ExecContext(ctx, `INSERT INTO cards_name_fts(cards_name_fts, rank) VALUES ('integrity-check', 1)`); err != nil {
		t.Errorf("name index integrity: %v", err)
	}
	rows, err := st.Reader().QueryContext(ctx, `SELECT id, name_norm FROM cards`)
	if err != nil {
		t.Fatal(err)
	}
	type card struct{ id, name string }
	var cards []card
	for rows.Next() {
		var c card
		if err := rows.Scan(&c.id, &c.name); err != nil {
			t.Fatal(err)
		}
		cards = append(cards, c)
	}
	rows.Close()
	if len(cards) != 150 {
		t.Fatalf("cards = %d, want 150", len(cards))
	}
	for _, c := range cards {
		// The longest word of the name, as support would type it.
		word := ""
		for _, w := range strings.Fields(c.name) {
			if len([]rune(w)) > len([]rune(word)) {
				word = w
			}
		}
		if len([]rune(word)) < 3 {
			continue
		}
		res, err := st.NewCardSearch(store.ParseCardQuery(word)).WithLimit(200).Page(ctx)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, h := range res.Hits {
			found = found || h.ID == c.id
		}
		if !found {
			t.Errorf("card %s (%q) not found by %q", c.id, c.name, word)
		}
	}
}
