package views

import (
	"net/url"
	"strconv"

	"cardops/store"
)

// Server-Sent Events of the request log's live tail: a new row, and the
// state shown once the stream is open.
const (
	APILogRowEvent   = "apilog-row"
	APILogReadyEvent = "apilog-ready"
)

// APILogFilter is the request log's filter as typed.
type APILogFilter struct {
	Key    string
	Status string // "", "2xx", "4xx", "5xx"
	Path   string
	Card   string
}

// Values is the filter as query parameters, empty ones left out.
func (f APILogFilter) Values() url.Values {
	v := url.Values{}
	for k, x := range map[string]string{"key": f.Key, "status": f.Status, "path": f.Path, "card": f.Card} {
		if x != "" {
			v.Set(k, x)
		}
	}
	return v
}

// URL is path with the filter and extra name, value pairs.
func (f APILogFilter) URL(path string, extra ...string) string {
	v := f.Values()
	for i := 0; i+1 < len(extra); i += 2 {
		v.Set(extra[i], extra[i+1])
	}
	if len(v) == 0 {
		return path
	}
	return path + "?" + v.Encode()
}

// APILogData is the request log page's model.
type APILogData struct {
	Filter   APILogFilter
	Requests []store.APIRequest
	// Cards are the cards the listed calls name (CardRef).
	Cards CardLabels
	// NextBefore is the id to page on from, 0 on the last page; the live
	// tail runs on the first page only (Before 0).
	Before     int64
	NextBefore int64
	// Kept is how many calls the log keeps.
	Kept int
	// CardMatches are the cards the typed card filter found (the calls of
	// all of them are listed); CardMatchesMore says more cards matched
	// than the filter takes (MaxCardMatches).
	CardMatches     []CardLabel
	CardMatchesMore bool
}

// cardMatchesText says which cards the typed card filter found; see
// EventListData.cardMatchesText.
func (d APILogData) cardMatchesText() string {
	return cardMatchesText(d.Filter.Card, d.CardMatches, d.CardMatchesMore, "calls",
		"listed are the calls that name it exactly")
}

func (d APILogData) streamURL() string {
	var after int64
	if len(d.Requests) > 0 {
		after = d.Requests[0].ID
	}
	return d.Filter.URL("/api-log/stream", "after", strconv.FormatInt(after, 10))
}

func apiDuration(us int64) string {
	if us < 1000 {
		return strconv.FormatInt(us, 10) + " µs"
	}
	return strconv.FormatFloat(float64(us)/1000, 'f', 1, 64) + " ms"
}
