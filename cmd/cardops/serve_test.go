package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"cardops/store"
)

// TestServeDemo starts the real command with --demo, reads the printed URL
// and accounts, checks readiness, then shuts it down gracefully; a second
// start neither seeds again nor prints a password (none is kept), but
// prints the command that sets a new one, and that command works.
func TestServeDemo(t *testing.T) {
	db := filepath.Join(t.TempDir(), "demo.db")
	start := func() string {
		c := startServe(t, []string{"--demo", "--db", db, "--demo-cards", "200"}, nil)
		resp, err := http.Get(c.Base + "/readyz")
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("readyz: %v %v", resp, err)
		}
		resp.Body.Close()
		c.stop(t)
		return c.Out.String()
	}
	first := start()
	for _, want := range []string{"sign in as viewer", "sign in as operator", "sign in as admin", "Seeded 200 cards",
		"two-factor sign-in is optional in demo mode"} {
		if !strings.Contains(first, want) {
			t.Errorf("first start output lacks %q:\n%s", want, first)
		}
	}
	// A newcomer learns where the key is, and it is not beside the data.
	keyFile, err := store.PANKeyFileFor(env(nil), db)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(first, "the card-number key is in "+keyFile+": back it up apart from the database") ||
		filepath.Dir(keyFile) == filepath.Dir(db) {
		t.Errorf("first start does not name the key file %s, kept away from the database:\n%s", keyFile, first)
	}
	pw := regexp.MustCompile(`sign in as admin\s+password (\S+)`).FindStringSubmatch(first)
	if pw == nil {
		t.Fatalf("first start printed no admin password:\n%s", first)
	}
	for _, suffix := range []string{"", "-wal"} {
		if b, _ := os.ReadFile(db + suffix); bytes.Contains(b, []byte(pw[1])) {
			t.Errorf("the admin's password is in clear in %s", filepath.Base(db+suffix))
		}
	}
	second := start()
	if strings.Contains(second, "Seeded") {
		t.Errorf("second start seeded again:\n%s", second)
	}
	if strings.Contains(second, pw[1]) || strings.Contains(second, "password "+pw[1]) {
		t.Errorf("second start printed the admin password again:\n%s", second)
	}
	reset := regexp.MustCompile(`cardops user reset admin --db (\S+)`).FindStringSubmatch(second)
	if reset == nil || reset[1] != db {
		t.Fatalf("second start does not print the command for a new admin password:\n%s", second)
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"user", "reset", "admin", "--db", reset[1]}, env(nil), nil, &out, &out); err != nil {
		t.Fatalf("user reset: %v", err)
	}
	newPW := regexp.MustCompile(`new password for admin \(level 3, Admin\): (\S+)`).FindStringSubmatch(out.String())
	if newPW == nil {
		t.Fatalf("user reset printed no password: %q", out.String())
	}
	st, err := openAsCLI(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Authenticate(context.Background(), "admin", newPW[1]); err != nil {
		t.Errorf("the new admin password does not sign in: %v", err)
	}
	if _, err := st.Authenticate(context.Background(), "admin", pw[1]); err == nil {
		t.Error("the first admin password still signs in after the reset")
	}
}

func TestWebhookTarget(t *testing.T) {
	for _, tc := range []struct {
		configured, addr, want string
		wantErr                bool
	}{
		{"", "127.0.0.1:8080", "http://127.0.0.1:8080/webhooks", false},
		{"", "0.0.0.0:9000", "http://127.0.0.1:9000/webhooks", false},
		{"", "[::]:9000", "http://[::1]:9000/webhooks", false},
		{"https://hooks.example.test/in", "127.0.0.1:8080", "https://hooks.example.test/in", false},
		{"ftp://x", "127.0.0.1:8080", "", true},
		{"not a url", "127.0.0.1:8080", "", true},
	} {
		addr, err := net.ResolveTCPAddr("tcp", tc.addr)
		if err != nil {
			t.Fatal(err)
		}
		got, err := webhookTarget(tc.configured, "http", addr)
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("webhookTarget(%q, %s) = %q, %v; want %q (error %v)", tc.configured, tc.addr, got, err, tc.want, tc.wantErr)
		}
	}
}

func TestServeRefusesBadWebhookTarget(t *testing.T) {
	db := filepath.Join(t.TempDir(), "t.db")
	err := run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0", "--db", db, "--webhook-target", "ftp://nowhere"},
		env(nil), nil, &syncBuffer{}, &syncBuffer{})
	if err == nil || !strings.Contains(err.Error(), "webhook target") {
		t.Errorf("run = %v, want a webhook target error", err)
	}
}

