package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"cardops/store"
	"cardops/store/keylock"
	"cardops/web/hub"
	"cardops/web/webhook"
)

// The provider API (/api/...): machine clients authenticate with the
// x-api-key header, not a session. apiGuard is the one place a key, its
// allowlist, its level and its rate are checked, where Idempotency-Key is
// honoured and where every call is written to the request log.

const (
	// apiMaxBody bounds a request body; the API's bodies are a few fields.
	apiMaxBody = 64 << 10
	// apiDefaultRate is the provider's per-key limit: requests per second.
	apiDefaultRate = 15
	// apiIdemKeyMax bounds an Idempotency-Key.
	apiIdemKeyMax = 255
	// apiMaxPenalty caps the block after repeated rate-limit violations.
	apiMaxPenalty = 5 * time.Minute
)

// Error codes of the API, as the provider names them.
const (
	apiCodeAuth       = "API_ERROR"
	apiCodeValidation = "VAL"
	apiCodeNotFound   = "NOT_FOUND"
	apiCodeRate       = "TOO_MANY_REQUESTS"
	apiCodeIdem       = "IDEMPOTENCY_KEY_REUSED"
	apiCodeState      = "STATE"
)

// apiDenied is the provider's message for a key below the endpoint's level.
const apiDenied = "Access denied. The API Key is not authorized to do this operation."

// apiState is the Server's part for the API: per-key rate limits, one lock
// per Idempotency-Key, the request log's fan-out to its live pages, and the
// API's webhook subscription (nil: none).
type apiState struct {
	limit      *apiLimiter
	idemLocks  keylock.Locks[string]
	calls      *hub.Hub[*store.APIRequest]
	webhookSub atomic.Pointer[store.WebhookSubscription]
}

// apiCall is what the guard knows of a call, shared with its handler
// through the request's context.
type apiCall struct {
	key store.APIKey
	// keyRefused: the key was found but revoked or sent from outside its
	// allowlist; the call is an unauthenticated one.
	keyRefused bool
	body       []byte
	cardID     string
}

type apiCallKey struct{}

// currentAPICall returns the call the guard authenticated.
func currentAPICall(r *http.Request) *apiCall {
	c, _ := r.Context().Value(apiCallKey{}).(*apiCall)
	return c
}

// apiActor is the actor of the call's state changes: the key, by name.
func apiActor(r *http.Request) store.Actor {
	c := currentAPICall(r)
	return store.Actor{Username: c.key.Actor(), Level: c.key.Level, RemoteAddr: remoteAddr(r)}
}

// apiRecorder keeps the status and the body of an answer as it is written.
type apiRecorder struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (w *apiRecorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *apiRecorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	w.body.Write(b)
	return w.ResponseWriter.Write(b)
}

