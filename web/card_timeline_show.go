package web

import (
	"errors"
	"fmt"
	"net/http"
	"slices"

	"cardops/store"
	"cardops/views"
)

// cardTimelinePage is how many entries a page of the card timeline shows.
const cardTimelinePage = 50

// cardTimelineShow is the card's timeline section: the kinds chosen by
// ?kind= (repeatable; none is every kind), the page after ?tl= (a cursor),
// or the page that starts at the entry named by ?at=. The newest page
// fetches itself again when the card changes.
func (s *Server) cardTimelineShow(w http.ResponseWriter, r *http.Request) {
	card, ok := s.cardFor(w, r)
	if !ok {
		return
	}
	d, ok := s.cardTimeline(w, r, card)
	if !ok {
		return
	}
	s.render(w, r, http.StatusOK, views.CardTimelineSection(d))
}

// timelineAPIRoute is the route of one call in the API request log: API
// calls are on a card's timeline, and linked there, for whoever may open
// it, as the route table says.
const timelineAPIRoute = "GET /api-log/{id}"

// cardTimeline reads the card's timeline as the request's query asks; on a
// bad query or a failure it answers and reports false. A person who may
// not open the API request log sees no API call on it, nor their chip; a
// link asking for them is refused.
func (s *Server) cardTimeline(w http.ResponseWriter, r *http.Request, card store.Card) (views.CardTimelineData, bool) {
	q := r.URL.Query()
	d := views.CardTimelineData{CardID: card.ID, NowMs: s.now().UnixMilli()}
	if !s.allowed(r, timelineAPIRoute) {
		d.Filter.Without = []store.TimelineKind{store.TimelineAPI}
	}
	for _, k := range store.TimelineKinds {
		if d.Filter.Has(k) {
			d.Kinds = append(d.Kinds, k)
		}
	}
	bad := func(what string) (views.CardTimelineData, bool) {
		s.errorPageBack(w, r, http.StatusBadRequest, "Bad timeline link",
			"The "+what+" in this link is not valid. Open the card again to see its newest timeline.",
			"/cards/"+card.ID, "Back to the card", "/cards")
		return d, false
	}
	hidden := func(k store.TimelineKind) bool {
		if slices.Contains(d.Kinds, k) {
			return false
		}
		s.errorPage(w, r, http.StatusForbidden, "Not allowed",
			fmt.Sprintf("%s on a card's timeline need level %d, as the API request log; you are signed in at level %d.",
				views.TimelineKindLabel(k), s.levels[timelineAPIRoute].Int(), currentPrincipal(r).Level.Int()))
		return true
	}
	for _, k := range q["kind"] {
		if !store.TimelineKind(k).Valid() || len(d.Filter.Kinds) >= len(store.TimelineKinds) {
			return bad("kind")
		}
		if hidden(store.TimelineKind(k)) {
			return d, false
		}
		d.Filter.Kinds = append(d.Filter.Kinds, store.TimelineKind(k))
	}
	if tl := q.Get("tl"); tl != "" {
		c, ok := store.ParseTimelineCursor(tl)
		if !ok {
			return bad("timeline page")
		}
		d.From = c
	}
	if at := q.Get("at"); at != "" {
		kind, id, ok := store.ParseTimelineKey(at)
		if !ok {
			return bad("entry")
		}
		if hidden(kind) {
			return d, false
		}
		c, err := s.store.CardTimelineLocate(r.Context(), card.ID, d.Filter, kind, id)
		if errors.Is(err, store.ErrNotFound) {
			s.errorPageBack(w, r, http.StatusNotFound, "Entry not found",
				"This card's timeline has no entry "+strconvQuote(at)+".", "/cards/"+card.ID, "Back to the card", "/cards")
			return d, false
		}
		if err != nil {
			s.serverError(w, r, err)
			return d, false
		}
		d.From, d.At = c, at
	}
	var err error
	if d.Entries, d.Next, err = s.store.CardTimeline(r.Context(), card.ID, d.Filter, d.From, cardTimelinePage); err != nil {
		s.serverError(w, r, err)
		return d, false
	}
	return d, true
}
