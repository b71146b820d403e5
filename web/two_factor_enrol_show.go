package web

import (
	"net/http"

	"cardops/views"
)

// twoFactorEnrolShow is the enrolment page (GET /account/2fa): the secret
// as a QR code and as text, and the field for a code. The secret is made on
// the first visit and shown again until enrolment completes.
func (s *Server) twoFactorEnrolShow(w http.ResponseWriter, r *http.Request) {
	d, err := s.twoFactorEnrolData(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, views.TwoFactorEnrolPage(s.page(r, "Two-factor sign-in", ""), d))
}

func (s *Server) twoFactorEnrolData(r *http.Request) (views.TwoFactorEnrolData, error) {
	p := currentPrincipal(r)
	d := views.TwoFactorEnrolData{Forced: s.require2FA > 0 && p.Level >= s.require2FA}
	u, err := s.store.UserByID(r.Context(), p.UserID)
	if err != nil {
		return d, err
	}
	if u.TwoFactor() {
		d.Enrolled = true
		d.RecoveryLeft, err = s.store.RecoveryCodesLeft(r.Context(), u.ID)
		return d, err
	}
	d.Secret, err = s.store.TOTPEnrolmentSecret(r.Context(), u.ID)
	return d, err
}
