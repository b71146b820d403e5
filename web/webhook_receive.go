package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"cardops/store"
	"cardops/web/webhook"
)

// maxWebhookBody is the largest delivery the receiver reads.
const maxWebhookBody = 256 << 10

// redactedHeaders are request headers whose values are secrets; they are
// stored and shown as "[redacted]".
var redactedHeaders = map[string]bool{
	"X-Webhook-Key":       true,
	"Authorization":       true,
	"Proxy-Authorization": true,
	"Cookie":              true,
	"X-Api-Key":           true,
	// With the body and the id and time beside it, a signature lets
	// whoever reads it resend the delivery for as long as the time is
	// accepted.
	webhook.HeaderWebhookSignature: true,
}

// webhookAck is the receiver's answer to an accepted delivery.
type webhookAck struct {
	ID        int64 `json:"id"`
	Duplicate bool  `json:"duplicate"`
	Attempts  int   `json:"attempts"`
}

// webhookReceive is the embedded receiver: it authenticates a delivery (the
// provider's key or a Standard Webhooks signature), parses its envelope and
// answers 200 only once the event is committed. A retry of a stored
// notification answers 200 with duplicate true and is recorded as one more
// attempt. Refused deliveries are answered in the provider's error format
// and kept (bounded) for the console.
func (s *Server) webhookReceive(w http.ResponseWriter, r *http.Request) {
	now := s.now()
	headers := redactHeaders(r.Header)
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxWebhookBody))
	if err != nil {
		if mbe := (*http.MaxBytesError)(nil); errors.As(err, &mbe) {
			s.refuseWebhook(w, r, now, headers, body, http.StatusRequestEntityTooLarge, "PAYLOAD_TOO_LARGE",
				"body is over 256 KiB")
			return
		}
		s.refuseWebhook(w, r, now, headers, body, http.StatusBadRequest, "UNREADABLE_BODY", "body could not be read: "+err.Error())
		return
	}

	sec := s.webhookSecrets.Load()
	v := webhook.Verify(r.Header, body, webhook.Credentials{Keys: sec.Keys(now), Secrets: sec.Secrets(now), RequireSignature: s.requireSig}, now)
	if !v.OK {
		s.refuseWebhook(w, r, now, headers, body, http.StatusUnauthorized, v.Code, v.String())
		return
	}
	env, err := webhook.ParseEnvelope(body)
	if err != nil {
		code := webhook.CodeInvalidJSON
		if ee := (*webhook.EnvelopeError)(nil); errors.As(err, &ee) {
			code = ee.Code
		}
		s.refuseWebhook(w, r, now, headers, body, http.StatusBadRequest, code, strings.TrimPrefix(err.Error(), "webhook: "))
		return
	}
	rec, err := s.store.RecordDelivery(r.Context(), store.Delivery{
		ReceivedAt: now, RemoteAddr: remoteAddr(r), Headers: headers, Verification: v.String(),
		WebhookID: v.WebhookID, Operation: env.Operation, SubOperation: env.SubOperation,
		OperationID: env.OperationID, Status: env.Status, StatusRaw: env.StatusRaw, Reason: env.Reason,
		CardID: env.CardID, WalletID: env.WalletID, Body: body,
	})
	if errors.Is(err, store.ErrBusy) {
		s.serverError(w, r, err) // 503 with Retry-After: the sender retries
		return
	}
	if err != nil {
		// Not acknowledged, so the sender retries; the log has the cause.
		s.log.Error("webhook: record delivery", "trace_id", traceID(r), "err", err)
		s.jsonError(w, r, http.StatusInternalServerError, "API_ERROR", "The delivery could not be stored; retry it.")
		return
	}
	writeJSON(w, http.StatusOK, webhookAck{ID: rec.EventID, Duplicate: rec.Duplicate, Attempts: rec.Attempts})
}

// refuseWebhook answers a refused delivery and keeps a truncated copy of it
// for the console, within a per-address budget.
func (s *Server) refuseWebhook(w http.ResponseWriter, r *http.Request, now time.Time, headers map[string][]string,
	body []byte, status int, code, reason string) {
	defer s.jsonError(w, r, status, code, refusalMessage(status, code, reason))
	// Anyone can post here: from one address, refusals are kept at most
	// anonBurst at once and one every anonRefill; the others are counted
	// in the next one kept, so a flood cannot push the history out.
	ok, held, first := s.refusalsKept.take(store.ThrottleAddress(remoteAddr(r)), now)
	if !ok {
		if first {
			s.log.Warn("webhook: refused deliveries held back", "remote", remoteAddr(r), "trace_id", traceID(r))
		}
		return
	}
	if held > 0 {
		reason += fmt.Sprintf("; and %d more refused from this address since the last one kept, not kept one by one", held)
	}
	size := int64(len(body))
	if status == http.StatusRequestEntityTooLarge && r.ContentLength > size {
		size = r.ContentLength
	}
	err := s.store.RecordRefusal(r.Context(), store.Refusal{
		ReceivedAt: now, RemoteAddr: remoteAddr(r), HTTPStatus: status, Code: code, Reason: reason,
		Headers: headers, Body: body, BodySize: size,
	})
	if err != nil {
		s.log.Error("webhook: record refusal", "trace_id", traceID(r), "err", err)
	}
}

func refusalMessage(status int, code, reason string) string {
	switch {
	case code == webhook.CodeSignatureRequired:
		return "Delivery refused (signature required): this receiver accepts only Standard Webhooks signed deliveries " +
			"(webhook-id, webhook-timestamp, webhook-signature); the provider's key alone is not enough."
	case status == http.StatusUnauthorized:
		return "Delivery refused (" + reason + "): send the key in X-Webhook-Key with X-Request-Timestamp in epoch ms, " +
			"or sign it with Standard Webhooks headers."
	case status == http.StatusRequestEntityTooLarge:
		return "Delivery refused: the body is over 256 KiB."
	}
	return "Delivery refused: " + reason + "."
}

// redactHeaders copies h with secret values replaced, for storing and showing.
func redactHeaders(h http.Header) map[string][]string {
	out := make(map[string][]string, len(h))
	for k, vs := range h {
		if redactedHeaders[http.CanonicalHeaderKey(k)] {
			out[k] = []string{"[redacted]"}
			continue
		}
		out[k] = vs
	}
	return out
}
