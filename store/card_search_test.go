package store_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"cardops/store"
	"cardops/store/storetest"
)

func openStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "cards.db"))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestParseCardQuery(t *testing.T) {
	for _, tc := range []struct {
		in        string
		kinds     []string
		raw       string
		truncated bool
		tooShort  bool
	}{
		{in: "", kinds: []string{store.SearchAll}},
		{in: "   ", kinds: []string{store.SearchAll}},
		{in: "4242", kinds: []string{store.SearchLast4}},
		{in: " 4242 ", kinds: []string{store.SearchLast4}, raw: "4242"},
		{in: "jose@example.com", kinds: []string{store.SearchEmail}},
		{in: "+34 612 34 56 78", kinds: []string{store.SearchPhone}},
		{in: "612345678", kinds: []string{store.SearchPhone, store.SearchIDPrefix}},
		{in: "424242", kinds: []string{store.SearchBIN, store.SearchPhone, store.SearchIDPrefix}},
		{in: "4242 4242 4242 4242", kinds: []string{store.SearchPAN, store.SearchPhone}, raw: "424242••••••4242"},
		{in: "4000-0566-5566-5556", kinds: []string{store.SearchPAN, store.SearchPhone}, raw: "400005••••••5556"},
		{in: "4242 4242 4242 4241", kinds: []string{store.SearchPhone}},
		{in: "4242 4242 4242 4242 garcia", kinds: []string{store.SearchName}, raw: "424242••••••4242 garcia"},
		{in: "424242••••••4242", kinds: []string{store.SearchMaskedPAN}},
		{in: "4242 42** **** 4242", kinds: []string{store.SearchMaskedPAN}},
		{in: "O'Connor", kinds: []string{store.SearchName}},
		{in: "3f2a9c1e", kinds: []string{store.SearchIDPrefix, store.SearchEmail, store.SearchName}},
		{in: "3f2a9c1e-77aa-4b0e-9c11-0a1b2c3d4e5f", kinds: []string{store.SearchIDPrefix}},
		{in: "bead", kinds: []string{store.SearchIDPrefix, store.SearchName}},
		{in: "jose.garcia", kinds: []string{store.SearchEmail, store.SearchName}},
		{in: "José", kinds: []string{store.SearchName}},
		{in: "jo", kinds: []string{store.SearchName}, tooShort: true},
		{in: "' OR 1=1 --", kinds: []string{store.SearchName}},
		{in: "%_\"", kinds: []string{store.SearchName}},
		{in: "😀😀😀", kinds: []string{store.SearchName}},
		{in: "\u202eevil\u202c name\x00\x07", kinds: []string{store.SearchName}, raw: "evil name"},
		{in: strings.Repeat("a", 10_000), kinds: []string{store.SearchName}, raw: strings.Repeat("a", store.MaxSearchRunes), truncated: true},
	} {
		t.Run(tc.in[:min(len(tc.in), 20)], func(t *testing.T) {
			q := store.ParseCardQuery(tc.in)
			if !slices.Equal(q.Kinds, tc.kinds) {
				t.Errorf("kinds = %v, want %v", q.Kinds, tc.kinds)
			}
			want := tc.raw
			if want == "" {
				want = strings.TrimSpace(tc.in)
			}
			if q.Raw != want {
				t.Errorf("raw = %.40q, want %.40q", q.Raw, want)
			}
			if q.Truncated != tc.truncated {
				t.Errorf("truncated = %v, want %v", q.Truncated, tc.truncated)
			}
			if q.TooShort != tc.tooShort {
				t.Errorf("too short = %v, want %v", q.TooShort, tc.tooShort)
			}
		})
	}
}

// searchFixture is a handful of cardholders from different places, with
// accents, apostrophes, former numbers and phones in several forms.
type searchFixture struct {
	st                             *store.Store
	jose, anna, soren, zoe, frozen string
}

