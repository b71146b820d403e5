package web

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"cardops/store"
	"cardops/store/storetest"
)

// Fixed ids, so scenarios can name them in URLs.
const (
	joseID   = "1a2b3c4d-0000-4000-8000-000000000001"
	annaID   = "2b3c4d5e-0000-4000-8000-000000000002"
	frozenID = "3c4d5e6f-0000-4000-8000-000000000003"
)

// addSearchCards adds the cards the search scenarios look for.
func addSearchCards(t *testing.T, e *testEnv) {
	storetest.AddCard(t, e.store, storetest.Card{ID: joseID, Holder: "José García", Email: "jose.garcia@example.com",
		DialCode: "+34", Phone: "612345678", Last4: "1111", FormerLast4: []string{"2222"},
		Movements: []storetest.Movement{
			{At: 1_700_000_100_000, Amount: 1250, Merchant: "Café Central"},
			{At: 1_700_000_200_000, Amount: 99_900, Merchant: "Big Store", Status: "FAILED", DeclineCode: "51", DeclineText: "Insufficient funds"},
		}})
	storetest.AddCard(t, e.store, storetest.Card{ID: annaID, Holder: "Anna Müller", Email: "anna@example.de",
		DialCode: "+49", Phone: "15123456789", Last4: "3333", Type: "PHYSICAL"})
	storetest.AddCard(t, e.store, storetest.Card{ID: frozenID, Holder: "Joseph Frost", Last4: "4444", Status: "FROZEN"})
}

func TestCardSearchAsViewer(t *testing.T) {
	viewer := store.LevelReadOnly
	before := addSearchCards
	runScenarios(t, []scenario{
		{
			name: "anonymous is sent to sign-in", method: "GET", url: "/cards?q=jose",
			wantStatus: http.StatusSeeOther, wantHeaders: map[string]string{"Location": "/login?next=%2Fcards%3Fq%3Djose"},
		},
		{
			name: "name fragment without accent finds and marks the accented name", method: "GET", url: "/cards?q=jose", as: viewer, before: before,
			wantStatus:   http.StatusOK,
			wantContains: []string{"<mark>José</mark> García", "<mark>Jose</mark>ph Frost", "2 cards", "matched as name"},
		},
		{
			name: "upper case with umlaut", method: "GET", url: "/cards?q=" + url.QueryEscape("MÜLLER"), as: viewer, before: before,
			wantStatus:      http.StatusOK,
			wantContains:    []string{"Anna <mark>Müller</mark>", "1 card"},
			wantNotContains: []string{"José"},
		},
		{
			name: "current last 4", method: "GET", url: "/cards?q=1111", as: viewer, before: before,
			wantStatus: http.StatusOK, wantContains: []string{"José García", "<mark>1111</mark>", "1 card"},
		},
		{
			name: "former last 4 is found and said to be former", method: "GET", url: "/cards?q=2222", as: viewer, before: before,
			wantStatus: http.StatusOK, wantContains: []string{"José García", "former <mark>2222</mark>"},
		},
		{
			name: "id prefix", method: "GET", url: "/cards?q=2b3c4d5e", as: viewer, before: before,
			wantStatus: http.StatusOK, wantContains: []string{"Anna Müller", "<mark>2b3c4d5e</mark>"}, wantNotContains: []string{"José"},
		},
		{
			name: "e-mail in any case", method: "GET", url: "/cards?q=" + url.QueryEscape("Jose.Garcia@Example.com"), as: viewer, before: before,
			wantStatus: http.StatusOK, wantContains: []string{"<mark>jose.garcia@example.com</mark>"},
		},
		{
			name: "phone in a common format", method: "GET", url: "/cards?q=" + url.QueryEscape("+34 612 34 56 78"), as: viewer, before: before,
			wantStatus: http.StatusOK, wantContains: []string{"José García", "<mark>+34 612345678</mark>"},
		},
		{
			name: "filters narrow and are kept in the form", method: "GET", url: "/cards?q=jose&status=FROZEN", as: viewer, before: before,
			wantStatus:      http.StatusOK,
			wantContains:    []string{`href="/cards/` + frozenID + `"`, "1 card", `<option value="FROZEN" selected>`, `value="jose"`},
			wantNotContains: []string{joseID},
		},
		{
			name: "a filter value in another case is the same value", method: "GET", url: "/cards?q=jose&status=frozen", as: viewer, before: before,
			wantStatus:      http.StatusOK,
			wantContains:    []string{`href="/cards/` + frozenID + `"`, "1 card", `<option value="FROZEN" selected>`},
			wantNotContains: []string{joseID, "ignored"},
		},
		{
			name: "type filter with an empty query", method: "GET", url: "/cards?type=PHYSICAL", as: viewer, before: before,
			wantStatus: http.StatusOK, wantContains: []string{"Anna Müller", "1 card"}, wantNotContains: []string{"Joseph"},
		},
		{
			name: "empty query lists the cards", method: "GET", url: "/cards", as: viewer, before: before,
			wantStatus: http.StatusOK, wantContains: []string{"José García", "Anna Müller", "Joseph Frost", "3 cards"},
		},
		{
			name: "nothing found is a helpful empty state with a way out of the filters", method: "GET", url: "/cards?q=zzzz&status=ACTIVE", as: viewer, before: before,
			wantStatus:   http.StatusOK,
			wantContains: []string{"No card matches", "zzzz", "with ACTIVE", "Search again without filters", "4 digits"},
		},
		{
			name: "two letters ask for more", method: "GET", url: "/cards?q=jo", as: viewer, before: before,
			wantStatus: http.StatusOK, wantContains: []string{"Type at least 3 letters"}, wantNotContains: []string{"José García"},
		},
		{
			name: "htmx gets only the results, for the box that asked", method: "GET", url: "/cards?q=garc", as: viewer, before: before,
			headers:         map[string]string{"HX-Request": "true", "HX-Target": "card-results"},
			wantStatus:      http.StatusOK,
			wantContains:    []string{"<mark>Garc</mark>ía", `data-testid="card-results"`},
			wantNotContains: []string{"<html", `id="card-q"`},
			wantHeaders:     map[string]string{"Vary": "HX-Request", "HX-Push-Url": "/cards?q=garc"},
		},
		{
			name: "back button restore gets the whole page", method: "GET", url: "/cards?q=garc", as: viewer, before: before,
			headers:      map[string]string{"HX-Request": "true", "HX-Target": "card-results", "HX-History-Restore-Request": "true"},
			wantStatus:   http.StatusOK,
			wantContains: []string{"<html", `value="garc"`, "<mark>Garc</mark>ía"},
		},
	})
}

