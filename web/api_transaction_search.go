package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"cardops/store"
)

// apiTransactionSearch pages a card's movements, newest first (GET
// /api/cards/transactions/{cardId}/search), in the envelope of the
// provider's "search card transactions": number_of_elements, next_page
// (null on the last page), movements, total_pages, total_elements. Query:
// from_date and to_date (YYYY-MM-DD, UTC, both days included; optional
// here, required by the provider), operations (repeatable: AUTHORIZATION,
// CLEARING, REFUND, REVERSAL; none means all), size (default 10, larger than
// 100 lowered to 100), page_number (1-based, default 1).
func (s *Server) apiTransactionSearch(w http.ResponseWriter, r *http.Request) {
	cardID := strings.ToLower(r.PathValue("cardId"))
	q := r.URL.Query()
	search := store.MovementSearch{CardID: cardID, Page: 1, Size: 10}
	bad := func(msg string) { s.jsonError(w, r, http.StatusBadRequest, apiCodeValidation, msg) }
	for _, d := range []struct {
		name string
		dst  *int64
		end  bool
	}{{"from_date", &search.From, false}, {"to_date", &search.To, true}} {
		raw := q.Get(d.name)
		if raw == "" {
			continue
		}
		t, err := time.Parse("2006-01-02", raw)
		if err != nil {
			bad(d.name + " must be a date written YYYY-MM-DD.")
			return
		}
		if d.end {
			t = t.AddDate(0, 0, 1)
		}
		*d.dst = t.UnixMilli()
	}
	if search.From != 0 && search.To != 0 && search.From >= search.To {
		bad("from_date must not be after to_date.")
		return
	}
	for _, op := range q["operations"] {
		op = strings.ToUpper(strings.TrimSpace(op))
		switch op {
		case "AUTHORIZATION", "CLEARING", "REFUND", "REVERSAL":
			search.Operations = append(search.Operations, op)
		default:
			bad("operations must be AUTHORIZATION, CLEARING, REFUND or REVERSAL.")
			return
		}
	}
	for _, p := range []struct {
		name string
		dst  *int
	}{{"size", &search.Size}, {"page_number", &search.Page}} {
		raw := q.Get(p.name)
		if raw == "" {
			continue
		}
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 {
			if p.name == "size" {
				bad("size must be a whole number of at least 1 (above 100 it is lowered to 100).")
			} else {
				bad(p.name + " must be a whole number of at least 1.")
			}
			return
		}
		*p.dst = n
	}
	search.Size = min(search.Size, 100)
	search.Page = min(search.Page, 1_000_000)
	if _, err := s.store.CardByID(r.Context(), cardID); errors.Is(err, store.ErrNotFound) {
		s.jsonError(w, r, http.StatusNotFound, apiCodeNotFound, "Card not found")
		return
	} else if err != nil {
		s.apiServerError(w, r, err)
		return
	}
	ms, total, err := s.store.SearchCardMovements(r.Context(), search)
	if err != nil {
		s.apiServerError(w, r, err)
		return
	}
	out := apiMovementPage{Movements: make([]apiTransaction, len(ms)), NumberOfElements: len(ms), TotalElements: total,
		TotalPages: (total + search.Size - 1) / search.Size}
	for i, m := range ms {
		out.Movements[i] = newAPITransaction(m)
	}
	if search.Page < out.TotalPages {
		next := search.Page + 1
		out.NextPage = &next
	}
	writeJSON(w, http.StatusOK, out)
}

type apiMovementPage struct {
	NumberOfElements int              `json:"number_of_elements"`
	NextPage         *int             `json:"next_page"`
	Movements        []apiTransaction `json:"movements"`
	TotalPages       int              `json:"total_pages"`
	TotalElements    int              `json:"total_elements"`
}
