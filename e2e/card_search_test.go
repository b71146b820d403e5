package e2e

import (
	"fmt"
	"testing"

	"github.com/mxschmitt/playwright-go"

	"cardops/store/storetest"
)

// addSearchCards seeds a small deterministic set: a few named holders and
// fillers, one with movements.
func addSearchCards(t *testing.T, c *console) string {
	t.Helper()
	jose := storetest.AddCard(t, c.Store, storetest.Card{ID: "5e7c1a00-0000-4000-8000-00000000e2e1", Holder: "José García Pérez",
		Email: "jose.garcia@example.com", DialCode: "+34", Phone: "612345678", Last4: "1111", FormerLast4: []string{"2222"},
		Movements: []storetest.Movement{
			{At: 1_700_000_100_000, Amount: 1250, Merchant: "Café Central"},
			{At: 1_700_000_200_000, Amount: 99_900, Merchant: "Big Store", Status: "FAILED", DeclineCode: "51", DeclineText: "Insufficient funds"},
		}})
	storetest.AddCard(t, c.Store, storetest.Card{Holder: "Anna Müller", Last4: "3333"})
	// The fillers' last 4 are fixed too: a random one would now and then be
	// a last 4 the tests search for (1111, 2222) and add a row.
	for i := range 10 {
		storetest.AddCard(t, c.Store, storetest.Card{Holder: fmt.Sprintf("Filler Person %02d", i), Last4: fmt.Sprintf("90%02d", i)})
	}
	return jose
}

// TestCardSearchJourney: a support person types part of a name, sees the
// card appear, opens it and reads its movements; then a colleague pastes
// the shared search URL and sees the same results.
func TestCardSearchJourney(t *testing.T) {
	c := startConsole(t)
	jose := addSearchCards(t, c)
	page := newPage(t)
	signIn(t, page, c.URL, "viewer")

	// Signing in lands on the card search.
	must(t, expect.Page(page).ToHaveURL(c.URL+"/cards"))
	box := page.GetByRole("searchbox", playwright.PageGetByRoleOptions{Name: "Search cards"})
	results := page.GetByTestId("card-results")

	// Type part of the name, without its accent, as a person would.
	must(t, box.PressSequentially("garc", playwright.LocatorPressSequentiallyOptions{Delay: playwright.Float(40)}))
	row := results.Locator("tbody tr")
	must(t, expect.Locator(row).ToHaveCount(1))
	must(t, expect.Locator(row.First()).ToContainText("José García Pérez"))
	must(t, expect.Locator(row.First().Locator("mark").First()).ToHaveText("Garc"))
	// The URL follows the box, so it can be shared.
	must(t, expect.Page(page).ToHaveURL(c.URL+"/cards?q=garc"))
	shared := page.URL()

	// Open the card and read its movements.
	must(t, row.First().GetByRole("link", playwright.LocatorGetByRoleOptions{Name: "José García Pérez"}).Click())
	must(t, expect.Page(page).ToHaveURL(c.URL+"/cards/"+jose))
	must(t, expect.Locator(page.GetByTestId("card-pan")).ToHaveText("•••• •••• •••• 1111"))
	movements := page.GetByTestId("card-movements")
	must(t, expect.Locator(movements.Locator("tbody tr")).ToHaveCount(2))
	must(t, expect.Locator(movements).ToContainText("Café Central"))
	must(t, expect.Locator(movements).ToContainText("Insufficient funds"))

	// Back to the results with the browser's back button.
	if _, err := page.GoBack(); err != nil {
		t.Fatal(err)
	}
	must(t, expect.Locator(page.GetByTestId("card-results").Locator("tbody tr")).ToHaveCount(1))

	// A colleague pastes the shared link in a fresh session.
	other := newPage(t)
	signIn(t, other, c.URL, "viewer")
	if _, err := other.Goto(shared); err != nil {
		t.Fatal(err)
	}
	must(t, expect.Locator(other.GetByRole("searchbox", playwright.PageGetByRoleOptions{Name: "Search cards"})).ToHaveValue("garc"))
	otherRows := other.GetByTestId("card-results").Locator("tbody tr")
	must(t, expect.Locator(otherRows).ToHaveCount(1))
	must(t, expect.Locator(otherRows.First()).ToContainText("José García Pérez"))

	// A former last 4 finds the card too, and says so.
	otherBox := other.GetByRole("searchbox", playwright.PageGetByRoleOptions{Name: "Search cards"})
	must(t, otherBox.Fill("2222"))
	must(t, expect.Page(other).ToHaveURL(c.URL+"/cards?q=2222"))
	must(t, expect.Locator(otherRows.First()).ToContainText("former 2222"))
}

// TestCardSearchArrowKeys: from the search box ↓ moves through every
// result, not only to the first, and ↑ from the first goes back to the box.
func TestCardSearchArrowKeys(t *testing.T) {
	c := startConsole(t)
	addSearchCards(t, c)
	page := newPage(t)
	signIn(t, page, c.URL, "viewer")
	if _, err := page.Goto(c.URL + "/cards?q=filler"); err != nil {
		t.Fatal(err)
	}
	links := page.GetByTestId("card-results").Locator("tbody tr td:first-child a")
	must(t, expect.Locator(links).ToHaveCount(10))
	keysReady(t, page)
	box := page.GetByRole("searchbox", playwright.PageGetByRoleOptions{Name: "Search cards"})
	must(t, box.Focus())
	for i := range 3 {
		must(t, page.Keyboard().Press("ArrowDown"))
		must(t, expect.Locator(links.Nth(i)).ToBeFocused())
	}
	for i := 1; i >= 0; i-- {
		must(t, page.Keyboard().Press("ArrowUp"))
		must(t, expect.Locator(links.Nth(i)).ToBeFocused())
	}
	must(t, page.Keyboard().Press("ArrowUp"))
	must(t, expect.Locator(box).ToBeFocused())
}
