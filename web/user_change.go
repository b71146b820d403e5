package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"cardops/store"
	"cardops/views"
)

// userChangeForm reads a per-user form (POST /settings/users/{uid}/...):
// the user's id from the path and the reason (and level) from the body. An
// unknown user or an unreadable form is answered here, audited, and ok is
// false.
func (s *Server) userChangeForm(w http.ResponseWriter, r *http.Request, action string) (store.UserChange, views.UserActionForm, store.User, bool) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	raw := r.PathValue("uid")
	var u store.User
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		err = store.ErrNotFound
	} else {
		u, err = s.store.UserByID(r.Context(), id)
	}
	if errors.Is(err, store.ErrNotFound) {
		s.audit(r, currentPrincipal(r), action, "user", store.Cut(raw, store.AnonymousValueMax), store.ResultRefused, "no such user")
		s.refusal(w, r, views.ErrorInfo{Status: http.StatusNotFound, Title: "User not found",
			Message: "There is no user with the id " + strconvQuote(store.Cut(raw, store.AnonymousValueMax)) + ". Nothing was changed.",
			Link:    "/settings/users", LinkLabel: "Back to the users"}, "/settings/users")
		return store.UserChange{}, views.UserActionForm{}, u, false
	}
	if err != nil {
		s.serverError(w, r, err)
		return store.UserChange{}, views.UserActionForm{}, u, false
	}
	if err := r.ParseForm(); err != nil {
		s.audit(r, currentPrincipal(r), action, "user", u.Username, store.ResultRefused, "unreadable form")
		s.errorPage(w, r, http.StatusBadRequest, "Bad request", "The form could not be read. Nothing was changed; open the users page again.")
		return store.UserChange{}, views.UserActionForm{}, u, false
	}
	f := views.UserActionForm{UserID: id, Reason: r.PostForm.Get("reason"), Level: strings.TrimSpace(r.PostForm.Get("level"))}
	c := store.UserChange{UserID: id, Reason: f.Reason, Actor: actorOf(r)}
	if n, err := strconv.Atoi(f.Level); err == nil && n >= 0 && n < 100 {
		c.Level = store.Level(n)
	} else {
		c.Level = -1 // not a level: Validate says so
	}
	return c, f, u, true
}

// userChangeDone answers a per-user change: 303 to the users page saying
// what was done, or the page again with the refusal in words (nothing
// changed).
func (s *Server) userChangeDone(w http.ResponseWriter, r *http.Request, f views.UserActionForm, action string, u store.User, err error) {
	var fieldErrs store.FieldErrors
	status := http.StatusConflict
	switch {
	case err == nil:
		http.Redirect(w, r, "/settings/users?done="+f.Kind+"&user="+url.QueryEscape(u.Username), http.StatusSeeOther)
		return
	case errors.As(err, &fieldErrs):
		s.audit(r, currentPrincipal(r), action, "user", u.Username, store.ResultRefused, fieldErrs.Error())
		f.Errors, status = fieldErrs, http.StatusUnprocessableEntity
	case errors.Is(err, store.ErrNotFound):
		s.errorPage(w, r, http.StatusNotFound, "User not found", "That user no longer exists. Nothing was changed.")
		return
	case errors.Is(err, store.ErrSelfLockout):
		f.Error = "You cannot disable or demote yourself: another admin must do it. Nothing was changed."
	case errors.Is(err, store.ErrOwnAccount):
		f.Error = "Your own password and sessions are on your account page (/account), which asks for your password. Nothing was changed."
	case errors.Is(err, store.ErrLastAdmin):
		f.Error = u.Username + " is the last active admin: make another user an admin first, so the console is never left without one. Nothing was changed."
	case errors.Is(err, store.ErrUserUnchanged):
		f.Error = u.Username + " is already in that state (someone may have just changed it). Nothing more was changed."
	default:
		s.serverError(w, r, err)
		return
	}
	s.renderUsers(w, r, status, views.UsersData{Action: f})
}
