package web

import (
	"net/http"
	"testing"

	"cardops/store"
	"cardops/store/storetest"
)

const tlCard = "7d0c1a52-5b2e-4a51-9f3e-1c2d3e4f5a6b"

func addTimelineCard(t *testing.T, e *testEnv) {
	t.Helper()
	storetest.AddCard(t, e.store, storetest.Card{ID: tlCard, Holder: "Tia Line", Last4: "4321", Movements: []storetest.Movement{
		{ID: "auth-a", At: 1_790_000_001_000, Amount: 1250, Merchant: "Corner Coffee", NewBalance: 8750},
		{ID: "clear-a", At: 1_790_000_005_000, Operation: "CLEARING", ParentID: "auth-a", Amount: 1250, NewBalance: 8750},
		{ID: "auth-b", At: 1_790_000_007_000, Status: "FAILED", Amount: 99900, DeclineCode: "51"},
	}})
}

func TestCardTimelineShow(t *testing.T) {
	for _, sc := range []scenario{
		{name: "the card page opens on its timeline, the tables below", method: http.MethodGet, url: "/cards/" + tlCard, as: store.LevelReadOnly,
			wantStatus: http.StatusOK,
			wantContains: []string{`id="card-timeline"`, `hx-get="/cards/` + tlCard + `/timeline"`, `id="tl-movement-auth-a"`,
				`id="tl-movement-clear-a"`, "Insufficient funds (code 51)", `aria-label="Authorization"`, `id="tables"`,
				`id="card-movements"`, `id="card-audit"`,
				`href="/cards/` + tlCard + `?at=movement-clear-a#tl-movement-clear-a"`}},
		{name: "a chip filters by kind", method: http.MethodGet, url: "/cards/" + tlCard + "?kind=status", as: store.LevelReadOnly,
			wantStatus: http.StatusOK, wantContains: []string{"Nothing of this kind on this card", "Show every kind", `class="chip on" aria-current`},
			wantNotContains: []string{`id="tl-movement-auth-a"`}},
		{name: "at= opens the authorization holding the clearing", method: http.MethodGet, url: "/cards/" + tlCard + "?at=movement-clear-a", as: store.LevelReadOnly,
			wantStatus: http.StatusOK, wantContains: []string{`class="tl-entry tl-movement tl-at" data-key="movement-auth-a" aria-current`,
				`<details open data-testid="tl-movement">`, "← Newest"},
			wantNotContains: []string{`id="tl-movement-auth-b"`}},
		{name: "at= of an unknown entry", method: http.MethodGet, url: "/cards/" + tlCard + "?at=movement-nope", as: store.LevelReadOnly,
			wantStatus: http.StatusNotFound, wantContains: []string{"Entry not found"}},
		{name: "the fragment at= an unknown entry", method: http.MethodGet, url: "/cards/" + tlCard + "/timeline?at=status-99", as: store.LevelReadOnly,
			wantStatus: http.StatusNotFound, wantContains: []string{"Entry not found", `no entry &#34;status-99&#34;`}},
		{name: "bad kind", method: http.MethodGet, url: "/cards/" + tlCard + "?kind=everything", as: store.LevelReadOnly,
			wantStatus: http.StatusBadRequest, wantContains: []string{"Bad timeline link"}},
		{name: "bad cursor", method: http.MethodGet, url: "/cards/" + tlCard + "/timeline?tl=1.x.2", as: store.LevelReadOnly,
			wantStatus: http.StatusBadRequest, wantContains: []string{"Bad timeline link"}},
		{name: "an older page stays still", method: http.MethodGet, url: "/cards/" + tlCard + "/timeline?tl=1790000007000.movement.auth-b", as: store.LevelReadOnly,
			wantStatus: http.StatusOK, wantContains: []string{`id="tl-movement-auth-a"`},
			wantNotContains: []string{`id="tl-movement-auth-b"`, "hx-get"}},
		{name: "the fragment", method: http.MethodGet, url: "/cards/" + tlCard + "/timeline?kind=movement", as: store.LevelReadOnly,
			wantStatus: http.StatusOK, wantContains: []string{`hx-get="/cards/` + tlCard + `/timeline?kind=movement"`, `id="tl-movement-auth-b"`},
			wantNotContains: []string{"<html"}},
		{name: "anonymous", method: http.MethodGet, url: "/cards/" + tlCard + "/timeline", wantStatus: http.StatusSeeOther,
			wantHeaders: map[string]string{"Location": "/login?next=%2Fcards%2F" + tlCard + "%2Ftimeline"}},
	} {
		t.Run(sc.name, func(t *testing.T) {
			e := newTestEnv(t)
			addTimelineCard(t, e)
			sc.run(t, e)
		})
	}
}
