package e2e

import (
	"regexp"
	"testing"

	"github.com/mxschmitt/playwright-go"
)

// TestSignInEachLevel signs in as each level, checks the name, the level and
// that the navigation shows only what the level may use, then signs out.
func TestSignInEachLevel(t *testing.T) {
	c := startConsole(t)
	for _, tc := range []struct {
		user    string
		level   string
		seeNav  []string
		hideNav []string
	}{
		{"viewer", "L1 · Read-Only", []string{"Cards", "Events"}, []string{"Simulate", "Reissues", "Audit", "Settings"}},
		{"operator", "L2 · Operational", []string{"Cards", "Events", "Simulate"}, []string{"Reissues", "Audit", "Settings"}},
		{"admin", "L3 · Admin", []string{"Cards", "Events", "Simulate", "Reissues", "Audit", "Settings"}, nil},
	} {
		t.Run(tc.user, func(t *testing.T) {
			page := newPage(t)
			signIn(t, page, c.URL, tc.user)
			must(t, expect.Locator(page.GetByTestId("level")).ToHaveText(tc.level))
			nav := page.Locator("nav.nav")
			for _, label := range tc.seeNav {
				must(t, expect.Locator(nav.GetByRole("link", playwright.LocatorGetByRoleOptions{Name: label, Exact: playwright.Bool(true)})).ToBeVisible())
			}
			for _, label := range tc.hideNav {
				must(t, expect.Locator(nav.GetByRole("link", playwright.LocatorGetByRoleOptions{Name: label, Exact: playwright.Bool(true)})).ToHaveCount(0))
			}
			must(t, page.GetByRole("button", playwright.PageGetByRoleOptions{Name: "Sign out"}).Click())
			must(t, expect.Locator(page.GetByText("You have signed out.")).ToBeVisible())
			// The back button does not show the signed-in page from a cache.
			if _, err := page.GoBack(); err != nil {
				t.Fatal(err)
			}
			must(t, expect.Page(page).ToHaveURL(regexp.MustCompile(`/login\?next=`)))
			must(t, expect.Locator(page.GetByTestId("whoami")).ToHaveCount(0))
			// Signed out means signed out: the console sends us back to sign-in.
			if _, err := page.Goto(c.URL + "/"); err != nil {
				t.Fatal(err)
			}
			must(t, expect.Page(page).ToHaveURL(c.URL+"/login"))
		})
	}
}

// TestWrongPasswordShowsError checks the refusal a person sees.
func TestWrongPasswordShowsError(t *testing.T) {
	c := startConsole(t)
	page := newPage(t)
	if _, err := page.Goto(c.URL + "/audit"); err != nil {
		t.Fatal(err)
	}
	must(t, page.GetByLabel("Username").Fill("admin"))
	must(t, page.GetByLabel("Password").Fill("not the password"))
	must(t, page.GetByRole("button", playwright.PageGetByRoleOptions{Name: "Sign in"}).Click())
	must(t, expect.Locator(page.GetByRole("alert")).ToHaveText("Wrong username or password."))
	// The right password then lands on the page first asked for.
	must(t, page.GetByLabel("Password").Fill(e2ePassword))
	must(t, page.GetByRole("button", playwright.PageGetByRoleOptions{Name: "Sign in"}).Click())
	must(t, expect.Page(page).ToHaveURL(c.URL+"/audit"))
	must(t, expect.Locator(page.GetByRole("heading", playwright.PageGetByRoleOptions{Name: "Audit log"})).ToBeVisible())
}
