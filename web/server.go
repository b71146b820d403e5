// Package web is the console's HTTP layer: the route table with each route's
// level, the middleware every request passes, and one handler per action.
package web

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"net/netip"
	"sync/atomic"
	"time"

	"github.com/gorilla/sessions"

	"cardops/static"
	"cardops/store"
	"cardops/web/hub"
	"cardops/web/webhook"
)

// Config is what the console needs to serve.
type Config struct {
	Store  *store.Store
	Logger *slog.Logger
	// FourEyes makes every reissue need a second admin: the admin who
	// prepares step 1 cannot confirm it.
	FourEyes bool
	// APIRate is each API key's limit in requests per second; 0 means the
	// provider's 15.
	APIRate int
	// WebhookTarget is the URL the dispatcher delivers to, shown on the
	// Simulate page.
	WebhookTarget string
	// WakeDispatcher, if set, is called after a simulation, replay or burst writes to
	// the outbox, so the dispatcher delivers at once (dispatch.Dispatcher.Wake).
	WakeDispatcher func()

	// WebhookKey and WebhookSecret, when set, replace the receiver's stored
	// provider key and Standard Webhooks secret (whsec_...); when empty, the
	// stored ones are used, generated on first start.
	WebhookKey    string
	WebhookSecret string
	// RequireSignature makes the receiver refuse (401) a delivery that
	// carries the provider's key without a Standard Webhooks signature.
	RequireSignature bool

	// ReadTimeout is how long a request, headers and body, may take to
	// arrive before it fails and its connection is closed (HTTPServer); 0
	// means DefaultReadTimeout.
	ReadTimeout time.Duration

	// TrustedProxies are the addresses of the reverse proxies in front of
	// the console. From them alone X-Forwarded-For gives the client's
	// address (sign-in throttle, audit, sessions, logs) and
	// X-Forwarded-Proto the scheme (Secure cookie, HSTS).
	TrustedProxies []netip.Prefix

	// LiveRows is how many rows the event log's live tail adds to one page
	// before it pauses itself, so a tab left open all day stays light;
	// 0 means 500.
	LiveRows int
	// StreamKeepAlive is how often a live stream sends a keep-alive and
	// checks that the session that opened it is still live; 0 means 20 s.
	StreamKeepAlive time.Duration
	// SessionEndsPoll is how often the console looks for sessions another
	// process (the command line) ended, to stop their live streams; 0 means
	// 1 s.
	SessionEndsPoll time.Duration

	// RequireTwoFactorLevel makes users at or above this level enrol in
	// two-factor sign-in before they can do anything else; 0 requires it of
	// nobody.
	RequireTwoFactorLevel store.Level
}

