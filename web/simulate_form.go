package web

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"cardops/store"
	"cardops/views"
)

// maxSimForm bounds a simulation form (the payload editor's JSON included).
const maxSimForm = store.MaxEditedBody + 64<<10

// parseSimForm reads a simulation form, refusing an oversized body.
func parseSimForm(w http.ResponseWriter, r *http.Request) (views.SimForm, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxSimForm)
	if err := r.ParseForm(); err != nil {
		return views.SimForm{}, err
	}
	f := func(k string) string { return strings.TrimSpace(r.PostForm.Get(k)) }
	// An id field holding a card number finds nothing and shows it back
	// masked, as every answer and audit row does.
	return views.SimForm{
		CardID: store.MaskCardNumbers(f("card")), WalletID: store.MaskCardNumbers(f("wallet")), Amount: f("amount"), Currency: f("currency"),
		MerchantName: f("merchant_name"), MerchantCity: f("merchant_city"), MerchantCountry: f("merchant_country"),
		MerchantMCC: f("merchant_mcc"), Outcome: f("outcome"), Reason: f("reason"), Token: f("token"),
		Authorization: f("authorization"), RefundOf: f("refund_of"),
	}, nil
}

// simAuthorizationsShown is how many authorizations the form offers.
const simAuthorizationsShown = 20

// simAuthorizations loads the authorizations the form offers for a card.
func (s *Server) simAuthorizations(ctx context.Context, cardID string) (views.SimAuthorizations, error) {
	var a views.SimAuthorizations
	var err error
	if a.Open, err = s.store.SimOpenAuthorizations(ctx, cardID, simAuthorizationsShown); err != nil {
		return a, err
	}
	a.Refundable, err = s.store.SimRefundableAuthorizations(ctx, cardID, simAuthorizationsShown)
	return a, err
}

func simRequest(r *http.Request, action string, f views.SimForm) store.SimRequest {
	return store.SimRequest{
		Action: action, CardID: f.CardID, WalletID: f.WalletID, Amount: f.Amount, Currency: f.Currency,
		Merchant: store.SimMerchant{Name: f.MerchantName, City: f.MerchantCity, Country: f.MerchantCountry, MCC: f.MerchantMCC},
		Outcome:  f.Outcome, Reason: f.Reason, Token: f.Token, By: simActor(r),
		AuthorizationID: simChosenAuthorization(action, f),
	}
}

// simChosenAuthorization is the authorization the form chose for action:
// the refund's for a refund, the open one for a clearing or reversal.
func simChosenAuthorization(action string, f views.SimForm) string {
	switch action {
	case store.ActRefund:
		return f.RefundOf
	case store.ActClearing, store.ActReversal:
		return f.Authorization
	}
	return ""
}

func simActor(r *http.Request) store.SimActor {
	a := store.SimActor{RemoteAddr: remoteAddr(r)}
	if p := currentPrincipal(r); p != nil {
		a.Name, a.Level = p.Username, p.Level
	}
	return a
}

// simRefusal returns the refusal in err, or nil when err is something else
// (a failure, not a refusal).
func simRefusal(err error) *store.SimError {
	var se *store.SimError
	if errors.As(err, &se) {
		return se
	}
	return nil
}

// simRefusalStatus is the HTTP status of a refusal: 404 for what does not
// exist, 412 for a wrong state, 400 for bad input.
func simRefusalStatus(se *store.SimError) int {
	switch {
	case errors.Is(se, store.ErrNotFound), se.Code == store.SimCodeNotFound:
		return http.StatusNotFound
	case se.Code == store.SimCodeState:
		return http.StatusPreconditionFailed
	}
	return http.StatusBadRequest
}

// tooLarge answers a form that exceeded maxSimForm, or could not be read.
func (s *Server) badSimForm(w http.ResponseWriter, r *http.Request, err error) {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		s.errorPage(w, r, http.StatusRequestEntityTooLarge, "Form too large", "The form is larger than the console accepts; nothing was changed.")
		return
	}
	s.errorPage(w, r, http.StatusBadRequest, "Unreadable form", "The form could not be read; nothing was changed.")
}

// wakeDispatcher tells the dispatcher a row is waiting.
func (s *Server) wakeDispatcher() {
	if s.wakeOutbox != nil {
		s.wakeOutbox()
	}
}