func newSearchFixture(t *testing.T) searchFixture {
	st := openStore(t)
	f := searchFixture{st: st}
	f.jose = storetest.AddCard(t, st, storetest.Card{Holder: "José García López", Email: "Jose.Garcia@example.com",
		DialCode: "+34", Phone: "612345678", Last4: "1111", FormerLast4: []string{"2222"}})
	f.anna = storetest.AddCard(t, st, storetest.Card{Holder: "Anna MÜLLER", Email: "anna.mueller@example.de",
		DialCode: "+49", Phone: "15123456789", Last4: "3333", Type: "PHYSICAL", Approval: "WEBHOOK"})
	f.soren = storetest.AddCard(t, st, storetest.Card{Holder: "Søren Kierkegaard", Email: "soren@example.dk",
		DialCode: "+45", Phone: "20123456", Last4: "2222"})
	f.zoe = storetest.AddCard(t, st, storetest.Card{Holder: "Zoë O'Brien-Smith", Email: "zoe@example.ie",
		DialCode: "+353", Phone: "861234567", Last4: "4444", FormerLast4: []string{"5555", "6666"}})
	f.frozen = storetest.AddCard(t, st, storetest.Card{Holder: "Joseph Frost", Email: "joseph@example.com",
		DialCode: "+1", Phone: "2025550143", Last4: "7777", Status: "FROZEN"})
	return f
}

func (f searchFixture) search(t *testing.T, q string, filter store.CardFilter) store.CardSearchResult {
	t.Helper()
	res, err := f.st.NewCardSearch(store.ParseCardQuery(q)).WithFilter(filter).Page(context.Background())
	if err != nil {
		t.Fatalf("search %q: %v", q, err)
	}
	return res
}

func ids(hits []store.CardHit) []string {
	var out []string
	for _, h := range hits {
		out = append(out, h.ID)
	}
	slices.Sort(out)
	return out
}

