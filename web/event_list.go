package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"cardops/store"
	"cardops/views"
)

const eventPageSize = 50

// eventList shows the event log, newest first, filtered as the URL says.
// Pages are cut by id (before=), so paging stays stable while events arrive;
// the first page carries the live tail, which starts after its newest row.
func (s *Server) eventList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("view") == "refused" {
		// The refused deliveries' old address, kept for bookmarks.
		http.Redirect(w, r, "/events/refused", http.StatusMovedPermanently)
		return
	}
	form, f := parseEventFilter(q)
	before, _ := strconv.ParseInt(q.Get("before"), 10, 64)
	ctx := r.Context()
	matches, more, err := s.resolveCardFilter(ctx, &f)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if f.Card != form.Card || form.Q != store.CutBytes(strings.TrimSpace(q.Get("q")), maxFilterText) {
		// A full card number was typed: go to an address without it (the
		// redirect replaces it in the history), naming the card it found,
		// else its masked form.
		if f.Card != form.Card && len(matches) == 1 && !more {
			form.Card = matches[0].ID
		}
		s.redirect(w, r, form.URL())
		return
	}
	// Read before the listing: if the listing is empty, the tail starts
	// here, and nothing that matched could have been committed before it.
	latest, err := s.store.LatestEventID(ctx)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	f.BeforeID, f.Limit = max(before, 0), eventPageSize+1
	evs, err := s.store.Events(ctx, f)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	refused, err := s.store.RefusalCount(ctx)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	charts, err := s.eventCharts(ctx, form, f)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d := views.EventListData{Filter: form, Events: evs, Before: max(before, 0), Charts: &charts,
		Paused: q.Get("live") == "off", RefusalCount: refused, StreamAfter: latest,
		CardMatches: matches, CardMatchesMore: more}
	if len(evs) > eventPageSize {
		d.Events = evs[:eventPageSize]
		d.NextBefore = d.Events[eventPageSize-1].ID
	}
	if len(d.Events) > 0 {
		d.StreamAfter = d.Events[0].ID
	}
	if d.Cards, err = s.eventCards(ctx, d.Events); err != nil {
		s.serverError(w, r, err)
		return
	}
	// A history restore (the back button) wants the whole page, not the
	// section a filter swaps.
	if isHTMX(r) && r.Header.Get("HX-History-Restore-Request") != "true" {
		// The address bar shows the filter without empty fields, so it can
		// be shared as it is. Pause and resume keep the address, and add no
		// step for the back button.
		if u := form.URL(); !sameAddress(r.Header.Get("HX-Current-URL"), u) {
			w.Header().Set("HX-Push-Url", u)
		}
		s.render(w, r, http.StatusOK, views.EventsSection(d))
		return
	}
	s.render(w, r, http.StatusOK, views.EventsPage(s.page(r, "Event log", "/events"), d))
}

// sameAddress reports whether the browser's current URL is the page at
// path (a path and query).
func sameAddress(current, path string) bool {
	u, err := url.Parse(current)
	return err == nil && current != "" && u.RequestURI() == path
}

// maxFilterText bounds each filter value.
const maxFilterText = 200

// parseEventFilter reads the event log's filter parameters. A time that
// cannot be read, or a text shorter than store.MinTextLen characters, is
// ignored and named in the form's Errors, which the page explains.
func parseEventFilter(q url.Values) (views.EventFilterForm, store.EventFilter) {
	get := func(name string) string {
		return store.CutBytes(strings.TrimSpace(q.Get(name)), maxFilterText)
	}
	form := views.EventFilterForm{
		Operation: get("operation"), SubOperation: get("sub_operation"), Status: get("status"),
		Card: get("card"), Q: get("q"), From: get("from"), To: get("to"),
	}
	f := store.EventFilter{Operation: form.Operation, SubOperation: form.SubOperation, Status: form.Status,
		Card: form.Card, Q: form.Q}
	// A full card number is never shown back: typed alone in the text box
	// it is taken as the card filter (when that is empty), which finds its
	// card by the number's keyed hash; among other words it is masked.
	if store.ParseCardQuery(form.Q).Has(store.SearchPAN) && form.Card == "" {
		form.Card, f.Card, form.Q, f.Q = form.Q, form.Q, "", ""
	} else if m := store.MaskCardNumbers(form.Q); m != form.Q {
		form.Q, f.Q = m, m
	}
	// A full card number finds its card (f.Card) but is never shown back:
	// the box and the page's links get its masked form.
	if cq := store.ParseCardQuery(form.Card); cq.Has(store.SearchPAN) {
		form.Card = cq.Raw
	}
	f.From, f.To, form.Errors = parseFilterRange(form.From, form.To)
	if f.Q != "" && utf8.RuneCountInString(f.Q) < store.MinTextLen {
		// The payload index holds trigrams: a shorter term has none.
		if form.Errors == nil {
			form.Errors = store.FieldErrors{}
		}
		form.Errors["q"] = store.FieldTooShort
		f.Q = ""
	}
	return form, f
}

// resolveCardFilter reads the typed card filter (f.Card) as the card search
// does (see findCards) and adds the cards it finds to f.CardIDs; f.Card
// itself still matches an event's card or wallet id exactly (a wallet, or a
// card the console does not hold). It returns the cards found and whether
// there were more.
func (s *Server) resolveCardFilter(ctx context.Context, f *store.EventFilter) ([]views.CardLabel, bool, error) {
	found, ids, more, err := s.findCards(ctx, f.Card)
	f.CardIDs = append(f.CardIDs, ids...)
	return found, more, err
}

// findCards reads a list's typed card filter as the card search does (an
// id or id prefix in any case, the last 4 of a current or former number, a
// name, an e-mail, a phone): the cards it finds, the newest MaxCardMatches
// of them, their ids, and whether there were more.
func (s *Server) findCards(ctx context.Context, typed string) ([]views.CardLabel, []string, bool, error) {
	if typed == "" {
		return nil, nil, false, nil
	}
	res, err := s.store.NewCardSearch(store.ParseCardQuery(typed)).WithLimit(views.MaxCardMatches).WithoutCount().Page(ctx)
	if err != nil {
		return nil, nil, false, err
	}
	found := make([]views.CardLabel, 0, len(res.Hits))
	ids := make([]string, 0, len(res.Hits))
	for _, h := range res.Hits {
		ids = append(ids, h.ID)
		found = append(found, views.CardLabel{ID: h.ID, HolderName: h.HolderName, Last4: h.Last4})
	}
	return found, ids, res.Next != 0, nil
}

// eventCards looks up the cards that events name, for their rows.
func (s *Server) eventCards(ctx context.Context, events []store.Event) (views.CardLabels, error) {
	ids := make([]string, len(events))
	for i, e := range events {
		ids[i] = e.CardID
	}
	return s.cardLabels(ctx, ids...)
}
