package web

import (
	"context"
	"strings"

	"cardops/store"
	"cardops/views"
)

// cardLabels looks up, in one query, the cards some rows name (an event's
// card id, an API call's), for their card cells (views.CardRef): keyed by
// the id in lower case; an id the console does not hold is left out.
func (s *Server) cardLabels(ctx context.Context, ids ...string) (views.CardLabels, error) {
	var want []string
	seen := map[string]bool{}
	for _, id := range ids {
		if id = strings.ToLower(id); id != "" && !seen[id] {
			seen[id] = true
			want = append(want, id)
		}
	}
	found, err := s.store.CardsByID(ctx, want)
	if err != nil {
		return nil, err
	}
	labels := make(views.CardLabels, len(found))
	for _, c := range found {
		labels[strings.ToLower(c.ID)] = cardLabel(c)
	}
	return labels, nil
}

func cardLabel(c store.Card) views.CardLabel {
	return views.CardLabel{ID: c.ID, HolderName: c.HolderName, Last4: c.Last4}
}
