package web

import (
	"net/http"

	"cardops/views"
)

// webhookSettingsShow shows the receiver's URL, key and secret (and, during
// a rotation's overlap, the previous ones) to an admin.
func (s *Server) webhookSettingsShow(w http.ResponseWriter, r *http.Request) {
	d := s.webhookSettingsData(r)
	d.Rotated = r.URL.Query().Get("rotated") == "1"
	d.Unsubscribed = r.URL.Query().Get("unsubscribed") == "1"
	s.render(w, r, http.StatusOK, views.WebhookSettingsPage(s.page(r, "Webhook settings", "/settings/webhooks"), d))
}

// webhookSettingsData is the settings page's model, without a rotation
// form.
func (s *Server) webhookSettingsData(r *http.Request) views.WebhookSettingsData {
	scheme := "http"
	if isHTTPS(r) {
		scheme = "https"
	}
	d := views.WebhookSettingsData{
		Secrets:     *s.webhookSecrets.Load(),
		ReceiverURL: scheme + "://" + r.Host + "/webhooks",
		PinnedKey:   s.webhookPinned.key, PinnedSecret: s.webhookPinned.secret,
		Now: s.now(), RequireSignature: s.requireSig,
		DefaultTarget: s.simTarget, CanClearSubscription: s.allowed(r, "POST /settings/webhooks/subscription/clear"),
	}
	if u, _ := s.WebhookSubscription(); u != "" {
		d.SubscribedURL = u
	}
	return d
}
