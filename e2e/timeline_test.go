package e2e

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/mxschmitt/playwright-go"

	"cardops/store"
	"cardops/store/storetest"
)

// simulateAuthClearing has an operator authorize 12.34 USD on the e2e card
// and clear it, from the card page, as QA does.
func simulateAuthClearing(t *testing.T, c *console) {
	t.Helper()
	op := newPage(t)
	signIn(t, op, c.URL, "operator")
	if _, err := op.Goto(c.URL + "/cards/" + e2eCardID); err != nil {
		t.Fatal(err)
	}
	panel := op.Locator("#card-simulate")
	must(t, panel.GetByLabel("Amount (USD)").Fill("12.34"))
	must(t, panel.GetByRole("button", playwright.LocatorGetByRoleOptions{Name: "Authorize", Exact: playwright.Bool(true)}).Click())
	must(t, expect.Locator(op.Locator("#card-sim-result")).ToContainText("Authorized 12.34 USD"))
	must(t, panel.GetByRole("button", playwright.LocatorGetByRoleOptions{Name: "Clearing", Exact: playwright.Bool(true)}).Click())
	must(t, expect.Locator(op.Locator("#card-sim-result")).ToContainText("Cleared 12.34 USD"))
}

// keysReady waits until static/keys.js has set up the page's shortcuts. It
// marks the body on DOMContentLoaded after htmx, loaded before it, has
// processed the page, so a field filled after it triggers its htmx request
// (filled before, its input event can go unheard).
func keysReady(t *testing.T, page playwright.Page) {
	t.Helper()
	must(t, expect.Locator(page.Locator(`body[data-keys="ready"]`)).ToHaveCount(1))
}

// TestSupportAgentFindsAuthorizationByKeyboard: a support agent presses /,
// types a last 4, arrows down to the card, opens it, and on its timeline
// opens the authorization to see its clearing.
func TestSupportAgentFindsAuthorizationByKeyboard(t *testing.T) {
	c := startSimConsole(t)
	simulateAuthClearing(t, c)

	page := newPage(t)
	signIn(t, page, c.URL, "viewer")
	if _, err := page.Goto(c.URL + "/events"); err != nil {
		t.Fatal(err)
	}
	keysReady(t, page)
	must(t, page.Keyboard().Press("/"))
	top := page.GetByRole("searchbox", playwright.PageGetByRoleOptions{Name: "Quick card search"})
	must(t, expect.Locator(top).ToBeFocused())
	must(t, page.Keyboard().Type("4242"))
	must(t, page.Keyboard().Press("Enter"))
	// The card search opens on the results, its box focused.
	row := page.GetByTestId("card-results").Locator("tbody tr")
	must(t, expect.Locator(row).ToHaveCount(1))
	keysReady(t, page)
	must(t, expect.Locator(page.GetByRole("searchbox", playwright.PageGetByRoleOptions{Name: "Search cards"})).ToBeFocused())
	must(t, page.Keyboard().Press("ArrowDown"))
	link := row.First().GetByRole("link", playwright.LocatorGetByRoleOptions{Name: "Ana Browser"})
	must(t, expect.Locator(link).ToBeFocused())
	must(t, page.Keyboard().Press("Enter"))
	must(t, expect.Page(page).ToHaveURL(c.URL+"/cards/"+e2eCardID))

	timeline := page.GetByTestId("card-timeline")
	auth := timeline.GetByTestId("tl-movement").Filter(playwright.LocatorFilterOptions{HasText: "AUTHORIZATION"})
	must(t, expect.Locator(auth).ToHaveCount(1))
	// The clearing is inside the authorization's line, folded.
	follower := auth.GetByTestId("tl-follower")
	must(t, expect.Locator(follower).ToBeHidden())
	must(t, auth.Locator("summary").Focus())
	must(t, page.Keyboard().Press("Enter"))
	must(t, expect.Locator(follower).ToBeVisible())
	must(t, expect.Locator(follower).ToContainText("CLEARING"))
	must(t, expect.Locator(auth.GetByTestId("tl-detail")).ToContainText("12.34 USD"))

	// A new authorization arrives live on top; the open line stays open.
	must(t, expect.Locator(page.Locator(`#card-live[data-stream="open"]`)).ToHaveCount(1))
	op := newPage(t)
	signIn(t, op, c.URL, "operator")
	if _, err := op.Goto(c.URL + "/cards/" + e2eCardID); err != nil {
		t.Fatal(err)
	}
	panel := op.Locator("#card-simulate")
	must(t, panel.GetByLabel("Amount (USD)").Fill("1.00"))
	must(t, panel.GetByRole("button", playwright.LocatorGetByRoleOptions{Name: "Authorize", Exact: playwright.Bool(true)}).Click())
	must(t, expect.Locator(op.Locator("#card-sim-result")).ToContainText("Authorized 1.00 USD"))
	lines := timeline.GetByTestId("tl-movement")
	must(t, expect.Locator(lines).ToHaveCount(2))
	must(t, expect.Locator(lines.First()).ToContainText("1.00 USD"))
	must(t, expect.Locator(follower).ToBeVisible())
}

