package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"cardops/store"
	"cardops/views"
)

// cardNumberDigits is the length of the shortest card number: a query with
// this many digits is kept out of the browser's history.
const cardNumberDigits = 13

// cardSearch answers the search box: the whole page, or for htmx just the
// results, which the page swaps in as the person types (the URL follows by
// hx-push-url, so it always reproduces the page).
func (s *Server) cardSearch(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d := views.CardSearchData{Form: views.CardSearchForm{Q: q.Get("q")}}
	var ignored []string
	filter := func(name string, allowed []string) string {
		v := q.Get(name)
		if v == "" {
			return ""
		}
		// A value typed in an address in another case is the same value.
		if i := slices.IndexFunc(allowed, func(a string) bool { return strings.EqualFold(a, v) }); i >= 0 {
			return allowed[i]
		}
		ignored = append(ignored, name)
		return ""
	}
	d.Form.Status = filter("status", store.CardStatuses)
	d.Form.Type = filter("type", store.CardTypes)
	d.Form.Approval = filter("approval", store.CardApprovalMethods)
	if a := q.Get("after"); a != "" {
		after, err := strconv.ParseInt(a, 10, 64)
		if err != nil || after <= 0 {
			ignored = append(ignored, "after")
		} else {
			d.Form.After = after
		}
	}

	d.Query = store.ParseCardQuery(d.Form.Q)
	// A full card number comes back masked (Raw), never as typed: in the
	// box, the results and the pushed URL.
	d.Form.Q = d.Query.Raw
	switch {
	case d.Query.Truncated:
		d.Notice = "The search was cut to its first " + strconv.Itoa(store.MaxSearchRunes) + " characters."
	case len(ignored) > 0:
		d.Notice = "Ignored an unknown value for: " + strings.Join(ignored, ", ") + "."
	}
	if d.Query.TooShort && len(d.Query.Kinds) == 1 {
		d.Hint = "Type at least 3 letters of a name, 4 digits of a card number, or the first 4 characters of a card id."
	} else {
		res, err := s.store.NewCardSearch(d.Query).
			WithFilter(store.CardFilter{Status: d.Form.Status, Type: d.Form.Type, Approval: d.Form.Approval}).
			After(d.Form.After).
			Page(r.Context())
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		d.Result = res
	}
	if d.Result.PANMatch() {
		// The number found its card: go there, so the number leaves the
		// address bar and the history (a redirect replaces the entry).
		to := "/cards/" + d.Result.Hits[0].ID
		if isHTMX(r) {
			w.Header().Set("HX-Redirect", to)
			w.WriteHeader(http.StatusOK)
			return
		}
		http.Redirect(w, r, to, http.StatusSeeOther)
		return
	}
	if (d.Query.Has(store.SearchPAN) || d.Query.Masked) && !isHTMX(r) && !phoneFound(d) {
		// No card has the number, or it came among other words: search
		// its masked form (first 6 and last 4) instead, at an address
		// without the number.
		http.Redirect(w, r, d.Form.URL(0), http.StatusSeeOther)
		return
	}

	w.Header().Set("Vary", "HX-Request")
	// A history restore (back button) wants the whole page, like a fresh load.
	if isHTMX(r) && r.Header.Get("HX-History-Restore-Request") != "true" && r.Header.Get("HX-Target") == "card-results" {
		// The address bar gets the canonical URL, without empty fields; a
		// query that may be (most of) a card number stays out of it.
		push := d.Form.URL(d.Form.After)
		if !d.Query.Has(store.SearchPAN) && len(store.NormalizePhone(d.Form.Q)) >= cardNumberDigits {
			push = "false"
		}
		w.Header().Set("HX-Push-Url", push)
		s.render(w, r, http.StatusOK, views.CardResults(d))
		return
	}
	s.render(w, r, http.StatusOK, views.CardSearchPage(s.page(r, "Cards", "/cards"), d))
}

// phoneFound reports whether a search for digits that read as a card number
// found no card by that number but cards by it as a phone number: those are
// the results to show, and the digits are a holder's phone number, not a
// card number to take out of the address.
func phoneFound(d views.CardSearchData) bool {
	return d.Query.Has(store.SearchPAN) && !d.Result.PANMatch() && len(d.Result.Hits) > 0
}
