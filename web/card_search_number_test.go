package web

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"cardops/store"
	"cardops/store/storetest"
)

const oconnorID = "4d5e6f70-0000-4000-8000-000000000004"

var (
	// testPAN and testFormerPAN are Luhn-valid numbers of the O'Connor card.
	testPAN       = store.NewPAN("555555", func(int) string { return "123456789" })
	testFormerPAN = store.NewPAN("555555", func(int) string { return "987654321" })
	unknownPAN    = store.NewPAN("555555", func(int) string { return "111111111" })
)

func addNumberCards(t *testing.T, e *testEnv) {
	addSearchCards(t, e)
	storetest.AddCard(t, e.store, storetest.Card{ID: oconnorID, Holder: "Siobhán O'CONNOR", PAN: testPAN, FormerPANs: []string{testFormerPAN}})
	storetest.AddCard(t, e.store, storetest.Card{Holder: "Faisal Al-Shehri"})
}

func spaced(pan string) string {
	return pan[:4] + " " + pan[4:8] + " " + pan[8:12] + " " + pan[12:]
}

func TestCardSearchByNumberAsViewer(t *testing.T) {
	viewer := store.LevelReadOnly
	before := addNumberCards
	htmx := map[string]string{"HX-Request": "true", "HX-Target": "card-results"}
	masked := store.MaskPAN(unknownPAN)
	runScenarios(t, []scenario{
		{
			name: "a name without its apostrophe", method: "GET", url: "/cards?q=oconnor", as: viewer, before: before,
			wantStatus: http.StatusOK, wantContains: []string{"<mark>O&#39;CONNOR</mark>", "1 card"},
		},
		{
			name: "a name without its hyphen", method: "GET", url: "/cards?q=alshehri", as: viewer, before: before,
			wantStatus: http.StatusOK, wantContains: []string{"<mark>Al-Shehri</mark>", "1 card"},
		},
		{
			name: "a BIN", method: "GET", url: "/cards?q=555555", as: viewer, before: before,
			wantStatus: http.StatusOK, wantContains: []string{"Siobhán", "BIN <mark>555555</mark>", "matched as BIN"},
			wantNotContains: []string{"José"},
		},
		{
			name: "a full number goes to its card", method: "GET", url: "/cards?q=" + url.QueryEscape(spaced(testPAN)), as: viewer, before: before,
			wantStatus: http.StatusSeeOther, wantHeaders: map[string]string{"Location": "/cards/" + oconnorID},
			wantNotContains: []string{testPAN[6:12]},
		},
		{
			name: "a former full number goes to its card", method: "GET", url: "/cards?q=" + testFormerPAN, as: viewer, before: before,
			wantStatus: http.StatusSeeOther, wantHeaders: map[string]string{"Location": "/cards/" + oconnorID},
		},
		{
			name: "htmx: a full number navigates to its card", method: "GET", url: "/cards?q=" + testPAN, as: viewer, before: before,
			headers: htmx, wantStatus: http.StatusOK, wantHeaders: map[string]string{"HX-Redirect": "/cards/" + oconnorID},
			wantNotContains: []string{testPAN[6:12]},
		},
		{
			name: "an unknown full number leaves the address for its masked form", method: "GET", url: "/cards?q=" + unknownPAN, as: viewer, before: before,
			wantStatus: http.StatusSeeOther, wantHeaders: map[string]string{"Location": "/cards?q=" + url.QueryEscape(masked)},
			wantNotContains: []string{unknownPAN[6:12]},
		},
		{
			name: "htmx: an unknown full number is shown and pushed masked", method: "GET", url: "/cards?q=" + url.QueryEscape(spaced(unknownPAN)), as: viewer, before: before,
			headers: htmx, wantStatus: http.StatusOK,
			wantContains:    []string{"No card matches", masked},
			wantNotContains: []string{unknownPAN[6:12], spaced(unknownPAN)[7:14]},
			wantHeaders:     map[string]string{"HX-Push-Url": "/cards?q=" + url.QueryEscape(masked)},
		},
		{
			name: "a number among other words leaves the address for its masked form", method: "GET",
			url: "/cards?q=" + url.QueryEscape(spaced(testPAN)+" oconnor"), as: viewer, before: before,
			wantStatus: http.StatusSeeOther, wantHeaders: map[string]string{"Location": "/cards?q=" + url.QueryEscape(store.MaskPAN(testPAN)+" oconnor")},
		},
		{
			name: "htmx: a number among other words is shown and pushed masked", method: "GET",
			url: "/cards?q=" + url.QueryEscape("x "+testPAN), as: viewer, before: before, headers: htmx, wantStatus: http.StatusOK,
			wantContains: []string{store.MaskPAN(testPAN)}, wantNotContains: []string{testPAN[6:12]},
			wantHeaders: map[string]string{"HX-Push-Url": "/cards?q=" + url.QueryEscape("x "+store.MaskPAN(testPAN))},
		},
		{
			name: "the masked form finds the cards with that first 6 and last 4", method: "GET", url: "/cards?q=" + url.QueryEscape(store.MaskPAN(testPAN)), as: viewer, before: before,
			wantStatus: http.StatusOK, wantContains: []string{"Siobhán", "matched as first 6 and last 4", `value="` + store.MaskPAN(testPAN) + `"`},
		},
		{
			name: "htmx: a long run of digits that is no card number is not pushed", method: "GET", url: "/cards?q=" + "4242424242424241", as: viewer, before: before,
			headers: htmx, wantStatus: http.StatusOK, wantContains: []string{"No card matches"},
			wantHeaders: map[string]string{"HX-Push-Url": "false"},
		},
		{
			name: "a card number as a card's id is not found and not shown back", method: "GET", url: "/cards/" + testPAN, as: viewer, before: before,
			wantStatus: http.StatusNotFound, wantContains: []string{store.MaskPAN(testPAN)}, wantNotContains: []string{testPAN[6:12]},
		},
		{
			name: "anonymous: the sign-in redirect carries the number masked", method: "GET", url: "/cards?q=" + testPAN,
			wantStatus:  http.StatusSeeOther,
			wantHeaders: map[string]string{"Location": "/login?next=" + url.QueryEscape("/cards?q="+url.QueryEscape(store.MaskPAN(testPAN)))},
		},
	})
}

