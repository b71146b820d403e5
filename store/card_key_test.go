package store_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"cardops/store"
	"cardops/store/storetest"
)

// formerHits returns the ids of the cards a search for last4 finds by a
// former number, marked as such.
func formerHits(t *testing.T, st *store.Store, q string, f store.CardFilter) []string {
	t.Helper()
	res, err := st.NewCardSearch(store.ParseCardQuery(q)).WithFilter(f).Page(context.Background())
	if err != nil {
		t.Fatalf("search %q: %v", q, err)
	}
	var out []string
	for _, h := range res.Hits {
		if h.FormerLast4 != "" {
			out = append(out, h.ID)
		}
	}
	slices.Sort(out)
	return out
}

// wrongCardKeys counts the numbers whose card_key is not their card's rowid.
func wrongCardKeys(t *testing.T, st *store.Store) int {
	t.Helper()
	var n int
	if err := st.Reader().QueryRow(`SELECT count(*) FROM card_numbers n LEFT JOIN cards c ON c.id = n.card_id
		WHERE n.card_key IS NOT c.rowid`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// execAll runs each statement on st's writer, as a hand would.
func execAll(t *testing.T, st *store.Store, qs ...string) {
	t.Helper()
	for _, q := range qs {
		if _, err := st.Writer().Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// reopen closes st and opens its file again, as a restart does.
func reopen(t *testing.T, st *store.Store) *store.Store {
	t.Helper()
	st.Close()
	st, err := store.Open(context.Background(), st.Path())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// TestMigration0032KeysNumbers opens a database as 0032 finds it (no
// card_key, the former-number index on the card's id, the last 4 index on
// the last 4 alone) and checks that 0032 and 0033 key every number by its
// card, so the number searches, plain, filtered and by masked number, find
// the cards they found before.
func TestMigration0032KeysNumbers(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	st, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	// Some cards first, so the cards' rowids are not the numbers' ids.
	for range 3 {
		storetest.AddCard(t, st, storetest.Card{Last4: "1000"})
	}
	jose := storetest.AddCard(t, st, storetest.Card{Holder: "José García", BIN: "424242", Last4: "1111", FormerLast4: []string{"2222", "3333"}})
	frozen := storetest.AddCard(t, st, storetest.Card{Holder: "Joseph Frost", BIN: "424242", Last4: "4444", FormerLast4: []string{"2222"}, Status: "FROZEN"})
	storetest.AddCard(t, st, storetest.Card{Holder: "Søren K", Last4: "2222"})
	execAll(t, st,
		`DROP INDEX card_numbers_former_last4`,
		`DROP INDEX card_numbers_last4`,
		`ALTER TABLE card_numbers DROP COLUMN card_key`,
		`CREATE INDEX card_numbers_former_last4 ON card_numbers(last4, card_id, inactive_since) WHERE inactive_since IS NOT NULL`,
		`CREATE INDEX card_numbers_last4 ON card_numbers(last4)`,
		`DELETE FROM schema_migrations WHERE version IN (32, 33)`)
	st = reopen(t, st)
	if n := wrongCardKeys(t, st); n != 0 {
		t.Errorf("%d numbers keyed to no or another card after 0032", n)
	}
	for _, tc := range []struct {
		q    string
		f    store.CardFilter
		want []string
	}{
		{"2222", store.CardFilter{}, []string{jose, frozen}},
		{"2222", store.CardFilter{Status: "FROZEN"}, []string{frozen}},
		{"3333", store.CardFilter{}, []string{jose}},
		{"424242••••••2222", store.CardFilter{}, []string{jose, frozen}},
		{"424242••••••2222", store.CardFilter{Status: "ACTIVE"}, []string{jose}},
	} {
		want := slices.Sorted(slices.Values(tc.want))
		if got := formerHits(t, st, tc.q, tc.f); !slices.Equal(got, want) {
			t.Errorf("%q %+v: former-number hits %v, want %v", tc.q, tc.f, got, want)
		}
	}
}

// TestVacuumRekeysCards: the store's one VACUUM (after 0007 moved secrets
// out) may renumber the cards' rowids, which the name index and the
// numbers' card_key hold; Open rebuilds both after it. The renumbering is
// done by hand here, as SQLite does not promise when a VACUUM does it.
func TestVacuumRekeysCards(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "t.db")
	st, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	jose := storetest.AddCard(t, st, storetest.Card{Holder: "José García", Last4: "1111", FormerLast4: []string{"2222"}})
	anna := storetest.AddCard(t, st, storetest.Card{Holder: "Anna Müller", Last4: "5555", FormerLast4: []string{"2222"}})
	execAll(t, st,
		`UPDATE cards SET rowid = rowid + 100`,
		`INSERT INTO settings(key, value, updated_at) VALUES ('secrets_vacuum_pending', x'01', 0)`)
	if n := wrongCardKeys(t, st); n != 4 {
		t.Fatalf("%d numbers keyed to another card after the renumbering, want all 4", n)
	}
	st = reopen(t, st)
	if n := wrongCardKeys(t, st); n != 0 {
		t.Errorf("%d numbers keyed to another card after the VACUUM", n)
	}
	if got, want := formerHits(t, st, "2222", store.CardFilter{}), slices.Sorted(slices.Values([]string{jose, anna})); !slices.Equal(got, want) {
		t.Errorf("former-number hits %v, want %v", got, want)
	}
	res, err := st.NewCardSearch(store.ParseCardQuery("muller")).Page(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) != 1 || res.Hits[0].ID != anna {
		t.Errorf("name search after the VACUUM: %+v, want Anna Müller's card", res.Hits)
	}
}