func (w *apiRecorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// apiGuard serves an /api route: it authenticates x-api-key, checks the
// key's allowlist, level and rate, replays or records Idempotency-Key
// answers, and writes the call to the request log, whatever its outcome
// but a refusal for its rate (429).
func (s *Server) apiGuard(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &apiRecorder{ResponseWriter: w}
		// The card as the handlers read it (in lower case), so the log
		// ties the call to the card whatever case its path was typed in.
		call := &apiCall{cardID: strings.ToLower(r.PathValue("cardId"))}
		r = r.WithContext(context.WithValue(r.Context(), apiCallKey{}, call))
		replayed := false
		idemKey := r.Header.Get("Idempotency-Key")
		// Refusals and failures, a panic's included (recoverPanics), answer
		// in the provider's JSON format.
		setRouteKind(r, rt.kind)
		defer func() {
			p := recover()
			if p != nil && rec.status == 0 {
				rec.status = http.StatusInternalServerError // what recoverPanics answers
			}
			// A call refused for its rate is not written: the limit is
			// what keeps a flood of calls out of the log (and its
			// database writes); the server's log line still has it.
			if rec.status != http.StatusTooManyRequests {
				s.logAPICall(r, rt, call, rec, idemKey, replayed, time.Since(start))
			}
			if p != nil {
				panic(p)
			}
		}()
		w = rec
		w.Header().Set("Cache-Control", "no-store")

		if r.Body != nil && r.Method != http.MethodGet && r.Method != http.MethodHead {
			b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, apiMaxBody))
			call.body = b
			if err != nil {
				s.jsonError(w, r, http.StatusBadRequest, apiCodeValidation, fmt.Sprintf("The body could not be read or is larger than %d KiB.", apiMaxBody>>10))
				return
			}
		}
		// Calls without a valid key (none, unknown, revoked, from outside
		// its allowlist) and calls of the public routes are limited per
		// address (an IPv6 one's /64), so they cannot flood the request log.
		limitAddress := func() bool {
			wait, ok := s.api.limit.allow("ip:"+store.ThrottleAddress(remoteAddr(r)), s.now())
			if !ok {
				s.tooManyRequests(w, r, wait)
			}
			return ok
		}
		if rt.level == store.LevelPublic {
			if limitAddress() {
				rt.handle(w, r)
			}
			return
		}
		secret := r.Header.Get("x-api-key")
		refuseUnknown := func(msg string) {
			if limitAddress() {
				s.jsonError(w, r, http.StatusUnauthorized, apiCodeAuth, msg)
			}
		}
		if secret == "" {
			refuseUnknown("Missing API Key: send it in the x-api-key header.")
			return
		}
		key, err := s.store.APIKeyBySecret(r.Context(), secret)
		switch {
		case errors.Is(err, store.ErrNotFound):
			refuseUnknown("Invalid API Key.")
			return
		case err != nil:
			s.apiServerError(w, r, err)
			return
		}
		call.key = key
		if h, ok := r.Context().Value(principalKey).(*principalHolder); ok {
			// The server's log line names the key, as it names a user.
			h.p = &Principal{Username: key.Actor(), Level: key.Level}
		}
		addr := remoteAddr(r)
		switch {
		case key.Revoked():
			call.keyRefused = true
			refuseUnknown("Invalid API Key: it was revoked.")
			return
		case !key.Allows(addr):
			call.keyRefused = true
			refuseUnknown("Access denied. Requests from " + addr + " are not in the API Key's allowlist.")
			return
		}
		// A valid key's calls, those refused for want of level too, are
		// limited per key.
		if wait, ok := s.api.limit.allow("key:"+strconv.FormatInt(key.ID, 10), s.now()); !ok {
			s.tooManyRequests(w, r, wait)
			return
		}
		if key.Level < rt.level {
			if r.Method != http.MethodGet {
				s.audit(r, &Principal{Username: key.Actor(), Level: key.Level}, "access.denied", "route", rt.pattern, store.ResultRefused,
					fmt.Sprintf("API key needs level %d, has %d", rt.level, key.Level))
			}
			s.jsonError(w, r, http.StatusUnauthorized, apiCodeAuth, apiDenied)
			return
		}
		if idemKey == "" || r.Method == http.MethodGet {
			idemKey = ""
			rt.handle(w, r)
			return
		}
		if len(idemKey) > apiIdemKeyMax {
			s.jsonError(w, r, http.StatusBadRequest, apiCodeValidation, fmt.Sprintf("The Idempotency-Key is longer than %d characters.", apiIdemKeyMax))
			return
		}
		replayed = s.idempotent(w, r, rt, key, idemKey, call.body)
	})
}

// tooManyRequests answers 429 as the provider does: Retry-After and
// error_code (with code and trace_id too, as every error here has).
func (s *Server) tooManyRequests(w http.ResponseWriter, r *http.Request, wait time.Duration) {
	secs := int((wait + time.Second - 1) / time.Second)
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	writeJSON(w, http.StatusTooManyRequests, map[string]string{
		"error_code": apiCodeRate, "code": apiCodeRate, "trace_id": traceID(r),
		"message": fmt.Sprintf("Rate limit exceeded. Retry after %d seconds", secs),
	})
}

