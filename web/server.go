// Package web is the console's HTTP layer: the route table with each route's
// level, the middleware every request passes, and one handler per action.
package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/gorilla/sessions"

	"cardops/static"
	"cardops/store"
)

// Config is what the console needs to serve.
type Config struct {
	Store  *store.Store
	Logger *slog.Logger
	// FourEyes makes every reissue need a second admin: the admin who
	// prepares step 1 cannot confirm it.
	FourEyes bool
	// WebhookTarget is the URL the dispatcher delivers to, shown on the
	// Simulate page.
	WebhookTarget string
	// WakeDispatcher, if set, is called after a simulation, replay or burst writes to
	// the outbox, so the dispatcher delivers at once (dispatch.Dispatcher.Wake).
	WakeDispatcher func()
	// ReplaySource gives replay the stored events' bodies; see EventBodies.
	ReplaySource EventBodies
}

// Server is the console's http.Handler.
type Server struct {
	store         *store.Store
	log           *slog.Logger
	cookies       *sessions.CookieStore
	throttle      *loginThrottle
	staticVersion string
	handler       http.Handler
	now           func() time.Time
	fourEyes      bool
	simTarget     string
	wakeOutbox    func()
	replayEvents  EventBodies
}

// New builds the console. Session keys are read from the database
// (generated there on first start).
func New(ctx context.Context, cfg Config) (*Server, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	hashKey, err := cfg.Store.SecretKey(ctx, "session_hash_key", 64)
	if err != nil {
		return nil, fmt.Errorf("web: session keys: %w", err)
	}
	blockKey, err := cfg.Store.SecretKey(ctx, "session_block_key", 32)
	if err != nil {
		return nil, fmt.Errorf("web: session keys: %w", err)
	}
	version, err := staticVersion()
	if err != nil {
		return nil, err
	}
	s := &Server{
		store:         cfg.Store,
		log:           cfg.Logger,
		cookies:       newCookieStore(hashKey, blockKey),
		throttle:      newLoginThrottle(),
		staticVersion: version,
		now:           time.Now,
		fourEyes:      cfg.FourEyes,
		simTarget:     cfg.WebhookTarget,
		wakeOutbox:    cfg.WakeDispatcher,
		replayEvents:  cfg.ReplaySource,
	}
	s.handler = s.middleware(s.mux())
	return s, nil
}

// ServeHTTP serves the console.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.handler.ServeHTTP(w, r)
}

// staticVersion hashes the embedded assets so their URLs change when they do.
func staticVersion() (string, error) {
	h := sha256.New()
	err := fs.WalkDir(static.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(static.FS, path)
		h.Write([]byte(path))
		h.Write(b)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("web: hash static files: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil))[:12], nil
}