// TestPaletteFindsEventByOperationID: Ctrl-K, the start of an operation id,
// Enter: the event's page.
func TestPaletteFindsEventByOperationID(t *testing.T) {
	c := startSimConsole(t)
	simulateAuthClearing(t, c)
	// The dispatcher stores the clearing's notification just after the
	// operator's page says "Cleared"; the store is read until both are in.
	var evs []store.Event
	for deadline := time.Now().Add(10 * time.Second); len(evs) < 2; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d notifications stored after 10 s, want 2", len(evs))
		}
		var err error
		if evs, err = c.Store.Events(context.Background(), store.EventFilter{Operation: "CARDS"}); err != nil {
			t.Fatal(err)
		}
	}
	ev := evs[0]

	page := newPage(t)
	signIn(t, page, c.URL, "viewer")
	keysReady(t, page)
	must(t, page.Keyboard().Press("Control+k"))
	box := page.GetByRole("searchbox", playwright.PageGetByRoleOptions{Name: "Palette: cards, events by operation id, API calls by trace id, pages"})
	must(t, expect.Locator(box).ToBeFocused())
	must(t, page.Keyboard().Type(ev.OperationID[:8]))
	hit := page.GetByTestId("palette-event")
	must(t, expect.Locator(hit).ToHaveCount(1))
	must(t, expect.Locator(hit).ToContainText(ev.OperationID))
	must(t, page.Keyboard().Press("ArrowDown"))
	must(t, expect.Locator(hit).ToBeFocused())
	must(t, page.Keyboard().Press("Enter"))
	must(t, expect.Page(page).ToHaveURL(c.URL+"/events/"+strconv.FormatInt(ev.ID, 10)))

	// A viewer's palette offers no page above their level; Esc closes it.
	keysReady(t, page)
	must(t, page.Keyboard().Press("Control+k"))
	must(t, expect.Locator(page.GetByTestId("palette-page").First()).ToBeVisible())
	must(t, expect.Locator(page.GetByTestId("palette-page").Filter(playwright.LocatorFilterOptions{HasText: "Audit"})).ToHaveCount(0))
	must(t, page.Keyboard().Press("Escape"))
	must(t, expect.Locator(page.Locator("#palette")).ToBeHidden())
	// ? is a shortcut only outside a text field (in one it types a "?"):
	// the person clicks the page first, wherever the closed palette left
	// the focus.
	must(t, page.Locator("h1").First().Click())
	must(t, page.Keyboard().Press("?"))
	must(t, expect.Locator(page.GetByTestId("shortcuts")).ToBeVisible())
}

// TestPhoneCardListShowsLast4: at 390 px wide the card list shows each
// card's last 4 and status without scrolling sideways.
func TestPhoneCardListShowsLast4(t *testing.T) {
	c := startConsole(t)
	addSearchCards(t, c)
	page := newPage(t)
	must(t, page.SetViewportSize(390, 844))
	signIn(t, page, c.URL, "admin")
	if _, err := page.Goto(c.URL + "/cards?q=1111"); err != nil {
		t.Fatal(err)
	}
	row := page.GetByTestId("card-results").Locator("tbody tr").First()
	must(t, expect.Locator(row.Locator("td.pan")).ToContainText("1111"))
	must(t, expect.Locator(row.Locator("td.pan")).ToBeInViewport(playwright.LocatorAssertionsToBeInViewportOptions{Ratio: playwright.Float(1)}))
	must(t, expect.Locator(row.Locator(".badge")).ToBeInViewport(playwright.LocatorAssertionsToBeInViewportOptions{Ratio: playwright.Float(1)}))
	wide, err := page.Evaluate(`() => document.documentElement.scrollWidth > document.documentElement.clientWidth`)
	must(t, err)
	if wide != false {
		t.Errorf("the card list scrolls sideways at 390 px")
	}
	// The top bar stays one row.
	h, err := page.Evaluate(`() => document.querySelector(".topbar").getBoundingClientRect().height`)
	must(t, err)
	if f, _ := h.(float64); f > 60 {
		t.Errorf("top bar is %v px high at 390 px, want one row", h)
	}

	// The event log shows its rows first; the filters fold below them.
	if _, err := page.Goto(c.URL + "/events"); err != nil {
		t.Fatal(err)
	}
	keysReady(t, page)
	fold := page.Locator("details.filters-fold")
	must(t, expect.Locator(fold).Not().ToHaveAttribute("open", ""))
	below, err := page.Evaluate(`() => document.querySelector("details.filters-fold").getBoundingClientRect().top >
		document.querySelector("#event-rows").getBoundingClientRect().top`)
	must(t, err)
	if below != true {
		t.Errorf("the event log's filters come before its rows at 390 px")
	}
	must(t, fold.Locator("summary").Click())
	must(t, expect.Locator(page.Locator("#event-q")).ToBeVisible())
}