func TestCardSearchKinds(t *testing.T) {
	f := newSearchFixture(t)
	for _, tc := range []struct {
		name   string
		q      string
		filter store.CardFilter
		want   []string
	}{
		{"name fragment", "garc", store.CardFilter{}, []string{f.jose}},
		{"name without accent finds accented", "jose", store.CardFilter{}, []string{f.jose, f.frozen}},
		{"accented query finds accented", "José", store.CardFilter{}, []string{f.jose, f.frozen}},
		{"upper case with umlaut", "MÜLLER", store.CardFilter{}, []string{f.anna}},
		{"lower case without umlaut", "muller", store.CardFilter{}, []string{f.anna}},
		{"letter without decomposition", "soren", store.CardFilter{}, []string{f.soren}},
		{"two words in any order", "lopez jose", store.CardFilter{}, []string{f.jose}},
		{"apostrophe and hyphen", "o'brien-smith", store.CardFilter{}, []string{f.zoe}},
		{"middle of a word", "kegaa", store.CardFilter{}, []string{f.soren}},
		{"current last 4", "1111", store.CardFilter{}, []string{f.jose}},
		{"former last 4", "5555", store.CardFilter{}, []string{f.zoe}},
		{"last 4 current for one card, former for another", "2222", store.CardFilter{}, []string{f.jose, f.soren}},
		{"id prefix", f.anna[:8], store.CardFilter{}, []string{f.anna}},
		{"id prefix upper case", strings.ToUpper(f.anna[:6]), store.CardFilter{}, []string{f.anna}},
		{"full id", f.zoe, store.CardFilter{}, []string{f.zoe}},
		{"e-mail exact, any case", "JOSE.GARCIA@EXAMPLE.COM", store.CardFilter{}, []string{f.jose}},
		{"e-mail prefix", "anna.mueller@", store.CardFilter{}, []string{f.anna}},
		{"e-mail local part", "anna.mue", store.CardFilter{}, []string{f.anna}},
		{"phone international", "+34 612 34 56 78", store.CardFilter{}, []string{f.jose}},
		{"phone national", "612-345-678", store.CardFilter{}, []string{f.jose}},
		{"phone with trunk 0", "0151 2345 6789", store.CardFilter{}, []string{f.anna}},
		{"phone with 00 prefix", "0049 151 23456789", store.CardFilter{}, []string{f.anna}},
		{"phone partial", "(202) 555", store.CardFilter{}, []string{f.frozen}},
		{"filter status", "jose", store.CardFilter{Status: "FROZEN"}, []string{f.frozen}},
		{"filter type", "", store.CardFilter{Type: "PHYSICAL"}, []string{f.anna}},
		{"filter approval", "", store.CardFilter{Approval: "WEBHOOK"}, []string{f.anna}},
		{"filters combine to nothing", "jose", store.CardFilter{Status: "FROZEN", Type: "PHYSICAL"}, nil},
		{"empty query lists all", "", store.CardFilter{}, []string{f.jose, f.anna, f.soren, f.zoe, f.frozen}},
		{"SQL metacharacters", "' OR 1=1 --", store.CardFilter{}, nil},
		{"LIKE metacharacters", "%%%", store.CardFilter{}, nil},
		{"underscores", "___", store.CardFilter{}, nil},
		{"FTS syntax", `"jose" OR "anna"`, store.CardFilter{}, nil},
		{"FTS operators", "NEAR(jose anna)", store.CardFilter{}, nil},
		{"emoji", "😀😀😀", store.CardFilter{}, nil},
		{"right-to-left text", "\u202egarc\u202c", store.CardFilter{}, []string{f.jose}},
		{"Arabic", "محمد", store.CardFilter{}, nil},
		{"10,000 characters", strings.Repeat("x", 10_000), store.CardFilter{}, nil},
		{"unknown last 4", "9999", store.CardFilter{}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := f.search(t, tc.q, tc.filter)
			want := slices.Clone(tc.want)
			slices.Sort(want)
			if got := ids(res.Hits); !slices.Equal(got, want) {
				t.Errorf("search %.30q: got %v, want %v", tc.q, got, want)
			}
			if res.Count != len(tc.want) || res.CountCapped {
				t.Errorf("count = %d (capped %v), want %d", res.Count, res.CountCapped, len(tc.want))
			}
		})
	}
}

func TestCardSearchMarksFormerNumber(t *testing.T) {
	f := newSearchFixture(t)
	res := f.search(t, "2222", store.CardFilter{})
	for _, h := range res.Hits {
		want := ""
		if h.ID == f.jose {
			want = "2222"
		}
		if h.FormerLast4 != want {
			t.Errorf("%s: former last 4 = %q, want %q", h.HolderName, h.FormerLast4, want)
		}
	}
}

