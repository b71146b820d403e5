package web

import (
	"net/http"

	"cardops/views"
)

// webhookSettingsShow shows the receiver's URL, key and secret (and, during
// a rotation's overlap, the previous ones) to an admin.
func (s *Server) webhookSettingsShow(w http.ResponseWriter, r *http.Request) {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	d := views.WebhookSettingsData{
		Secrets:     *s.webhookSecrets.Load(),
		ReceiverURL: scheme + "://" + r.Host + "/webhooks",
		PinnedKey:   s.webhookPinned.key, PinnedSecret: s.webhookPinned.secret,
		Now: s.now(), Rotated: r.URL.Query().Get("rotated") == "1", RequireSignature: s.requireSig,
	}
	s.render(w, r, http.StatusOK, views.WebhookSettingsPage(s.page(r, "Webhook settings", "/settings/webhooks"), d))
}