// TestFormsFocusFirstField: the reissue steps and the freeze form open with
// the focus on their first field; the skip link leads to the main content.
func TestFormsFocusFirstField(t *testing.T) {
	c := startConsole(t)
	cardID, _ := addCard(t, c.Store)
	page := newPage(t)
	signIn(t, page, c.URL, "admin")

	if _, err := page.Goto(c.URL + "/cards/" + cardID); err != nil {
		t.Fatal(err)
	}
	keysReady(t, page)
	must(t, page.Keyboard().Press("Tab"))
	skip := page.GetByRole("link", playwright.PageGetByRoleOptions{Name: "Skip to main content"})
	must(t, expect.Locator(skip).ToBeFocused())
	must(t, page.Keyboard().Press("Enter"))
	must(t, expect.Locator(page.Locator("main#main")).ToBeFocused())

	must(t, page.GetByText("Freeze card…").Click())
	must(t, expect.Locator(page.GetByTestId("freeze-form").GetByLabel("Reason")).ToBeFocused())

	must(t, page.GetByRole("link", playwright.PageGetByRoleOptions{Name: "Reissue card"}).Click())
	must(t, expect.Locator(page.GetByLabel("Lost")).ToBeFocused())
	must(t, page.GetByLabel("Suspected fraud").Check())
	must(t, page.GetByRole("button", playwright.PageGetByRoleOptions{Name: "Continue to step 2"}).Click())
	must(t, expect.Locator(page.GetByLabel("Last 4 digits")).ToBeFocused())
}

// TestDesktopPanelsDoNotClip: at 1440 px no panel or table scrolls or
// clips its content, and holder names stay on one line.
func TestDesktopPanelsDoNotClip(t *testing.T) {
	c := startSimConsole(t)
	simulateAuthClearing(t, c)
	storetest.AddTokenization(t, c.Store, e2eCardID, storetest.Tokenization{ID: "tok-1", Provider: "GOOGLE_PAY", Device: "Pixel 8 Pro of Ana Browser"})
	page := newPage(t)
	must(t, page.SetViewportSize(1440, 900))
	signIn(t, page, c.URL, "admin")
	for _, path := range []string{"/cards/" + e2eCardID, "/cards?q=4242", "/events", "/simulate?card=" + e2eCardID, "/audit", "/settings/users", "/account"} {
		if _, err := page.Goto(c.URL + path); err != nil {
			t.Fatal(err)
		}
		keysReady(t, page)
		// Open every fold, so what it holds is measured too.
		_, err := page.Evaluate(`() => document.querySelectorAll("main details").forEach(d => d.open = true)`)
		must(t, err)
		clipped, err := page.Evaluate(`() => Array.from(document.querySelectorAll("main .panel, main table.data, main section"))
			.filter(el => el.scrollWidth > el.clientWidth + 1)
			.map(el => el.tagName + "#" + el.id + "." + el.className)`)
		must(t, err)
		if l, _ := clipped.([]any); len(l) > 0 {
			t.Errorf("%s at 1440 px: clipped or scrolling: %v", path, l)
		}
	}
	if _, err := page.Goto(c.URL + "/cards/" + e2eCardID); err != nil {
		t.Fatal(err)
	}
	// The line boxes of the holder's name in the summary.
	h, err := page.Evaluate(`() => { const r = document.createRange(); r.selectNodeContents(document.querySelector(".summary-grid dd")); return r.getClientRects().length }`)
	must(t, err)
	if h != 1 {
		t.Errorf("the holder's name wraps at 1440 px (%v lines)", h)
	}
}

// TestAdminTopBarOneRowOnALaptop: at 1280 px an admin's top bar is one row;
// the settings pages sit under one Settings entry, with their own list.
func TestAdminTopBarOneRowOnALaptop(t *testing.T) {
	c := startSimConsole(t)
	page := newPage(t)
	must(t, page.SetViewportSize(1280, 800))
	signIn(t, page, c.URL, "admin")
	h, err := page.Evaluate(`() => document.querySelector(".topbar").getBoundingClientRect().height`)
	must(t, err)
	if f, _ := h.(float64); f > 60 {
		t.Errorf("an admin's top bar is %v px high at 1280 px, want one row", h)
	}
	must(t, page.GetByRole("link", playwright.PageGetByRoleOptions{Name: "Settings", Exact: playwright.Bool(true)}).Click())
	settings := page.GetByTestId("settings-nav")
	must(t, expect.Locator(settings.Locator("a")).ToHaveText([]string{"Webhooks", "Users", "API keys"}))
	must(t, expect.Locator(settings.Locator("[aria-current=page]")).ToHaveText("Webhooks"))
	must(t, settings.GetByRole("link", playwright.LocatorGetByRoleOptions{Name: "Users"}).Click())
	must(t, expect.Page(page).ToHaveURL(c.URL+"/settings/users"))
	must(t, expect.Locator(page.Locator("nav[aria-label=Main] [aria-current=page]")).ToHaveText("Settings"))
}
