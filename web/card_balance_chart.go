package web

import (
	"context"
	"strconv"
	"time"

	"cardops/store"
	"cardops/views"
)

// balanceChartMovements is how many of the newest movements the card
// page's balance chart draws.
const balanceChartMovements = 500

// balanceChart draws the card's balance over time from its newest
// movements: each movement's new balance at its time.
func (s *Server) balanceChart(ctx context.Context, card store.Card) (views.LineChart, error) {
	ps, err := s.store.CardBalances(ctx, card.ID, balanceChartMovements)
	if err != nil {
		return views.LineChart{}, err
	}
	c := views.LineChart{ID: "balance-chart", Title: "Balance over time (USD)",
		Format: func(v int64) string { return views.FormatCents(v, "") }}
	for _, p := range ps {
		c.Points = append(c.Points, views.LinePoint{At: time.UnixMilli(p.At).UTC(), Value: p.Balance})
	}
	if n := len(c.Points); n > 0 {
		first, last := c.Points[0], c.Points[n-1]
		c.Desc = "The balance after each of the card's last " + strconv.Itoa(n) + " movements, from " +
			views.FormatCents(first.Value, "USD") + " on " + first.At.Format("2 Jan 2006 15:04") + " to " +
			views.FormatCents(last.Value, "USD") + " on " + last.At.Format("2 Jan 2006 15:04") + " (UTC)."
	}
	return c, nil
}
