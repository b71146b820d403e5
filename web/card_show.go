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

const (
	cardMovementsPage = 25
	cardAuditRows     = 50
	cardEventRows     = 20
)

// cardShow is the card page: number (masked), holder, limits, balance,
// wallet, tokenizations, movements (paged newest first by ?mv=), numbers
// history and audit trail. The page opens the card's live stream
// (cardStream); its live sections fetch themselves again when it says the
// card changed.
func (s *Server) cardShow(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	// Read before the sections: the live stream starts after it, so nothing
	// stored while the page is read goes unsignalled.
	latest, err := s.store.LatestEventID(ctx)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	card, ok := s.cardFor(w, r)
	if !ok {
		return
	}
	d := views.CardPageData{Card: card, StreamAfter: latest}
	if mv := r.URL.Query().Get("mv"); mv != "" {
		c, ok := parseMovementCursor(mv)
		if !ok {
			s.errorPageBack(w, r, http.StatusBadRequest, "Bad movements page",
				"The movements page in this link is not valid. Open the card again to see its newest movements.",
				"/cards/"+card.ID, "Back to the card", "/cards")
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
	if err := s.cardSummary(ctx, &d); err != nil {
		s.serverError(w, r, err)
		return
	}
	balance, err := s.balanceChart(ctx, card)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d.BalanceChart = views.LineChartView(balance)
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
	d.Reissues = views.CardReissueSection(s.allowed(r, "GET /cards/{id}/reissue"), s.allowed(r, "GET /reissues/{rid}"), card.ID, card.Status, reissues)
	events, err := s.store.CardEvents(ctx, card.ID, cardEventRows)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d.Events = views.CardEventsSection(cardLabel(card), events)
	timeline, ok := s.cardTimeline(w, r, card)
	if !ok {
		return
	}
	d.Timeline = views.CardTimelineSection(timeline)
	if s.allowed(r, "GET /cards/{id}/deliveries") {
		deliveries, err := s.cardDeliveries(ctx, card.ID)
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
			Form: views.NewSimForm(card.ID, ""), Auths: auths, NowMs: s.now().UnixMilli()})
	}
	s.render(w, r, http.StatusOK, views.CardPage(page, d))
}

// cardFor loads the card named by the path's {id}, or answers 404 and
// reports false.
func (s *Server) cardFor(w http.ResponseWriter, r *http.Request) (store.Card, bool) {
	card, err := s.store.CardByID(r.Context(), strings.ToLower(r.PathValue("id")))
	if errors.Is(err, store.ErrNotFound) {
		s.errorPage(w, r, http.StatusNotFound, "Card not found",
			"There is no card with the id "+strconvQuote(r.PathValue("id"))+". Search for it by last 4, name, e-mail or phone.")
		return store.Card{}, false
	}
	if err != nil {
		s.serverError(w, r, err)
		return store.Card{}, false
	}
	return card, true
}

// cardSummary fills in what views.CardSummary shows besides the card: its
// tokenizations and wallet.
func (s *Server) cardSummary(ctx context.Context, d *views.CardPageData) error {
	var err error
	if d.Tokenizations, err = s.store.CardTokenizations(ctx, d.Card.ID); err != nil {
		return err
	}
	if d.Card.WalletID != "" {
		wallet, err := s.store.WalletByID(ctx, d.Card.WalletID)
		if err != nil {
			return err
		}
		d.Wallet = &wallet
	}
	return nil
}

// cardDeliveries lists the card's latest deliveries for its Simulate panel.
func (s *Server) cardDeliveries(ctx context.Context, cardID string) ([]store.OutboxMessage, error) {
	return s.store.RecentOutbox(ctx, store.OutboxFilter{CardID: cardID, SkipBurst: true, Limit: 10})
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

// strconvQuote quotes a value from the URL for a message, a card number in
// it masked, cut to a sane length.
// numberOrQuoted shows an id typed in a path as "#12345" when it is a
// whole number, else quoted as strconvQuote does.
func numberOrQuoted(raw string) string {
	if n, err := strconv.ParseInt(raw, 10, 64); err == nil && n > 0 && strconv.FormatInt(n, 10) == raw {
		return "#" + raw
	}
	return strconvQuote(raw)
}

func strconvQuote(s string) string {
	s = store.MaskCardNumbers(s)
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