// idempotent runs a write call sent with an Idempotency-Key once per key:
// the first answer is kept for store.IdempotencyWindow and replayed to a
// retry with the same method, path and body; the same key with anything
// else is refused 422. Calls with the same key wait for one another, so a
// retry sent while the first call runs gets its answer, not a second run.
// It reports whether the answer was a replay.
func (s *Server) idempotent(w http.ResponseWriter, r *http.Request, rt route, key store.APIKey, idemKey string, body []byte) bool {
	h := sha256.New()
	fmt.Fprintf(h, "%s %s\n", r.Method, r.URL.Path)
	h.Write(body)
	sum := h.Sum(nil)

	// A retry waits for the call with its key as long as an answer may
	// take; past that it is told the database is busy, to try again.
	lctx, cancel := context.WithTimeout(r.Context(), s.answerTimeout)
	unlock, err := s.api.idemLocks.Lock(lctx, fmt.Sprintf("%d\x00%s", key.ID, idemKey))
	cancel()
	if err != nil {
		s.apiServerError(w, r, fmt.Errorf("wait for the call with the same Idempotency-Key: %w", store.ErrBusy))
		return false
	}
	defer unlock()
	prev, err := s.store.IdempotentAnswer(r.Context(), key.ID, idemKey)
	switch {
	case err == nil:
		if !bytes.Equal(prev.BodyHash, sum) {
			s.jsonError(w, r, http.StatusUnprocessableEntity, apiCodeIdem,
				"This Idempotency-Key was used with another request (method, path or body); use a new key for a new request.")
			return false
		}
		w.Header().Set("Idempotent-Replayed", "true")
		if len(prev.Body) > 0 {
			w.Header().Set("Content-Type", "application/json")
		}
		w.WriteHeader(prev.Status)
		w.Write(prev.Body)
		return true
	case !errors.Is(err, store.ErrNotFound):
		s.apiServerError(w, r, err)
		return false
	}
	rec := w.(*apiRecorder)
	before := rec.body.Len()
	rt.handle(w, r)
	status := rec.status
	if status == 0 {
		status = http.StatusOK
	}
	if status >= 500 {
		// A failure is not an answer: a retry may run again.
		return false
	}
	if err := s.store.SaveIdempotentAnswer(r.Context(), key.ID, idemKey, store.IdempotentAnswer{
		BodyHash: sum, Status: status, Body: rec.body.Bytes()[before:]}); err != nil {
		s.log.Error("api: save idempotent answer", "trace_id", traceID(r), "err", err)
	}
	return false
}

// apiLimiter is the per-key rate limit (and, for calls without a valid
// key, the per-address one): at most rate requests in each second. Going over blocks the key for 1 s, doubling with each violation up
// to 5 min; the count of violations is forgotten after an hour without one.
// While blocked, calls are refused at once and use no quota (as the
// provider documents).
type apiLimiter struct {
	rate int
	mu   sync.Mutex
	keys map[string]*apiBucket
}

// apiLimiterMaxKeys bounds the limiter's memory under a spray of addresses.
const apiLimiterMaxKeys = 50_000

type apiBucket struct {
	second        int64
	n             int
	blockedUntil  time.Time
	violations    int
	lastViolation time.Time
}

func newAPILimiter(rate int) *apiLimiter {
	if rate <= 0 {
		rate = apiDefaultRate
	}
	return &apiLimiter{rate: rate, keys: map[string]*apiBucket{}}
}

// allow counts a call of the key at now; when it is refused, wait is how
// long the key stays blocked.
func (l *apiLimiter) allow(key string, now time.Time) (wait time.Duration, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.keys[key]
	if b == nil {
		if len(l.keys) >= apiLimiterMaxKeys {
			// Forget whoever is neither blocked nor has violated lately.
			for k, x := range l.keys {
				if !now.Before(x.blockedUntil) && now.Sub(x.lastViolation) > time.Hour {
					delete(l.keys, k)
				}
			}
		}
		b = &apiBucket{}
		l.keys[key] = b
	}
	if now.Before(b.blockedUntil) {
		return b.blockedUntil.Sub(now), false
	}
	if b.violations > 0 && now.Sub(b.lastViolation) > time.Hour {
		b.violations = 0
	}
	if sec := now.Unix(); sec != b.second {
		b.second, b.n = sec, 0
	}
	b.n++
	if b.n <= l.rate {
		return 0, true
	}
	b.violations++
	penalty := min(time.Second<<min(b.violations-1, 10), apiMaxPenalty)
	b.blockedUntil, b.lastViolation = now.Add(penalty), now
	return penalty, false
}

