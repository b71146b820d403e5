package web

import (
	"errors"
	"net/http"

	"cardops/store"
)

// webhookSubscriptionClear ends the delivery target an API key subscribed
// (POST /settings/webhooks/subscription/clear): from the next delivery on,
// notifications go to the console's own target under its scheme. Then 303
// to the settings.
func (s *Server) webhookSubscriptionClear(w http.ResponseWriter, r *http.Request) {
	p := currentPrincipal(r)
	err := s.store.ClearWebhookSubscription(r.Context(), store.Actor{Username: p.Username, Level: p.Level, RemoteAddr: remoteAddr(r)})
	switch {
	case errors.Is(err, store.ErrNotFound):
		s.api.webhookSub.Store(nil)
		s.errorPage(w, r, http.StatusConflict, "No subscription", "No API key has changed where notifications go. Nothing was changed.")
		return
	case err != nil:
		s.serverError(w, r, err)
		return
	}
	s.api.webhookSub.Store(nil)
	http.Redirect(w, r, "/settings/webhooks?unsubscribed=1", http.StatusSeeOther)
}
