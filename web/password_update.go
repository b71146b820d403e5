package web

import (
	"errors"
	"net/http"

	"cardops/store"
	"cardops/views"
)

// passwordUpdate changes the person's own password (POST /account/password,
// fields current, new, confirm): the current one is required, the new one
// typed twice and at least store.MinPasswordLength long. Their other
// sessions end; 303 to the account page.
func (s *Server) passwordUpdate(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	p := currentPrincipal(r)
	if err := r.ParseForm(); err != nil {
		s.audit(r, p, store.AuditPasswordChange, "user", p.Username, store.ResultRefused, "unreadable form")
		s.errorPage(w, r, http.StatusBadRequest, "Bad request", "The form could not be read. Nothing was changed.")
		return
	}
	err := s.store.ChangePassword(r.Context(), store.PasswordChange{
		UserID: p.UserID, Current: r.PostForm.Get("current"), New: r.PostForm.Get("new"), Confirm: r.PostForm.Get("confirm"),
		KeepToken: p.token, Actor: actorOf(r),
	})
	var fieldErrs store.FieldErrors
	switch {
	case err == nil:
		http.Redirect(w, r, "/account?done=password", http.StatusSeeOther)
	case errors.Is(err, store.ErrStepUpLockout):
		// Too many wrong current passwords: every session of this user was
		// ended (and audited).
		s.signedOutByStepUp(w, r)
	case errors.As(err, &fieldErrs):
		f := views.PasswordForm{Forced: p.MustChangePassword, Errors: fieldErrs}
		s.render(w, r, http.StatusUnprocessableEntity, views.PasswordPage(s.page(r, "Change your password", ""), f))
	default:
		s.serverError(w, r, err)
	}
}
