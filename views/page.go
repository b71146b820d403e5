// Package views renders every page and htmx fragment of the console with
// templ. Each page file holds its model type, its page component and the
// fragments htmx swaps, so a fragment and its full page never drift apart.
package views

import (
	"strings"

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
	// Can reports whether the viewer may use the route with this pattern
	// ("POST /cards/{id}/freeze"): the route table decides, so a view shows
	// an action only when the server would let it through. Nil for anonymous
	// visitors.
	Can func(pattern string) bool
}

// Allowed reports whether the viewer may use the route with this pattern.
func (p Page) Allowed(pattern string) bool { return p.Can != nil && p.Can(pattern) }

// NavItem is one entry of the top navigation; it is shown to whoever may
// open GET Href, as the route table says.
type NavItem struct {
	Href  string
	Label string
	// Active marks the entry of the page shown.
	Active bool
}

var navItems = []NavItem{
	{Href: "/cards", Label: "Cards"},
	{Href: "/events", Label: "Events"},
	{Href: "/simulate", Label: "Simulate"},
	{Href: "/reissues", Label: "Reissues"},
	{Href: "/audit", Label: "Audit"},
	{Href: "/api-log", Label: "API log"},
}

// settingsItems are the settings pages: one "Settings" entry in the top
// bar leads to the first the viewer may open, and each settings page lists
// them (so an admin's top bar stays one row on a laptop).
var settingsItems = []NavItem{
	{Href: "/settings/webhooks", Label: "Webhooks"},
	{Href: "/settings/users", Label: "Users"},
	{Href: "/settings/api-keys", Label: "API keys"},
}

// NavFor returns the navigation items the page's viewer may open (the
// server enforces the same levels on every route).
func NavFor(p Page) []NavItem {
	out := allowedItems(p, navItems)
	if s := SettingsNavFor(p); len(s) > 0 {
		out = append(out, NavItem{Href: s[0].Href, Label: "Settings", Active: strings.HasPrefix(p.Active, "/settings/")})
	}
	return out
}

// SettingsNavFor returns the settings pages the viewer may open.
func SettingsNavFor(p Page) []NavItem { return allowedItems(p, settingsItems) }

func allowedItems(p Page, items []NavItem) []NavItem {
	var out []NavItem
	for _, it := range items {
		if p.Allowed("GET " + it.Href) {
			it.Active = it.Href == p.Active
			out = append(out, it)
		}
	}
	return out
}

func staticURL(p Page, name string) string {
	return "/static/" + name + "?v=" + p.StaticVersion
}