// TestCardSearchBadInput: never a 500, always a sane page.
func TestCardSearchBadInput(t *testing.T) {
	viewer := store.LevelReadOnly
	before := addSearchCards
	long := strings.Repeat("é", 10_000)
	runScenarios(t, []scenario{
		{
			name: "10,000 characters are cut, with a notice", method: "GET", url: "/cards?q=" + url.QueryEscape(long), as: viewer, before: before,
			wantStatus: http.StatusOK, wantContains: []string{"cut to its first 200 characters", "No card matches"},
		},
		{
			name: "quote", method: "GET", url: "/cards?q=" + url.QueryEscape("o'brien' OR '1'='1"), as: viewer, before: before,
			wantStatus: http.StatusOK, wantContains: []string{"No card matches"},
		},
		{
			name: "LIKE wildcards match nothing, not everything", method: "GET", url: "/cards?q=" + url.QueryEscape("%%%"), as: viewer, before: before,
			wantStatus: http.StatusOK, wantContains: []string{"No card matches"}, wantNotContains: []string{"José"},
		},
		{
			name: "underscores", method: "GET", url: "/cards?q=___", as: viewer, before: before,
			wantStatus: http.StatusOK, wantContains: []string{"No card matches"}, wantNotContains: []string{"José"},
		},
		{
			name: "double quotes and FTS syntax", method: "GET", url: "/cards?q=" + url.QueryEscape(`"jose" OR anna*`), as: viewer, before: before,
			wantStatus: http.StatusOK, wantContains: []string{"No card matches"},
		},
		{
			name: "control characters are dropped", method: "GET", url: "/cards?q=" + url.QueryEscape("ga\x00r\x07c\x1b"), as: viewer, before: before,
			wantStatus: http.StatusOK, wantContains: []string{`href="/cards/` + joseID + `"`},
		},
		{
			name: "right-to-left override is dropped", method: "GET", url: "/cards?q=" + url.QueryEscape("\u202egarc\u202c"), as: viewer, before: before,
			wantStatus: http.StatusOK, wantContains: []string{`href="/cards/` + joseID + `"`}, wantNotContains: []string{"\u202e"},
		},
		{
			name: "Arabic text", method: "GET", url: "/cards?q=" + url.QueryEscape("محمد"), as: viewer, before: before,
			wantStatus: http.StatusOK, wantContains: []string{"No card matches", "محمد"},
		},
		{
			name: "emoji", method: "GET", url: "/cards?q=" + url.QueryEscape("💳💳💳"), as: viewer, before: before,
			wantStatus: http.StatusOK, wantContains: []string{"No card matches"},
		},
		{
			name: "invalid UTF-8", method: "GET", url: "/cards?q=%ff%fegarc", as: viewer, before: before,
			wantStatus: http.StatusOK, wantContains: []string{`href="/cards/` + joseID + `"`},
		},
		{
			name: "unknown filter values are ignored with a notice", method: "GET", url: "/cards?q=garc&status=LOST&type=%27&after=abc", as: viewer, before: before,
			wantStatus: http.StatusOK, wantContains: []string{"Ignored an unknown value for: status, type, after", `href="/cards/` + joseID + `"`},
		},
		{
			name: "a negative page position is ignored", method: "GET", url: "/cards?after=-5", as: viewer, before: before,
			wantStatus: http.StatusOK, wantContains: []string{"Ignored an unknown value for: after", "3 cards"},
		},
	})
}

