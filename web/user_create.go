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

// userCreate adds a user at a level (POST /settings/users, fields username,
// level, password). With no password the console makes a one-time one and
// shows it on this answer only (200); with one, 303 to the users page.
// Either way the user chooses their own password at first sign-in.
func (s *Server) userCreate(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		s.audit(r, currentPrincipal(r), store.AuditUserCreate, "user", "", store.ResultRefused, "unreadable form")
		s.errorPage(w, r, http.StatusBadRequest, "Bad request", "The form could not be read. Nothing was changed; open the users page again.")
		return
	}
	f := views.UserCreateForm{
		Username: r.PostForm.Get("username"),
		Level:    strings.TrimSpace(r.PostForm.Get("level")),
		Password: r.PostForm.Get("password"),
	}
	level := store.Level(-1)
	if n, err := strconv.Atoi(f.Level); err == nil && n >= 0 && n < 100 {
		level = store.Level(n)
	}
	u, pw, err := s.store.CreateUserByAdmin(r.Context(), store.UserCreate{
		Username: strings.TrimSpace(f.Username), Level: level, Password: f.Password, Actor: actorOf(r),
	})
	var fieldErrs store.FieldErrors
	switch {
	case err == nil && f.Password == "":
		s.renderUsers(w, r, http.StatusOK, views.UsersData{
			Flash:    doneMessage("create", u.Username),
			Handover: &views.Handover{Username: u.Username, Password: pw},
		})
	case err == nil:
		http.Redirect(w, r, "/settings/users?done=create&user="+url.QueryEscape(u.Username), http.StatusSeeOther)
	case errors.As(err, &fieldErrs):
		if fieldErrs["username"] != store.FieldTaken {
			// A taken name was audited by the store with the attempt.
			s.audit(r, currentPrincipal(r), store.AuditUserCreate, "user", store.Cut(f.Username, store.AnonymousValueMax), store.ResultRefused, fieldErrs.Error())
		}
		f.Password, f.Errors = "", fieldErrs
		s.renderUsers(w, r, http.StatusUnprocessableEntity, views.UsersData{Create: f})
	default:
		s.serverError(w, r, err)
	}
}
