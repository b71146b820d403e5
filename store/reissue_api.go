package store

import (
	"context"
	"database/sql"
	"fmt"
)

// ReissueNow is the provider API's one-step reissue (PUT
// /cards/virtual-cards/{cardId}/reissue): no request, no confirmation, the
// card is reissued at once by the same core as the console's step 2 (a new
// number and expiry; balance, movements, limits, status and
// tokenizations kept), audited as card.reissue in the same transaction. An
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
		return s.auditTx(ctx, tx, actor.audit(AuditCardReissue, "card", c.ID, ResultOK,
			fmt.Sprintf("one step, through the API; last 4 %s → %s; expiry %02d/%d → %02d/%d",
				c.Last4, last4, c.ExpMonth, c.ExpYear, expMonth, expYear)))
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