// TestCardSearchByPhoneThatPassesLuhn: one long phone number in ten passes
// the Luhn check, so it reads as a card number too. No card has it as its
// number, so it finds the card whose phone it is, typed with a plus and
// spaces or as bare digits, with htmx or without (without, it used to be
// sent on to the masked number's search, which finds nothing).
func TestCardSearchByPhoneThatPassesLuhn(t *testing.T) {
	const dial, phone = "+49", "15733231927"
	if !store.LuhnValid(store.NormalizePhone(dial + phone)) {
		t.Fatal("the test's phone number must pass the Luhn check")
	}
	before := func(t *testing.T, e *testEnv) {
		addNumberCards(t, e)
		storetest.AddCard(t, e.store, storetest.Card{Holder: "Jonas Becker", DialCode: dial, Phone: phone})
	}
	htmx := map[string]string{"HX-Request": "true", "HX-Target": "card-results"}
	var sc []scenario
	for _, typed := range []string{"+49 157 33 23 19 27", "+49 (157) 332-319-27", "4915733231927"} {
		for _, h := range []map[string]string{nil, htmx} {
			sc = append(sc, scenario{
				name: fmt.Sprintf("%q, htmx %v", typed, h != nil), method: "GET", url: "/cards?q=" + url.QueryEscape(typed),
				as: store.LevelReadOnly, before: before, headers: h,
				wantStatus: http.StatusOK, wantContains: []string{"Jonas Becker", "1 card"},
			})
		}
	}
	runScenarios(t, sc)
}

// TestCardSearchByNumberIsNotLogged searches by a full number, found and
// not found, and checks that no log line holds it.
func TestCardSearchByNumberIsNotLogged(t *testing.T) {
	var mu sync.Mutex
	var buf bytes.Buffer
	e := newTestEnv(t, func(c *Config) {
		c.Logger = slog.New(slog.NewTextHandler(&lockedWriter{mu: &mu, w: &buf}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	addNumberCards(t, e)
	for _, q := range []string{testPAN, unknownPAN, spaced(testPAN)} {
		for _, h := range []map[string]string{nil, {"HX-Request": "true", "HX-Target": "card-results"}} {
			scenario{method: "GET", url: "/cards?q=" + url.QueryEscape(q), as: store.LevelReadOnly, headers: h,
				wantStatus:      map[bool]int{true: http.StatusOK, false: http.StatusSeeOther}[h != nil],
				wantNotContains: []string{q, url.QueryEscape(q)}}.run(t, e)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if buf.Len() == 0 {
		t.Fatal("no log line was written; the check would see nothing")
	}
	// The values the server makes up itself (a duration to the nanosecond,
	// a size, a random trace id) are left out of the check: "1.123456ms"
	// or a trace id can hold the six middle digits by chance.
	logged := ownValues.ReplaceAllString(buf.String(), "$1=…")
	for _, pan := range []string{testPAN, unknownPAN, spaced(testPAN), testPAN[6:12], unknownPAN[6:12]} {
		if strings.Contains(logged, pan) {
			t.Errorf("the log holds %q:\n%s", pan, buf.String())
		}
	}
}

// ownValues are the request log's attributes whose values the server makes
// up itself, never from the request.
var ownValues = regexp.MustCompile(`\b(duration|bytes|trace_id)=[^ \n]+`)

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
