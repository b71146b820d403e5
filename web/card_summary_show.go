package web

import (
	"net/http"
	"strconv"

	"cardops/views"
)

// cardSummaryShow is the card page's card, holder, balance and wallet
// panels, which fetch themselves again when the card changes, with the
// card's head and status lines, its balance chart, and its freeze panel
// once the card's version moved on (swapped out of band).
func (s *Server) cardSummaryShow(w http.ResponseWriter, r *http.Request) {
	card, ok := s.cardFor(w, r)
	if !ok {
		return
	}
	d := views.CardPageData{Card: card}
	if err := s.cardSummary(r.Context(), &d); err != nil {
		s.serverError(w, r, err)
		return
	}
	freeze, err := s.cardFreezeData(r, card)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	balance, err := s.balanceChart(r.Context(), card)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d.BalanceChart = views.LineChartView(balance)
	// The page's version is the one its summary was drawn at; a page that
	// says none gets the freeze panel again, as a changed one does.
	shown, err := strconv.ParseInt(r.URL.Query().Get("version"), 10, 64)
	if err != nil {
		shown = -1
	}
	s.render(w, r, http.StatusOK, views.CardSummaryRefresh(d, freeze, shown))
}
