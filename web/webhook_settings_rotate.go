package web

import (
	"fmt"
	"net/http"
	"time"

	"cardops/store"
	"cardops/views"
)

// rotationOverlaps are the overlaps an admin may choose: how long the
// previous key and secret keep working after a rotation.
var rotationOverlaps = map[string]time.Duration{
	"0s": 0, "1h": time.Hour, "24h": 24 * time.Hour, "168h": 7 * 24 * time.Hour,
}

// webhookSettingsRotate replaces the receiver's key and secret with fresh
// ones; the previous pair keeps working for the chosen overlap. Audited,
// refusals too.
func (s *Server) webhookSettingsRotate(w http.ResponseWriter, r *http.Request) {
	p := currentPrincipal(r)
	overlapText := r.PostFormValue("overlap")
	overlap, ok := rotationOverlaps[overlapText]
	if !ok {
		s.audit(r, p, store.AuditWebhookRotate, "settings", store.WebhookSettingsTarget, store.ResultRefused, fmt.Sprintf("bad overlap %.40q", overlapText))
		s.errorPage(w, r, http.StatusBadRequest, "Not rotated",
			"Choose how long the previous key and secret keep working (no overlap, 1 hour, 24 hours or 7 days). Nothing was changed.")
		return
	}
	if overlap == 0 && r.PostFormValue("confirm_cut") != "yes" {
		// Cutting the sender off at once is a second, deliberate choice.
		s.audit(r, p, store.AuditWebhookRotate, "settings", store.WebhookSettingsTarget, store.ResultRefused, "no overlap, not confirmed")
		d := s.webhookSettingsData(r)
		d.Rotate = views.WebhookRotateForm{Overlap: overlapText, Errors: map[string]string{
			"confirm_cut": "A rotation without overlap stops the old key and secret at once: tick the box to confirm, or choose an overlap. Nothing was changed.",
		}}
		s.render(w, r, http.StatusUnprocessableEntity, views.WebhookSettingsPage(s.page(r, "Webhook settings", "/settings/webhooks"), d))
		return
	}
	sec, err := s.store.RotateWebhookSecrets(r.Context(), overlap, actorOf(r))
	if err != nil {
		// Nothing changed (the rotation and its audit row commit together),
		// but the failed attempt is still the admin's to see.
		s.audit(r, p, store.AuditWebhookRotate, "settings", store.WebhookSettingsTarget, store.ResultError, "store failed")
		s.serverError(w, r, err)
		return
	}
	s.webhookSecrets.Store(&sec)
	http.Redirect(w, r, "/settings/webhooks?rotated=1", http.StatusSeeOther)
}
