package e2e

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/mxschmitt/playwright-go"
	"golang.org/x/crypto/bcrypt"

	"cardops/store"
	"cardops/web"
	"cardops/web/dispatch"
	"cardops/web/webhook"
)

const e2eCardID = "11111111-2222-4333-8444-000000000001"

// signedReceiver stands in for the webhook receiver: it verifies each
// delivery as the embedded receiver does and keeps the envelopes it took.
type signedReceiver struct {
	st  *store.Store
	mu  sync.Mutex
	got []webhook.Envelope
}

func (rc *signedReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	sec, err := rc.st.WebhookSecrets(r.Context(), "", "")
	if err != nil {
		http.Error(w, "secrets", 500)
		return
	}
	now := time.Now()
	if v := webhook.Verify(r.Header, body, webhook.Credentials{Keys: sec.Keys(now), Secrets: sec.Secrets(now)}, now); !v.OK {
		http.Error(w, v.Reason, http.StatusUnauthorized)
		return
	}
	env, err := webhook.ParseEnvelope(body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	rc.mu.Lock()
	rc.got = append(rc.got, env)
	rc.mu.Unlock()
	w.WriteHeader(http.StatusOK)
}

func (rc *signedReceiver) operations() []string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var out []string
	for _, e := range rc.got {
		out = append(out, e.Operation+"/"+e.SubOperation+" "+e.Status)
	}
	return out
}

