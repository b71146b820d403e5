package e2e

import (
	"regexp"
	"strings"
	"testing"

	"github.com/mxschmitt/playwright-go"

	"cardops/store"
	"cardops/store/storetest"
)

// TestCardSearchByFullNumberJourney: a support person types a customer's
// full card number into the search box and lands on the card; the number
// never reaches the address bar.
func TestCardSearchByFullNumberJourney(t *testing.T) {
	c := startConsole(t)
	pan := store.NewPAN("555555", func(int) string { return "123456789" })
	id := storetest.AddCard(t, c.Store, storetest.Card{Holder: "Siobhán O'Connor", PAN: pan})
	addSearchCards(t, c)
	page := newPage(t)
	signIn(t, page, c.URL, "viewer")
	box := page.GetByRole("searchbox", playwright.PageGetByRoleOptions{Name: "Search cards"})

	typed := pan[:4] + " " + pan[4:8] + " " + pan[8:12] + " " + pan[12:]
	must(t, box.PressSequentially(typed, playwright.LocatorPressSequentiallyOptions{Delay: playwright.Float(30)}))
	must(t, expect.Page(page).ToHaveURL(c.URL+"/cards/"+id))
	must(t, expect.Locator(page.GetByTestId("card-pan")).ToHaveText("•••• •••• •••• "+pan[12:]))
	if strings.Contains(page.URL(), pan[6:12]) {
		t.Errorf("the address %s holds the number's middle digits", page.URL())
	}

	// Back on the search, the name without its apostrophe finds her.
	if _, err := page.Goto(c.URL + "/cards"); err != nil {
		t.Fatal(err)
	}
	must(t, box.PressSequentially("oconnor", playwright.LocatorPressSequentiallyOptions{Delay: playwright.Float(30)}))
	must(t, expect.Locator(page.GetByTestId("card-results").Locator("tbody tr")).ToHaveCount(1))
	must(t, expect.Locator(page.GetByTestId("card-results")).ToContainText("Siobhán O'Connor"))
}

// TestSimulateFormClearsErrorsAndChoosesAuthorization: QA presses Authorize
// with no amount and sees why beside the field; types one and the error
// goes; authorizes again, picks the older authorization and clears it.
func TestSimulateFormClearsErrorsAndChoosesAuthorization(t *testing.T) {
	c := startSimConsole(t)
	page := newPage(t)
	signIn(t, page, c.URL, "operator")
	if _, err := page.Goto(c.URL + "/simulate?card=" + e2eCardID); err != nil {
		t.Fatal(err)
	}
	authorize := page.GetByRole("button", playwright.PageGetByRoleOptions{Name: "Authorize", Exact: playwright.Bool(true)})
	amount := page.GetByLabel("Amount (USD)")
	fieldErrors := page.Locator("#sim-action .field-error")

	must(t, authorize.Click())
	must(t, expect.Locator(fieldErrors).ToHaveText("Enter an amount, e.g. 12.34."))
	must(t, amount.Fill("10"))
	must(t, authorize.Click())
	must(t, expect.Locator(page.GetByTestId("sim-result")).ToContainText("Authorized 10.00 USD"))
	must(t, expect.Locator(fieldErrors).ToHaveCount(0))

	must(t, amount.Fill("20"))
	must(t, authorize.Click())
	must(t, expect.Locator(page.GetByTestId("sim-result")).ToContainText("Authorized 20.00 USD"))
	choice := page.GetByLabel("Authorization to clear or reverse")
	must(t, expect.Locator(choice.Locator("option")).ToHaveCount(2))
	// The newest is chosen; pick the older one.
	must(t, expect.Locator(choice.Locator("option").First()).ToContainText("20.00 USD"))
	_, err := choice.SelectOption(playwright.SelectOptionValues{Indexes: &[]int{1}})
	must(t, err)
	must(t, page.GetByRole("button", playwright.PageGetByRoleOptions{Name: "Clearing", Exact: playwright.Bool(true)}).Click())
	must(t, expect.Locator(page.GetByTestId("sim-result")).ToContainText("Cleared 10.00 USD"))
	must(t, expect.Locator(choice.Locator("option")).ToHaveCount(1))
	must(t, expect.Locator(choice.Locator("option")).ToContainText("20.00 USD"))
}

// TestWebhookSettingsRevealAndConfirmedCut: an admin sees the key masked,
// reveals it, and must confirm a rotation that cuts the old pair off.
func TestWebhookSettingsRevealAndConfirmedCut(t *testing.T) {
	c := startConsole(t)
	page := newPage(t)
	signIn(t, page, c.URL, "admin")
	if _, err := page.Goto(c.URL + "/settings/webhooks"); err != nil {
		t.Fatal(err)
	}
	key := page.GetByTestId("webhook-key")
	must(t, expect.Locator(key).ToBeHidden())
	must(t, expect.Locator(page.GetByTestId("webhook-key-masked")).ToContainText("whk_••••••••"))
	// copy.js shows the copy buttons once it runs.
	must(t, expect.Locator(page.Locator(`[data-copy="webhook-key"]`)).ToBeVisible())
	must(t, page.Locator("details.reveal summary").First().Click())
	must(t, expect.Locator(key).ToBeVisible())
	must(t, expect.Locator(key).ToHaveText(regexp.MustCompile(`^whk_\S{20,}$`)))
	before, err := key.TextContent()
	must(t, err)

	_, err = page.GetByLabel("Keep the previous key and secret working for").SelectOption(playwright.SelectOptionValues{Values: &[]string{"0s"}})
	must(t, err)
	rotate := page.GetByRole("button", playwright.PageGetByRoleOptions{Name: "Rotate key and secret"})
	must(t, rotate.Click())
	must(t, expect.Locator(page.Locator("form .field-error")).ToContainText("old key"))
	must(t, page.GetByTestId("confirm-cut").Check())
	must(t, rotate.Click())
	must(t, expect.Locator(page.GetByRole("status")).ToContainText("stopped working at once"))
	after, err := page.GetByTestId("webhook-key").TextContent()
	must(t, err)
	if after == before {
		t.Errorf("key unchanged after a confirmed rotation")
	}
}
