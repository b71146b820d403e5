package views

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"cardops/store"

	"github.com/a-h/templ"
)

// CardTimelineData is the card page's timeline: one page of entries, newest
// first, of the kinds its filter chips chose.
type CardTimelineData struct {
	CardID  string
	Entries []store.TimelineEntry
	// Kinds are the chips: the kinds the viewer may see, in
	// store.TimelineKinds order (API calls only for those who may open
	// the API request log).
	Kinds  []store.TimelineKind
	Filter store.TimelineFilter
	From   store.TimelineCursor // the page shown (zero: the newest)
	Next   store.TimelineCursor // the following page (zero: none)
	// At is the key of the entry a ?at= link named, highlighted; "" when none.
	At    string
	NowMs int64
}

// Live reports whether the timeline shows its newest page, which fetches
// itself again when the card changes; an older page stays as it is.
func (d CardTimelineData) Live() bool { return d.From.IsZero() && d.At == "" }

// query is the URL query of the timeline's filter, with a page cursor when
// from is not zero.
func (d CardTimelineData) query(kinds []store.TimelineKind, from store.TimelineCursor) string {
	v := url.Values{}
	for _, k := range kinds {
		v.Add("kind", string(k))
	}
	if !from.IsZero() {
		v.Set("tl", from.Param())
	}
	if len(v) == 0 {
		return ""
	}
	return "?" + v.Encode()
}

// fragmentURL is where the live newest page fetches itself again.
func (d CardTimelineData) fragmentURL() string {
	return "/cards/" + d.CardID + "/timeline" + d.query(d.Filter.Kinds, store.TimelineCursor{})
}

// chipURL is the card page filtered to one kind ("" is every kind).
func (d CardTimelineData) chipURL(k store.TimelineKind) templ.SafeURL {
	var kinds []store.TimelineKind
	if k != "" {
		kinds = []store.TimelineKind{k}
	}
	return templ.SafeURL("/cards/" + d.CardID + d.query(kinds, store.TimelineCursor{}) + "#timeline")
}

// chipOn reports whether the chip of kind k ("" every kind) is the filter.
func (d CardTimelineData) chipOn(k store.TimelineKind) bool {
	if k == "" {
		return len(d.Filter.Kinds) == 0
	}
	return len(d.Filter.Kinds) == 1 && d.Filter.Kinds[0] == k
}

func (d CardTimelineData) nextURL() templ.SafeURL {
	return templ.SafeURL("/cards/" + d.CardID + d.query(d.Filter.Kinds, d.Next) + "#timeline")
}

func (d CardTimelineData) newestURL() templ.SafeURL {
	return templ.SafeURL("/cards/" + d.CardID + d.query(d.Filter.Kinds, store.TimelineCursor{}) + "#timeline")
}

// atURL links to one entry of the card's timeline.
func atURL(cardID, key string) templ.SafeURL {
	return templ.SafeURL("/cards/" + cardID + "?at=" + url.QueryEscape(key) + "#tl-" + key)
}

// holds reports whether the line e shows the entry named by key: itself,
// or for a movement what followed it and the notifications about them.
func holds(e store.TimelineEntry, key string) bool {
	if key == "" {
		return false
	}
	if e.Key() == key {
		return true
	}
	for _, m := range e.Followers {
		if store.TimelineKey(store.TimelineMovement, m.ID) == key {
			return true
		}
	}
	for _, ev := range e.Notifications {
		if store.TimelineKey(store.TimelineNotification, strconv.FormatInt(ev.ID, 10)) == key {
			return true
		}
	}
	for _, m := range e.Sent {
		if store.TimelineKey(store.TimelineSimulation, strconv.FormatInt(m.ID, 10)) == key {
			return true
		}
	}
	return false
}

// TimelineKindLabel names a kind on its chip and its icon.
func TimelineKindLabel(k store.TimelineKind) string {
	switch k {
	case store.TimelineMovement:
		return "Movements"
	case store.TimelineNotification:
		return "Notifications"
	case store.TimelineReissue:
		return "Reissues"
	case store.TimelineStatus:
		return "Freezes"
	case store.TimelineSimulation:
		return "Simulations"
	case store.TimelineReplay:
		return "Replays"
	case store.TimelineAPI:
		return "API calls"
	case store.TimelineAudit:
		return "Audit"
	}
	return string(k)
}

// timelineGlyph is the icon of a kind (its label is said by aria-label).
func timelineGlyph(k store.TimelineKind) string {
	switch k {
	case store.TimelineMovement:
		return "⇄"
	case store.TimelineNotification:
		return "✉"
	case store.TimelineReissue:
		return "⟳"
	case store.TimelineStatus:
		return "❄"
	case store.TimelineSimulation:
		return "▶"
	case store.TimelineReplay:
		return "↻"
	case store.TimelineAPI:
		return "↯"
	case store.TimelineAudit:
		return "§"
	}
	return "•"
}

