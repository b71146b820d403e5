package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/mxschmitt/playwright-go"

	"cardops/store"
	"cardops/web"
)

// otpauthCode returns the TOTP code of secret at now + offsetSeconds as the
// npm package otpauth (installed by e2e/install.sh) computes it: an
// authenticator nobody here wrote.
func otpauthCode(t *testing.T, secret string, offsetSeconds int) string {
	t.Helper()
	dir, err := driverDir()
	if err != nil {
		t.Fatal(err)
	}
	lib := filepath.Join(dir, "otpauth", "node_modules", "otpauth")
	if _, err := os.Stat(lib); err != nil {
		if os.Getenv(requiredEnv) == "1" {
			t.Fatalf("otpauth not installed at %s: run `bash e2e/install.sh`", lib)
		}
		t.Skipf("otpauth not installed at %s: run `bash e2e/install.sh`", lib)
	}
	script := `const { TOTP, Secret } = require(process.argv[1]);
const totp = new TOTP({ secret: Secret.fromBase32(process.argv[2]), algorithm: "SHA1", digits: 6, period: 30 });
console.log(totp.generate({ timestamp: Date.now() + Number(process.argv[3]) * 1000 }));`
	out, err := exec.Command(filepath.Join(dir, "node"), "-e", script, lib, secret, strconv.Itoa(offsetSeconds)).CombinedOutput()
	if err != nil {
		t.Fatalf("otpauth: %v: %s", err, out)
	}
	code := strings.TrimSpace(string(out))
	if !regexp.MustCompile(`^\d{6}$`).MatchString(code) {
		t.Fatalf("otpauth printed %q, want 6 digits", code)
	}
	return code
}

// TestTwoFactorEnrolAndSignIn: an admin who must use two-factor signs in,
// is sent to enrolment, scans nothing but reads the secret, turns it on
// with a code from otpauth, keeps the recovery codes, and signs in again
// with password and code; the code already used is refused in words.
func TestTwoFactorEnrolAndSignIn(t *testing.T) {
	c := startConsole(t, func(cfg *web.Config) { cfg.RequireTwoFactorLevel = store.LevelAdmin })
	page := newPage(t)
	signIn(t, page, c.URL, "admin")
	must(t, expect.Page(page).ToHaveURL(c.URL+"/account/2fa"))
	must(t, expect.Locator(page.GetByTestId("2fa-forced")).ToBeVisible())
	// The QR code is an image the browser could load.
	if _, err := page.WaitForFunction(`() => { const i = document.querySelector('img[alt^="QR"]'); return i && i.complete && i.naturalWidth > 0 }`, nil); err != nil {
		t.Fatalf("QR code did not load: %v", err)
	}
	secret, err := page.GetByTestId("totp-secret").TextContent()
	if err != nil {
		t.Fatal(err)
	}
	// Anywhere else leads back here until enrolled.
	if _, err := page.Goto(c.URL + "/settings/users"); err != nil {
		t.Fatal(err)
	}
	must(t, expect.Page(page).ToHaveURL(c.URL+"/account/2fa"))

	code := otpauthCode(t, secret, 0)
	must(t, page.GetByLabel("Code from the app").Fill(code))
	must(t, page.GetByRole("button", playwright.PageGetByRoleOptions{Name: "Turn on two-factor sign-in"}).Click())
	must(t, expect.Locator(page.GetByTestId("recovery-codes").Locator("li")).ToHaveCount(store.RecoveryCodeCount))
	must(t, page.GetByRole("link", playwright.PageGetByRoleOptions{Name: "Go on"}).Click())
	must(t, expect.Page(page).ToHaveURL(c.URL+"/cards"))

	// Sign out and in again: the password, then the code.
	must(t, page.GetByRole("button", playwright.PageGetByRoleOptions{Name: "Sign out"}).Click())
	must(t, expect.Locator(page.GetByText("You have signed out.")).ToBeVisible())
	must(t, page.GetByLabel("Username").Fill("admin"))
	must(t, page.GetByLabel("Password").Fill(e2ePassword))
	must(t, page.GetByRole("button", playwright.PageGetByRoleOptions{Name: "Sign in"}).Click())
	must(t, expect.Page(page).ToHaveURL(c.URL+"/login/2fa"))
	must(t, page.GetByLabel("Code").Fill(code))
	must(t, page.GetByRole("button", playwright.PageGetByRoleOptions{Name: "Sign in"}).Click())
	must(t, expect.Locator(page.GetByRole("alert")).ToContainText("That code was used already."))
	// The next period's code (accepted one period early, as clocks drift).
	must(t, page.GetByLabel("Code").Fill(otpauthCode(t, secret, 30)))
	must(t, page.GetByRole("button", playwright.PageGetByRoleOptions{Name: "Sign in"}).Click())
	must(t, expect.Locator(page.GetByTestId("whoami")).ToHaveText("admin"))
	must(t, expect.Page(page).ToHaveURL(c.URL+"/cards"))
	// The account page says two-factor is on.
	must(t, page.GetByTestId("whoami").Click())
	must(t, expect.Locator(page.GetByTestId("account-2fa")).ToContainText("on (10 recovery codes left)"))
}