// apiServerError logs err with the trace id and answers 500 in the
// provider's format, without its text; a database that takes no write in
// time (store.ErrBusy) is answered 503 with Retry-After, so a client knows
// to retry.
func (s *Server) apiServerError(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, store.ErrBusy) {
		s.log.Warn("api request failed: database busy", "method", store.Cut(r.Method, 32), "path", logPath(r), "trace_id", traceID(r), "err", err)
		s.unavailable(w, r)
		return
	}
	s.log.Error("api request failed", "method", store.Cut(r.Method, 32), "path", logPath(r), "trace_id", traceID(r), "err", err)
	s.jsonError(w, r, http.StatusInternalServerError, "API_ERROR", "The server could not complete this request. Quote the trace id if you report it.")
}

// decodeAPIBody reads the call's JSON body into v, answering 400 when it is
// not JSON or a field has the wrong type; it reports whether to go on.
func (s *Server) decodeAPIBody(w http.ResponseWriter, r *http.Request, v any) bool {
	body := currentAPICall(r).body
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	err := json.Unmarshal(body, v)
	var te *json.UnmarshalTypeError
	switch {
	case err == nil:
		// encoding/json takes the last of two equal keys and a key in
		// any case: refuse both, so a body means one thing only.
		keys, kerr := webhook.TopKeys(body)
		var ee *webhook.EnvelopeError
		if errors.As(kerr, &ee) {
			s.jsonError(w, r, http.StatusBadRequest, apiCodeValidation, "The body is ambiguous: "+ee.Message+".")
			return false
		}
		if f := miscasedField(keys, v); f != "" {
			s.jsonError(w, r, http.StatusBadRequest, apiCodeValidation, fmt.Sprintf("The field %s is not known; fields are named in lower case, e.g. %s.", f, strings.ToLower(f)))
			return false
		}
		return true
	case errors.As(err, &te):
		s.jsonError(w, r, http.StatusBadRequest, apiCodeValidation, fmt.Sprintf("The field %s must be a %s, not a %s.", te.Field, jsonTypeName(te.Type.Kind().String()), te.Value))
	default:
		s.jsonError(w, r, http.StatusBadRequest, apiCodeValidation, "The body is not valid JSON: "+err.Error())
	}
	return false
}

// miscasedField returns the first of keys that names a field of v's struct
// in another case than its JSON name, or "".
func miscasedField(keys []string, v any) string {
	t := reflect.TypeOf(v)
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t.Kind() != reflect.Struct {
		return ""
	}
	for _, k := range keys {
		for i := range t.NumField() {
			name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
			if name != "" && name != k && strings.EqualFold(name, k) {
				return k
			}
		}
	}
	return ""
}

func jsonTypeName(kind string) string {
	switch kind {
	case "bool":
		return "boolean"
	case "string":
		return "string"
	case "struct", "map":
		return "object"
	case "slice":
		return "array"
	}
	return "number"
}

// logAPICall writes the call to the request log and shows it to the live
// request-log pages. A failure to log is logged: the answer is sent.
func (s *Server) logAPICall(r *http.Request, rt route, call *apiCall, rec *apiRecorder, idemKey string, replayed bool, d time.Duration) {
	status := rec.status
	if status == 0 {
		status = http.StatusOK
	}
	entry := &store.APIRequest{
		KeyID: call.key.ID, KeyName: call.key.Name, Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery,
		Status: status, DurationUs: d.Microseconds(), TraceID: traceID(r), CardID: call.cardID,
		RemoteAddr: remoteAddr(r), IdemKey: idemKey, Replayed: replayed,
		RequestBody: string(call.body), ResponseBody: rec.body.String(), KeyRefused: call.keyRefused,
	}
	// The log is written after the answer, with a context that outlives a
	// client that hung up.
	ctx := context.WithoutCancel(r.Context())
	if err := s.store.RecordAPIRequest(ctx, entry); err != nil {
		s.log.Error("api: request log", "trace_id", traceID(r), "err", err)
		return
	}
	s.api.calls.Publish(entry)
}