// Server is the console's http.Handler.
type Server struct {
	store   *store.Store
	log     *slog.Logger
	cookies *sessions.CookieStore
	anon    *anonLimiter
	// refusalsKept bounds, per address, the refused deliveries kept.
	refusalsKept *anonLimiter
	// streams counts each person's open live streams.
	streams streamSlots
	// readyWrote is when readiness last wrote its heartbeat (Unix ns).
	readyWrote    atomic.Int64
	staticVersion string
	handler       http.Handler
	api           apiState
	// levels is the route table's level per pattern (see allowed).
	levels map[string]store.Level
	// methods is the route table's methods per path (see jsonFallback).
	methods     methodIndex
	now         func() time.Time
	fourEyes    bool
	simTarget   string
	wakeOutbox  func()
	liveRows    int
	keepAlive   time.Duration
	readTimeout time.Duration
	// answerTimeout bounds the writing of one answer (answerWriteTimeout).
	answerTimeout time.Duration
	staticGzip    map[string][]byte

	trustedProxies []netip.Prefix
	require2FA     store.Level

	// The webhook receiver's credentials (replaced on rotation), whether the
	// operator pinned them by flag, and the live event log's fan-out.
	webhookSecrets atomic.Pointer[store.WebhookSecrets]
	webhookPinned  struct{ key, secret bool }
	requireSig     bool
	events         *hub.Hub[*liveEvent]
	stopEvents     func()
	// cardChanges carries the id of a card frozen, unfrozen or reissued,
	// to the card pages open on it.
	cardChanges     *hub.Hub[string]
	stopCardChanges func()
	// stopSessionWatch stops the watch for sessions other processes end.
	stopSessionWatch func()

	// authenticate checks a username and password (store.Authenticate);
	// tests wrap it to count the passwords checked.
	authenticate func(ctx context.Context, username, password string) (store.User, error)
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
		store:          cfg.Store,
		log:            cfg.Logger,
		cookies:        newCookieStore(hashKey, blockKey),
		anon:           newAnonLimiter(),
		refusalsKept:   newAnonLimiter(),
		authenticate:   cfg.Store.Authenticate,
		staticVersion:  version,
		now:            time.Now,
		fourEyes:       cfg.FourEyes,
		simTarget:      cfg.WebhookTarget,
		wakeOutbox:     cfg.WakeDispatcher,
		liveRows:       cfg.LiveRows,
		requireSig:     cfg.RequireSignature,
		keepAlive:      cfg.StreamKeepAlive,
		trustedProxies: cfg.TrustedProxies,
		require2FA:     cfg.RequireTwoFactorLevel,
	}
	if s.keepAlive <= 0 {
		s.keepAlive = defaultKeepAlive
	}
	if s.liveRows <= 0 {
		s.liveRows = defaultLiveRows
	}
	s.answerTimeout = answerWriteTimeout
	if s.readTimeout = cfg.ReadTimeout; s.readTimeout <= 0 {
		s.readTimeout = DefaultReadTimeout
	}
	if s.staticGzip, err = compressStatic(); err != nil {
		return nil, err
	}
	if cfg.WebhookSecret != "" && !webhook.ValidSecret(cfg.WebhookSecret) {
		return nil, fmt.Errorf("web: webhook secret: want whsec_ followed by base64")
	}
	secrets, err := cfg.Store.WebhookSecrets(ctx, cfg.WebhookKey, cfg.WebhookSecret)
	if err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	s.webhookSecrets.Store(&secrets)
	s.api.limit, s.api.calls = newAPILimiter(cfg.APIRate), hub.New[*store.APIRequest](liveBuffer)
	if sub, err := cfg.Store.CurrentWebhookSubscription(ctx); err == nil {
		s.api.webhookSub.Store(&sub)
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("web: %w", err)
	}
	s.webhookPinned.key, s.webhookPinned.secret = cfg.WebhookKey != "", cfg.WebhookSecret != ""
	s.events = hub.New[*liveEvent](liveBuffer)
	s.stopEvents = cfg.Store.OnEvents(func(evs []store.Event) {
		for _, e := range evs {
			s.events.Publish(&liveEvent{Event: e})
		}
	})
	s.cardChanges = hub.New[string](liveBuffer)
	s.stopCardChanges = cfg.Store.OnCardChanged(s.cardChanges.Publish)
	s.handler = s.middleware(s.mux())
	watchCtx, stopWatch := context.WithCancel(context.WithoutCancel(ctx))
	s.stopSessionWatch = stopWatch
	go cfg.Store.WatchSessionEnds(watchCtx, cmp.Or(cfg.SessionEndsPoll, time.Second), func(err error) {
		s.log.Warn("watch for sessions ended elsewhere", "err", err)
	})
	return s, nil
}

// Close ends the live event streams (so an http.Server's Shutdown need not
// wait for them), stops publishing new events and stops watching for
// sessions other processes end. Call it before Shutdown; the receiver keeps
// accepting deliveries until the store is closed.
func (s *Server) Close() {
	s.stopSessionWatch()
	s.stopEvents()
	s.events.Close()
	s.stopCardChanges()
	s.cardChanges.Close()
	s.api.calls.Close()
}

// WebhookSubscription reports where the provider API's webhook
// subscription asks notifications to go and the key they carry; "" when no
// subscription was made (dispatch.Config.Subscription).
func (s *Server) WebhookSubscription() (url, key string) {
	if sub := s.api.webhookSub.Load(); sub != nil {
		return sub.URL, sub.Key
	}
	return "", ""
}

// deliveryTarget is where the dispatcher delivers now: the URL an API key
// subscribed, else the console's own target.
func (s *Server) deliveryTarget() string {
	if u, _ := s.WebhookSubscription(); u != "" {
		return u
	}
	return s.simTarget
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
