package web

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"cardops/store"
	"cardops/store/storetest"
)

// TestAPICardListPaging: following the Link header page by page gives every
// card once, in id order; a size above the most is lowered, one below 1 is
// refused with the rule.
func TestAPICardListPaging(t *testing.T) {
	e := newAPIEnv(t)
	all := []string{apiCardID}
	for i := range 4 {
		id := fmt.Sprintf("7a000000-0000-4000-8000-%012d", i)
		storetest.AddCard(t, e.store, storetest.Card{ID: id, Holder: "Page Pat"})
		all = append(all, id)
	}
	slices.Sort(all)

	var got []string
	next := "/api/cards/virtual-cards/list?size=2"
	for pages := 0; next != ""; pages++ {
		if pages > len(all) {
			t.Fatal("the pages never end")
		}
		rec := e.call("GET", next, "", store.LevelReadOnly)
		if rec.Code != 200 {
			t.Fatalf("GET %s: %d %s", next, rec.Code, rec.Body)
		}
		var cards []struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &cards); err != nil {
			t.Fatal(err)
		}
		for _, c := range cards {
			got = append(got, c.ID)
		}
		next = ""
		if link := rec.Header().Get("Link"); link != "" {
			next = strings.TrimSuffix(strings.TrimPrefix(link, "<"), `>; rel="next"`)
			if after := rec.Header().Get("X-Next-After"); !strings.Contains(next, "after="+url.QueryEscape(after)) {
				t.Errorf("Link %q does not carry X-Next-After %q", link, after)
			}
		}
	}
	if !slices.Equal(got, all) {
		t.Errorf("cards over the pages = %v, want %v", got, all)
	}
	rec := e.call("GET", "/api/cards/virtual-cards/list?size=99999", "", store.LevelReadOnly)
	if rec.Code != 200 || rec.Header().Get("Link") != "" || strings.Count(rec.Body.String(), `"id"`) != len(all) {
		t.Errorf("size above the most: %d, Link %q, body %.300s; want every card on one page", rec.Code, rec.Header().Get("Link"), rec.Body)
	}
	rec = e.call("GET", "/api/cards/virtual-cards/list?size=0", "", store.LevelReadOnly)
	if b := apiErr(t, rec); rec.Code != 400 || b.Code != "VAL" || b.Message != "size must be a whole number of at least 1 (above 1000 it is lowered to 1000)." {
		t.Errorf("size=0: %d %+v", rec.Code, b)
	}
}

// TestAPITransactionSearch: the card's movements by day (both days
// included, UTC) and operation, in pages of the provider's envelope; each
// refusal says which parameter is wrong.
func TestAPITransactionSearch(t *testing.T) {
	e := newAPIEnv(t)
	const card = "7b000000-0000-4000-8000-000000000001"
	day1 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC).UnixMilli()
	day5 := time.Date(2026, 3, 5, 23, 59, 0, 0, time.UTC).UnixMilli()
	storetest.AddCard(t, e.store, storetest.Card{ID: card, Holder: "Search Sam", Movements: []storetest.Movement{
		{At: day1, Operation: "AUTHORIZATION", Amount: 10_00},
		{At: day1 + 1000, Operation: "CLEARING", Amount: 10_00},
		{At: day1 + 2000, Operation: "REFUND", Amount: 2_00},
		{At: day5, Operation: "AUTHORIZATION", Amount: 7_00},
		{At: day5 + 1000, Operation: "REVERSAL", Amount: 7_00},
	}})
	type page struct {
		N          int  `json:"number_of_elements"`
		Next       *int `json:"next_page"`
		TotalPages int  `json:"total_pages"`
		Total      int  `json:"total_elements"`
		Movements  []struct {
			Operation string `json:"operation"`
		} `json:"movements"`
	}
	search := func(query string) page {
		t.Helper()
		rec := e.call("GET", "/api/cards/transactions/"+card+"/search?"+query, "", store.LevelReadOnly)
		var p page
		if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &p) != nil {
			t.Fatalf("search %s: %d %s", query, rec.Code, rec.Body)
		}
		return p
	}
	if p := search("from_date=2026-03-05&to_date=2026-03-05"); p.Total != 2 || p.N != 2 {
		t.Errorf("one day: %+v, want its 2 movements (the last minute of the day included)", p)
	}
	if p := search("from_date=2026-03-01&to_date=2026-03-05&operations=REFUND&operations=reversal"); p.Total != 2 {
		t.Errorf("two operations: %+v, want 2", p)
	}
	p := search("size=2")
	if p.Total != 5 || p.N != 2 || p.TotalPages != 3 || p.Next == nil || *p.Next != 2 || p.Movements[0].Operation != "REVERSAL" {
		t.Errorf("first page of 2: %+v, want 2 of 5, newest first, next page 2 of 3", p)
	}
	if p := search("size=2&page_number=3"); p.N != 1 || p.Next != nil {
		t.Errorf("last page: %+v, want 1 movement and no next page", p)
	}
	for _, tc := range []struct{ query, message string }{
		{"from_date=2026-03-05&to_date=2026-03-01", "from_date must not be after to_date."},
		{"from_date=5%20March", "from_date must be a date written YYYY-MM-DD."},
		{"operations=PAYMENT", "operations must be AUTHORIZATION, CLEARING, REFUND or REVERSAL."},
		{"size=0", "size must be a whole number of at least 1 (above 100 it is lowered to 100)."},
		{"page_number=-1", "page_number must be a whole number of at least 1."},
	} {
		rec := e.call("GET", "/api/cards/transactions/"+card+"/search?"+tc.query, "", store.LevelReadOnly)
		if b := apiErr(t, rec); rec.Code != 400 || b.Code != "VAL" || b.Message != tc.message {
			t.Errorf("%s: %d %+v, want 400 VAL %q", tc.query, rec.Code, b, tc.message)
		}
	}
}
