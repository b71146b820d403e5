// Package views renders every page and htmx fragment of the console with
// templ. Each page file holds its model type, its page component and the
// fragments htmx swaps, so a fragment and its full page never drift apart.
package views

import (
	"fmt"
	"time"

	"cardops/store"
)

// Viewer is the signed-in person a page is rendered for.
type Viewer struct {
	Username string
	Level    store.Level
}

// Page is what the layout needs from every page.
type Page struct {
	Title string
	// Viewer is nil on pages for anonymous visitors (sign-in, errors before sign-in).
	Viewer *Viewer
	// Active is the Href of the navigation item to highlight.
	Active string
	// StaticVersion busts browser caches of /static when the binary changes.
	StaticVersion string
}

// NavItem is one entry of the top navigation.
type NavItem struct {
	Href  string
	Label string
	Level store.Level
}

// navItems is the console's navigation, each with the level it needs; a
// person sees only what their level may use (the server enforces the same
// levels on every route).
var navItems = []NavItem{
	{Href: "/cards", Label: "Cards", Level: store.LevelReadOnly},
	{Href: "/events", Label: "Events", Level: store.LevelReadOnly},
	{Href: "/simulate", Label: "Simulate", Level: store.LevelOperational},
	{Href: "/reissues", Label: "Reissues", Level: store.LevelAdmin},
	{Href: "/audit", Label: "Audit", Level: store.LevelAdmin},
	{Href: "/api-log", Label: "API log", Level: store.LevelOperational},
	{Href: "/settings/webhooks", Label: "Settings", Level: store.LevelAdmin},
	{Href: "/settings/api-keys", Label: "API keys", Level: store.LevelAdmin},
}

// NavFor returns the navigation items the level may use.
func NavFor(level store.Level) []NavItem {
	var out []NavItem
	for _, it := range navItems {
		if level >= it.Level {
			out = append(out, it)
		}
	}
	return out
}

func staticURL(p Page, name string) string {
	return "/static/" + name + "?v=" + p.StaticVersion
}

// FormatTime shows a time in UTC to the second, as support staff quote it.
func FormatTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

// FormatMillis shows a Unix-milliseconds time like FormatTime.
func FormatMillis(ms int64) string {
	if ms == 0 {
		return "—"
	}
	return FormatTime(time.UnixMilli(ms))
}

// FormatCents shows an amount of integer cents with its currency, e.g. "1,234.56 USD".
func FormatCents(cents int64, currency string) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	whole, frac := cents/100, cents%100
	s := fmt.Sprintf("%d", whole)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	out := fmt.Sprintf("%s%s.%02d", sign, s, frac)
	if currency != "" {
		out += " " + currency
	}
	return out
}

// MaskedPAN shows a card number the only way the console ever shows one.
func MaskedPAN(last4 string) string {
	return "•••• •••• •••• " + last4
}
