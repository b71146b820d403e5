package web

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"

	"github.com/gorilla/sessions"

	"cardops/store"
)

const (
	sessionCookie = "cardops_session"
	tokenKey      = "t"
)

// errNoSession means the request carries no usable session cookie.
var errNoSession = errors.New("no session")

// Principal is the signed-in person making a request.
type Principal struct {
	UserID   int64
	Username string
	Level    store.Level
	token    string
	// MustChangePassword and TwoFactor are the user's, as the guard needs
	// them to send a person to set-up first.
	MustChangePassword bool
	TwoFactor          bool
}

// principalHolder is what the guard learns about a request for the layers
// around it: who signed it (for the log line) and its route's kind (so an
// error is answered as a page or as JSON).
type principalHolder struct {
	p    *Principal
	kind kind
}

// currentPrincipal returns who the guard signed in for this request, or nil
// on public routes.
func currentPrincipal(r *http.Request) *Principal {
	if h, ok := r.Context().Value(principalKey).(*principalHolder); ok {
		return h.p
	}
	return nil
}

// setRouteKind records, for the middleware's answers (a panic, a busy
// database), the kind of the route serving r.
func setRouteKind(r *http.Request, k kind) {
	if h, ok := r.Context().Value(principalKey).(*principalHolder); ok {
		h.kind = k
	}
}

// routeKind returns the kind of the route serving r; kindPage before the
// guard has run (an unknown path, a cross-site refusal).
func routeKind(r *http.Request) kind {
	if h, ok := r.Context().Value(principalKey).(*principalHolder); ok {
		return h.kind
	}
	return kindPage
}

func newCookieStore(hashKey, blockKey []byte) *sessions.CookieStore {
	cs := sessions.NewCookieStore(hashKey, blockKey)
	cs.Options = &sessions.Options{
		Path:     "/",
		MaxAge:   int(store.AbsoluteTimeout.Seconds()),
		HttpOnly: true,
		SameSite: http.SameSiteLaxMode,
	}
	return cs
}

// principal reads the session cookie and returns the live session's user.
// The cookie only carries a random token; the session row decides whether
// it is still worth anything.
func (s *Server) principal(r *http.Request) (*Principal, error) {
	sess, err := s.cookies.Get(r, sessionCookie)
	if err != nil {
		// A cookie we cannot decode (old keys, tampering) is no session.
		return nil, errNoSession
	}
	token, _ := sess.Values[tokenKey].(string)
	if token == "" {
		return nil, errNoSession
	}
	live, err := s.store.SessionByToken(r.Context(), token)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, errNoSession
	case err != nil:
		return nil, err
	}
	return &Principal{UserID: live.User.ID, Username: live.User.Username, Level: live.User.Level, token: token,
		MustChangePassword: live.User.MustChangePassword, TwoFactor: live.User.TwoFactor()}, nil
}

// startSession starts the session of a finished sign-in (store.SignIn, with
// its audit row) and sets its cookie. Any session the browser had ends with
// it, so a session id planted before sign-in is never promoted. If that
// session cannot be ended the sign-in fails: carrying on would leave it
// alive for whoever holds a copy of its cookie.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, in store.SignIn) error {
	old, err := s.principal(r)
	switch {
	case err == nil:
		in.Replaces = old.token
	case errors.Is(err, errNoSession), errors.Is(err, store.ErrSessionExpired):
		// Nothing live to end (an expired session was deleted on reading).
	default:
		return fmt.Errorf("web: read the session held before sign-in: %w", err)
	}
	b := make([]byte, 32)
	rand.Read(b)
	in.Token, in.RemoteAddr = base64.RawURLEncoding.EncodeToString(b), remoteAddr(r)
	if err := s.store.SignIn(r.Context(), in); err != nil {
		return err
	}
	sess := sessions.NewSession(s.cookies, sessionCookie)
	opts := *s.cookies.Options
	opts.Secure = isHTTPS(r)
	sess.Options = &opts
	sess.IsNew = true
	sess.Values[tokenKey] = in.Token
	if err := s.cookies.Save(r, w, sess); err != nil {
		return fmt.Errorf("web: save session cookie: %w", err)
	}
	return nil
}

// clearSessionCookie tells the browser to drop its session cookie, once
// the session row is gone (store.SignOut, store.EndOwnSession).
func (s *Server) clearSessionCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: isHTTPS(r)})
}

// challengeCookie carries the token of a half-finished sign-in: the
// password was right and the second factor is owed.
const challengeCookie = "cardops_2fa"

// startChallenge records a half-finished sign-in for u, sets its cookie
// (carrying where to go afterwards) and sends the browser to the second
// step.
func (s *Server) startChallenge(w http.ResponseWriter, r *http.Request, u store.User, next string) error {
	b := make([]byte, 32)
	rand.Read(b)
	token := base64.RawURLEncoding.EncodeToString(b)
	if err := s.store.CreateLoginChallenge(r.Context(), token, u, remoteAddr(r)); err != nil {
		return err
	}
	sess := sessions.NewSession(s.cookies, challengeCookie)
	opts := *s.cookies.Options
	opts.Secure, opts.MaxAge = isHTTPS(r), int(store.LoginChallengeTimeout.Seconds())
	sess.Options, sess.IsNew = &opts, true
	sess.Values[tokenKey], sess.Values["next"] = token, next
	if err := s.cookies.Save(r, w, sess); err != nil {
		return fmt.Errorf("web: save challenge cookie: %w", err)
	}
	http.Redirect(w, r, "/login/2fa", http.StatusSeeOther)
	return nil
}

// challenge returns the user of the request's half-finished sign-in, its
// token and where to go afterwards; errNoSession when there is none (or it
// timed out).
func (s *Server) challenge(r *http.Request) (store.User, string, string, error) {
	sess, err := s.cookies.Get(r, challengeCookie)
	if err != nil {
		return store.User{}, "", "", errNoSession
	}
	token, _ := sess.Values[tokenKey].(string)
	next, _ := sess.Values["next"].(string)
	if token == "" {
		return store.User{}, "", "", errNoSession
	}
	u, err := s.store.LoginChallenge(r.Context(), token)
	if errors.Is(err, store.ErrNotFound) {
		return store.User{}, "", "", errNoSession
	}
	return u, token, safeNext(next), err
}

// clearChallengeCookie tells the browser to drop the cookie of its
// half-finished sign-in, once the sign-in it led to ended it
// (store.SignIn's Challenge).
func (s *Server) clearChallengeCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: challengeCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: isHTTPS(r)})
}

// signedOutByStepUp answers a form whose wrong passwords ended every session
// of its user (store.ErrStepUpLockout): the cookie goes, and the sign-in
// page says why.
func (s *Server) signedOutByStepUp(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: isHTTPS(r)})
	if isHTMX(r) {
		w.Header().Set("HX-Redirect", "/login?step_up=1")
		return
	}
	http.Redirect(w, r, "/login?step_up=1", http.StatusSeeOther)
}
