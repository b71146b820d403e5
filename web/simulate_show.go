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

// simulateShow shows the Simulate page, or one of its fragments: the card
// and wallet pickers (htmx, while typing), the deliveries table and a
// burst's progress (htmx polling).
func (s *Server) simulateShow(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	ctx := r.Context()
	if q.Get("fragment") == "deliveries" {
		rows, err := s.store.RecentOutbox(ctx, store.OutboxFilter{CardID: q.Get("card"), SkipBurst: true, Limit: 20})
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		s.render(w, r, http.StatusOK, views.SimDeliveries(q.Get("card"), rows))
		return
	}
	form := views.NewSimForm(strings.TrimSpace(q.Get("card")), strings.TrimSpace(q.Get("wallet")))
	d, err := s.simPageData(ctx, form)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if raw := q.Get("burst"); raw != "" {
		id, _ := strconv.ParseInt(raw, 10, 64)
		b, err := s.store.BurstProgress(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			s.errorPage(w, r, http.StatusNotFound, "No such burst", "There is no burst #"+raw+".")
			return
		}
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		if isHTMX(r) {
			s.render(w, r, http.StatusOK, views.SimBurstProgress(b))
			return
		}
		d.Burst = &b
	}
	d.CardQuery, d.WalletQuery = strings.TrimSpace(q.Get("card_q")), strings.TrimSpace(q.Get("wallet_q"))
	if d.CardQuery != "" {
		if d.CardPicks, err = s.store.SimFindCards(ctx, d.CardQuery, 10); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	if d.WalletQuery != "" || d.Wallet == nil {
		if d.WalletPicks, err = s.store.SimFindWallets(ctx, d.WalletQuery, 10); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	switch {
	case isHTMX(r) && q.Has("card_q"):
		s.render(w, r, http.StatusOK, views.SimCardPicks(d))
		return
	case isHTMX(r) && q.Has("wallet_q"):
		s.render(w, r, http.StatusOK, views.SimWalletPicks(d))
		return
	}
	if raw := q.Get("delivery"); raw != "" {
		id, _ := strconv.ParseInt(raw, 10, 64)
		m, atts, err := s.store.OutboxMessage(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			s.errorPage(w, r, http.StatusNotFound, "No such delivery", "There is no delivery #"+raw+".")
			return
		}
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		d.Delivery = &views.SimDeliveryView{Message: m, Attempts: atts}
	}
	if raw := q.Get("done"); raw != "" {
		id, _ := strconv.ParseInt(raw, 10, 64)
		if m, _, err := s.store.OutboxMessage(ctx, id); err == nil {
			d.Result = &views.SimOutcome{OK: true, Message: "Sent.", Outbox: m, Target: s.simTarget}
		}
	}
	s.render(w, r, http.StatusOK, views.SimulatePage(s.page(r, "Simulate", "/simulate"), d))
}

// simPageData loads what the Simulate page shows for a form: the picked card
// and wallet (an unknown one becomes a field error) and the latest
// deliveries.
func (s *Server) simPageData(ctx context.Context, form views.SimForm) (views.SimulatePageData, error) {
	d := views.SimulatePageData{Form: form, Target: s.simTarget, Editor: views.SimEditor{Mode: store.ModeNormal}}
	if d.Form.Errors == nil {
		d.Form.Errors = map[string]string{}
	}
	if form.CardID != "" {
		c, err := s.store.SimCard(ctx, form.CardID)
		switch {
		case errors.Is(err, store.ErrNotFound):
			d.Form.Errors["card"] = "Card not found: " + form.CardID + "."
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
			d.Form.Errors["wallet"] = "Wallet not found: " + form.WalletID + "."
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
