package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// APIRequestsKept is how many API calls the request log keeps: each new one
// drops those older than the newest APIRequestsKept.
const APIRequestsKept = 100_000

// APIBodyMax bounds each request and response body the log keeps of a call
// made with a valid key; a call without one is anyone's, and keeps at most
// AnonymousValueMax of its body, path and query (so APIRequestsKept such
// calls take about 110 MB at worst, not 800).
const APIBodyMax = 4 << 10

// APIRequest is one call of the provider API, as the request log shows it.
type APIRequest struct {
	ID         int64
	At         int64
	KeyID      int64
	KeyName    string
	Method     string
	Path       string
	Query      string
	Status     int
	DurationUs int64
	TraceID    string
	CardID     string
	RemoteAddr string
	IdemKey    string
	Replayed   bool
	// KeyRefused marks a call whose key was found but not accepted
	// (revoked, or sent from outside its allowlist): it is kept as
	// bounded as a call without a key.
	KeyRefused bool
	// Bodies are redacted and cut (RedactAPIBody).
	RequestBody  string
	ResponseBody string
}

// secretParam is a query parameter whose value is a secret.
var secretParam = regexp.MustCompile(`(?i)((?:^|&)(?:webhook_key|key|api_key|x-api-key|password|secret|token|cvv|pan)=)[^&]*`)

// RedactCardNumbers replaces every card number written in a path, a query
// or an id taken from a request (cardNumberSpans: however it is written)
// with "[redacted number]", so a number typed where an id belongs is
// neither kept nor logged. A path or query is judged percent-decoded
// (%34%31… is 41…); what is kept is then the decoded form, redacted.
func RedactCardNumbers(s string) string {
	if dec, err := url.PathUnescape(s); err == nil && dec != s {
		if r := replaceCardNumbers(dec, redactedNumber); r != dec {
			return r
		}
	}
	return replaceCardNumbers(s, redactedNumber)
}

// redactedNumber is what a log keeps of a card number.
func redactedNumber(string) string { return "[redacted number]" }

// MaskCardNumbers replaces every card number written in s
// (cardNumberSpans) by its masked form (MaskPAN): for text a person typed
// that is shown back or kept.
func MaskCardNumbers(s string) string {
	return replaceCardNumbers(s, MaskPAN)
}

// cardNumberDigits reports whether 13 to 19 digits could be a card number:
// they pass the Luhn check, and 13 of them start with 4 (the only network
// that issued 13-digit numbers; a time in epoch milliseconds, 13 digits
// from 1 to 3, is not one).
func cardNumberDigits(d string) bool {
	return len(d) >= 13 && len(d) <= 19 && LuhnValid(d) && (len(d) > 13 || d[0] == '4')
}

// redactQuery makes a query fit to keep: secret parameters' values and card
// numbers are replaced.
func redactQuery(q string) string {
	return RedactCardNumbers(secretParam.ReplaceAllString(q, "${1}[redacted]"))
}

// secretField is a JSON field whose value is a secret.
var secretField = regexp.MustCompile(`("(?:webhook_key|key|api_key|x-api-key|password|secret|cvv|pan)"\s*:\s*)"(?:[^"\\]|\\.)*"`)

// RedactAPIBody makes a body fit to keep: secrets' values and anything that
// looks like a card number are replaced, then it is cut to max bytes (after,
// so that a cut cannot leave part of a number unrecognised).
func RedactAPIBody(b []byte, max int) string {
	// RedactCardData reads JSON escapes (\u0034 is 4) and codes' fields.
	s := strings.ToValidUTF8(string(redactCardData(b, redactedNumber)), "�")
	s = secretField.ReplaceAllString(s, `$1"[redacted]"`)
	return Cut(replaceCardNumbers(s, redactedNumber), max)
}

// RecordAPIRequest appends a call to the request log (its bodies redacted
// and bounded here), records when and from where its key was last used, and
// drops the calls beyond the newest APIRequestsKept, in one transaction.
func (s *Store) RecordAPIRequest(ctx context.Context, r *APIRequest) error {
	if r.At == 0 {
		r.At = s.nowMs()
	}
	bodyMax, pathMax := APIBodyMax, 300
	if r.KeyID == 0 || r.KeyRefused {
		bodyMax, pathMax = AnonymousValueMax, AnonymousValueMax
		r.IdemKey = ""
	}
	r.RequestBody, r.ResponseBody = RedactAPIBody([]byte(r.RequestBody), bodyMax), RedactAPIBody([]byte(r.ResponseBody), APIBodyMax)
	r.Path, r.Query = Cut(RedactCardNumbers(r.Path), pathMax), Cut(redactQuery(r.Query), pathMax)
	r.CardID, r.IdemKey = Cut(RedactCardNumbers(r.CardID), 64), Cut(RedactCardNumbers(r.IdemKey), 255)
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var keyID any
		if r.KeyID != 0 {
			keyID = r.KeyID
			if _, err := tx.ExecContext(ctx, `UPDATE api_keys SET last_used_at = ?, last_used_addr = ? WHERE id = ?`,
				r.At, Cut(r.RemoteAddr, 64), r.KeyID); err != nil {
				return err
			}
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO api_requests(at, key_id, key_name, method, path, query, status, duration_us,
			trace_id, card_id, remote_addr, idem_key, replayed, request_body, response_body)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.At, keyID, r.KeyName, r.Method, r.Path, r.Query, r.Status, r.DurationUs, r.TraceID, r.CardID,
			Cut(r.RemoteAddr, 64), r.IdemKey, r.Replayed, r.RequestBody, r.ResponseBody)
		if err != nil {
			return err
		}
		if r.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		if r.ID > APIRequestsKept && r.ID%100 == 0 {
			// Every hundredth call trims the log back to its bound.
			_, err = tx.ExecContext(ctx, `DELETE FROM api_requests WHERE id <= ?`, r.ID-APIRequestsKept)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("store: record API request: %w", err)
	}
	return nil
}

