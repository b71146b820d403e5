package web

import (
	"errors"
	"net/http"

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

// cardTimeline reads the card's timeline as the request's query asks; on a
// bad query or a failure it answers and reports false.
func (s *Server) cardTimeline(w http.ResponseWriter, r *http.Request, card store.Card) (views.CardTimelineData, bool) {
	q := r.URL.Query()
	d := views.CardTimelineData{CardID: card.ID, NowMs: s.now().UnixMilli()}
	bad := func(what string) (views.CardTimelineData, bool) {
		s.errorPageBack(w, r, http.StatusBadRequest, "Bad timeline link",
			"The "+what+" in this link is not valid. Open the card again to see its newest timeline.",
			"/cards/"+card.ID, "Back to the card", "/cards")
		return d, false
	}
	for _, k := range q["kind"] {
		if !store.TimelineKind(k).Valid() || len(d.Filter.Kinds) >= len(store.TimelineKinds) {
			return bad("kind")
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
