package web

import (
	"errors"
	"net/http"
	"strconv"

	"cardops/store"
	"cardops/views"
)

// simulateDeliveryShow opens one delivery and its attempts on the Simulate
// page (GET /simulate/deliveries/{oid}).
func (s *Server) simulateDeliveryShow(w http.ResponseWriter, r *http.Request) {
	raw := r.PathValue("oid")
	id, _ := strconv.ParseInt(raw, 10, 64)
	m, atts, err := s.store.OutboxMessage(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		s.errorPageBack(w, r, http.StatusNotFound, "No such delivery", "There is no delivery "+numberOrQuoted(raw)+
			". A burst's notifications are deleted "+views.FormatHours(store.BurstRowsKeep)+" after their delivery; the burst's progress still counts them.",
			"/simulate/deliveries", "Back to the deliveries", "/simulate")
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d, err := s.simPageFromQuery(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d.Delivery = &views.SimDeliveryView{Message: m, Attempts: atts}
	s.render(w, r, http.StatusOK, views.SimulatePage(s.page(r, "Simulate", "/simulate"), d))
}
