package views

import (
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"cardops/store"
)

// EventFilterForm is the event log's filter as typed, reflected in the URL.
type EventFilterForm struct {
	Operation    string
	SubOperation string
	Status       string
	Card         string
	Q            string
	From         string // datetime-local (UTC) or RFC 3339
	To           string
	// Errors names the values that were ignored: a time that could not be
	// read, a text too short to search.
	Errors store.FieldErrors
}

// Notes explains, in words, the filter values that were ignored; "" when
// every value was used.
func (f EventFilterForm) Notes() string {
	var notes, bad []string
	if f.Errors["q"] != "" {
		notes = append(notes, fmt.Sprintf("Text in the payload needs at least %d characters; %s was ignored.", store.MinTextLen, quoteTyped(f.Q)))
	}
	for _, k := range []string{"from", "to"} {
		if f.Errors[k] == store.FieldInvalid {
			bad = append(bad, k)
		}
	}
	if len(bad) > 0 {
		notes = append(notes, "Could not read the time in "+strings.Join(bad, " and ")+": "+DateTimeHint+"; it was ignored.")
	}
	if f.Errors["to"] == store.FieldNotAllowed {
		notes = append(notes, toBeforeFrom(f.To, f.From))
	}
	return strings.Join(notes, " ")
}

// Values returns the filter as URL query values, leaving out empty fields.
func (f EventFilterForm) Values() url.Values {
	v := url.Values{}
	for _, kv := range [][2]string{
		{"operation", f.Operation}, {"sub_operation", f.SubOperation}, {"status", f.Status},
		{"card", f.Card}, {"q", f.Q}, {"from", f.From}, {"to", f.To},
	} {
		if kv[1] != "" {
			v.Set(kv[0], kv[1])
		}
	}
	return v
}

// URL returns the event log's address for this filter.
func (f EventFilterForm) URL() string { return f.url("/events") }

// url returns path with the filter and extra parameters (name, value pairs).
func (f EventFilterForm) url(path string, extra ...string) string {
	v := f.Values()
	for i := 0; i+1 < len(extra); i += 2 {
		v.Set(extra[i], extra[i+1])
	}
	if len(v) == 0 {
		return path
	}
	return path + "?" + v.Encode()
}

// The live tail's Server-Sent Events: a table row, and the paused control
// the stream sends before it ends because the page is full or the session
// ended.
const (
	LiveRowEvent  = "event-row"
	LiveFullEvent = "live-full"
)

// EventListData is the event log page's model.
type EventListData struct {
	Filter EventFilterForm
	// Charts are the notifications per minute and per hour above the
	// table; nil draws none.
	Charts *EventCharts
	Events []store.Event
	// Before is the paging cursor of this page; the live tail runs only on
	// the first page (Before 0).
	Before int64
	// NextBefore is the cursor of the next (older) page, 0 on the last page.
	NextBefore int64
	// Paused shows the live tail paused.
	Paused bool
	// LiveFull, with Paused, says the live tail paused itself after adding
	// this many rows, the most one page holds (a tab left open all day
	// would otherwise grow without end).
	LiveFull int
	// SessionEnded, with Paused, says the live tail stopped because the
	// session that opened it ended (signed out or expired).
	SessionEnded bool
	// StreamAfter is the newest event id when the page was read; the live
	// tail starts after it, so nothing falls between page and stream.
	StreamAfter  int64
	RefusalCount int
	// Cards are the cards the listed events name, by card id, so each row
	// shows the holder and last 4.
	Cards CardLabels
	// CardMatches are the cards the typed card filter found (the events of
	// all of them are listed); CardMatchesMore says more cards matched
	// than the filter takes (MaxCardMatches).
	CardMatches     []CardLabel
	CardMatchesMore bool
}

// MaxCardMatches is how many cards a typed card filter takes at most.
const MaxCardMatches = 50

// CardLabel is what a row (an event's, an API call's) shows of its card.
type CardLabel struct {
	ID         string
	HolderName string
	Last4      string
}

// CardLabels are the cards the console holds among those some rows name,
// by the id the rows give; an id missing from it is a card the console
// does not hold, shown without a link (CardRef).
type CardLabels map[string]CardLabel