// TestCardSearchURLRoundTrip follows the next-page links of a filtered
// search and checks that each link carries the query and filters and that
// the pages together hold every match once; then that the page's own URL,
// requested again, reproduces it.
func TestCardSearchURLRoundTrip(t *testing.T) {
	e := newTestEnv(t)
	for i := range 60 {
		storetest.AddCard(t, e.store, storetest.Card{Holder: fmt.Sprintf("Ruta Viajera %02d", i), Type: "PHYSICAL"})
		storetest.AddCard(t, e.store, storetest.Card{Holder: fmt.Sprintf("Ruta Virtual %02d", i)})
	}
	cookie := e.login("viewer")
	get := func(u string) string {
		t.Helper()
		req := httptest.NewRequest("GET", u, nil)
		req.AddCookie(cookie)
		rec := e.do(req)
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s: status = %d", u, rec.Code)
		}
		return rec.Body.String()
	}
	first := get("/cards?q=ruta&type=PHYSICAL")
	if !strings.Contains(first, "60 cards") {
		t.Errorf("first page does not say 60 cards")
	}
	nextLink := regexp.MustCompile(`href="(/cards\?[^"]*after=[0-9]+[^"]*)" rel="next"`)
	pages := []string{first}
	for body := first; ; {
		next := nextLink.FindStringSubmatch(body)
		if next == nil {
			break
		}
		link := html.UnescapeString(next[1])
		u, _ := url.Parse(link)
		if u.Query().Get("q") != "ruta" || u.Query().Get("type") != "PHYSICAL" {
			t.Errorf("next link %q lost the query or filter", link)
		}
		body = get(link)
		pages = append(pages, body)
		if len(pages) > 10 {
			t.Fatal("paging does not end")
		}
	}
	if len(pages) < 2 {
		t.Fatalf("no next-page link on the first page")
	}
	names := regexp.MustCompile(`Ruta (Viajera|Virtual) [0-9]{2}`)
	seen := map[string]int{}
	for _, body := range pages {
		for _, m := range names.FindAllString(strings.NewReplacer("<mark>", "", "</mark>", "").Replace(body), -1) {
			seen[m]++
		}
	}
	if len(seen) != 60 {
		t.Errorf("%d pages hold %d distinct cards, want 60", len(pages), len(seen))
	}
	for n, c := range seen {
		if c != 1 {
			t.Errorf("%s shown %d times", n, c)
		}
		if strings.Contains(n, "Virtual") {
			t.Errorf("%s shown despite the type filter", n)
		}
	}
	if again := get("/cards?q=ruta&type=PHYSICAL"); again != first {
		t.Errorf("the same URL gives a different page")
	}
}

