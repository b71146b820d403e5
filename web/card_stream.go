package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"cardops/store"
	"cardops/views"
)

// cardSignalGap is the least time between two card-changed messages: a
// burst of events on one card makes the page fetch its sections again a
// few times a second, not once per event.
const cardSignalGap = 250 * time.Millisecond

// cardStream is the card page's live stream (Server-Sent Events). It sends
// views.CardChangedEvent, whose id is the newest event seen, whenever an
// event names the card (as card or wallet id) or the card's wallet, or the
// card is frozen, unfrozen or reissued (from any page or the API), or, for
// those who may open the API request log, a call of the API that names the
// card is logged, at most once per cardSignalGap; and once at the start when any event was stored
// after the page was read (after=) or after the Last-Event-ID of a
// reconnecting browser. It carries no rows: the page's live sections fetch
// themselves again. A subscriber that fell behind is sent the signal, since
// what it missed may concern the card. Like the event log's stream it ends
// when the browser goes away, the server closes, or its session has ended
// (checked at every keep-alive), which it tells the page with
// views.CardStreamEndEvent.
func (s *Server) cardStream(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	card, err := s.store.CardByID(ctx, strings.ToLower(r.PathValue("id")))
	if errors.Is(err, store.ErrNotFound) {
		s.jsonError(w, r, http.StatusNotFound, "NOT_FOUND", "There is no card with this id.")
		return
	}
	if err != nil {
		s.log.Error("card stream: card", "trace_id", traceID(r), "err", err)
		s.jsonError(w, r, http.StatusInternalServerError, "API_ERROR", "The card stream could not start.")
		return
	}
	after, given, ok := streamStart(r)
	if !ok {
		s.badStreamStart(w, r)
		return
	}
	// Subscribe before reading the newest id: an event stored after the
	// read is then certainly in the subscription.
	sub := s.events.Subscribe()
	defer sub.Close()
	changes := s.cardChanges.Subscribe()
	defer changes.Close()
	// The calls of the provider API that name the card are on its
	// timeline for whoever may open the request log: for them, a call is
	// a change (read-only calls included); for anyone else a nil channel,
	// so a call tells them nothing.
	var calls <-chan *store.APIRequest
	var callsResync <-chan struct{}
	if s.allowed(r, timelineAPIRoute) {
		sub := s.api.calls.Subscribe()
		defer sub.Close()
		calls, callsResync = sub.C, sub.Resync
	}
	latest, err := s.store.LatestEventID(ctx)
	if err != nil {
		s.log.Error("card stream: latest id", "trace_id", traceID(r), "err", err)
		s.jsonError(w, r, http.StatusInternalServerError, "API_ERROR", "The card stream could not start.")
		return
	}

	out := startSSE(w)
	concerns := func(e store.Event) bool {
		return strings.EqualFold(e.CardID, card.ID) || strings.EqualFold(e.WalletID, card.ID) ||
			(card.WalletID != "" && strings.EqualFold(e.WalletID, card.WalletID))
	}

	seen := max(latest, after) // the newest event id known here
	pending := given && latest > after
	quiet := false // within cardSignalGap of the last signal
	gap := time.NewTimer(cardSignalGap)
	gap.Stop()
	defer gap.Stop()
	signal := func() bool {
		out.send(strconv.FormatInt(seen, 10), views.CardChangedEvent, "changed")
		pending, quiet = false, true
		gap.Reset(cardSignalGap)
		return out.flush()
	}

	if pending {
		if !signal() {
			return
		}
	} else if !out.flush() {
		return
	}
	keepAlive := time.NewTicker(s.keepAlive)
	defer keepAlive.Stop()
	ended := s.store.SessionsEnded()
	over := func() bool {
		if !s.sessionEnded(r) {
			return false
		}
		out.send("", views.CardStreamEndEvent, "session ended")
		out.flush()
		return true
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-ended: // some session ended: this one? (see eventTail.run)
			ended = s.store.SessionsEnded()
			if over() {
				return
			}
			continue
		case m, ok := <-sub.C:
			if !ok {
				return // the server is closing
			}
			seen = max(seen, m.ID)
			if concerns(m.Event) {
				pending = true
			}
		case <-sub.Resync:
			pending = true
		case id, ok := <-changes.C:
			if !ok {
				return
			}
			if strings.EqualFold(id, card.ID) {
				pending = true
			}
		case <-changes.Resync:
			pending = true
		case c, ok := <-calls:
			if !ok {
				return
			}
			if c.CardID == card.ID {
				pending = true
			}
		case <-callsResync:
			pending = true
		case <-gap.C:
			quiet = false
		case <-keepAlive.C:
			if over() {
				return
			}
			out.keepAlive()
			if !out.flush() {
				return
			}
		}
		if pending && !quiet && !signal() {
			return
		}
	}
}
