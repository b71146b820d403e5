package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"cardops/store"
	"cardops/views"
)

const (
	cardMovementsPage = 25
	cardAuditRows     = 50
	cardEventRows     = 20
)

// cardShow is the card page: number (masked), holder, limits, balance,
// wallet, tokenizations, movements (paged newest first by ?mv=), numbers
// history and audit trail.
func (s *Server) cardShow(w http.ResponseWriter, r *http.Request) {
	id := strings.ToLower(r.PathValue("id"))
	ctx := r.Context()
	card, err := s.store.CardByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		s.errorPage(w, r, http.StatusNotFound, "Card not found",
			"There is no card with the id "+strconvQuote(r.PathValue("id"))+". Search for it by last 4, name, e-mail or phone.")
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d := views.CardPageData{Card: card}
	if mv := r.URL.Query().Get("mv"); mv != "" {
		c, ok := parseMovementCursor(mv)
		if !ok {
			s.errorPage(w, r, http.StatusBadRequest, "Bad movements page",
				"The movements page in this link is not valid. Open the card again to see its newest movements.")
			return
		}
		d.MovementsFrom = c
	}
	if d.Movements, d.MovementsNext, err = s.store.CardMovements(ctx, card.ID, d.MovementsFrom, cardMovementsPage); err != nil {
		s.serverError(w, r, err)
		return
	}
	if d.Numbers, err = s.store.CardNumbers(ctx, card.ID); err != nil {
		s.serverError(w, r, err)
		return
	}
	if d.Tokenizations, err = s.store.CardTokenizations(ctx, card.ID); err != nil {
		s.serverError(w, r, err)
		return
	}
	if card.WalletID != "" {
		wallet, err := s.store.WalletByID(ctx, card.WalletID)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		d.Wallet = &wallet
	}
	if d.Audit, err = s.store.CardAudit(ctx, card.ID, cardAuditRows); err != nil {
		s.serverError(w, r, err)
		return
	}
	page := s.page(r, card.HolderName, "/cards")
	freeze, err := s.cardFreezeData(r, card)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d.Actions = views.CardFreezeSection(freeze)
	// The sections other features add to the card page.
	reissues, err := s.store.CardReissues(ctx, card.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d.Reissues = views.CardReissueSection(page.Viewer.Level, card.ID, card.Status, reissues)
	events, err := s.store.CardEvents(ctx, card.ID, cardEventRows)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d.Events = views.CardEventsSection(card.ID, events)
	if page.Viewer.Level >= store.LevelOperational {
		deliveries, err := s.store.RecentOutbox(ctx, store.OutboxFilter{CardID: card.ID, SkipBurst: true, Limit: 10})
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		auths, err := s.simAuthorizations(ctx, card.ID)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		d.Simulate = views.CardSimulatePanel(page, views.CardSimPanelData{CardID: card.ID, Deliveries: deliveries,
			Form: views.NewSimForm(card.ID, ""), Auths: auths})
	}
	s.render(w, r, http.StatusOK, views.CardPage(page, d))
}

// parseMovementCursor reads "datetime.id" (views.MovementCursorParam).
func parseMovementCursor(s string) (store.MovementCursor, bool) {
	ms, id, ok := strings.Cut(s, ".")
	t, err := strconv.ParseInt(ms, 10, 64)
	if !ok || err != nil || t <= 0 || id == "" || len(id) > 64 || strings.ContainsFunc(id, notIDRune) {
		return store.MovementCursor{}, false
	}
	return store.MovementCursor{Datetime: t, ID: id}, true
}

// strconvQuote quotes a value from the URL for a message, cut to a sane
// length.
func strconvQuote(s string) string {
	if len(s) > 80 {
		s = s[:80] + "…"
	}
	return strconv.Quote(s)
}

// notIDRune reports whether r cannot be part of a movement id (letters,
// digits, '-' and '_').
func notIDRune(r rune) bool {
	return !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '-' || r == '_')
}
