package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"cardops/store"
	"cardops/store/seed"
	"cardops/web"
	"cardops/web/dispatch"
)

type serveConfig struct {
	addr  string
	store storeFlags
	demo  bool
	// tlsCert and tlsKey, both or neither, make the console serve HTTPS.
	tlsCert, tlsKey string
	// trustedProxies is a comma-separated list of CIDRs or addresses of
	// reverse proxies whose X-Forwarded-For and X-Forwarded-Proto count.
	trustedProxies string
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
	// webhookScheme is how the dispatcher authenticates (standard or
	// provider); webhookRequireSig makes the receiver refuse the key alone.
	webhookScheme     string
	webhookRequireSig bool
	// readTimeout bounds how long a client may take to send a request's
	// headers, and then its body; writeTimeout how long a write waits for
	// the database before the request is answered 503.
	readTimeout  time.Duration
	writeTimeout time.Duration
	// maxConnsPerIP and maxConns cap the connections open at once from one
	// address and in all (0: no cap).
	maxConnsPerIP int
	maxConns      int
	// require2FA is the level from which two-factor sign-in is required; 4
	// requires it of nobody.
	require2FA int
	// eventsKeepDays is how many days of received events are kept (0: all).
	eventsKeepDays int
}

func runServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var cfg serveConfig
	f := newFlags("serve", getenv, stderr)
	f.string(&cfg.addr, "addr", "CARDOPS_ADDR", "127.0.0.1:8080", "address to listen on")
	f.store(&cfg.store)
	f.bool(&cfg.demo, "demo", "CARDOPS_DEMO", false, "on first start, seed the sandbox and create one demo account per level")
	f.int(&cfg.demoCards, "demo-cards", "CARDOPS_DEMO_CARDS", 5000, "cards the demo seeds into an empty database")
	f.bool(&cfg.fourEyes, "four-eyes", "CARDOPS_FOUR_EYES", false, "a reissue prepared by one admin must be confirmed by another")
	f.int(&cfg.apiRate, "api-rate", "CARDOPS_API_RATE", 15, "requests per second each API key may make (the provider's limit is 15)")
	f.string(&cfg.webhookTarget, "webhook-target", "CARDOPS_WEBHOOK_TARGET", "", "URL the dispatcher delivers simulated notifications to (default: this console's own /webhooks)")
	f.string(&cfg.webhookKey, "webhook-key", "CARDOPS_WEBHOOK_KEY", "", "the receiver's provider key (X-Webhook-Key); default: generated and kept in the database")
	f.string(&cfg.webhookSecret, "webhook-secret", "CARDOPS_WEBHOOK_SECRET", "", "the receiver's Standard Webhooks secret (whsec_...); default: generated and kept in the database")
	f.string(&cfg.webhookScheme, "webhook-scheme", "CARDOPS_WEBHOOK_SCHEME", store.SchemeStandard, "how the dispatcher authenticates deliveries: standard (Standard Webhooks signature only) or provider (the provider's X-Webhook-Key only)")
	f.bool(&cfg.webhookRequireSig, "webhook-require-signature", "CARDOPS_WEBHOOK_REQUIRE_SIGNATURE", false, "the receiver refuses (401) deliveries that carry the provider's key without a Standard Webhooks signature")
	f.duration(&cfg.readTimeout, "read-timeout", "CARDOPS_READ_TIMEOUT", web.DefaultReadTimeout, "how long a client may take to send a request (headers and body) before it is dropped")
	f.duration(&cfg.writeTimeout, "write-timeout", "CARDOPS_WRITE_TIMEOUT", store.DefaultWriteTimeout, "how long a write waits for a busy database before the request is answered 503")
	f.int(&cfg.maxConnsPerIP, "max-conns-per-ip", "CARDOPS_MAX_CONNS_PER_IP", web.DefaultMaxConnsPerIP, "connections one IP address may hold open at once (0: no cap)")
	f.int(&cfg.maxConns, "max-conns", "CARDOPS_MAX_CONNS", web.DefaultMaxConns, "connections open at once in all (0: no cap)")
	f.string(&cfg.tlsCert, "tls-cert", "CARDOPS_TLS_CERT", "", "PEM certificate (chain) to serve HTTPS with; needs --tls-key")
	f.string(&cfg.tlsKey, "tls-key", "CARDOPS_TLS_KEY", "", "PEM private key of --tls-cert")
	f.string(&cfg.trustedProxies, "trusted-proxy", "CARDOPS_TRUSTED_PROXY", "",
		"comma-separated CIDRs or addresses of reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are believed")
	f.int(&cfg.eventsKeepDays, "events-keep-days", "CARDOPS_EVENTS_KEEP_DAYS", 90, "days of received notifications the event log keeps; older ones are deleted in small batches (0: keep all)")
	f.int(&cfg.require2FA, "require-2fa-level", "CARDOPS_REQUIRE_2FA_LEVEL", 3, "users at or above this level must enrol in two-factor sign-in (4: nobody; --demo defaults to 4)")
	if err := f.parse(args); err != nil {
		return err
	}
	if cfg.readTimeout <= 0 || cfg.writeTimeout <= 0 {
		return fmt.Errorf("--read-timeout and --write-timeout must be more than 0")
	}
	if err := checkWebhookScheme(cfg); err != nil {
		return err
	}
	if cfg.apiRate < 1 {
		return fmt.Errorf("--api-rate must be 1 or more requests a second (got %d)", cfg.apiRate)
	}
	if cfg.eventsKeepDays < 0 {
		return fmt.Errorf("--events-keep-days must be 0 (keep all) or more (got %d)", cfg.eventsKeepDays)
	}
	if cfg.require2FA < 1 || cfg.require2FA > 4 {
		return fmt.Errorf("--require-2fa-level must be 1, 2, 3 or 4 (nobody) (got %d)", cfg.require2FA)
	}
	if cfg.demo && !f.given("require-2fa-level", "CARDOPS_REQUIRE_2FA_LEVEL") {
		// A newcomer's first look should not need an authenticator app;
		// the start-up lines say how to turn it on.
		cfg.require2FA = 4
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	proxies, err := parseProxies(cfg.trustedProxies)
	if err != nil {
		return err
	}
	var tlsCfg *tls.Config
	if cfg.tlsCert != "" || cfg.tlsKey != "" {
		if cfg.tlsCert == "" || cfg.tlsKey == "" {
			return errors.New("--tls-cert and --tls-key go together: give both or neither")
		}
		cert, err := tls.LoadX509KeyPair(cfg.tlsCert, cfg.tlsKey)
		if err != nil {
			return fmt.Errorf("TLS certificate: %w", err)
		}
		tlsCfg = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}

	warnReadable(stderr, filepath.Dir(cfg.store.db), "the directory of the database")
	st, err := cfg.store.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	st.SetWriteTimeout(cfg.writeTimeout)
	if kf := st.PANKeyFile(); kf != "" {
		warnReadable(stderr, kf, "the card-number key file")
		warnKeyBesideData(stderr, kf, cfg.store)
	}
	// The commands this start prints open the database with the same key.
	dbArgs := storeArgs(cfg.store, st.PANKeyFile())

	// The listener comes first: the default delivery target is the
	// console's own receiver, at the address it really got, and a taken
	// address fails the start before the demo accounts are made.
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.addr, err)
	}

	var accounts []demoAccount
	created := false
	if cfg.demo {
		if accounts, created, err = prepareDemo(ctx, st, cfg.demoCards, cfg.fourEyes, stdout); err != nil {
			ln.Close()
			return err
		}
	}
	// The demo passwords are shown once, in the banner; should the start
	// fail before it, they are shown with the failure, not lost.
	bannerShown := false
	defer func() {
		if created && !bannerShown {
			fmt.Fprintln(stdout, "The start failed after the demo accounts were made:")
			printDemoAccounts(stdout, accounts, created, dbArgs)
		}
	}()
	scheme := "http"
	if tlsCfg != nil {
		scheme = "https"
	}
	target, err := webhookTarget(cfg.webhookTarget, scheme, ln.Addr())
	if err != nil {
		ln.Close()
		return err
	}
	dcfg := dispatch.Config{Store: st, Target: target, Logger: logger, Scheme: cfg.webhookScheme}
	if tlsCfg != nil && cfg.webhookTarget == "" {
		dcfg.Client = selfClient(tlsCfg.Certificates[0])
	}
	dispatcher := dispatch.New(dcfg)
	console, err := web.New(ctx, web.Config{Store: st, Logger: logger, WebhookTarget: target, WakeDispatcher: dispatcher.Wake, FourEyes: cfg.fourEyes,
		WebhookKey: cfg.webhookKey, WebhookSecret: cfg.webhookSecret, RequireSignature: cfg.webhookRequireSig,
		ReadTimeout: cfg.readTimeout, TrustedProxies: proxies, RequireTwoFactorLevel: twoFactorLevel(cfg.require2FA),
		APIRate: cfg.apiRate})
	if err != nil {
		ln.Close()
		return err
	}
	// The API can change where notifications go at run time (its webhook
	// subscription); the dispatcher asks the console before each attempt.
	dispatcher.SetSubscription(console.WebhookSubscription)
	srv := console.HTTPServer()
	srv.TLSConfig = tlsCfg
	// The banner is written in one piece: whoever watches for its first
	// line (a person, a script, a test) then has all of it.
	var banner bytes.Buffer
	fmt.Fprintf(&banner, "cardops is serving on %s://%s (database %s)\n", scheme, ln.Addr(), cfg.store.db)
	if cfg.fourEyes {
		fmt.Fprintln(&banner, "  four-eyes reissue is on: a second admin confirms every reissue")
		if cfg.demo {
			if slices.ContainsFunc(accounts, func(a demoAccount) bool { return a.Username == demoChecker && a.Level == store.LevelAdmin }) {
				fmt.Fprintf(&banner, "    (demo: what admin prepares, %s confirms, and the other way round)\n", demoChecker)
			} else {
				fmt.Fprintf(&banner, "    (demo: %s is not an admin here, so no reissue can be confirmed until a second admin exists:\n"+
					"     printf '%%s\\n' \"$PASSWORD\" | %s user add NAME --level 3 %s)\n", demoChecker, selfName(), dbArgs)
			}
		}
	}
	printDemoAccounts(&banner, accounts, created, dbArgs)

	if cfg.require2FA <= 3 {
		fmt.Fprintf(&banner, "  two-factor sign-in is required from level %d: such users enrol at their next sign-in (with an authenticator app,\n"+
			"    or `cardops user 2fa-code NAME %s` prints the current code)\n", cfg.require2FA, dbArgs)
	} else if cfg.demo {
		fmt.Fprintf(&banner, "  two-factor sign-in is optional in demo mode (anyone can turn it on at /account); --require-2fa-level 3 requires it of admins\n")
	}
	fmt.Fprintf(&banner, "  notifications are delivered to %s\n", target)
	if kf := st.PANKeyFile(); kf != "" {
		fmt.Fprintf(&banner, "  the card-number key is in %s: back it up apart from the database\n", kf)
	}
	stdout.Write(banner.Bytes()) // as with any print: a closed stdout does not stop the console
	bannerShown = true
	// The dispatcher stops before the server, so its last deliveries to
	// the embedded receiver are still answered; whatever it did not finish
	// stays pending in the outbox for the next start.
	dispatchCtx, stopDispatch := context.WithCancel(ctx)
	dispatched := make(chan error, 1)
	go func() { dispatched <- dispatcher.Run(dispatchCtx) }()
	go sweepSessions(ctx, st, logger)
	// The text indexer writes through the store: it stops, after its
	// current transaction, before the store closes.
	indexCtx, stopIndex := context.WithCancel(ctx)
	indexerDone := make(chan struct{})
	go func() {
		defer close(indexerDone)
		st.IndexEventTextLoop(indexCtx, time.Second, 20*time.Millisecond, func(_ store.Indexed, err error) {
			if err != nil && indexCtx.Err() == nil {
				logger.Warn("event text index", "err", err)
			}
		})
	}()
	defer func() {
		stopIndex()
		select {
		case <-indexerDone:
		case <-time.After(10 * time.Second):
			logger.Warn("event text index: the indexer did not stop within 10 s")
		}
	}()
	go st.KeepEvents(ctx, time.Duration(cfg.eventsKeepDays)*24*time.Hour, time.Hour, 200*time.Millisecond,
		func(p store.Pruned, err error) {
			if err != nil && ctx.Err() == nil {
				logger.Warn("event retention", "err", err)
			} else if err == nil {
				logger.Info("deleted old events", "events", p.Events, "keep_days", cfg.eventsKeepDays)
			}
		})
	go st.KeepBurstRows(ctx, store.BurstRowsKeep, time.Hour, 200*time.Millisecond, func(n int, err error) {
		if err != nil && ctx.Err() == nil {
			logger.Warn("burst retention", "err", err)
		} else if err == nil {
			logger.Info("deleted delivered burst notifications", "rows", n, "keep", store.BurstRowsKeep)
		}
	})
	errc := make(chan error, 1)
	limited := console.LimitListener(ln, cfg.maxConnsPerIP, cfg.maxConns)
	go func() {
		if tlsCfg != nil {
			errc <- srv.ServeTLS(limited, "", "") // the certificate is in srv.TLSConfig
			return
		}
		errc <- srv.Serve(limited)
	}()
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

