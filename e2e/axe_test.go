package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/mxschmitt/playwright-go"
)

// axeSource is axe-core's script, installed by e2e/install.sh.
func axeSource(t *testing.T) string {
	t.Helper()
	dir, err := driverDir()
	must(t, err)
	b, err := os.ReadFile(filepath.Join(dir, "axe-core", "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		t.Fatalf("axe-core not installed (run `bash e2e/install.sh`): %v", err)
	}
	return string(b)
}

// axeViolation is the part of an axe-core result a failure reports.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []any  `json:"target"`
		HTML   string `json:"html"`
	} `json:"nodes"`
}

// checkAxe runs axe-core on the page as it stands and fails the test on
// every serious or critical violation.
func checkAxe(t *testing.T, page playwright.Page, src, name string) {
	t.Helper()
	// Evaluated rather than added as a <script> tag: the console's CSP
	// (script-src 'self') refuses inline scripts, and stays in force.
	if _, err := page.Evaluate("() => { if (!window.axe) { " + src + "\n } }"); err != nil {
		t.Fatalf("%s: inject axe-core: %v", name, err)
	}
	out, err := page.Evaluate(`async () => JSON.stringify((await axe.run(document, {resultTypes: ["violations"]})).violations)`)
	if err != nil {
		t.Fatalf("%s: axe.run: %v", name, err)
	}
	var vs []axeViolation
	must(t, json.Unmarshal([]byte(out.(string)), &vs))
	for _, v := range vs {
		if v.Impact != "serious" && v.Impact != "critical" {
			continue
		}
		var where []string
		for i, n := range v.Nodes {
			if i == 3 {
				where = append(where, fmt.Sprintf("… %d more", len(v.Nodes)-3))
				break
			}
			where = append(where, fmt.Sprint(n.Target)+" "+n.HTML)
		}
		t.Errorf("%s: %s (%s): %s\n\t%s", name, v.ID, v.Impact, v.Help, strings.Join(where, "\n\t"))
	}
}

// TestEveryPagePassesAxe opens every page of the console at each level that
// sees it differently and runs axe-core on it: no serious or critical
// violation.
func TestEveryPagePassesAxe(t *testing.T) {
	c := startSimConsole(t)
	simulateAuthClearing(t, c)
	cardID, _ := addCard(t, c.Store)
	src := axeSource(t)

	anon := newPage(t)
	if _, err := anon.Goto(c.URL + "/login"); err != nil {
		t.Fatal(err)
	}
	checkAxe(t, anon, src, "sign-in")

	for _, user := range []string{"viewer", "operator", "admin"} {
		page := newPage(t)
		signIn(t, page, c.URL, user)
		visit := func(name, path string, ready playwright.Locator) {
			t.Helper()
			if _, err := page.Goto(c.URL + path); err != nil {
				t.Fatal(err)
			}
			if ready != nil {
				must(t, expect.Locator(ready).Not().ToHaveCount(0))
			}
			checkAxe(t, page, src, user+" "+name)
		}
		visit("cards", "/cards", nil)
		visit("card search", "/cards?q=4242", page.GetByTestId("card-results"))
		visit("card page", "/cards/"+e2eCardID, page.GetByTestId("tl-movement"))
		// An authorization opened in place.
		must(t, page.GetByTestId("tl-movement").First().Locator("summary").Click())
		must(t, expect.Locator(page.GetByTestId("tl-follower")).ToBeVisible())
		checkAxe(t, page, src, user+" card page, authorization open")
		visit("events", "/events", page.Locator("#event-rows tr"))
		must(t, page.Locator("#event-rows tr a").First().Click())
		must(t, expect.Page(page).ToHaveURL(regexp.MustCompile(`/events/[0-9]+$`)))
		checkAxe(t, page, src, user+" event page")
		visit("account", "/account", nil)
		// The palette and the shortcuts, open.
		keysReady(t, page)
		must(t, page.Keyboard().Press("Control+k"))
		must(t, expect.Locator(page.GetByTestId("palette-page").First()).ToBeVisible())
		checkAxe(t, page, src, user+" palette")
		must(t, page.Keyboard().Press("Escape"))
		if user == "viewer" {
			continue
		}
		visit("simulate", "/simulate", nil)
		if user == "operator" {
			continue
		}
		visit("reissues", "/reissues", nil)
		visit("audit", "/audit", nil)
		visit("webhook settings", "/settings/webhooks", nil)
		visit("users", "/settings/users", nil)
		visit("reissue step 1", "/cards/"+cardID+"/reissue", nil)
		must(t, page.GetByLabel("Suspected fraud").Check())
		must(t, page.GetByRole("button", playwright.PageGetByRoleOptions{Name: "Continue to step 2"}).Click())
		must(t, expect.Page(page).ToHaveURL(regexp.MustCompile(`/reissues/[0-9a-f]{32}$`)))
		checkAxe(t, page, src, "admin reissue step 2")
	}
}
