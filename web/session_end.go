package web

import (
	"errors"
	"net/http"

	"cardops/store"
	"cardops/views"
)

// sessionEnd ends one of the person's own sessions (POST
// /account/sessions/{sid}/end), then 303 to the account page, or to
// sign-in when it was this one.
func (s *Server) sessionEnd(w http.ResponseWriter, r *http.Request) {
	p := currentPrincipal(r)
	sid := r.PathValue("sid")
	err := s.store.EndOwnSession(r.Context(), p.UserID, sid, actorOf(r))
	switch {
	case errors.Is(err, store.ErrNotFound):
		s.audit(r, p, store.AuditSessionEnd, "user", p.Username, store.ResultRefused, "no such session "+store.Cut(sid, store.AnonymousValueMax))
		s.renderAccount(w, r, http.StatusNotFound, views.AccountData{Error: "That session has ended already (or is not yours). Nothing was changed."})
	case err != nil:
		s.serverError(w, r, err)
	case sid == store.SessionTokenID(p.token):
		s.clearSessionCookie(w, r)
		http.Redirect(w, r, "/login?signed_out=1", http.StatusSeeOther)
	default:
		http.Redirect(w, r, "/account?done=session", http.StatusSeeOther)
	}
}
