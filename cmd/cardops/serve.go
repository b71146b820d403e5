package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"time"

	"cardops/store"
	"cardops/store/seed"
	"cardops/web"
	"cardops/web/dispatch"
)

type serveConfig struct {
	addr string
	db   string
	demo bool
	// demoCards is how many cards a demo start seeds into an empty database.
	demoCards int
	// fourEyes makes every reissue need a second admin.
	fourEyes bool
	// apiRate is each API key's limit in requests per second.
	apiRate int
	// webhookTarget is where the dispatcher delivers; "" means the
	// console's own receiver.
	webhookTarget string
	// webhookKey and webhookSecret pin the receiver's credentials; empty
	// means the ones kept in the database (generated on first start).
	webhookKey    string
	webhookSecret string
}

func runServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var cfg serveConfig
	f := newFlags("serve", getenv, stderr)
	f.string(&cfg.addr, "addr", "CARDOPS_ADDR", "127.0.0.1:8080", "address to listen on")
	f.string(&cfg.db, "db", "CARDOPS_DB", "./cardops.db", "SQLite database file")
	f.bool(&cfg.demo, "demo", "CARDOPS_DEMO", false, "on first start, seed the sandbox and create one demo account per level")
	f.int(&cfg.demoCards, "demo-cards", "CARDOPS_DEMO_CARDS", 5000, "cards the demo seeds into an empty database")
	f.bool(&cfg.fourEyes, "four-eyes", "CARDOPS_FOUR_EYES", false, "a reissue prepared by one admin must be confirmed by another")
	f.int(&cfg.apiRate, "api-rate", "CARDOPS_API_RATE", 15, "requests per second each API key may make (the provider's limit is 15)")
	f.string(&cfg.webhookTarget, "webhook-target", "CARDOPS_WEBHOOK_TARGET", "", "URL the dispatcher delivers simulated notifications to (default: this console's own /webhooks)")
	f.string(&cfg.webhookKey, "webhook-key", "CARDOPS_WEBHOOK_KEY", "", "the receiver's provider key (X-Webhook-Key); default: generated and kept in the database")
	f.string(&cfg.webhookSecret, "webhook-secret", "CARDOPS_WEBHOOK_SECRET", "", "the receiver's Standard Webhooks secret (whsec_...); default: generated and kept in the database")
	if err := f.parse(args); err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))

	st, err := store.Open(ctx, cfg.db)
	if err != nil {
		return err
	}
	defer st.Close()

	var accounts []demoAccount
	if cfg.demo {
		if accounts, err = prepareDemo(ctx, st, cfg.demoCards, stdout); err != nil {
			return err
		}
	}

	// The listener comes first: the default delivery target is the
	// console's own receiver, at the address it really got.
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.addr, err)
	}
	target, err := webhookTarget(cfg.webhookTarget, ln.Addr())
	if err != nil {
		ln.Close()
		return err
	}
	dispatcher := dispatch.New(dispatch.Config{Store: st, Target: target, Logger: logger})
	console, err := web.New(ctx, web.Config{Store: st, Logger: logger, WebhookTarget: target, WakeDispatcher: dispatcher.Wake, FourEyes: cfg.fourEyes,
		WebhookKey: cfg.webhookKey, WebhookSecret: cfg.webhookSecret, APIRate: cfg.apiRate})
	if err != nil {
		ln.Close()
		return err
	}
	// The API can change where notifications go at run time (its webhook
	// subscription); the dispatcher asks the console before each attempt.
	dispatcher.SetSubscription(console.WebhookSubscription)
	srv := &http.Server{
		Handler:           console,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	fmt.Fprintf(stdout, "cardops is serving on http://%s (database %s)\n", ln.Addr(), cfg.db)
	if cfg.fourEyes {
		fmt.Fprintln(stdout, "  four-eyes reissue is on: a second admin confirms every reissue")
	}
	for _, a := range accounts {
		fmt.Fprintf(stdout, "  sign in as %-9s password %s   (level %d, %s)\n", a.Username, a.Password, a.Level, a.Level)
	}

	fmt.Fprintf(stdout, "  notifications are delivered to %s\n", target)
	// The dispatcher stops before the server, so its last deliveries to
	// the embedded receiver are still answered; whatever it did not finish
	// stays pending in the outbox for the next start.
	dispatchCtx, stopDispatch := context.WithCancel(ctx)
	dispatched := make(chan error, 1)
	go func() { dispatched <- dispatcher.Run(dispatchCtx) }()
	go sweepSessions(ctx, st, logger)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	var serveErr error
	dispatchDone := false
	select {
	case err := <-errc:
		serveErr = fmt.Errorf("serve: %w", err)
	case err := <-dispatched:
		// Run returns nil only once ctx is done, which is a normal stop.
		dispatchDone = true
		if err != nil {
			serveErr = fmt.Errorf("dispatcher stopped: %w", err)
		}
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	stopDispatch()
	if !dispatchDone {
		if err := <-dispatched; err != nil {
			serveErr = errors.Join(serveErr, fmt.Errorf("dispatcher: %w", err))
		}
	}
	// Live event streams never end by themselves: end them first, so
	// Shutdown does not wait for them.
	console.Close()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return errors.Join(serveErr, fmt.Errorf("shutdown: %w", err))
	}
	return serveErr
}

