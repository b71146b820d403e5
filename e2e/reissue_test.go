package e2e

import (
	"context"
	"net/http"
	"regexp"
	"testing"

	"github.com/mxschmitt/playwright-go"

	"cardops/store"
	"cardops/store/storetest"
)

// addCard inserts an ACTIVE card with its current number and returns its id
// and last 4.
func addCard(t *testing.T, st *store.Store) (string, string) {
	t.Helper()
	pan, err := store.RandomPAN("437551")
	if err != nil {
		t.Fatal(err)
	}
	id := storetest.AddCard(t, st, storetest.Card{ID: "7d0c5a52-1f7e-4c1a-9d36-3c2f9b8e1a01", Holder: "Maria Souza",
		PAN: pan, Approval: "TOP_UP", Balance: 250000})
	return id, pan[12:]
}

// TestReissueJourney: an admin reads the warning, picks a reason, mistypes
// the last 4, then confirms and sees the new number.
func TestReissueJourney(t *testing.T) {
	c := startConsole(t)
	cardID, last4 := addCard(t, c.Store)
	page := newPage(t)
	signIn(t, page, c.URL, "admin")
	must(t, expect.Locator(page.Locator("nav.nav").GetByRole("link", playwright.LocatorGetByRoleOptions{Name: "Reissues", Exact: playwright.Bool(true)})).ToBeVisible())

	// From the card page, as an admin would.
	if _, err := page.Goto(c.URL + "/cards/" + cardID); err != nil {
		t.Fatal(err)
	}
	must(t, page.GetByRole("link", playwright.PageGetByRoleOptions{Name: "Reissue card"}).Click())
	must(t, expect.Page(page).ToHaveURL(c.URL+"/cards/"+cardID+"/reissue"))
	must(t, expect.Locator(page.Locator(".warning-box")).ToContainText("This cannot be undone"))
	must(t, expect.Locator(page.GetByTestId("current-number")).ToHaveText("•••• •••• •••• "+last4))
	must(t, page.GetByLabel("Suspected fraud").Check())
	must(t, page.GetByRole("button", playwright.PageGetByRoleOptions{Name: "Continue to step 2"}).Click())

	must(t, expect.Page(page).ToHaveURL(regexp.MustCompile(`/reissues/[0-9a-f]{32}$`)))
	must(t, expect.Locator(page.GetByTestId("reissue-reason")).ToHaveText("Suspected fraud"))
	wrong := "0000"
	if last4 == wrong {
		wrong = "1111"
	}
	must(t, page.GetByLabel("Last 4 digits").Fill(wrong))
	must(t, page.GetByLabel("Your password").Fill(e2ePassword))
	must(t, page.GetByRole("button", playwright.PageGetByRoleOptions{Name: "Reissue the card now"}).Click())
	must(t, expect.Locator(page.GetByText("That is not the last 4 of the card's current number.")).ToBeVisible())
	must(t, expect.Locator(page.GetByTestId("confirm-error")).ToContainText("4 of 5 tries left"))

	must(t, page.GetByLabel("Last 4 digits").Fill(last4))
	must(t, page.GetByLabel("Your password").Fill(e2ePassword))
	must(t, page.GetByRole("button", playwright.PageGetByRoleOptions{Name: "Reissue the card now"}).Click())
	must(t, expect.Locator(page.GetByTestId("reissue-result")).ToContainText("The card was reissued"))

	card, err := c.Store.ReissueCard(context.Background(), cardID)
	if err != nil {
		t.Fatal(err)
	}
	if card.Last4 == last4 {
		t.Fatalf("last 4 unchanged after the reissue")
	}
	must(t, expect.Locator(page.GetByTestId("new-number")).ToHaveText("•••• •••• •••• "+card.Last4))

	// Back to the wrong-last-4 form and reload it: the browser posts the
	// form again. Nothing more happens, and the page says why.
	if _, err := page.GoBack(); err != nil {
		t.Fatal(err)
	}
	if _, err := page.Reload(); err != nil {
		t.Fatal(err)
	}
	must(t, expect.Locator(page.GetByRole("heading", playwright.PageGetByRoleOptions{Name: "Already reissued"})).ToBeVisible())
	must(t, expect.Locator(page.GetByRole("alert")).ToContainText("•••• •••• •••• "+card.Last4))
	must(t, expect.Locator(page.GetByRole("link", playwright.PageGetByRoleOptions{Name: "Open the card"})).ToHaveAttribute("href", "/cards/"+cardID))
	again, err := c.Store.ReissueCard(context.Background(), cardID)
	if err != nil {
		t.Fatal(err)
	}
	if again != card {
		t.Errorf("the replayed form changed the card: %+v -> %+v", card, again)
	}

	// The request page itself now shows the outcome, not the form.
	if _, err := page.Goto(page.URL()[:len(page.URL())-len("/confirm")]); err != nil {
		t.Fatal(err)
	}
	must(t, expect.Locator(page.GetByTestId("new-number")).ToHaveText("•••• •••• •••• "+card.Last4))
	must(t, expect.Locator(page.GetByLabel("Last 4 digits")).ToHaveCount(0))

	// The card page shows the new number, and both numbers in its history.
	if _, err := page.Goto(c.URL + "/cards/" + cardID); err != nil {
		t.Fatal(err)
	}
	must(t, expect.Locator(page.GetByTestId("card-pan")).ToHaveText("•••• •••• •••• "+card.Last4))
	history := page.GetByTestId("card-numbers")
	must(t, expect.Locator(history).ToContainText(last4))
	must(t, expect.Locator(history).ToContainText(card.Last4))
	// Support still finds the card by its old last 4.
	if _, err := page.Goto(c.URL + "/cards?q=" + last4); err != nil {
		t.Fatal(err)
	}
	must(t, expect.Locator(page.GetByRole("link", playwright.PageGetByRoleOptions{Name: "Maria Souza"})).ToBeVisible())
}

// TestReissueViewerRefused: a level-1 user sees no reissue action and gets
// 403 on the URL.
func TestReissueViewerRefused(t *testing.T) {
	c := startConsole(t)
	cardID, _ := addCard(t, c.Store)
	page := newPage(t)
	signIn(t, page, c.URL, "viewer")
	must(t, expect.Locator(page.Locator("nav.nav").GetByRole("link", playwright.LocatorGetByRoleOptions{Name: "Reissues"})).ToHaveCount(0))
	if _, err := page.Goto(c.URL + "/cards/" + cardID); err != nil {
		t.Fatal(err)
	}
	must(t, expect.Locator(page.GetByTestId("card-pan")).ToBeVisible())
	must(t, expect.Locator(page.GetByRole("link", playwright.PageGetByRoleOptions{Name: "Reissue card"})).ToHaveCount(0))
	resp, err := page.Goto(c.URL + "/cards/" + cardID + "/reissue")
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status() != http.StatusForbidden {
		t.Errorf("status = %d, want 403", resp.Status())
	}
	must(t, expect.Locator(page.GetByRole("heading", playwright.PageGetByRoleOptions{Name: "Not allowed"})).ToBeVisible())
	must(t, expect.Locator(page.GetByRole("button", playwright.PageGetByRoleOptions{Name: "Continue to step 2"})).ToHaveCount(0))
}
