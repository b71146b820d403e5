package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"cardops/store"
	"cardops/views"
)

// The provider's simulate calls (level 2): each runs the same store
// simulation as the console's buttons, with the same preconditions and
// refusals, and answers 201 with an empty body; the notification goes
// through the outbox and the dispatcher, as the console's do.

// apiSimulateAuthorize is POST /api/cards/webhook/simulate/authorize
// ({card_id, bill_amount}).
func (s *Server) apiSimulateAuthorize(w http.ResponseWriter, r *http.Request) {
	s.apiSimulate(w, r, store.ActAuthorize)
}

// apiSimulateClearing is POST /api/cards/webhook/simulate/clearing
// ({card_id}; bill_amount is ignored, as by the provider).
func (s *Server) apiSimulateClearing(w http.ResponseWriter, r *http.Request) {
	s.apiSimulate(w, r, store.ActClearing)
}

// apiSimulateRefund is POST /api/cards/webhook/simulate/refund ({card_id,
// bill_amount}, both required).
func (s *Server) apiSimulateRefund(w http.ResponseWriter, r *http.Request) {
	s.apiSimulate(w, r, store.ActRefund)
}

// apiSimulateReversal is POST /api/cards/webhook/simulate/reversal
// ({card_id, bill_amount}, both required).
func (s *Server) apiSimulateReversal(w http.ResponseWriter, r *http.Request) {
	s.apiSimulate(w, r, store.ActReversal)
}

// apiSimBody is a simulate call's body. bill_amount is kept raw so that a
// string is refused as the wrong type and the number is read exactly.
type apiSimBody struct {
	CardID     string          `json:"card_id"`
	BillAmount json.RawMessage `json:"bill_amount"`
}

func (s *Server) apiSimulate(w http.ResponseWriter, r *http.Request, action string) {
	var body apiSimBody
	if !s.decodeAPIBody(w, r, &body) {
		return
	}
	body.CardID = strings.ToLower(strings.TrimSpace(body.CardID))
	currentAPICall(r).cardID = body.CardID
	amount, typed := "", "" // typed is the number as sent, for the messages
	if raw := bytes.TrimSpace(body.BillAmount); len(raw) > 0 && string(raw) != "null" {
		var n json.Number
		if raw[0] == '"' || json.Unmarshal(raw, &n) != nil {
			s.jsonError(w, r, http.StatusBadRequest, apiCodeValidation, "The field bill_amount must be a number, e.g. 12.34.")
			return
		}
		typed, amount = n.String(), plainDecimal(n.String())
	}
	if body.CardID == "" {
		s.jsonError(w, r, http.StatusBadRequest, apiCodeValidation, "The field card_id is required.")
		return
	}
	if amount == "" && action != store.ActClearing {
		// The provider's contract requires both fields for refund and
		// reversal; an authorization of nothing cannot be made either.
		// Only clearing takes the amount held.
		s.jsonError(w, r, http.StatusBadRequest, apiCodeValidation, "The field bill_amount is required.")
		return
	}
	actor := apiActor(r)
	req := store.SimRequest{Action: action, CardID: body.CardID, Amount: amount,
		By: store.SimActor{Name: actor.Username, Level: actor.Level, RemoteAddr: actor.RemoteAddr}}
	_, err := s.store.Simulate(r.Context(), req)
	if se := simRefusal(err); se != nil {
		// The wording is the console's, which keeps the provider's
		// messages ("Card not found: …") for what the provider refuses.
		refusal := views.WordSimRefusal(se, views.SimForm{CardID: body.CardID, Amount: typed}.Typed)
		s.auditSimRefusal(r, req, refusal.Message)
		s.jsonError(w, r, simRefusalStatus(se), se.Code, strings.TrimSuffix(refusal.Message, "."))
		return
	}
	if err != nil {
		s.apiServerError(w, r, err)
		return
	}
	s.wakeDispatcher()
	w.WriteHeader(http.StatusCreated)
}

// plainDecimal writes a JSON number in exponent form (1e3, 1.5E-1) as the
// plain decimal the amount rules read (1000, 0.15), exactly. Past 12 digits
// either side of the point the value is out of bounds whatever it is, so a
// huge exponent writes an amount that is refused as too large or too
// precise, never a string of its size.
func plainDecimal(n string) string {
	mant, exp, ok := strings.Cut(strings.ToLower(n), "e")
	if !ok {
		return n
	}
	sign := ""
	if mant != "" && mant[0] == '-' {
		sign, mant = "-", mant[1:]
	}
	whole, frac, _ := strings.Cut(mant, ".")
	digits := strings.TrimLeft(whole+frac, "0")
	point := len(whole) - (len(whole+frac) - len(digits)) // the point's place in digits
	digits = strings.TrimRight(digits, "0")
	if digits == "" {
		return "0"
	}
	e, err := strconv.Atoi(strings.TrimPrefix(exp, "+"))
	const far = 12
	switch {
	case err != nil && strings.HasPrefix(exp, "-"), err == nil && point+e < -far:
		return sign + "0." + strings.Repeat("0", far) + "1"
	case err != nil, point+e > far:
		return sign + "1" + strings.Repeat("0", far)
	}
	point += e
	switch {
	case point <= 0:
		return sign + "0." + strings.Repeat("0", -point) + digits
	case point >= len(digits):
		return sign + digits + strings.Repeat("0", point-len(digits))
	}
	return sign + digits[:point] + "." + digits[point:]
}
