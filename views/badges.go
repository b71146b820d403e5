// The status badges: each maps a state to the CSS class of its badge
// (ok, warn, bad, muted, info), in one place so a state looks the same on
// every page.

package views

import (
	"cardops/store"
	"strings"
)

// StatusBadge maps a card, movement or event status to its badge colour.
func StatusBadge(status string) string {
	switch status {
	case "ACTIVE", "SUCCESS":
		return "ok"
	case "FROZEN", "PENDING":
		return "warn"
	case "BLOCKED", "FAILED", "DELETED", "DECLINED":
		return "bad"
	case "INACTIVE", "EXPIRED", "CANCELLED":
		return "muted"
	}
	return "info"
}

// resultBadge maps an audit result to its badge colour.
func resultBadge(result string) string {
	switch result {
	case "ok":
		return "ok"
	case "refused":
		return "warn"
	}
	return "bad"
}

// verificationBadge colours a verification summary such as "provider-key: ok".
func verificationBadge(v string) string {
	if strings.HasSuffix(v, ": ok") {
		return "ok"
	}
	return "bad"
}

func apiStatusBadge(status int) string {
	switch {
	case status >= 500:
		return "badge bad"
	case status >= 400:
		return "badge warn"
	}
	return "badge ok"
}

func simStateBadge(state string) string {
	switch state {
	case store.OutboxDelivered:
		return "ok"
	case store.OutboxRefused:
		return "bad"
	}
	return "warn"
}

func reissueStatusBadge(status string) string {
	switch status {
	case store.ReissueDone:
		return "ok"
	case store.ReissuePending:
		return "warn"
	case store.ReissueRejected, store.ReissueCancelled:
		return "bad"
	}
	return "muted"
}
