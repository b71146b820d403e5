package web

import (
	"net/http"
	"slices"
	"strings"

	"cardops/store"
)

// kind says who calls a route and so how it answers a refusal: pages
// redirect to sign-in or show a 403 page; JSON and event-stream routes
// answer with a JSON error; machine routes are called by other systems with
// their own credentials (a key, a signature), never a browser's cookie, so
// cross-site protection does not apply to them.
type kind int

const (
	kindPage kind = iota
	kindJSON
	kindMachine
	// kindAPI is the provider API: x-api-key, not a session, is its guard
	// (apiGuard), its level is the key's, and browsers' cross-origin
	// protection does not apply to it.
	kindAPI
)

// json reports whether refusals and errors of the route are JSON.
func (k kind) json() bool { return k != kindPage }

// route is one line of the route table.
type route struct {
	pattern string
	level   store.Level
	kind    kind
	handle  http.HandlerFunc
	// setup marks the routes a person can still reach while they must
	// first choose their own password or enrol in two-factor sign-in.
	setup bool
	// stream marks a live stream (Server-Sent Events): one person holds
	// at most maxStreamsPerUser open at once (stream_slots.go).
	stream bool
}

// routes is the route table: every route the console serves, with the least
// level it needs. A route that is not here does not exist. The public routes
// (store.LevelPublic) are the explicit allowlist that needs no sign-in.
func (s *Server) routes() []route {
	const (
		public  = store.LevelPublic
		read    = store.LevelReadOnly
		operate = store.LevelOperational
		admin   = store.LevelAdmin
	)
	return []route{
		// Public: sign-in, assets, health.
		{pattern: "GET /login", level: public, handle: s.loginShow},
		{pattern: "POST /login", level: public, handle: s.loginSubmit},
		{pattern: "GET /login/2fa", level: public, handle: s.loginTwoFactorShow},
		{pattern: "POST /login/2fa", level: public, handle: s.loginTwoFactorSubmit},
		{pattern: "GET /static/", level: public, handle: s.staticServe},
		{pattern: "GET /favicon.ico", level: public, handle: s.faviconServe},
		{pattern: "GET /healthz", level: public, kind: kindJSON, handle: s.healthShow},
		{pattern: "GET /readyz", level: public, kind: kindJSON, handle: s.readyShow},
		// The webhook receiver: its key or signature is its guard.
		{pattern: "POST /webhooks", level: public, kind: kindMachine, handle: s.webhookReceive},
		// Any other method of these paths: 405 with Allow, in JSON, not the
		// console's HTML 404 (the mux prefers the routes with a method).
		{pattern: "/healthz", level: public, kind: kindJSON, handle: s.jsonFallback},
		{pattern: "/readyz", level: public, kind: kindJSON, handle: s.jsonFallback},
		{pattern: "/webhooks", level: public, kind: kindMachine, handle: s.jsonFallback},

		// Level 1: read.
		{pattern: "GET /{$}", level: read, handle: s.homeRedirect},
		{pattern: "POST /logout", level: read, setup: true, handle: s.logoutSubmit},
		{pattern: "GET /cards", level: read, handle: s.cardSearch},
		{pattern: "GET /cards/{id}", level: read, handle: s.cardShow},
		// The card page's live stream and the sections it refreshes.
		{pattern: "GET /cards/{id}/stream", level: read, kind: kindJSON, stream: true, handle: s.cardStream},
		{pattern: "GET /cards/{id}/summary", level: read, handle: s.cardSummaryShow},
		{pattern: "GET /cards/{id}/movements", level: read, handle: s.cardMovementsShow},
		{pattern: "GET /cards/{id}/events", level: read, handle: s.cardEventsShow},
		{pattern: "GET /cards/{id}/audit", level: read, handle: s.cardAuditShow},
		{pattern: "GET /cards/{id}/timeline", level: read, handle: s.cardTimelineShow},
		// The command palette's results (Ctrl/⌘-K on every page).
		{pattern: "GET /palette", level: read, handle: s.paletteShow},
		{pattern: "GET /events", level: read, handle: s.eventList},
		{pattern: "GET /events/stream", level: read, kind: kindJSON, stream: true, handle: s.eventStream},
		{pattern: "GET /events/refused", level: read, handle: s.refusalList},
		{pattern: "GET /events/chart", level: read, handle: s.eventChartShow},
		{pattern: "GET /events/{id}", level: read, handle: s.eventShow},
		// Level 1: every person's own account.
		{pattern: "GET /account", level: read, handle: s.accountShow},
		{pattern: "GET /account/password", level: read, setup: true, handle: s.passwordEdit},
		{pattern: "POST /account/password", level: read, setup: true, handle: s.passwordUpdate},
		{pattern: "POST /account/sessions/{sid}/end", level: read, handle: s.sessionEnd},
		{pattern: "GET /account/2fa", level: read, setup: true, handle: s.twoFactorEnrolShow},
		{pattern: "GET /account/2fa/qr.png", level: read, setup: true, handle: s.twoFactorQRShow},
		{pattern: "POST /account/2fa", level: read, setup: true, handle: s.twoFactorEnrol},

		// Level 2: simulation.
		{pattern: "GET /simulate", level: operate, handle: s.simulateShow},
		{pattern: "GET /simulate/cards", level: operate, handle: s.simulateCardPicks},
		{pattern: "GET /simulate/wallets", level: operate, handle: s.simulateWalletPicks},
		{pattern: "GET /simulate/deliveries", level: operate, handle: s.simulateDeliveries},
		{pattern: "GET /simulate/deliveries/{oid}", level: operate, handle: s.simulateDeliveryShow},
		{pattern: "GET /simulate/bursts/{bid}", level: operate, handle: s.simulateBurstShow},
		{pattern: "POST /simulate/preview", level: operate, handle: s.simulatePreview},
		{pattern: "POST /simulate/send", level: operate, handle: s.simulateSend},
		{pattern: "POST /simulate/burst", level: operate, handle: s.simulateBurst},
		{pattern: "POST /simulate/bursts/{bid}/stop", level: operate, handle: s.simulateBurstStop},
		// The sandbox's actions (authorize, clearing, …); the mux prefers the
		// literal routes above over {action}.
		{pattern: "POST /simulate/{action}", level: operate, handle: s.simulateRun},
		{pattern: "POST /cards/{id}/simulate/{action}", level: operate, handle: s.cardSimulate},
		{pattern: "GET /cards/{id}/deliveries", level: operate, handle: s.cardDeliveriesShow},
		{pattern: "POST /events/{id}/replay", level: operate, handle: s.eventReplay},
		{pattern: "GET /events/{id}/replays/{oid}", level: operate, handle: s.eventReplayShow},

		// Level 3: admin.
		{pattern: "GET /audit", level: admin, handle: s.auditList},
		{pattern: "GET /settings/webhooks", level: admin, handle: s.webhookSettingsShow},
		{pattern: "POST /settings/webhooks/rotate", level: admin, handle: s.webhookSettingsRotate},
		{pattern: "POST /settings/webhooks/subscription/clear", level: admin, handle: s.webhookSubscriptionClear},
		{pattern: "GET /settings/users", level: admin, handle: s.userList},
		{pattern: "POST /settings/users", level: admin, handle: s.userCreate},
		{pattern: "POST /settings/users/{uid}/level", level: admin, handle: s.userLevelUpdate},
		{pattern: "POST /settings/users/{uid}/disable", level: admin, handle: s.userDisable},
		{pattern: "POST /settings/users/{uid}/enable", level: admin, handle: s.userEnable},
		{pattern: "POST /settings/users/{uid}/password-reset", level: admin, handle: s.userPasswordReset},
		{pattern: "POST /settings/users/{uid}/sessions/end", level: admin, handle: s.userSessionsEnd},
		{pattern: "POST /settings/users/{uid}/unlock", level: admin, handle: s.userUnlock},
		{pattern: "POST /cards/{id}/freeze", level: admin, handle: s.cardFreeze},
		{pattern: "POST /cards/{id}/unfreeze", level: admin, handle: s.cardUnfreeze},
		{pattern: "GET /cards/{id}/reissue", level: admin, handle: s.reissueStartShow},
		{pattern: "POST /cards/{id}/reissue", level: admin, handle: s.reissueStartSubmit},
		{pattern: "GET /reissues", level: admin, handle: s.reissueQueue},
		{pattern: "GET /reissues/{rid}", level: admin, handle: s.reissueShow},
		{pattern: "POST /reissues/{rid}/confirm", level: admin, handle: s.reissueConfirm},
		{pattern: "POST /reissues/{rid}/reject", level: admin, handle: s.reissueReject},
		{pattern: "GET /settings/api-keys", level: admin, handle: s.apikeyList},
		{pattern: "POST /settings/api-keys", level: admin, handle: s.apikeyCreate},
		{pattern: "POST /settings/api-keys/{id}/revoke", level: admin, handle: s.apikeyRevoke},

		// The request log of the provider API (level 2).
		{pattern: "GET /api-log", level: operate, handle: s.apilogList},
		{pattern: "GET /api-log/stream", level: operate, kind: kindJSON, stream: true, handle: s.apilogStream},
		{pattern: "GET /api-log/{id}", level: operate, handle: s.apilogShow},

		// The provider API under /api, guarded by x-api-key (kindAPI): the
		// level is the key's. Paths and semantics are the provider's.
		{pattern: "GET /api/openapi.json", level: public, kind: kindAPI, handle: s.apiOpenAPI},
		{pattern: "GET /api/cards/virtual-cards/list", level: read, kind: kindAPI, handle: s.apiCardList},
		{pattern: "GET /api/cards/virtual-cards/{cardId}", level: read, kind: kindAPI, handle: s.apiCardShow},
		{pattern: "GET /api/cards/transactions/{cardId}/search", level: read, kind: kindAPI, handle: s.apiTransactionSearch},
		{pattern: "GET /api/cards/transactions/{cardId}/{transactionId}", level: read, kind: kindAPI, handle: s.apiTransactionShow},
		{pattern: "POST /api/cards/webhook/simulate/authorize", level: operate, kind: kindAPI, handle: s.apiSimulateAuthorize},
		{pattern: "POST /api/cards/webhook/simulate/clearing", level: operate, kind: kindAPI, handle: s.apiSimulateClearing},
		{pattern: "POST /api/cards/webhook/simulate/refund", level: operate, kind: kindAPI, handle: s.apiSimulateRefund},
		{pattern: "POST /api/cards/webhook/simulate/reversal", level: operate, kind: kindAPI, handle: s.apiSimulateReversal},
		{pattern: "PUT /api/cards/virtual-cards/{cardId}/reissue", level: admin, kind: kindAPI, handle: s.apiCardReissue},
		{pattern: "PATCH /api/cards/virtual-cards/{cardId}/frozen", level: admin, kind: kindAPI, handle: s.apiCardFrozen},
		{pattern: "POST /api/management/companies/webhook/subscribe", level: admin, kind: kindAPI, handle: s.apiWebhookSubscribe},
		// Any other method or path under /api: 405 with Allow, or 404, in
		// the provider's format.
		{pattern: "/api", level: public, kind: kindAPI, handle: s.jsonFallback},
		{pattern: "/api/", level: public, kind: kindAPI, handle: s.jsonFallback},
	}
}

