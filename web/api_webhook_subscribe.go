package web

import (
	"errors"
	"net/http"
	"strings"

	"cardops/store"
)

// apiWebhookSubscribe sets where the sandbox delivers notifications and the
// X-Webhook-Key they carry (POST
// /api/management/companies/webhook/subscribe, {url, webhook_key}), as the
// provider's call does; it takes effect on the next delivery and survives
// restarts. It answers the provider's {name, email, webhook_url,
// webhook_key} (the request log redacts the key).
func (s *Server) apiWebhookSubscribe(w http.ResponseWriter, r *http.Request) {
	var body struct {
		URL        string `json:"url"`
		WebhookKey string `json:"webhook_key"`
	}
	if !s.decodeAPIBody(w, r, &body) {
		return
	}
	sub := store.WebhookSubscription{URL: strings.TrimSpace(body.URL), Key: body.WebhookKey}
	err := s.store.SubscribeWebhook(r.Context(), sub, apiActor(r))
	var fe store.FieldErrors
	switch {
	case errors.As(err, &fe):
		msg := "Invalid body:"
		if fe["url"] != "" {
			msg += " url must be an http or https URL;"
		}
		if fe["webhook_key"] != "" {
			msg += " webhook_key is required (at most 200 characters);"
		}
		s.jsonError(w, r, http.StatusBadRequest, apiCodeValidation, strings.TrimSuffix(msg, ";")+".")
		return
	case err != nil:
		s.apiServerError(w, r, err)
		return
	}
	s.api.webhookSub.Store(&sub)
	writeJSON(w, http.StatusOK, map[string]string{
		"name": "cardops sandbox", "email": "", "webhook_url": sub.URL, "webhook_key": sub.Key,
	})
}
