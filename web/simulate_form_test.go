package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"cardops/store"
)

// simAuthorize authorizes amount on the test card and returns the
// authorization's id.
func simAuthorize(t *testing.T, e *testEnv, amount string) string {
	t.Helper()
	res, err := e.store.Simulate(context.Background(), store.SimRequest{Action: store.ActAuthorize, CardID: simCardID, Amount: amount})
	if err != nil {
		t.Fatal(err)
	}
	return res.MovementID
}

func TestSimulateFormsAsOperator(t *testing.T) {
	operator := store.LevelOperational
	cardURL := "/cards/" + simCardID + "/simulate/"
	runScenarios(t, []scenario{
		{
			name: "a fresh form shows hints, not values that are not there", method: "GET", url: "/simulate?card=" + simCardID, as: operator,
			before: addSimCard, wantStatus: http.StatusOK,
			wantContains:    []string{`placeholder="e.g. 25.00"`, `value="Sandbox Store"`, `value="San Francisco"`, `value="5999"`, "No open authorization on this card"},
			wantNotContains: []string{`placeholder="12.34"`, `placeholder="Sandbox Store"`},
		},
		{
			name: "htmx refusal brings the form back with the error beside its field", method: "POST", url: "/simulate/authorize", as: operator,
			wantAudit: []string{"simulate.authorize refused"},
			before:    addSimCard, headers: simHTMX, form: url.Values{"card": {simCardID}, "amount": {""}},
			wantStatus:   http.StatusOK,
			wantContains: []string{`id="sim-action"`, `<span class="field-error" role="alert">Enter an amount`, `role="alert"`},
			after:        simWantOutbox(0),
		},
		{
			name: "every wrong field is marked at once, each in its own words", method: "POST", url: "/simulate/authorize", as: operator,
			wantAudit: []string{"simulate.authorize refused"},
			before:    addSimCard, headers: simHTMX,
			form: url.Values{"card": {simCardID}, "amount": {"12.345"}, "currency": {"XYZ"}, "merchant_country": {"Spain"},
				"merchant_mcc": {"12"}, "outcome": {"FAILED"}},
			wantStatus: http.StatusOK,
			wantContains: []string{
				`<span class="field-error" role="alert">The amount &#34;12.345&#34; has more than two decimals`,
				`<span class="field-error" role="alert">Unknown currency &#34;XYZ&#34;`,
				`<span class="field-error" role="alert">The merchant country &#34;SPAIN&#34; is not a two-letter code`,
				`<span class="field-error" role="alert">The MCC &#34;12&#34; is not four digits`,
				`<span class="field-error" role="alert">Give a reason for the failed or cancelled variant.`,
			},
			after: simWantOutbox(0),
		},
		{
			name: "a value typed at length is quoted cut short", method: "POST", url: "/simulate/authorize", as: operator,
			wantAudit: []string{"simulate.authorize refused"},
			before:    addSimCard, headers: simHTMX,
			form:            url.Values{"card": {simCardID}, "amount": {"1"}, "currency": {strings.Repeat("Q", 500)}},
			wantStatus:      http.StatusOK,
			wantContains:    []string{`Unknown currency &#34;` + strings.Repeat("Q", 40) + `…&#34;`},
			wantNotContains: []string{strings.Repeat("Q", 41) + `&#34;`},
			after:           simWantOutbox(0),
		},
		{
			name: "htmx success answers the whole form, without earlier errors", method: "POST", url: "/simulate/authorize", as: operator,
			wantAudit: []string{"simulate.authorize ok"},
			before:    addSimCard, headers: simHTMX, form: url.Values{"card": {simCardID}, "amount": {"12.34"}},
			wantStatus:      http.StatusOK,
			wantContains:    []string{`id="sim-action"`, `data-testid="sim-result"`, "Authorized 12.34 USD", `value="12.34"`, `data-testid="sim-authorization"`},
			wantNotContains: []string{"field-error", `role="alert"`},
		},
		{
			name: "card page: htmx refusal keeps the form with its field error", method: "POST", url: cardURL + "authorize", as: operator,
			wantAudit: []string{"simulate.authorize refused"},
			before:    addSimCard, headers: simHTMX, form: url.Values{"amount": {"abc"}},
			wantStatus:   http.StatusOK,
			wantContains: []string{`id="card-sim-action"`, `id="card-sim-result"`, `<span class="field-error" role="alert">The amount &#34;abc&#34; is not a number`},
		},
		{
			name: "card page: htmx success answers the form without errors", method: "POST", url: cardURL + "authorize", as: operator,
			wantAudit: []string{"simulate.authorize ok"},
			before:    addSimCard, headers: simHTMX, form: url.Values{"amount": {"5"}},
			wantStatus:      http.StatusOK,
			wantContains:    []string{`id="card-sim-action"`, "Authorized 5.00 USD", `data-testid="sim-authorization"`},
			wantNotContains: []string{"field-error"},
		},
	})
}

func TestSimulateChooseAuthorizationAsOperator(t *testing.T) {
	e := newTestEnv(t)
	addSimCard(t, e)
	older := simAuthorize(t, e, "10")
	newer := simAuthorize(t, e, "20")

	// The page offers both, newest first, the newest chosen.
	rec := scenario{method: "GET", url: "/simulate?card=" + simCardID, as: store.LevelOperational, wantStatus: http.StatusOK,
		wantContains: []string{`<option value="` + newer + `" selected>`, `<option value="` + older + `">`}}.run(t, e)
	if body := rec.Body.String(); strings.Index(body, newer) > strings.Index(body, older) {
		t.Errorf("the older authorization is offered before the newer")
	}

	// Clearing the older one, chosen.
	scenario{method: "POST", url: "/simulate/clearing", as: store.LevelOperational, headers: simHTMX,
		form:         url.Values{"card": {simCardID}, "authorization": {older}},
		wantStatus:   http.StatusOK,
		wantContains: []string{"Cleared 10.00 USD", `<option value="` + newer + `" selected>`, `<option value="` + older + `" selected>`},
		after: func(t *testing.T, e *testEnv, rec *httptest.ResponseRecorder) {
			// Still open: the newer one only; refundable: the older one.
			open, _ := e.store.SimOpenAuthorizations(context.Background(), simCardID, 10)
			if len(open) != 1 || open[0].ID != newer {
				t.Errorf("open = %+v, want only %s", open, newer)
			}
		},
		wantAudit: []string{"simulate.clearing ok"},
	}.run(t, e)

	// It is no longer open: a readable field error, nothing sent.
	scenario{method: "POST", url: "/simulate/reversal", as: store.LevelOperational,
		form:         url.Values{"card": {simCardID}, "authorization": {older}, "amount": {"1"}},
		wantStatus:   http.StatusUnprocessableEntity,
		wantContains: []string{`<span class="field-error" role="alert">The authorization &#34;` + older + `&#34; is not an open authorization of card •••• 4242`},
		after:        simWantOutbox(3),
		wantAudit:    []string{"simulate.reversal refused"},
	}.run(t, e)

	// Refund the cleared one without an amount: the whole of it.
	scenario{method: "POST", url: "/cards/" + simCardID + "/simulate/refund", as: store.LevelOperational, headers: simHTMX,
		form:       url.Values{"refund_of": {older}},
		wantStatus: http.StatusOK, wantContains: []string{"Refunded 10.00 USD"},
		wantAudit: []string{"simulate.refund ok"},
	}.run(t, e)
}