// checkWebhookScheme refuses an unknown dispatcher scheme, and the provider's
// scheme towards this console's own receiver when that receiver requires
// signatures: it would refuse every delivery.
func checkWebhookScheme(cfg serveConfig) error {
	if !store.ValidScheme(cfg.webhookScheme) {
		return fmt.Errorf("webhook scheme %q: want %s or %s", cfg.webhookScheme, store.SchemeStandard, store.SchemeProvider)
	}
	if cfg.webhookRequireSig && cfg.webhookScheme == store.SchemeProvider && cfg.webhookTarget == "" {
		return fmt.Errorf("webhook scheme provider with --webhook-require-signature: this console's own receiver would refuse every delivery; use --webhook-scheme standard")
	}
	return nil
}

// webhookTarget returns the URL the dispatcher delivers to: the configured
// one, or the console's own /webhooks at the address it listens on (a
// wildcard address is reached through loopback) over scheme.
func webhookTarget(configured, scheme string, addr net.Addr) (string, error) {
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
	return scheme + "://" + net.JoinHostPort(host, port) + "/webhooks", nil
}

// selfClient is the dispatcher's client for the console's own HTTPS
// receiver, reached through loopback, where the certificate's names do not
// match: it accepts exactly the certificate the console serves.
func selfClient(cert tls.Certificate) *http.Client {
	leaf := cert.Certificate[0]
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 32
	tr.TLSClientConfig = &tls.Config{
		MinVersion: tls.VersionTLS12,
		// The chain and name checks are replaced by pinning, below.
		InsecureSkipVerify: true,
		VerifyConnection: func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 || !bytes.Equal(cs.PeerCertificates[0].Raw, leaf) {
				return errors.New("the receiver's certificate is not the console's own")
			}
			return nil
		},
	}
	return &http.Client{Transport: tr}
}

