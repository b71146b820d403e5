package web

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"cardops/store"
)

// TestCardNumbersSentAnyWayAreNotKept replays an attack review: card
// numbers and verification codes written every way it found stored in
// clear, sent to every door that keeps what it is given (the receiver,
// refused and accepted, its headers and ids; the payload editor; the API,
// its ids, answers and Idempotency-Key; the console's error pages). Then
// the database file itself, its WAL included, and the server's log are
// searched for each number's digits and for each code. Each way of writing
// uses its own number, so a failure names the door.
func TestCardNumbersSentAnyWayAreNotKept(t *testing.T) {
	var logged bytes.Buffer
	e := newAPIEnv(t, withWebhookCreds, func(c *Config) { c.Logger = slog.New(slog.NewTextHandler(&logged, nil)) })
	now := time.Now()
	type sent struct{ what, digits string } // digits: or as written
	var all []sent
	note := func(what, digits string) string {
		if !store.LuhnValid(digits) {
			t.Fatalf("%s: %s is not a card number", what, digits)
		}
		all = append(all, sent{what, digits})
		return digits
	}
	// noteGrouped is note for a number written in groups of four joined by
	// sep: both its digits and its written form must not be kept.
	noteGrouped := func(what, digits, sep string) string {
		written := groupedBy(note(what, digits), sep)
		all = append(all, sent{what, written})
		return written
	}

	// Refused deliveries: no key, no signature.
	refused := []string{
		`{"operation":"X","operation_id":"a1","data":{"ref":"card_` + note("joined to a word", "4000056655665556") + `"}}`,
		`{"operation":"X","operation_id":"a2","data":{"` + note("a JSON key", "5555555555554444") + `":1}}`,
		`{"operation":"X","operation_id":"a3","data":{"amount":` + note("a decimal JSON number", "6011111111111117") + `.0}}`,
		`{"operation":"X","operation_id":"a4","data":{"cvv":["987"],"card_cvv":"654"}}`,
		`{"operation":"X","operation_id":"a5","data":{"n":"` + noteGrouped("doubled spaces", "4012888888881881", "  ") + `"}}`,
	}
	for _, b := range refused {
		if rec := e.deliver(b, map[string]string{"Content-Type": "application/json"}); rec.Code < 400 {
			t.Fatalf("unsigned delivery answered %d", rec.Code)
		}
	}
	if rec := e.deliver(`{}`, map[string]string{"X-Card-Number": note("a header", "5105105105105100"), "X-Card-Cvv": "321"}); rec.Code < 400 {
		t.Fatalf("unsigned delivery answered %d", rec.Code)
	}

	// Accepted deliveries: numbers where ids belong, in the Standard
	// Webhooks id too, and in a header.
	idPAN := note("an event's ids", "4242424242424242")
	body := `{"operation":"CARDS","sub_operation":"AUTHORIZATION","operation_id":"` + idPAN + `","status":"SUCCESS","data":{"card_id":"` + idPAN + `","wallet_id":"` + idPAN + `"}}`
	h := standardHeaders(t, testWebhookSecret, "msg_"+note("a webhook id", "2223003122003222"), now, body)
	h["X-Card-Pan"] = noteGrouped("an accepted delivery's header", "5200828282828210", ".")
	if rec := e.deliver(body, h); rec.Code != http.StatusOK {
		t.Fatalf("signed delivery answered %d: %s", rec.Code, rec.Body)
	}

	// The payload editor (level 2).
	op := e.login("operator")
	editorPAN := note("the payload editor", "4000002500003155")
	req := formRequest(http.MethodPost, "/simulate/send", url.Values{"mode": {"normal"}, "payload": {
		`{"operation":"CARDS","sub_operation":"AUTHORIZATION","operation_id":"edit-` + editorPAN + `","status":"SUCCESS","data":{"card_id":"` + editorPAN + `","card_number":"` + editorPAN + `","cvv":"123"}}`}})
	req.AddCookie(op)
	if rec := e.do(req); rec.Code >= 400 {
		t.Fatalf("edited payload answered %d: %s", rec.Code, rec.Body)
	}

	// The API: an id joined to a word, an Idempotency-Key that is a number,
	// a body with doubled spaces.
	apiPAN := note("an API id", "3530111333300000")
	e.call("POST", "/api/cards/webhook/simulate/authorize", `{"card_id":"card_`+apiPAN+`","bill_amount":5}`, store.LevelOperational,
		"Idempotency-Key", note("an Idempotency-Key", "4111111111111111"))
	e.call("POST", "/api/cards/webhook/simulate/authorize", `{"card_id":"`+noteGrouped("an API body, doubled spaces", "378282246310005", "  ")+`","bill_amount":5}`, store.LevelOperational)

	// The console's error pages and the server log.
	for _, path := range []string{"/cards/" + url.PathEscape(noteGrouped("a path, doubled spaces", "6011000990139424", "  ")),
		"/events/card_" + note("an event id", "3566002020360505"), "/nowhere/" + note("an unknown page", "4917610000000000003")} {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.AddCookie(op)
		if rec := e.do(req); strings.Contains(rec.Body.String(), all[len(all)-1].digits) {
			t.Errorf("GET %s shows the number back", path)
		}
	}

	// What is on disk: the database file and its WAL, as a copy would take
	// them.
	var disk []byte
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(e.store.Path() + suffix)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		disk = append(disk, b...)
	}
	for _, s := range all {
		if bytes.Contains(disk, []byte(s.digits)) {
			t.Errorf("%s: the database file holds %s", s.what, s.digits)
		}
		if strings.Contains(logged.String(), s.digits) {
			t.Errorf("%s: the server log holds %s", s.what, s.digits)
		}
	}
	for _, code := range []string{`"987"`, `"654"`, `"321"`, `"123"`} {
		if bytes.Contains(disk, []byte(code)) {
			t.Errorf("the database file holds the code %s", code)
		}
	}
	// The doors were open: what was sent arrived, masked.
	if n := len(refusalCodes(t, e.testEnv)); n < len(refused)+1 {
		t.Errorf("%d refusals kept, want %d", n, len(refused)+1)
	}
	if !bytes.Contains(disk, []byte(store.MaskPAN(idPAN))) {
		t.Errorf("the accepted delivery's masked id %s is not stored", store.MaskPAN(idPAN))
	}
	var outbox int
	if err := e.store.Writer().QueryRowContext(context.Background(), `SELECT count(*) FROM outbox WHERE source = 'edited'`).Scan(&outbox); err != nil || outbox != 1 {
		t.Errorf("edited payloads in the outbox: %d (%v), want 1", outbox, err)
	}
}

// groupedBy writes digits in groups of four joined by sep.
func groupedBy(digits, sep string) string {
	var b strings.Builder
	for i := 0; i < len(digits); i += 4 {
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteString(digits[i:min(i+4, len(digits))])
	}
	return b.String()
}