// apiCallURL is a call in the API request log.
func apiCallURL(r store.APIRequest) templ.SafeURL {
	return templ.SafeURL("/api-log/" + strconv.FormatInt(r.ID, 10))
}

// apiStatusWords is a call's status, its number and what it means
// ("404 Not Found"), coloured as the request log colours it
// (apiStatusBadge).
func apiStatusWords(status int) string {
	if w := http.StatusText(status); w != "" {
		return strconv.Itoa(status) + " " + w
	}
	return strconv.Itoa(status)
}

// movementIconLabel is what a movement's icon says.
func movementIconLabel(m store.Movement) string {
	switch m.Operation {
	case "AUTHORIZATION":
		return "Authorization"
	case "CLEARING":
		return "Clearing"
	case "REFUND":
		return "Refund"
	case "REVERSAL":
		return "Reversal"
	}
	return "Movement"
}

// declineCodes words the ISO 8583 response codes the sandbox declines with.
var declineCodes = map[string]string{
	"05": "Do not honour",
	"14": "Invalid card number",
	"41": "Lost card",
	"43": "Stolen card",
	"51": "Insufficient funds",
	"54": "Expired card",
	"57": "Transaction not permitted to the cardholder",
	"59": "Suspected fraud",
	"61": "Exceeds the withdrawal amount limit",
	"62": "Restricted card",
	"65": "Exceeds the withdrawal count limit",
}

// DeclineWords says why a movement was declined, in words: its description,
// else the meaning of its code; "" when it was not declined.
func DeclineWords(m store.Movement) string {
	switch {
	case m.DeclineDescription != "" && m.DeclineCode != "":
		return m.DeclineDescription + " (code " + m.DeclineCode + ")"
	case m.DeclineDescription != "":
		return m.DeclineDescription
	case m.DeclineCode != "":
		if w, ok := declineCodes[m.DeclineCode]; ok {
			return w + " (code " + m.DeclineCode + ")"
		}
		return "Declined with code " + m.DeclineCode
	case m.Status == "FAILED":
		return "Declined (no reason given)"
	}
	return ""
}

// RelativeTime words how long before now ms was: "just now", "5 min ago",
// "3 h ago", "2 d ago", then the date.
func RelativeTime(ms, nowMs int64) string {
	d := time.Duration(nowMs-ms) * time.Millisecond
	switch {
	case d < 0:
		return FormatMillis(ms)
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return strconv.Itoa(int(d/time.Minute)) + " min ago"
	case d < 24*time.Hour:
		return strconv.Itoa(int(d/time.Hour)) + " h ago"
	case d < 30*24*time.Hour:
		return strconv.Itoa(int(d/(24*time.Hour))) + " d ago"
	}
	return time.UnixMilli(ms).UTC().Format("2 Jan 2006")
}

// isoMillis is a Unix-ms time for a datetime attribute.
func isoMillis(ms int64) string {
	return time.UnixMilli(ms).UTC().Format("2006-01-02T15:04:05.000Z")
}

func outboxLabel(m store.OutboxMessage) string {
	s := m.Operation
	if m.SubOperation != "" {
		s += " / " + m.SubOperation
	}
	return s + " " + m.Status
}

func eventLabel(e store.Event) string {
	s := e.Operation
	if e.SubOperation != "" {
		s += " / " + e.SubOperation
	}
	return s + " " + e.Status
}

func reissueLabel(r store.ReissueRequest) string {
	s := "Reissue •••• " + r.OldLast4
	if r.NewLast4 != "" {
		s += " → •••• " + r.NewLast4
	}
	return s + " · " + r.Status + " · " + r.Reason.Label() + " (by " + r.Maker + ")"
}

func statusChangeLabel(c store.CardStatusChange) string {
	verb := "Frozen"
	switch {
	case c.Reason == store.StatusReasonReissue:
		verb = "Renewed"
	case c.To == "ACTIVE":
		verb = "Unfrozen"
	}
	s := verb + " (" + c.From + " → " + c.To + ") by " + c.Actor + ": " + FreezeReasonLabel(c.Reason)
	if c.Note != "" {
		s += " — " + c.Note
	}
	return s
}

func statusGlyphLabel(c store.CardStatusChange) string {
	if c.Reason == store.StatusReasonReissue {
		return "Status change"
	}
	if c.To == "ACTIVE" {
		return "Unfreeze"
	}
	return "Freeze"
}