// emptyText is what the table says when it lists nothing: on the newest
// page with no filter, that no notification has arrived yet (a new console
// would otherwise seem to hide them); else that none match.
func (d EventListData) emptyText() string {
	if d.Before == 0 && len(d.Filter.Values()) == 0 {
		return "No notifications yet. They appear here as the receiver accepts them."
	}
	return "No events match."
}

// cardMatchesText says which cards the typed card filter found, that it
// found none, or "" when it found exactly the card typed or there is none.
func (d EventListData) cardMatchesText() string {
	return cardMatchesText(d.Filter.Card, d.CardMatches, d.CardMatchesMore, "events",
		"listed are the events that name it exactly, as a card or wallet id")
}

// cardMatchesText words what a typed card filter (typed) found: matches,
// more of them than it takes (more), or none, in which case the page lists
// the rows that name typed exactly (exactly says which). rows names what
// the page lists. "" when it found exactly the card typed, or nothing was
// typed.
func cardMatchesText(typed string, matches []CardLabel, more bool, rows, exactly string) string {
	n := len(matches)
	switch {
	case n == 0 && typed != "":
		return "No card matches " + strconv.Quote(typed) + " by id, last 4, name, e-mail or phone; " + exactly + "."
	case n == 0:
		return ""
	case more:
		return "More than " + strconv.Itoa(n) + " cards match; showing the " + rows + " of the newest " + strconv.Itoa(n) + ". Type more of the id, or the last 4, to narrow it:"
	case n == 1 && strings.EqualFold(matches[0].ID, typed):
		return ""
	case n == 1:
		return "Showing the " + rows + " of the card"
	}
	return "Showing the " + rows + " of the " + strconv.Itoa(n) + " cards that match:"
}

func (d EventListData) streamURL() string {
	return d.Filter.url("/events/stream", "after", strconv.FormatInt(d.StreamAfter, 10))
}

// EventPageData is the single event page's model.
type EventPageData struct {
	Event store.Event
}

// RefusalListData is the refused deliveries page's model.
type RefusalListData struct {
	Refusals   []store.Refusal
	NextBefore int64
	Total      int
}

// WebhookSettingsData is the webhook settings page's model.
type WebhookSettingsData struct {
	Secrets     store.WebhookSecrets
	ReceiverURL string
	// PinnedKey and PinnedSecret report a value set by flag or environment:
	// it replaces a rotated one at the next start.
	PinnedKey    bool
	PinnedSecret bool
	Now          time.Time
	Rotated      bool
	Rotate       WebhookRotateForm

	// RequireSignature reports that the receiver refuses the key alone.
	RequireSignature bool

	// DefaultTarget is where the dispatcher delivers without a
	// subscription; SubscribedURL, when set, is where an API key asked
	// notifications to go instead (with its key, unsigned).
	DefaultTarget        string
	SubscribedURL        string
	CanClearSubscription bool
	Unsubscribed         bool
}

// PreviousActive reports whether the pre-rotation key and secret still work.
func (d WebhookSettingsData) PreviousActive() bool {
	return d.Secrets.PreviousKey != "" && d.Now.Before(d.Secrets.PreviousUntil)
}

// prettyJSONMax is the largest body PrettyJSON indents (a page of at most
// about 2 MB); a larger one is shown as it came.
const prettyJSONMax = 64 << 10

// PrettyJSON indents a JSON body for reading; a body that is not JSON is
// returned unchanged.
func PrettyJSON(body []byte) string {
	// Indenting costs the square of the nesting: a body stored before
	// the receiver bounded it, or a large one, is shown as it came.
	if len(body) > prettyJSONMax || store.JSONDepth(body) > store.MaxJSONDepth {
		return string(body)
	}
	var v json.RawMessage
	if err := json.Unmarshal(body, &v); err != nil {
		return string(body)
	}
	out, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return string(body)
	}
	return string(out)
}

// headerLine is one header for display.
type headerLine struct{ Name, Value string }

// sortedHeaders flattens headers in name order.
func sortedHeaders(h map[string][]string) []headerLine {
	var out []headerLine
	for k, vs := range h {
		for _, v := range vs {
			out = append(out, headerLine{k, v})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].Value < out[j].Value
	})
	return out
}

func eventURL(id int64) string { return "/events/" + strconv.FormatInt(id, 10) }

func eventRowID(id int64) string { return "ev-" + strconv.FormatInt(id, 10) }

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

func shortHash(h string) string {
	if len(h) > 12 {
		return h[:12] + "…"
	}
	return h
}
