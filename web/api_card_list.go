package web

import (
	"net/http"
	"net/url"
	"strconv"
)

// API list paging: the provider documents none and answers a bare array of
// every card. The sandbox keeps the bare array and adds optional keyset
// paging: size (default and most 1000, so a small account gets every card
// at once) and after (a card id: the page starts after it, in id order).
// When more cards follow, the Link header names the next page (rel="next")
// and X-Next-After carries its cursor.
const (
	apiListDefaultSize = 1000
	apiListMaxSize     = 1000
)

// apiCardList lists the cards (GET /api/cards/virtual-cards/list).
func (s *Server) apiCardList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	size := apiListDefaultSize
	if raw := q.Get("size"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 {
			s.jsonError(w, r, http.StatusBadRequest, apiCodeValidation, "size must be a whole number of at least 1 (above 1000 it is lowered to 1000).")
			return
		}
		size = min(n, apiListMaxSize)
	}
	after := q.Get("after")
	if len(after) > 64 {
		s.jsonError(w, r, http.StatusBadRequest, apiCodeValidation, "after must be a card id.")
		return
	}
	cards, err := s.store.CardsAfter(r.Context(), after, size+1)
	if err != nil {
		s.apiServerError(w, r, err)
		return
	}
	if len(cards) > size {
		cards = cards[:size]
		next := cards[size-1].ID
		v := url.Values{"size": {strconv.Itoa(size)}, "after": {next}}
		w.Header().Set("Link", `</api/cards/virtual-cards/list?`+v.Encode()+`>; rel="next"`)
		w.Header().Set("X-Next-After", next)
	}
	out := make([]apiCard, len(cards))
	for i, c := range cards {
		out[i] = newAPICard(c)
	}
	writeJSON(w, http.StatusOK, out)
}