// TestCardSearchPagingWhileCardsArrive pages through 23 matches 5 at a time
// while new matching cards are added between pages: every card that matched
// at the start is seen exactly once, in newest-first order.
func TestCardSearchPagingWhileCardsArrive(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	want := map[string]bool{}
	for i := range 23 {
		want[storetest.AddCard(t, st, storetest.Card{Holder: fmt.Sprintf("Pagina Tester %02d", i)})] = true
		storetest.AddCard(t, st, storetest.Card{Holder: fmt.Sprintf("Other Person %02d", i)})
	}
	seen := map[string]bool{}
	var after, lastKey int64
	pages := 0
	for {
		res, err := st.NewCardSearch(store.ParseCardQuery("pagina")).WithLimit(5).After(after).Page(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if res.Count != 23+2*(pages-1) && pages == 1 {
			t.Errorf("first page count = %d, want 23", res.Count)
		}
		for _, h := range res.Hits {
			if seen[h.ID] {
				t.Errorf("card %s seen twice", h.HolderName)
			}
			seen[h.ID] = true
			if lastKey != 0 && h.Key >= lastKey {
				t.Errorf("key %d after %d: not newest first", h.Key, lastKey)
			}
			lastKey = h.Key
		}
		// New matching cards arrive, and a card drops out of another
		// search: neither may disturb this one's pages.
		storetest.AddCard(t, st, storetest.Card{Holder: fmt.Sprintf("Pagina Newcomer %d", pages)})
		storetest.AddCard(t, st, storetest.Card{Holder: "Unrelated"})
		if res.Next == 0 {
			break
		}
		after = res.Next
		if pages > 20 {
			t.Fatal("paging does not end")
		}
	}
	if pages != 5 {
		t.Errorf("pages = %d, want 5", pages)
	}
	for id := range want {
		if !seen[id] {
			t.Errorf("card %s skipped", id)
		}
	}
	if len(seen) != len(want) {
		t.Errorf("saw %d cards, want %d (newcomers must not slip into later pages)", len(seen), len(want))
	}
}

func TestCardSearchCountIsCapped(t *testing.T) {
	st := openStore(t)
	tx := 0
	for i := range store.SearchCountCap + 5 {
		storetest.AddCard(t, st, storetest.Card{Holder: fmt.Sprintf("Capped Holder %d", i)})
		tx++
	}
	res, err := st.NewCardSearch(store.ParseCardQuery("capped")).Page(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !res.CountCapped || res.Count != store.SearchCountCap {
		t.Errorf("count = %d capped %v, want %d capped", res.Count, res.CountCapped, store.SearchCountCap)
	}
	if len(res.Hits) != store.DefaultSearchPage || res.Next == 0 {
		t.Errorf("hits = %d next %d, want a full page and a next one", len(res.Hits), res.Next)
	}
	// A later page counts on its own, capped the same way.
	res, err = st.NewCardSearch(store.ParseCardQuery("capped")).After(res.Next).Page(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !res.CountCapped {
		t.Errorf("second page: count = %d capped %v, want capped", res.Count, res.CountCapped)
	}
}

// tableScan matches a plan line that reads all of cards (c) or card_numbers
// (n), not a scan of a subquery or of the few candidates (cand).
var tableScan = regexp.MustCompile(`^SCAN (c|n|cards|card_numbers)( |$)`)

// TestCardSearchPlansUseIndexes checks with EXPLAIN QUERY PLAN that no
// search kind, filtered or not, reads the whole cards table or numbers
// history. (The empty query lists cards newest first, walking the table
// backwards until the page is full: that is the one scan, by design.)
func TestCardSearchPlansUseIndexes(t *testing.T) {
	f := newSearchFixture(t)
	for _, q := range []string{"garc", "José López", "1111", "2222", f.jose[:8], "bead", "jose.garcia", "jose@example.com",
		"+34 612 34 56 78", "612345678", "0151 2345 6789", "424242", "424242••••••1111", "o'brien"} {
		for _, filter := range []store.CardFilter{{}, {Status: "ACTIVE", Type: "VIRTUAL", Approval: "NONE"}} {
			b := f.st.NewCardSearch(store.ParseCardQuery(q)).WithFilter(filter).After(1 << 40)
			plan, err := b.Explain(context.Background())
			if err != nil {
				t.Fatalf("explain %q: %v", q, err)
			}
			if len(plan) == 0 {
				t.Fatalf("explain %q: no plan", q)
			}
			for _, line := range plan {
				if tableScan.MatchString(line) {
					t.Errorf("search %q %+v scans a table: %q\nplan:\n%s", q, filter, line, strings.Join(plan, "\n"))
				}
			}
		}
	}
}

// TestCardSearchLast4PlanReadsOnlyIndexes checks with EXPLAIN QUERY PLAN that
// an unfiltered last 4 or masked-number search reads no row of cards or
// card_numbers to find its keys: the numbers and their cards' keys come
// from covering indexes (card_key, migrations 0032 and 0033), and a card
// whose current number has the same last 4 is left out by its key. At 10M
// cards a last 4 has ~100 former numbers and ~1,000 current ones: a random
// read each otherwise.
func TestCardSearchLast4PlanReadsOnlyIndexes(t *testing.T) {
	f := newSearchFixture(t)
	for _, q := range []string{"2222", "424242••••••2222"} {
		for _, after := range []int64{0, 1 << 40} {
			plan, err := f.st.NewCardSearch(store.ParseCardQuery(q)).After(after).Explain(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			var numbers int
			for _, line := range plan {
				if !strings.HasPrefix(line, "SEARCH ") {
					continue
				}
				if strings.Contains(line, "SEARCH n ") {
					numbers++
				}
				if strings.Contains(line, "sqlite_autoindex_cards_1") {
					t.Errorf("%q after %d: %q looks cards up by id\nplan:\n%s", q, after, line, strings.Join(plan, "\n"))
				}
				if strings.Contains(line, "last4") && !strings.Contains(line, "COVERING INDEX") {
					t.Errorf("%q after %d: %q reads table rows\nplan:\n%s", q, after, line, strings.Join(plan, "\n"))
				}
			}
			if numbers == 0 {
				t.Errorf("%q after %d: the plan does not look the numbers up:\n%s", q, after, strings.Join(plan, "\n"))
			}
		}
	}
}

// TestCardSearchPlanCheckSeesScans makes sure the check above can fail: the
// empty query, which lists every card, is a scan.
func TestCardSearchPlanCheckSeesScans(t *testing.T) {
	f := newSearchFixture(t)
	plan, err := f.st.NewCardSearch(store.ParseCardQuery("")).Explain(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(plan, tableScan.MatchString) {
		t.Errorf("plan of the empty query has no scan of cards:\n%s", strings.Join(plan, "\n"))
	}
}

func TestCardPageQueries(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	var ms []storetest.Movement
	for i := range 7 {
		ms = append(ms, storetest.Movement{At: int64(1_700_000_000_000 + i*60_000), Amount: int64(100 * (i + 1)), Merchant: fmt.Sprintf("Shop %d", i),
			NewBalance: int64(10_000 + i)})
	}
	// Two movements at the same instant: the cursor must not lose one.
	ms = append(ms, storetest.Movement{At: 1_700_000_000_000 + 3*60_000, Amount: 999, Merchant: "Same time", Status: "FAILED", DeclineCode: "51", DeclineText: "Insufficient funds",
		NewBalance: 20_000})
	id := storetest.AddCard(t, st, storetest.Card{Holder: "Page Holder", Last4: "1234", FormerLast4: []string{"9876"}, Movements: ms})

	c, err := st.CardByID(ctx, id)
	if err != nil || c.HolderName != "Page Holder" || c.Last4 != "1234" {
		t.Fatalf("card = %+v, %v", c, err)
	}
	if _, err := st.CardByID(ctx, "00000000-0000-0000-0000-000000000000"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown card: err = %v, want ErrNotFound", err)
	}

	var got []store.Movement
	var cur store.MovementCursor
	for range 10 {
		page, next, err := st.CardMovements(ctx, id, cur, 3)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, page...)
		if next.IsZero() {
			break
		}
		cur = next
	}
	if len(got) != len(ms) {
		t.Fatalf("movements = %d, want %d", len(got), len(ms))
	}
	for i := 1; i < len(got); i++ {
		if got[i].Datetime > got[i-1].Datetime {
			t.Errorf("movement %d at %d after %d: not newest first", i, got[i].Datetime, got[i-1].Datetime)
		}
	}
	if !slices.ContainsFunc(got, func(m store.Movement) bool { return m.DeclineCode == "51" && m.Status == "FAILED" }) {
		t.Errorf("declined movement missing its reason: %+v", got)
	}
	// The balance chart's points are the newest movements' balances, oldest
	// first, the two at the same instant in the movements' order.
	for _, limit := range []int{5, 500} {
		want := []store.BalancePoint{}
		for _, m := range got[:min(limit, len(got))] {
			want = append(want, store.BalancePoint{At: m.Datetime, Balance: m.NewBalance})
		}
		slices.Reverse(want)
		bs, err := st.CardBalances(ctx, id, limit)
		if err != nil || !slices.Equal(bs, want) {
			t.Errorf("CardBalances(%d) = %v, %v; want %v", limit, bs, err, want)
		}
	}

	nums, err := st.CardNumbers(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(nums) != 2 || !nums[0].Current() || nums[0].Last4 != "1234" || nums[1].Current() || nums[1].Last4 != "9876" {
		t.Errorf("numbers = %+v, want current 1234 then former 9876", nums)
	}
}

// testPAN returns a Luhn-valid 16-digit number on bin with the given 9
// account digits.
func testPAN(bin, account string) string {
	return store.NewPAN(bin, func(int) string { return account })
}

func TestCardSearchPunctuationAndNumbers(t *testing.T) {
	f := newSearchFixture(t)
	ctx := context.Background()
	pan := testPAN("555555", "123456789")
	formerPAN := testPAN("555555", "987654321")
	oconnor := storetest.AddCard(t, f.st, storetest.Card{Holder: "Siobhán O'CONNOR", PAN: pan, FormerPANs: []string{formerPAN}})
	shehri := storetest.AddCard(t, f.st, storetest.Card{Holder: "Faisal Al-Shehri", BIN: "555555", Last4: pan[12:]})
	spaced := pan[:4] + " " + pan[4:8] + " " + pan[8:12] + " " + pan[12:]
	for _, tc := range []struct {
		name, q string
		want    []string
		former  string
	}{
		{"apostrophe not typed", "oconnor", []string{oconnor}, ""},
		{"apostrophe typed", "o'connor", []string{oconnor}, ""},
		{"typographic apostrophe typed", "O’Connor", []string{oconnor}, ""},
		{"hyphen not typed", "alshehri", []string{shehri}, ""},
		{"hyphen typed", "Al-Shehri", []string{shehri}, ""},
		{"apostrophe dropped in the fixture too", "obriensmith", []string{f.zoe}, ""},
		{"BIN", "555555", []string{oconnor, shehri}, ""},
		{"BIN of the other cards", "424242", []string{f.jose, f.anna, f.soren, f.zoe, f.frozen}, ""},
		{"full number", pan, []string{oconnor}, ""},
		{"full number with spaces", spaced, []string{oconnor}, ""},
		{"full number with dashes", strings.ReplaceAll(spaced, " ", "-"), []string{oconnor}, ""},
		{"former full number", formerPAN, []string{oconnor}, formerPAN[12:]},
		{"unknown full number", testPAN("555555", "111111111"), nil, ""},
		{"masked number, two cards share it", store.MaskPAN(pan), []string{oconnor, shehri}, ""},
		{"masked former number", "555555******" + formerPAN[12:], []string{oconnor}, formerPAN[12:]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := store.ParseCardQuery(tc.q)
			if strings.Contains(q.Raw, pan) || strings.Contains(q.Raw, formerPAN) {
				t.Errorf("query raw %q holds the full number", q.Raw)
			}
			res, err := f.st.NewCardSearch(q).Page(ctx)
			if err != nil {
				t.Fatalf("search: %v", err)
			}
			want := slices.Clone(tc.want)
			slices.Sort(want)
			if got := ids(res.Hits); !slices.Equal(got, want) {
				t.Fatalf("search %q: got %v, want %v", tc.q, got, want)
			}
			if res.Count != len(tc.want) {
				t.Errorf("count = %d, want %d", res.Count, len(tc.want))
			}
			for _, h := range res.Hits {
				if h.ID == oconnor && h.FormerLast4 != tc.former {
					t.Errorf("former last 4 = %q, want %q", h.FormerLast4, tc.former)
				}
			}
		})
	}
}

func TestFindCardByPANNoCards(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	_, err := st.FindCardByPAN(ctx, testPAN("424242", "123456789"))
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
}