// TestServeDeliversPendingOutbox: a notification left pending in the
// database (the receiver was down, the process stopped) is delivered by the
// dispatcher that serve starts, to the target from the environment.
func TestServeDeliversPendingOutbox(t *testing.T) {
	db := filepath.Join(t.TempDir(), "t.db")
	st, err := openAsCLI(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	body := `{"operation":"CARDS","sub_operation":"REFUND","operation_id":"left-over","status":"SUCCESS"}`
	m, err := st.EnqueueEdited(context.Background(), []byte(body), store.ModeNormal, store.SimActor{Name: "test"})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()

	got := make(chan string, 1)
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		select {
		case got <- r.Header.Get("Webhook-Id") + " " + string(b):
		default:
		}
	}))
	defer recv.Close()
	c := startServe(t, []string{"--db", db}, map[string]string{"CARDOPS_WEBHOOK_TARGET": recv.URL + "/in"})
	select {
	case g := <-got:
		if g != m.WebhookID+" "+body {
			t.Errorf("receiver got %q, want the pending row", g)
		}
	case err := <-c.Done:
		t.Fatalf("serve ended early: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("the pending row was not delivered")
	}
	// The attempt is recorded beside the running server (WAL lets a second
	// connection read).
	st, err = openAsCLI(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	deadline := time.Now().Add(30 * time.Second)
	for {
		row, atts, err := st.OutboxMessage(context.Background(), m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if row.State == store.OutboxDelivered {
			if len(atts) != 1 || atts[0].HTTPStatus != 200 {
				t.Errorf("attempts = %+v, want one 200", atts)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("row = %+v, want delivered", row)
		}
		time.Sleep(20 * time.Millisecond)
	}
	c.stop(t)
	if !strings.Contains(c.Out.String(), "notifications are delivered to "+recv.URL+"/in") {
		t.Errorf("start-up output does not name the target:\n%s", c.Out.String())
	}
}

// TestServeDemoFailedStart: a first --demo start on a taken address fails
// before it makes the demo accounts (the next start makes them and shows
// their passwords); one that fails after making them shows the passwords
// with the failure.
func TestServeDemoFailedStart(t *testing.T) {
	ctx := context.Background()
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	db := filepath.Join(t.TempDir(), "demo.db")
	out := &syncBuffer{}
	err = run(ctx, []string{"serve", "--demo", "--demo-cards", "10", "--db", db, "--addr", taken.Addr().String()}, env(nil), nil, out, &syncBuffer{})
	if err == nil || !strings.Contains(err.Error(), "listen on") {
		t.Fatalf("start on a taken address = %v, want a listen error", err)
	}
	if strings.Contains(out.String(), "Seeded") || strings.Contains(out.String(), "sign in as") {
		t.Errorf("a start that could not listen seeded or made accounts:\n%s", out)
	}
	c := startServe(t, []string{"--demo", "--demo-cards", "10", "--db", db}, nil)
	c.stop(t)
	if !strings.Contains(c.Out.String(), "sign in as admin") {
		t.Errorf("the next start shows no admin password:\n%s", c.Out)
	}

	// A failure after the accounts are made (an unusable delivery target).
	db2 := filepath.Join(t.TempDir(), "demo2.db")
	out = &syncBuffer{}
	err = run(ctx, []string{"serve", "--demo", "--demo-cards", "10", "--db", db2, "--addr", "127.0.0.1:0", "--webhook-target", "ftp://x"},
		env(nil), nil, out, &syncBuffer{})
	if err == nil || !strings.Contains(out.String(), "The start failed after the demo accounts were made") ||
		!regexp.MustCompile(`sign in as admin\s+password \S+`).MatchString(out.String()) {
		t.Errorf("start failing after the accounts = %v, output:\n%s\nwant the error and the admin's password", err, out)
	}
}

// TestServeDemoOnADatabaseInUse: --demo on a database that already holds
// cards and an admin seeds no cards, leaves that admin and its password as
// they are (saying how to set a new one), creates the other demo accounts,
// and starts again as often as asked.
func TestServeDemoOnADatabaseInUse(t *testing.T) {
	db := filepath.Join(t.TempDir(), "used.db")
	ctx := context.Background()
	if err := run(ctx, []string{"seed", "--cards", "20", "--db", db}, env(nil), nil, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	if err := run(ctx, []string{"user", "add", "admin", "--level", "3", "--db", db}, env(nil), strings.NewReader("the admin's own password\n"), io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		c := startServe(t, []string{"--demo", "--db", db, "--demo-cards", "15"}, nil)
		c.stop(t)
		out := c.Out.String()
		if i == 0 {
			for _, want := range []string{"holds cards already, so no demo cards are seeded", "sign in as viewer", "sign in as operator",
				"admin existed already and keeps its password; for a new one run: cardops user reset admin --db " + db} {
				if !strings.Contains(out, want) {
					t.Errorf("first start output lacks %q:\n%s", want, out)
				}
			}
		}
		if strings.Contains(out, "Seeded") || strings.Contains(out, "sign in as admin") {
			t.Errorf("start %d seeded or gave the admin a password:\n%s", i+1, out)
		}
	}
	st, err := openAsCLI(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var cards int
	if err := st.Reader().QueryRowContext(ctx, `SELECT count(*) FROM cards`).Scan(&cards); err != nil || cards != 20 {
		t.Errorf("cards = %d (%v), want the 20 seeded before", cards, err)
	}
	if _, err := st.Authenticate(ctx, "admin", "the admin's own password"); err != nil {
		t.Errorf("the admin's own password no longer signs in: %v", err)
	}
}
