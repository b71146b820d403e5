package seed

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"cardops/store"
)

// inPlaceRuns makes every run from now until the test ends large enough to
// load the movements straight into the database, and reports whether a run
// did.
func inPlaceRuns(t *testing.T) (loadedInPlace func() bool) {
	t.Helper()
	old := rollbackJournalAt
	rollbackJournalAt = 1
	t.Cleanup(func() { rollbackJournalAt = old })
	var mu sync.Mutex
	inPlace := false
	oldTrace := tracef
	tracef = func(format string, args ...any) {
		if strings.HasPrefix(format, "movements load into the database") {
			mu.Lock()
			inPlace = true
			mu.Unlock()
		}
	}
	t.Cleanup(func() { tracef = oldTrace })
	return func() bool {
		mu.Lock()
		defer mu.Unlock()
		return inPlace
	}
}

// TestRunLoadsMovementsInPlace: a large first run, which loads the
// movements straight into the database, adds exactly the rows a run that
// stages them adds, leaves the database whole and in WAL mode, and runs
// after it stage again.
func TestRunLoadsMovementsInPlace(t *testing.T) {
	staged, _ := seedStore(t, 700, 5)

	loadedInPlace := inPlaceRuns(t)
	st := openStore(t)
	if _, err := Run(context.Background(), st, Options{Cards: 700, Seed: 5}); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if !loadedInPlace() {
		t.Fatal("the movements were staged, not loaded into the database")
	}
	if dump(t, st.Reader()) != dump(t, staged.Reader()) {
		t.Error("loading the movements in place added other rows than staging them")
	}
	checkWhole(t, st)

	// A second run finds the tables filled: it stages everything.
	loadedInPlace = inPlaceRuns(t)
	if _, err := Run(context.Background(), st, Options{Cards: 100, Seed: 5}); err != nil {
		t.Fatalf("second Run: %v", err)
	}
	if loadedInPlace() {
		t.Error("a run into filled tables loaded the movements in place")
	}
	if got := queryInt(t, st.Reader(), `SELECT count(*) FROM cards`); got != 800 {
		t.Errorf("%d cards after 700 + 100", got)
	}
	checkWhole(t, st)
}

// TestRunStagesMovementsIndexedOutOfOrder: an index on the movements
// whose keys the seed does not write in order (one added by hand, say)
// keeps them staged, where that index is built by sorting.
func TestRunStagesMovementsIndexedOutOfOrder(t *testing.T) {
	loadedInPlace := inPlaceRuns(t)
	st := openStore(t)
	if _, err := st.Writer().Exec(`CREATE INDEX card_transactions_merchant ON card_transactions(merchant_name)`); err != nil {
		t.Fatal(err)
	}
	if _, err := Run(context.Background(), st, Options{Cards: 300}); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if loadedInPlace() {
		t.Error("the movements were loaded in place, into an index out of order")
	}
	if got := queryInt(t, st.Reader(), `SELECT count(*) FROM card_transactions INDEXED BY card_transactions_merchant WHERE merchant_name > ''`); got == 0 {
		t.Error("the added index holds no movement")
	}
	checkWhole(t, st)
}

// TestRunInPlaceCancelled cancels a run that loads the movements into the
// database, while it loads them and once they are all in: the database
// keeps none of them.
func TestRunInPlaceCancelled(t *testing.T) {
	for _, tc := range []struct {
		name  string
		after string // cancel at the first trace line starting so; "" while loading
	}{
		{name: "while loading"},
		{name: "once loaded", after: "publishing"},
		{name: "while copying", after: "copied"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			loadedInPlace := inPlaceRuns(t)
			st := openStore(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			opts := Options{Cards: 20_000}
			if tc.after == "" {
				opts.Progress = func(done, total int) {
					if done >= 10_000 {
						cancel()
					}
				}
			} else {
				traced := tracef
				tracef = func(format string, args ...any) {
					traced(format, args...)
					if strings.HasPrefix(format, tc.after) {
						cancel()
					}
				}
			}
			_, err := Run(ctx, st, opts)
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("Run after cancel: err = %v, want context.Canceled", err)
			}
			if !loadedInPlace() {
				t.Fatal("the movements were staged, not loaded into the database")
			}
			for _, table := range []string{"cards", "card_transactions", "card_numbers", "wallets"} {
				if got := queryInt(t, st.Reader(), `SELECT count(*) FROM `+table); got != 0 {
					t.Errorf("%d rows in %s after a cancelled run, want 0", got, table)
				}
			}
			checkWhole(t, st)
			if _, err := Run(context.Background(), st, Options{Cards: 100}); err != nil {
				t.Fatalf("Run after a cancelled run: %v", err)
			}
			if got := queryInt(t, st.Reader(), `SELECT count(*) FROM card_transactions WHERE card_id NOT IN (SELECT id FROM cards)`); got != 0 {
				t.Errorf("%d movements of no card", got)
			}
		})
	}
}

// checkWhole checks st's database is consistent, in WAL mode, with its
// name search triggers, and that no run left files beside it.
func checkWhole(t *testing.T, st *store.Store) {
	t.Helper()
	if got := queryStrings(t, st.Writer(), `PRAGMA integrity_check`); len(got) != 1 || got[0] != "ok" {
		t.Errorf("integrity_check = %v", got)
	}
	if got := queryInt(t, st.Writer(), `SELECT count(*) FROM pragma_foreign_key_check`); got != 0 {
		t.Errorf("%d foreign key violations", got)
	}
	if got := queryStrings(t, st.Writer(), `PRAGMA journal_mode`); len(got) != 1 || got[0] != "wal" {
		t.Errorf("journal_mode = %v, want wal", got)
	}
	if got := queryInt(t, st.Reader(), `SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND name LIKE 'cards_name_fts_%'`); got != 3 {
		t.Errorf("%d name search triggers, want 3", got)
	}
	wantCardKeys(t, st)
	entries, _ := os.ReadDir(filepath.Dir(st.Path()))
	for _, e := range entries {
		if strings.Contains(e.Name(), ".seed-") || strings.HasSuffix(e.Name(), "-journal") {
			t.Errorf("%s left behind", e.Name())
		}
	}
}

// wantCardKeys checks that every number keeps its card's rowid as card_key,
// which the former-number searches are answered from.
func wantCardKeys(t *testing.T, st *store.Store) {
	t.Helper()
	if got := queryInt(t, st.Reader(), `SELECT count(*) FROM card_numbers n LEFT JOIN cards c ON c.id = n.card_id
		WHERE n.card_key IS NOT c.rowid`); got != 0 {
		t.Errorf("%d numbers whose card_key is not their card's rowid", got)
	}
}