func TestCardShowAsViewer(t *testing.T) {
	viewer := store.LevelReadOnly
	before := func(t *testing.T, e *testEnv) {
		addSearchCards(t, e)
		if err := e.store.Audit(context.Background(), store.AuditEntry{Actor: "admin", Action: "card.freeze", TargetType: "card", TargetID: joseID, Detail: "test trail"}); err != nil {
			t.Fatal(err)
		}
	}
	runScenarios(t, []scenario{
		{
			name: "viewer opens a card", method: "GET", url: "/cards/" + joseID, as: viewer, before: before,
			wantStatus: http.StatusOK,
			wantContains: []string{"José García", "•••• •••• •••• 1111", "jose.garcia@example.com", "+34 612345678",
				"Café Central", "Insufficient funds", "FAILED", "former", "2222", "card.freeze", "test trail", "No wallet linked"},
		},
		{
			name: "upper-case id is the same card", method: "GET", url: "/cards/" + strings.ToUpper(joseID), as: viewer, before: before,
			wantStatus: http.StatusOK, wantContains: []string{"José García"},
		},
		{
			name: "unknown card is a readable 404", method: "GET", url: "/cards/00000000-0000-0000-0000-000000000000", as: viewer, before: before,
			wantStatus: http.StatusNotFound, wantContains: []string{"Card not found", "Search for it"},
		},
		{
			name: "garbage id is a readable 404", method: "GET", url: "/cards/%27%3B--" + strings.Repeat("x", 500), as: viewer, before: before,
			wantStatus: http.StatusNotFound, wantContains: []string{"Card not found"},
		},
		{
			name: "bad movements cursor is a readable 400", method: "GET", url: "/cards/" + joseID + "?mv=yesterday", as: viewer, before: before,
			wantStatus: http.StatusBadRequest, wantContains: []string{"not valid"},
		},
		{
			name: "movements cursor with a forged id is a readable 400", method: "GET", url: "/cards/" + joseID + "?mv=1700000000000.%27%20OR%201", as: viewer, before: before,
			wantStatus: http.StatusBadRequest, wantContains: []string{"not valid"},
		},
		{
			name: "anonymous is sent to the card after sign-in", method: "GET", url: "/cards/" + joseID,
			wantStatus: http.StatusSeeOther, wantHeaders: map[string]string{"Location": "/login?next=%2Fcards%2F" + joseID},
		},
	})
}

func TestCardShowMovementsPaging(t *testing.T) {
	e := newTestEnv(t)
	var ms []storetest.Movement
	for i := range cardMovementsPage + 5 {
		ms = append(ms, storetest.Movement{At: int64(1_700_000_000_000 + i*60_000), Amount: 100, Merchant: fmt.Sprintf("Merchant %02d", i)})
	}
	id := storetest.AddCard(t, e.store, storetest.Card{Holder: "Many Movements", Movements: ms})
	cookie := e.login("viewer")
	get := func(u string) string {
		req := httptest.NewRequest("GET", u, nil)
		req.AddCookie(cookie)
		rec := e.do(req)
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s: status = %d", u, rec.Code)
		}
		// The movements table only: the timeline above lists them too.
		body := rec.Body.String()
		if i := strings.Index(body, `id="card-movements"`); i >= 0 {
			body = body[i:]
		}
		body, _, _ = strings.Cut(body, "Numbers history")
		return body
	}
	first := get("/cards/" + id)
	if !strings.Contains(first, "Merchant 29") || strings.Contains(first, "Merchant 04") {
		t.Errorf("first page is not the newest %d", cardMovementsPage)
	}
	m := regexp.MustCompile(`href="(/cards/[^"]*\?mv=[^"]*)" rel="next"`).FindStringSubmatch(first)
	if m == nil {
		t.Fatal("no link to older movements")
	}
	link, _, _ := strings.Cut(html.UnescapeString(m[1]), "#") // browsers do not send the fragment
	older := get(link)
	for i := range 5 {
		if !strings.Contains(older, fmt.Sprintf("Merchant %02d", i)) {
			t.Errorf("older page lacks Merchant %02d", i)
		}
	}
	if strings.Contains(older, "Merchant 05") {
		t.Errorf("older page repeats a movement: %v", regexp.MustCompile(`Merchant [0-9]+`).FindAllString(older, -1))
	}
	if strings.Contains(older, "Older movements") {
		t.Errorf("last page offers older movements")
	}
}