// webhookTarget returns the URL the dispatcher delivers to: the configured
// one, or the console's own /webhooks at the address it listens on (a
// wildcard address is reached through loopback).
func webhookTarget(configured string, addr net.Addr) (string, error) {
	if configured != "" {
		u, err := url.Parse(configured)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return "", fmt.Errorf("webhook target %q: want an http:// or https:// URL", configured)
		}
		return configured, nil
	}
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "", fmt.Errorf("webhook target from %s: %w", addr, err)
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "127.0.0.1"
		if ip != nil && ip.To4() == nil {
			host = "::1"
		}
	}
	return "http://" + net.JoinHostPort(host, port) + "/webhooks", nil
}

// demoAccount is a demo user whose password is kept (in the database, for
// the demo only) so every start-up can print it again.
type demoAccount struct {
	Username string
	Password string
	Level    store.Level
}

const demoAccountsSetting = "demo_accounts"

// prepareDemo seeds the sandbox into an empty database and creates the three
// demo accounts once, with random passwords.
func prepareDemo(ctx context.Context, st *store.Store, cards int, stdout io.Writer) ([]demoAccount, error) {
	raw, err := st.Setting(ctx, demoAccountsSetting)
	if err == nil {
		var accounts []demoAccount
		if err := json.Unmarshal(raw, &accounts); err != nil {
			return nil, fmt.Errorf("read demo accounts: %w", err)
		}
		return accounts, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	fmt.Fprintf(stdout, "First demo start: seeding %d cards into the sandbox ...\n", cards)
	sum, err := seed.Run(ctx, st, seed.Options{Cards: cards})
	if err != nil {
		return nil, fmt.Errorf("seed demo data: %w", err)
	}
	fmt.Fprintf(stdout, "Seeded %d cards, %d wallets, %d movements in %s.\n", sum.Cards, sum.Wallets, sum.Transactions, sum.Elapsed.Round(time.Millisecond))
	var accounts []demoAccount
	for _, a := range []struct {
		name  string
		level store.Level
	}{{"viewer", store.LevelReadOnly}, {"operator", store.LevelOperational}, {"admin", store.LevelAdmin}} {
		acc := demoAccount{Username: a.name, Password: randomPassword(), Level: a.level}
		if _, err := st.CreateUser(ctx, store.NewUser{Username: acc.Username, Level: acc.Level, Password: acc.Password}); err != nil {
			return nil, fmt.Errorf("create demo account %s: %w", acc.Username, err)
		}
		accounts = append(accounts, acc)
	}
	raw, _ = json.Marshal(accounts)
	if err := st.SetSetting(ctx, demoAccountsSetting, raw); err != nil {
		return nil, err
	}
	return accounts, nil
}

func randomPassword() string {
	b := make([]byte, 12)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// sweepSessions deletes timed-out sessions at start and then hourly; a
// timed-out session is refused when used anyway, this only keeps the table
// small.
func sweepSessions(ctx context.Context, st *store.Store, logger *slog.Logger) {
	tick := time.NewTicker(time.Hour)
	defer tick.Stop()
	for {
		if n, err := st.DeleteExpiredSessions(ctx); err != nil && ctx.Err() == nil {
			logger.Warn("sweep sessions", "err", err)
		} else if n > 0 {
			logger.Info("swept expired sessions", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