// parseProxies reads --trusted-proxy: CIDRs or single addresses.
func parseProxies(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, p := range strings.Split(list, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if pr, err := netip.ParsePrefix(p); err == nil {
			out = append(out, pr.Masked())
			continue
		}
		a, err := netip.ParseAddr(p)
		if err != nil {
			return nil, fmt.Errorf("--trusted-proxy %q: want a CIDR (10.0.0.0/8) or an address", p)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// warnReadable warns when others than the owner may read path: the
// database files are created 0600, but what holds them should be private
// too.
func warnReadable(stderr io.Writer, path, what string) {
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm()&0o077 == 0 {
		return
	}
	fmt.Fprintf(stderr, "warning: %s (%s) has mode %#o: others than its owner can read it; make it private: chmod %s %s\n",
		what, path, fi.Mode().Perm(), map[bool]string{true: "700", false: "600"}[fi.IsDir()], shellQuote(path))
}

// warnKeyBesideData says when the card-number key file sits in the
// database's directory (given so, or left there by an older release): a
// copy of that directory, or a backup of it, then holds both and gives up
// every card number. A key file an older release made gets the command that
// moves it where this release looks first.
func warnKeyBesideData(stderr io.Writer, keyFile string, sf storeFlags) {
	k, err1 := filepath.Abs(keyFile)
	d, err2 := filepath.Abs(sf.db)
	if err1 != nil || err2 != nil || filepath.Dir(k) != filepath.Dir(d) {
		return
	}
	fix := "keep it elsewhere (--pan-key-file or CARDOPS_PAN_KEY; README, Secrets at rest)"
	if dir, err := store.ConfigDir(sf.getenv); err == nil && sf.panKeyFile == "" {
		if to, err := store.DefaultPANKeyFile(dir, sf.db); err == nil {
			// mkdir -m sets the mode of the last directory only; the umask
			// makes every one it creates private (~/.config too, if new).
			fix = "move it where cardops looks first: (umask 077 && mkdir -p " + shellQuote(filepath.Dir(to)) + ") && mv " + shellQuote(keyFile) + " " + shellQuote(to)
		}
	}
	fmt.Fprintf(stderr, "warning: the card-number key file (%s) is in the database's directory: a copy of that directory "+
		"recovers every card number; %s\n", keyFile, fix)
}

// demoAccount is a demo user. Its password is printed once, when the
// account is created, and never kept: the database records the names and
// levels only.
type demoAccount struct {
	Username string
	Password string `json:"-"`
	Level    store.Level
}

const demoAccountsSetting = "demo_accounts"

// demoChecker is the second demo admin, made when four-eyes reissue is on:
// without one, no reissue can be confirmed.
const demoChecker = "checker"

// prepareDemo seeds the sandbox into a database without cards and creates
// the three demo accounts once, with random passwords, and with fourEyes a
// second admin (demoChecker) too, at the first start that asks for it;
// created reports whether an account was made now (and so carries its
// password). An account whose name is taken is left as it is (no
// password): so is one a start that failed half-way had made, which
// therefore can be started again.
func prepareDemo(ctx context.Context, st *store.Store, cards int, fourEyes bool, stdout io.Writer) (accounts []demoAccount, created bool, err error) {
	raw, err := st.Setting(ctx, demoAccountsSetting)
	switch {
	case err == nil:
		if err := json.Unmarshal(raw, &accounts); err != nil {
			return nil, false, fmt.Errorf("read demo accounts: %w", err)
		}
	case !errors.Is(err, store.ErrNotFound):
		return nil, false, err
	default:
		if err := seedDemo(ctx, st, cards, stdout); err != nil {
			return nil, false, err
		}
		for _, a := range []demoAccount{{"viewer", "", store.LevelReadOnly}, {"operator", "", store.LevelOperational}, {"admin", "", store.LevelAdmin}} {
			if a, err = createDemoAccount(ctx, st, a); err != nil {
				return nil, false, err
			}
			accounts = append(accounts, a)
		}
		created = true
	}
	if fourEyes && !slices.ContainsFunc(accounts, func(a demoAccount) bool { return a.Username == demoChecker }) {
		a, err := createDemoAccount(ctx, st, demoAccount{demoChecker, "", store.LevelAdmin})
		if err != nil {
			return nil, false, err
		}
		accounts, created = append(accounts, a), true
	}
	if created {
		raw, _ = json.Marshal(accounts)
		if err := st.SetSetting(ctx, demoAccountsSetting, raw); err != nil {
			return nil, false, err
		}
	}
	return accounts, created, nil
}

// seedDemo seeds the sandbox, unless the database holds cards already.
func seedDemo(ctx context.Context, st *store.Store, cards int, stdout io.Writer) error {
	has, err := st.HasCards(ctx)
	if err != nil {
		return err
	}
	if has {
		fmt.Fprintln(stdout, "First demo start: the database holds cards already, so no demo cards are seeded.")
		return nil
	}
	fmt.Fprintf(stdout, "First demo start: seeding %d cards into the sandbox ...\n", cards)
	sum, err := seed.Run(ctx, st, seed.Options{Cards: cards})
	if err != nil {
		return fmt.Errorf("seed demo data: %w", err)
	}
	fmt.Fprintf(stdout, "Seeded %d cards, %d wallets, %d movements in %s.\n", sum.Cards, sum.Wallets, sum.Transactions, sum.Elapsed.Round(time.Millisecond))
	return nil
}

// createDemoAccount makes a with a random password, which it returns in a;
// a name already taken is someone's account, left as it is (no password).
func createDemoAccount(ctx context.Context, st *store.Store, a demoAccount) (demoAccount, error) {
	a.Password = randomPassword()
	_, err := st.CreateUser(ctx, store.NewUser{Username: a.Username, Level: a.Level, Password: a.Password})
	switch {
	case errors.Is(err, store.ErrUserExists):
		// Someone's account: its level is what it is, not the demo's.
		a.Password = ""
		u, err := st.UserByName(ctx, a.Username)
		if err != nil {
			return a, fmt.Errorf("read account %s: %w", a.Username, err)
		}
		a.Level = u.Level
	case err != nil:
		return a, fmt.Errorf("create demo account %s: %w", a.Username, err)
	}
	return a, nil
}

// printDemoAccounts prints the demo accounts' passwords when they were just
// created, the only time they exist in clear; on later starts, the command
// that gives an account a new one, on the database and key of dbArgs.
func printDemoAccounts(stdout io.Writer, accounts []demoAccount, created bool, dbArgs string) {
	if len(accounts) == 0 {
		return
	}
	if created {
		shown := false
		for _, a := range accounts {
			if a.Password == "" {
				fmt.Fprintf(stdout, "  %s existed already and keeps its password; for a new one run: %s\n", a.Username, resetCommand(a.Username, dbArgs))
				continue
			}
			fmt.Fprintf(stdout, "  sign in as %-9s password %s   (level %d, %s)\n", a.Username, a.Password, a.Level, a.Level)
			shown = true
		}
		if shown {
			fmt.Fprintln(stdout, "  these passwords are shown only now and kept nowhere: note them")
		}
		return
	}
	fmt.Fprintln(stdout, "  demo accounts (their passwords were shown when they were created); for a new password run:")
	for _, a := range accounts {
		fmt.Fprintf(stdout, "    %-60s (level %d, %s)\n", resetCommand(a.Username, dbArgs), a.Level, a.Level)
	}
}

// resetCommand is the command that gives the user a new password.
func resetCommand(username, dbArgs string) string {
	return fmt.Sprintf("%s user reset %s %s", selfName(), username, dbArgs)
}

// storeArgs are the flags with which another command opens the database sf
// names with the key in keyFile: --db, and --pan-key-file unless keyFile is
// where that command looks first (a file given, or one an older release left
// beside the database, is named, so the command does not depend on what it
// finds). A key given in CARDOPS_PAN_KEY (keyFile "") cannot be printed.
func storeArgs(sf storeFlags, keyFile string) string {
	args := "--db " + shellQuote(sf.db)
	if keyFile == "" {
		return args
	}
	if dir, err := store.ConfigDir(sf.getenv); err == nil {
		if def, err := store.DefaultPANKeyFile(dir, sf.db); err == nil && def == keyFile {
			return args
		}
	}
	return args + " --pan-key-file " + shellQuote(keyFile)
}

// selfName is how to run this binary again from the same directory: the path
// it was started by (./bin/cardops under make run), or "cardops" when that
// path is a temporary build (go run, go test).
func selfName() string {
	p := os.Args[0]
	if filepath.Base(p) != "cardops" || strings.HasPrefix(p, os.TempDir()) || strings.Contains(p, "go-build") {
		return "cardops"
	}
	return shellQuote(p)
}

// shellQuote quotes s for a POSIX shell when it holds anything but plain
// path characters.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./+=:@,") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
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

// twoFactorLevel is the console's RequireTwoFactorLevel for the flag's
// value: 4 (above every level) is nobody.
func twoFactorLevel(n int) store.Level {
	if n > int(store.LevelAdmin) {
		return 0
	}
	return store.Level(n)
}
