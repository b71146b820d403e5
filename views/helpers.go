package views

import (
	"net/http"
	"net/url"
	"strconv"
)

func statusText(code int) string {
	return strconv.Itoa(code) + " " + http.StatusText(code)
}

func urlQuery(s string) string { return url.QueryEscape(s) }

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
