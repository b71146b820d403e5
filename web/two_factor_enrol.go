package web

import (
	"errors"
	"net/http"

	"cardops/store"
	"cardops/views"
)

// twoFactorEnrol completes enrolment with a code from the app (POST
// /account/2fa, field code) and shows the ten recovery codes, this once
// (200). A wrong code brings the page back and changes nothing.
func (s *Server) twoFactorEnrol(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	p := currentPrincipal(r)
	if err := r.ParseForm(); err != nil {
		s.errorPage(w, r, http.StatusBadRequest, "Bad request", "The form could not be read. Nothing was changed.")
		return
	}
	codes, err := s.store.CompleteTOTPEnrolment(r.Context(), p.UserID, r.PostForm.Get("code"), actorOf(r))
	switch {
	case err == nil:
		s.render(w, r, http.StatusOK, views.RecoveryCodesPage(s.page(r, "Recovery codes", ""), views.RecoveryCodesData{Codes: codes}))
	case errors.Is(err, store.ErrCodeWrong), errors.Is(err, store.ErrNotEnrolling):
		d, derr := s.twoFactorEnrolData(r)
		if derr != nil {
			s.serverError(w, r, derr)
			return
		}
		d.CodeError = "That is not the code for this secret now. Type the 6 digits the app shows at this moment (check the phone's clock if it keeps failing). Nothing was changed."
		s.render(w, r, http.StatusUnprocessableEntity, views.TwoFactorEnrolPage(s.page(r, "Two-factor sign-in", ""), d))
	default:
		s.serverError(w, r, err)
	}
}
