package web

import "net/http"

// cardUnfreeze unfreezes a FROZEN card (POST /cards/{id}/unfreeze, fields
// reason, note, version), then 303 to the card.
func (s *Server) cardUnfreeze(w http.ResponseWriter, r *http.Request) {
	s.cardSetFrozen(w, r, false)
}
