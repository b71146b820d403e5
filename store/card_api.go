package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// CardsAfter returns up to limit cards in id order, starting after the card
// id after ("" for the first page): the provider API's list. It walks the
// primary key, so a page costs the same at any depth.
func (s *Store) CardsAfter(ctx context.Context, after string, limit int) ([]Card, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+cardColumns+` FROM cards c WHERE c.id > ? ORDER BY c.id LIMIT ?`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("store: cards after %q: %w", after, err)
	}
	defer rows.Close()
	var out []Card
	for rows.Next() {
		c, err := scanCard(rows)
		if err != nil {
			return nil, fmt.Errorf("store: cards after %q: %w", after, err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: cards after %q: %w", after, err)
	}
	return out, nil
}

// CardMovement returns one movement of a card, or ErrNotFound (also when
// the movement belongs to another card).
func (s *Store) CardMovement(ctx context.Context, cardID, id string) (Movement, error) {
	m, err := scanMovement(s.r.QueryRowContext(ctx, `SELECT `+movementCols+` FROM card_transactions WHERE id = ? AND card_id = ?`, id, cardID))
	if errors.Is(err, sql.ErrNoRows) {
		return Movement{}, fmt.Errorf("store: card %s movement %s: %w", cardID, id, ErrNotFound)
	}
	if err != nil {
		return Movement{}, fmt.Errorf("store: card %s movement %s: %w", cardID, id, err)
	}
	return m, nil
}

// MovementSearch is the provider API's search of a card's movements.
type MovementSearch struct {
	CardID string
	// From and To bound datetime (Unix ms, To exclusive); 0 does not bound.
	From, To int64
	// Operations keeps these operations (AUTHORIZATION, CLEARING, REFUND,
	// REVERSAL); empty keeps all.
	Operations []string
	// Page is 1-based; Size is the page size.
	Page, Size int
}

// SearchCardMovements returns a page of the card's movements, newest first,
// with the total that match.
func (s *Store) SearchCardMovements(ctx context.Context, q MovementSearch) (ms []Movement, total int, err error) {
	var conds []string
	args := []any{q.CardID}
	conds = append(conds, "card_id = ?")
	if q.From > 0 {
		conds, args = append(conds, "datetime >= ?"), append(args, q.From)
	}
	if q.To > 0 {
		conds, args = append(conds, "datetime < ?"), append(args, q.To)
	}
	if len(q.Operations) > 0 {
		conds = append(conds, "operation IN (?"+strings.Repeat(", ?", len(q.Operations)-1)+")")
		for _, o := range q.Operations {
			args = append(args, o)
		}
	}
	where := " WHERE " + strings.Join(conds, " AND ")
	wrap := func(err error) error { return fmt.Errorf("store: search card %s movements: %w", q.CardID, err) }
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM card_transactions`+where, args...).Scan(&total); err != nil {
		return nil, 0, wrap(err)
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+movementCols+` FROM card_transactions`+where+
		` ORDER BY datetime DESC, id DESC LIMIT ? OFFSET ?`, append(args, q.Size, (q.Page-1)*q.Size)...)
	if err != nil {
		return nil, 0, wrap(err)
	}
	defer rows.Close()
	for rows.Next() {
		m, err := scanMovement(rows)
		if err != nil {
			return nil, 0, wrap(err)
		}
		ms = append(ms, m)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, wrap(err)
	}
	return ms, total, nil
}
