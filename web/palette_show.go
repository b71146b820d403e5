package web

import (
	"net/http"
	"strings"

	"cardops/store"
	"cardops/views"
)

// palettePages are the pages the command palette finds by name (or by
// other words people use for them, also, such as the tab's label), each
// with the route that opens it: the palette shows a page only when the
// route table lets the person open it.
var palettePages = []struct{ name, also, href, pattern string }{
	{"Cards", "card search", "/cards", "GET /cards"},
	{"Events", "event log, webhooks received, notifications", "/events", "GET /events"},
	{"Simulate", "simulations, deliveries", "/simulate", "GET /simulate"},
	{"Reissues", "reissue queue", "/reissues", "GET /reissues"},
	{"Audit", "audit log", "/audit", "GET /audit"},
	{"Webhook settings", "webhooks, key, secret, subscription", "/settings/webhooks", "GET /settings/webhooks"},
	{"Users", "accounts, people", "/settings/users", "GET /settings/users"},
	{"API log", "API request log, API calls", "/api-log", "GET /api-log"},
	{"API keys", "", "/settings/api-keys", "GET /settings/api-keys"},
	{"Account", "my account, sessions", "/account", "GET /account"},
	{"Password", "change password", "/account/password", "GET /account/password"},
	{"Two-factor sign-in", "2fa, authenticator, TOTP", "/account/2fa", "GET /account/2fa"},
}

// paletteRows is how many cards and events the palette lists at most.
const paletteRows = 8

// paletteShow is the command palette's results for ?q=: cards by the card
// search's rules, events by operation id, API calls by trace id (for whoever
// may open the request log), and the pages whose name matches that the
// person may open.
func (s *Server) paletteShow(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query().Get("q")
	if len(q) > 1000 {
		q = q[:1000]
	}
	q = strings.TrimSpace(strings.ToValidUTF8(q, ""))
	d := views.PaletteData{Q: q}
	lower := strings.ToLower(q)
	for _, p := range palettePages {
		if s.allowed(r, p.pattern) && (q == "" || strings.Contains(strings.ToLower(p.name+", "+p.also), lower)) {
			d.Pages = append(d.Pages, views.NavItem{Href: p.href, Label: p.name})
		}
	}
	if q != "" {
		cq := store.ParseCardQuery(q)
		// A full card number is never shown back: Raw holds it masked.
		d.Q = cq.Raw
		switch {
		case cq.Has(store.SearchPAN):
			// A full number stays out of addresses: the card search takes it.
			d.Hint = "To find a card by its full number, use the card search (press /)."
		case cq.TooShort && len(cq.Kinds) == 1:
		default:
			res, err := s.store.NewCardSearch(cq).WithLimit(paletteRows).WithoutCount().Page(r.Context())
			if err != nil {
				s.serverError(w, r, err)
				return
			}
			d.Cards = res.Hits
		}
		if !cq.Has(store.SearchPAN) {
			evs, err := s.store.EventsByOperationID(r.Context(), q, paletteRows)
			if err != nil {
				s.serverError(w, r, err)
				return
			}
			d.Events = evs
		}
		// Trace ids are hex (newTraceID); the request log is level 2.
		if len(q) >= 4 && isHex(q) && s.allowed(r, "GET /api-log/{id}") {
			calls, err := s.store.APIRequests(r.Context(), store.APIRequestFilter{TraceIDPrefix: q, Limit: paletteRows})
			if err != nil {
				s.serverError(w, r, err)
				return
			}
			d.Calls = calls
		}
	}
	s.render(w, r, http.StatusOK, views.PaletteResults(d))
}

// isHex reports whether s is all hexadecimal digits.
func isHex(s string) bool {
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}
