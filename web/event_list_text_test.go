package web

import (
	"net/http"
	"testing"
)

// TestEventListTextFilter: text in the payload is found inside a value,
// in any ASCII case; a term shorter than 3 characters is ignored and the
// page says so.
func TestEventListTextFilter(t *testing.T) {
	e := newTestEnv(t, withWebhookCreds)
	deliverOK(t, e, `{"operation":"CARDS","sub_operation":"AUTHORIZATION","operation_id":"tx-coffee","status":"SUCCESS","data":{"card_id":"c-1","merchant":"Corner Coffee"}}`)
	deliverOK(t, e, `{"operation":"CARDS","sub_operation":"AUTHORIZATION","operation_id":"tx-books","status":"SUCCESS","data":{"card_id":"c-2","merchant":"Lisbon Books"}}`)
	op := func(id string) string { return `data-operation-id="` + id + `"` }
	for _, sc := range []scenario{
		{name: "text in a value", method: http.MethodGet, url: "/events?q=CORNER+cof", as: 1, wantStatus: http.StatusOK,
			wantContains: []string{op("tx-coffee")}, wantNotContains: []string{op("tx-books")}},
		{name: "text that matches nothing", method: http.MethodGet, url: "/events?q=zanzibar", as: 1, wantStatus: http.StatusOK,
			wantContains: []string{"No events match."}, wantNotContains: []string{op("tx-coffee"), op("tx-books")}},
		{name: "short text is ignored and said so", method: http.MethodGet, url: "/events?q=co", as: 1, wantStatus: http.StatusOK,
			wantContains: []string{`Text in the payload needs at least 3 characters; &#34;co&#34; was ignored.`, op("tx-coffee"), op("tx-books")}},
	} {
		t.Run(sc.name, func(t *testing.T) { sc.run(t, e) })
	}
}