// APIRequestFilter narrows the request log; zero fields do not filter.
type APIRequestFilter struct {
	KeyName string
	// StatusClass is 2, 4 or 5 (2xx, 4xx, 5xx).
	StatusClass int
	// PathPrefix keeps the calls whose path starts with it.
	PathPrefix string
	// CardID keeps the calls that name this card id, or any of CardIDs
	// (the cards a typed filter found, see the console's API log).
	CardID  string
	CardIDs []string
	// TraceIDPrefix keeps the calls whose trace id starts with it.
	TraceIDPrefix string
	// BeforeID keeps calls older than this id (the next page).
	BeforeID int64
	Limit    int
}

// Matches reports whether r passes the filter (BeforeID and Limit aside), so
// a live stream keeps to the same rows as the page.
func (f APIRequestFilter) Matches(r APIRequest) bool {
	return (f.KeyName == "" || strings.EqualFold(f.KeyName, r.KeyName)) &&
		(f.StatusClass == 0 || r.Status/100 == f.StatusClass) &&
		strings.HasPrefix(r.Path, f.PathPrefix) &&
		(f.CardID == "" || f.CardID == r.CardID || slices.Contains(f.CardIDs, r.CardID)) &&
		strings.HasPrefix(r.TraceID, strings.ToLower(f.TraceIDPrefix))
}

const apiRequestCols = `id, at, COALESCE(key_id, 0), key_name, method, path, query, status, duration_us, trace_id, card_id,
	remote_addr, idem_key, replayed, request_body, response_body`

func scanAPIRequest(row rowScanner) (APIRequest, error) {
	var r APIRequest
	err := row.Scan(&r.ID, &r.At, &r.KeyID, &r.KeyName, &r.Method, &r.Path, &r.Query, &r.Status, &r.DurationUs,
		&r.TraceID, &r.CardID, &r.RemoteAddr, &r.IdemKey, &r.Replayed, &r.RequestBody, &r.ResponseBody)
	return r, err
}

// APIRequests lists the calls the filter keeps, newest first.
func (s *Store) APIRequests(ctx context.Context, f APIRequestFilter) ([]APIRequest, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	var q conditions
	if f.KeyName != "" {
		q.add("key_name = ?", f.KeyName)
	}
	if f.StatusClass >= 1 && f.StatusClass <= 5 {
		q.add("status BETWEEN ? AND ?", f.StatusClass*100, f.StatusClass*100+99)
	}
	if f.PathPrefix != "" {
		q.add("substr(path, 1, ?) = ?", len(f.PathPrefix), f.PathPrefix)
	}
	if f.CardID != "" {
		ids := []any{f.CardID}
		for _, id := range f.CardIDs {
			ids = append(ids, id)
		}
		list, args := inList(ids)
		q.add("card_id IN ("+list+")", args...)
	}
	if p := strings.ToLower(f.TraceIDPrefix); p != "" {
		lo, hi := prefixRange(p)
		q.add("trace_id >= ? AND trace_id < ?", lo, hi)
	}
	if f.BeforeID > 0 {
		q.add("id < ?", f.BeforeID)
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+apiRequestCols+` FROM api_requests`+q.where()+` ORDER BY id DESC LIMIT ?`,
		append(q.args, f.Limit)...)
	if err != nil {
		return nil, fmt.Errorf("store: API requests: %w", err)
	}
	defer rows.Close()
	var out []APIRequest
	for rows.Next() {
		r, err := scanAPIRequest(rows)
		if err != nil {
			return nil, fmt.Errorf("store: API requests: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: API requests: %w", err)
	}
	return out, nil
}

// APIRequestByID returns one call of the request log, or ErrNotFound.
func (s *Store) APIRequestByID(ctx context.Context, id int64) (APIRequest, error) {
	r, err := scanAPIRequest(s.r.QueryRowContext(ctx, `SELECT `+apiRequestCols+` FROM api_requests WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return APIRequest{}, fmt.Errorf("store: API request %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return APIRequest{}, fmt.Errorf("store: API request %d: %w", id, err)
	}
	return r, nil
}
