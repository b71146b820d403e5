package web

import (
	"context"
	"strings"
	"testing"

	"cardops/views"
)

// TestCardEventsSection checks the pieces the card page places: the store
// query for a card's events and the section that lists them.
func TestCardEventsSection(t *testing.T) {
	e := newTestEnv(t, withWebhookCreds)
	deliverOK(t, e, notification("card-op-1")) // data.card_id is card-42
	deliverOK(t, e, `{"operation":"CARDS","operation_id":"other-card","data":{"card_id":"card-7"}}`)
	evs, err := e.store.CardEvents(context.Background(), "card-42", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1 || evs[0].OperationID != "card-op-1" {
		t.Fatalf("card events = %+v, want only card-op-1", evs)
	}
	var b strings.Builder
	if err := views.CardEventsSection(views.CardLabel{ID: "card-42", HolderName: "Ana Events", Last4: "4242"}, evs).Render(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	html := b.String()
	for _, want := range []string{`id="card-events"`, `data-operation-id="card-op-1"`, `href="/events/1"`, `href="/events?card=card-42"`,
		`title="card-42">Ana Events •• 4242</a>`} {
		if !strings.Contains(html, want) {
			t.Errorf("section lacks %q:\n%s", want, html)
		}
	}
	if strings.Contains(html, "other-card") {
		t.Errorf("section lists another card's event")
	}
	empty, _ := e.store.CardEvents(context.Background(), "no-such-card", 10)
	b.Reset()
	views.CardEventsSection(views.CardLabel{ID: "no-such-card"}, empty).Render(context.Background(), &b)
	if !strings.Contains(b.String(), "No events for this card.") {
		t.Errorf("empty section = %s, want the empty note", b.String())
	}
}
