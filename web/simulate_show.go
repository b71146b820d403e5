package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"cardops/store"
	"cardops/views"
)

// simulateShow shows the Simulate page for the card and wallet in the URL;
// card_q and wallet_q (the pickers without JavaScript) list matches, done=
// names a delivery just sent.
func (s *Server) simulateShow(w http.ResponseWriter, r *http.Request) {
	d, err := s.simPageFromQuery(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if raw := r.URL.Query().Get("done"); raw != "" {
		id, _ := strconv.ParseInt(raw, 10, 64)
		if m, _, err := s.store.OutboxMessage(r.Context(), id); err == nil {
			d.Result = &views.SimOutcome{OK: true, Message: "Sent.", Outbox: m, Target: s.deliveryTarget()}
		}
	}
	s.render(w, r, http.StatusOK, views.SimulatePage(s.page(r, "Simulate", "/simulate"), d))
}

// simPageFromQuery loads the Simulate page's model for the URL's card,
// wallet and picker queries.
func (s *Server) simPageFromQuery(r *http.Request) (views.SimulatePageData, error) {
	q, ctx := r.URL.Query(), r.Context()
	form := views.NewSimForm(strings.TrimSpace(q.Get("card")), strings.TrimSpace(q.Get("wallet")))
	d, err := s.simPageData(ctx, form)
	if err != nil {
		return d, err
	}
	d.CardQuery, d.WalletQuery = strings.TrimSpace(q.Get("card_q")), strings.TrimSpace(q.Get("wallet_q"))
	if d.CardQuery != "" {
		if d.CardPicks, err = s.store.SimFindCards(ctx, d.CardQuery, 10); err != nil {
			return d, err
		}
	}
	if d.WalletQuery != "" || d.Wallet == nil {
		if d.WalletPicks, err = s.store.SimFindWallets(ctx, d.WalletQuery, 10); err != nil {
			return d, err
		}
	}
	return d, nil
}

// simPageData loads what the Simulate page shows for a form: the picked card
// and wallet (an unknown one becomes a field error) and the latest
// deliveries.
func (s *Server) simPageData(ctx context.Context, form views.SimForm) (views.SimulatePageData, error) {
	d := views.SimulatePageData{Form: form, Target: s.deliveryTarget(), Editor: views.SimEditor{Mode: store.ModeNormal}}
	if d.Form.Errors == nil {
		d.Form.Errors = map[string]string{}
	}
	if form.CardID != "" {
		c, err := s.store.SimCard(ctx, form.CardID)
		switch {
		case errors.Is(err, store.ErrNotFound):
			d.Form.Errors["card"] = views.WordSimRefusal(&store.SimError{Reason: store.SimCardMissing, ID: form.CardID}, form.Typed).Message
		case err != nil:
			return d, err
		default:
			d.Card = &c
			if d.Auths, err = s.simAuthorizations(ctx, c.ID); err != nil {
				return d, err
			}
		}
	}
	if form.WalletID != "" {
		wl, err := s.store.SimWallet(ctx, form.WalletID)
		switch {
		case errors.Is(err, store.ErrNotFound):
			d.Form.Errors["wallet"] = views.WordSimRefusal(&store.SimError{Reason: store.SimWalletMissing, ID: form.WalletID}, form.Typed).Message
		case err != nil:
			return d, err
		default:
			d.Wallet = &wl
		}
	}
	rows, err := s.store.RecentOutbox(ctx, store.OutboxFilter{CardID: form.CardID, SkipBurst: true, Limit: 20})
	if err != nil {
		return d, err
	}
	d.Deliveries = rows
	return d, nil
}
