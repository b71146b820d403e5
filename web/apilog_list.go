package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"cardops/store"
	"cardops/views"
)

// apilogPage is how many calls one page of the request log shows.
const apilogPage = 100

// parseAPILogFilter reads the request log's filter; values that cannot be
// read are dropped.
func parseAPILogFilter(q url.Values) (views.APILogFilter, store.APIRequestFilter) {
	bound := func(s string) string {
		s = strings.TrimSpace(s)
		if len(s) > 200 {
			s = s[:200]
		}
		return s
	}
	form := views.APILogFilter{Key: bound(q.Get("key")), Path: bound(q.Get("path")), Card: strings.ToLower(bound(q.Get("card")))}
	f := store.APIRequestFilter{KeyName: form.Key, PathPrefix: form.Path, CardID: form.Card}
	switch q.Get("status") {
	case "2xx", "4xx", "5xx":
		form.Status = q.Get("status")
		f.StatusClass = int(form.Status[0] - '0')
	}
	return form, f
}

// apilogList shows the request log (GET /api-log), filtered, newest first,
// with a live tail on its first page.
func (s *Server) apilogList(w http.ResponseWriter, r *http.Request) {
	form, f := parseAPILogFilter(r.URL.Query())
	found, ids, more, err := s.findCards(r.Context(), f.CardID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	f.CardIDs = ids
	d := views.APILogData{Filter: form, Kept: store.APIRequestsKept, CardMatches: found, CardMatchesMore: more}
	if b, err := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64); err == nil && b > 0 {
		d.Before, f.BeforeID = b, b
	}
	f.Limit = apilogPage + 1
	reqs, err := s.store.APIRequests(r.Context(), f)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if len(reqs) > apilogPage {
		reqs = reqs[:apilogPage]
		d.NextBefore = reqs[apilogPage-1].ID
	}
	d.Requests = reqs
	if d.Cards, err = s.apiCallCards(r.Context(), reqs); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, views.APILogPage(s.page(r, "API request log", "/api-log"), d))
}

// apiCallCards looks up the cards the calls name, for their rows.
func (s *Server) apiCallCards(ctx context.Context, reqs []store.APIRequest) (views.CardLabels, error) {
	ids := make([]string, len(reqs))
	for i, req := range reqs {
		ids[i] = req.CardID
	}
	return s.cardLabels(ctx, ids...)
}