// startSimConsole is startConsole plus the dispatcher, delivering to a
// receiver that verifies signatures, and one ACTIVE card with 100.00 USD.
func startSimConsole(t *testing.T) (*console, *signedReceiver) {
	t.Helper()
	store.BcryptCost = bcrypt.MinCost
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "e2e.db"))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	for _, u := range []store.NewUser{
		{Username: "viewer", Level: store.LevelReadOnly, Password: e2ePassword},
		{Username: "operator", Level: store.LevelOperational, Password: e2ePassword},
	} {
		if _, err := st.CreateUser(ctx, u); err != nil {
			t.Fatalf("create user: %v", err)
		}
	}
	if _, err := st.Writer().Exec(`INSERT INTO cards(id, card_holder_name, name_norm, type, bin, last4, exp_month, exp_year, status,
		approval_method, balance_cents, created_at, updated_at)
		VALUES (?, 'Ana Browser', 'ana browser', 'VIRTUAL', '424242', '4242', 12, 2030, 'ACTIVE', 'NONE', 10000, 1, 1)`, e2eCardID); err != nil {
		t.Fatal(err)
	}
	rc := &signedReceiver{st: st}
	recv := httptest.NewServer(rc)
	d := dispatch.New(dispatch.Config{Store: st, Target: recv.URL + "/webhooks", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	dctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); d.Run(dctx) }()
	srv, err := web.New(ctx, web.Config{Store: st, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		WebhookTarget: d.Target(), WakeDispatcher: d.Wake})
	if err != nil {
		t.Fatalf("new console: %v", err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(func() {
		ts.Close()
		stop()
		<-done
		recv.Close()
		st.Close()
	})
	return &console{URL: ts.URL, Store: st}, rc
}

// TestSimulateAuthorizeThenClearing: QA picks a card, presses Authorize,
// then Clearing, and watches both notifications get delivered (signed, to
// the receiver) and the balance move once.
func TestSimulateAuthorizeThenClearing(t *testing.T) {
	c, rc := startSimConsole(t)
	page := newPage(t)
	signIn(t, page, c.URL, "operator")
	must(t, page.GetByRole("link", playwright.PageGetByRoleOptions{Name: "Simulate", Exact: playwright.Bool(true)}).Click())
	must(t, page.GetByLabel("Find a card").Fill("ana"))
	must(t, page.GetByRole("link", playwright.PageGetByRoleOptions{Name: "Use this card"}).Click())
	must(t, expect.Locator(page.GetByTestId("sim-card-balance")).ToHaveText("100.00 USD"))

	must(t, page.GetByLabel("Amount (USD)").Fill("12.34"))
	must(t, page.GetByLabel("Merchant name").Fill("Corner Café"))
	must(t, page.GetByRole("button", playwright.PageGetByRoleOptions{Name: "Authorize", Exact: playwright.Bool(true)}).Click())
	must(t, expect.Locator(page.GetByTestId("sim-result")).ToContainText("Authorized 12.34 USD"))

	must(t, page.GetByRole("button", playwright.PageGetByRoleOptions{Name: "Clearing", Exact: playwright.Bool(true)}).Click())
	must(t, expect.Locator(page.GetByTestId("sim-result")).ToContainText("Cleared 12.34 USD"))

	// The deliveries table refreshes every second until both are delivered.
	rows := page.GetByTestId("deliveries").Locator("tbody tr")
	must(t, expect.Locator(rows).ToHaveCount(2))
	must(t, expect.Locator(rows.Filter(playwright.LocatorFilterOptions{HasText: "CARDS/CLEARING"})).ToContainText("delivered"))
	must(t, expect.Locator(rows.Filter(playwright.LocatorFilterOptions{HasText: "CARDS/AUTHORIZATION"})).ToContainText("delivered"))
	must(t, expect.Locator(rows.First()).ToContainText("HTTP 200"))

	got := rc.operations()
	if len(got) != 2 || got[0] != "CARDS/AUTHORIZATION PENDING" || got[1] != "CARDS/CLEARING SUCCESS" {
		t.Errorf("receiver took %v, want the authorization then the clearing", got)
	}
	if _, err := page.Reload(); err != nil {
		t.Fatal(err)
	}
	must(t, expect.Locator(page.GetByTestId("sim-card-balance")).ToHaveText("87.66 USD"))
}

// TestSimulateHiddenFromViewer: a level-1 user has no Simulate navigation
// and is refused the page.
func TestSimulateHiddenFromViewer(t *testing.T) {
	c, _ := startSimConsole(t)
	page := newPage(t)
	signIn(t, page, c.URL, "viewer")
	must(t, expect.Locator(page.Locator("nav.nav").GetByRole("link", playwright.LocatorGetByRoleOptions{Name: "Simulate"})).ToHaveCount(0))
	resp, err := page.Goto(c.URL + "/simulate?card=" + e2eCardID)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status() != http.StatusForbidden {
		t.Errorf("status = %d, want 403", resp.Status())
	}
	must(t, expect.Locator(page.GetByRole("heading", playwright.PageGetByRoleOptions{Name: "Not allowed"})).ToBeVisible())
	must(t, expect.Locator(page.GetByRole("button", playwright.PageGetByRoleOptions{Name: "Authorize"})).ToHaveCount(0))
}

// TestSimulateEditBrokenAndBurst: QA opens the notification an action would
// send, sends it deliberately malformed and sees the receiver refuse it,
// then sends a burst and watches its progress to the end.
func TestSimulateEditBrokenAndBurst(t *testing.T) {
	c, rc := startSimConsole(t)
	page := newPage(t)
	signIn(t, page, c.URL, "operator")
	if _, err := page.Goto(c.URL + "/simulate?card=" + e2eCardID); err != nil {
		t.Fatal(err)
	}
	must(t, page.GetByLabel("Amount (USD)").Fill("5"))
	if _, err := page.GetByLabel("Notification of").SelectOption(playwright.SelectOptionValues{Values: playwright.StringSlice("3ds")}); err != nil {
		t.Fatal(err)
	}
	must(t, page.GetByRole("button", playwright.PageGetByRoleOptions{Name: "Open the notification"}).Click())
	payload := page.GetByLabel("Notification JSON")
	must(t, expect.Locator(payload).ToHaveValue(simRegexp(`"sub_operation": "NOTIFICATION_3DS_AUTHORIZATION"`)))

	// Not JSON: a clear message, nothing sent.
	must(t, payload.Fill(`{"operation": "CARDS",`))
	must(t, page.GetByRole("button", playwright.PageGetByRoleOptions{Name: "Send this notification"}).Click())
	must(t, expect.Locator(page.Locator("#editor").GetByRole("alert")).ToContainText("not valid JSON"))

	must(t, payload.Fill(`{"operation":"CARDS","sub_operation":"REFUND","operation_id":"qa-broken-1","status":"SUCCESS","data":{"card_id":"`+e2eCardID+`"}}`))
	if _, err := page.GetByLabel("Delivery").SelectOption(playwright.SelectOptionValues{Values: playwright.StringSlice("malformed_json")}); err != nil {
		t.Fatal(err)
	}
	must(t, page.GetByRole("button", playwright.PageGetByRoleOptions{Name: "Send this notification"}).Click())
	must(t, expect.Locator(page.GetByTestId("sim-result")).ToContainText("deliberately broken"))
	row := page.GetByTestId("deliveries").Locator("tbody tr").Filter(playwright.LocatorFilterOptions{HasText: "malformed_json"})
	must(t, expect.Locator(row).ToContainText("refused"))
	must(t, expect.Locator(row).ToContainText("HTTP 400"))

	must(t, page.GetByLabel("Notifications").Fill("300"))
	must(t, page.GetByRole("button", playwright.PageGetByRoleOptions{Name: "Send burst"}).Click())
	must(t, expect.Locator(page.GetByTestId("burst-progress")).ToContainText("300 of 300 delivered — done."))
	if got := len(rc.operations()); got != 300 {
		t.Errorf("receiver took %d notifications, want the 300 of the burst (the broken one refused)", got)
	}
}

func simRegexp(s string) *regexp.Regexp { return regexp.MustCompile(regexp.QuoteMeta(s)) }