// mux registers the route table, each route behind its level guard, and
// remembers each pattern's level for allowed.
func (s *Server) mux() *http.ServeMux {
	mux := http.NewServeMux()
	s.levels = map[string]store.Level{}
	s.methods = newMethodIndex(s.routes())
	for _, rt := range s.routes() {
		if rt.kind == kindAPI {
			mux.Handle(rt.pattern, s.apiGuard(rt))
			s.levels[rt.pattern] = rt.level
			continue
		}
		mux.Handle(rt.pattern, s.guard(rt))
		s.levels[rt.pattern] = rt.level
	}
	mux.HandleFunc("/", s.unknownPath)
	return mux
}

// allowed reports whether the request's signed-in person may use the route
// with this pattern, as the route table says: views show an action only
// when it would be let through. An unknown pattern is never allowed.
func (s *Server) allowed(r *http.Request, pattern string) bool {
	level, ok := s.levels[pattern]
	p := currentPrincipal(r)
	return ok && p != nil && p.Level >= level
}

// methodIndex answers from the route table which methods a path takes: one
// mux per method, holding the routes of that method (the patterns only).
type methodIndex map[string]*http.ServeMux

func newMethodIndex(table []route) methodIndex {
	idx := methodIndex{}
	for _, rt := range table {
		method, _, ok := strings.Cut(rt.pattern, " ")
		if !ok {
			continue // a fallback of every method takes nothing itself
		}
		if idx[method] == nil {
			idx[method] = http.NewServeMux()
		}
		idx[method].Handle(rt.pattern, http.NotFoundHandler())
	}
	return idx
}

// allow lists, sorted, the methods the route table takes at r's path, HEAD
// with GET as the mux serves it; none for a path it does not know.
func (idx methodIndex) allow(r *http.Request) []string {
	var out []string
	for method, mux := range idx {
		probe := *r
		probe.Method = method
		if _, pattern := mux.Handler(&probe); pattern != "" {
			out = append(out, method)
			if method == http.MethodGet {
				out = append(out, http.MethodHead)
			}
		}
	}
	slices.Sort(out)
	return out
}

// jsonFallback answers what a JSON, machine or API path of the route table
// does not take: another method is 405 with Allow, a path the table does not
// know (under /api) 404, both as {"code","message","trace_id"}.
func (s *Server) jsonFallback(w http.ResponseWriter, r *http.Request) {
	allow := s.methods.allow(r)
	if len(allow) == 0 {
		s.jsonError(w, r, http.StatusNotFound, apiCodeNotFound, "Resource not found")
		return
	}
	w.Header().Set("Allow", strings.Join(allow, ", "))
	s.jsonError(w, r, http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED", "This path takes only "+strings.Join(allow, ", ")+".")
}
