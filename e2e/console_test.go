package e2e

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/mxschmitt/playwright-go"
	"golang.org/x/crypto/bcrypt"

	"cardops/store"
	"cardops/web"
	"cardops/web/dispatch"
)

// e2ePassword is every browser-test user's password.
const e2ePassword = "browser test password"

// console is a real cardops server on 127.0.0.1 over a fresh database, with
// one user per level, wired as `cardops serve` wires it: the dispatcher
// delivers simulated notifications over HTTP to the console's own receiver.
type console struct {
	URL   string
	Store *store.Store
	// streams counts the event streams the server is serving right now.
	streams *atomic.Int64
	// receiverDown makes the receiver answer 503, as one that is down.
	receiverDown *atomic.Bool
}

// ReceiverDown makes the receiver answer every notification with 503 (the
// dispatcher keeps retrying) while down is true.
func (c *console) ReceiverDown(down bool) { c.receiverDown.Store(down) }

// Streams returns how many event streams (/events/stream) are open.
func (c *console) Streams() int64 { return c.streams.Load() }

// startConsole starts the console; options adjust its configuration. Its
// shutdown is registered before any browser context, so contexts (and their
// event streams) close first.
func startConsole(t *testing.T, options ...func(*web.Config)) *console {
	t.Helper()
	ctx := context.Background()
	st, err := store.OpenWith(ctx, filepath.Join(t.TempDir(), "e2e.db"), store.Options{BcryptCost: bcrypt.MinCost})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	for _, u := range []store.NewUser{
		{Username: "viewer", Level: store.LevelReadOnly, Password: e2ePassword},
		{Username: "operator", Level: store.LevelOperational, Password: e2ePassword},
		{Username: "admin", Level: store.LevelAdmin, Password: e2ePassword},
	} {
		if _, err := st.CreateUser(ctx, u); err != nil {
			t.Fatalf("create user: %v", err)
		}
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	ts := httptest.NewUnstartedServer(nil)
	target := "http://" + ts.Listener.Addr().String() + "/webhooks"
	d := dispatch.New(dispatch.Config{Store: st, Target: target, Logger: logger})
	cfg := web.Config{Store: st, Logger: logger, WebhookTarget: target, WakeDispatcher: d.Wake}
	for _, o := range options {
		o(&cfg)
	}
	srv, err := web.New(ctx, cfg)
	if err != nil {
		t.Fatalf("new console: %v", err)
	}
	streams := new(atomic.Int64)
	receiverDown := new(atomic.Bool)
	ts.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if receiverDown.Load() && r.URL.Path == "/webhooks" {
			http.Error(w, "receiver down", http.StatusServiceUnavailable)
			return
		}
		if strings.HasPrefix(r.URL.Path, "/events/stream") {
			streams.Add(1)
			defer streams.Add(-1)
		}
		srv.ServeHTTP(w, r)
	})
	ts.Start()
	dctx, stopDispatch := context.WithCancel(ctx)
	dispatched := make(chan struct{})
	go func() {
		defer close(dispatched)
		d.Run(dctx)
	}()
	t.Cleanup(func() {
		stopDispatch()
		<-dispatched
		srv.Close() // ends live event streams, so ts.Close need not wait for them
		ts.Close()
		st.Close()
	})
	return &console{URL: ts.URL, Store: st, streams: streams, receiverDown: receiverDown}
}

// signIn fills in the sign-in form as a person would.
func signIn(t *testing.T, page playwright.Page, baseURL, username string) {
	t.Helper()
	if _, err := page.Goto(baseURL + "/login"); err != nil {
		t.Fatalf("goto login: %v", err)
	}
	must(t, page.GetByLabel("Username").Fill(username))
	must(t, page.GetByLabel("Password").Fill(e2ePassword))
	must(t, page.GetByRole("button", playwright.PageGetByRoleOptions{Name: "Sign in"}).Click())
	must(t, expect.Locator(page.GetByTestId("whoami")).ToHaveText(username))
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
