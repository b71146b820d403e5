package seed

import (
	"context"
	"fmt"
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

// TestSeedStagesNameIndex: into an empty database the name index is built
// beside the cards while they are generated and copied in, instead of
// rebuilt from the copied cards. It must answer every search as the index
// 'rebuild' makes does, pass FTS5's own check against the cards, and keep
// working through the
// triggers on the same writer connection afterwards; with the copy through
// the WAL and through a rollback journal.
func TestSeedStagesNameIndex(t *testing.T) {
	for _, rollback := range []bool{false, true} {
		t.Run(fmt.Sprintf("rollback journal %v", rollback), func(t *testing.T) {
			if rollback {
				old := rollbackJournalAt
				rollbackJournalAt = 1
				t.Cleanup(func() { rollbackJournalAt = old })
			}
			testSeedStagesNameIndex(t)
		})
	}
}

func testSeedStagesNameIndex(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "seed.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	var staged bool
	oldTrace := tracef
	tracef = func(format string, args ...any) { // called by several goroutines; this one by Run's
		if strings.HasPrefix(format, "copied the name search index") {
			staged = true
		}
	}
	t.Cleanup(func() { tracef = oldTrace })
	w := st.Writer()
	integrity := func(when string) {
		t.Helper()
		if _, err := w.ExecContext(ctx, `INSERT INTO cards_name_fts(cards_name_fts, rank) VALUES ('integrity-check', 1)`); err != nil {
			t.Fatalf("name index integrity %s: %v", when, err)
		}
	}
	// The writer connection reads the empty index once, as a search
	// through it would.
	integrity("before the seed")
	if _, err := Run(ctx, st, Options{Cards: 3000}); err != nil {
		t.Fatal(err)
	}
	tracef = oldTrace
	if !staged {
		t.Fatal("the name index was not staged")
	}
	integrity("after the seed")
	// The staged index gathers more in memory before it writes a segment
	// than a rebuild does (nameHashSize), so its segments are laid out
	// differently; what it holds must not differ. FTS5's check above
	// compares every entry with the cards; and every search answers what
	// it answers from a rebuilt index.
	terms := queryStrings(t, w, `SELECT DISTINCT substr(name_norm, 1 + rowid % 5, 3 + rowid % 3) FROM cards WHERE rowid % 37 = 0`)
	if len(terms) < 50 {
		t.Fatalf("%d search terms, want 50 or more", len(terms))
	}
	find := func() string {
		t.Helper()
		var out []string
		for _, term := range terms {
			phrase := `"` + strings.ReplaceAll(term, `"`, `""`) + `"`
			out = append(out, term+": "+strings.Join(queryStrings(t, w, `SELECT rowid FROM cards_name_fts WHERE cards_name_fts MATCH ? ORDER BY rowid`, phrase), ","))
		}
		return strings.Join(out, "\n")
	}
	fromStaged := find()
	if _, err := w.ExecContext(ctx, `INSERT INTO cards_name_fts(cards_name_fts) VALUES ('rebuild')`); err != nil {
		t.Fatal(err)
	}
	if rebuilt := find(); rebuilt != fromStaged {
		t.Errorf("searches through the staged name index differ from the rebuilt one's:\n%s\n\nrebuilt:\n%s", fromStaged, rebuilt)
	}
	// The same connection goes on maintaining the index through the
	// triggers: a renamed card is found by its new name only.
	for _, q := range []string{
		`UPDATE cards SET card_holder_name = 'Quixotic Zebra', name_norm = 'quixotic zebra' WHERE rowid = 17`,
		`DELETE FROM card_numbers WHERE card_id = (SELECT id FROM cards WHERE rowid = 29)`,
		`DELETE FROM card_transactions WHERE card_id = (SELECT id FROM cards WHERE rowid = 29)`,
		`DELETE FROM card_tokenizations WHERE card_id = (SELECT id FROM cards WHERE rowid = 29)`,
		`DELETE FROM cards WHERE rowid = 29`,
	} {
		if _, err := w.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	integrity("after an update and a delete")
	res, err := st.NewCardSearch(store.ParseCardQuery("quixotic")).Page(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) != 1 {
		t.Errorf("%d cards found by the new name, want 1", len(res.Hits))
	}
}
