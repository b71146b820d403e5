package store

import (
	"context"
	"database/sql"
	"fmt"
)

// apiReissueNote is the note of a reissue made through the API.
const apiReissueNote = "one step, through the API"

// ReissueNow is the provider API's one-step reissue (PUT
// /cards/virtual-cards/{cardId}/reissue): no request, no confirmation, the
// card is reissued at once by the same core as the console's step 2 (a new
// number and expiry, an EXPIRED card made ACTIVE as ReissueStatus says;
// balance, movements, limits, any other status and tokenizations kept),
// kept as a request done at once (reason NOT_GIVEN: the provider's
// call carries none; the
// key as maker and checker) and audited as card.reissue in the same
// transaction. An
// unknown card is ErrNotFound; a DELETED card is refused with ErrCardDeleted
// and the refusal audited. It returns the card afterwards.
func (s *Store) ReissueNow(ctx context.Context, cardID string, actor Actor) (ReissueCard, error) {
	wrap := func(err error) error { return fmt.Errorf("store: reissue card %s: %w", cardID, err) }
	key := s.panKey
	var refusal error
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		c, err := reissueCard(ctx, tx, cardID)
		if err != nil {
			return err
		}
		if c.Status == "DELETED" {
			refusal = ErrCardDeleted
			return s.auditTx(ctx, tx, actor.audit(AuditCardReissue, "card", c.ID, ResultRefused, refusal.Error()))
		}
		now := s.nowMs()
		last4, expMonth, expYear, err := s.renumberTx(ctx, tx, key, c, c.Version, now)
		if err != nil {
			return err
		}
		// Kept as a request done at once (no user made it: maker_id is
		// NULL), so it shows where the console's reissues show.
		id := newReissueID()
		renewed, err := renewExpiredTx(ctx, tx, c, last4, actor.Username, id, now)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO reissue_requests(id, card_id, card_version, maker_id, maker, reason, note,
			four_eyes, status, created_at, expires_at, decided_at, checker, old_last4, old_exp_month, old_exp_year,
			new_last4, new_exp_month, new_exp_year)
			VALUES (?, ?, ?, NULL, ?, ?, ?, 0, 'DONE', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			id, c.ID, c.Version, actor.Username, ReasonNotGiven, apiReissueNote, now, now, now, actor.Username,
			c.Last4, c.ExpMonth, c.ExpYear, last4, expMonth, expYear); err != nil {
			return err
		}
		detail := fmt.Sprintf("request %s; one step, through the API; no reason given; last 4 %s → %s; expiry %02d/%d → %02d/%d",
			id, c.Last4, last4, c.ExpMonth, c.ExpYear, expMonth, expYear)
		if renewed {
			detail += "; status EXPIRED → ACTIVE"
		}
		return s.auditTx(ctx, tx, actor.audit(AuditCardReissue, "card", c.ID, ResultOK, detail))
	})
	if err == nil {
		err = refusal
	}
	if err != nil {
		return ReissueCard{}, wrap(err)
	}
	s.cardChanged(cardID)
	return s.ReissueCard(ctx, cardID)
}
