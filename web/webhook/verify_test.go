package webhook

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"cardops/store"
)

var testNow = time.Unix(1_700_000_000, 0)

func providerHeader(key string, ts time.Time) http.Header {
	h := http.Header{}
	if key != "" {
		h.Set(HeaderWebhookKey, key)
	}
	if !ts.IsZero() {
		h.Set(HeaderRequestTimestamp, strconv.FormatInt(ts.UnixMilli(), 10))
	}
	return h
}

func TestVerifyProviderKey(t *testing.T) {
	creds := Credentials{Keys: []string{"whk_current", "whk_previous"}}
	tests := []struct {
		name      string
		header    http.Header
		creds     Credentials
		wantOK    bool
		wantCode  string
		wantIndex int
	}{
		{"current key", providerHeader("whk_current", testNow), creds, true, "", 0},
		{"previous key during rotation", providerHeader("whk_previous", testNow), creds, true, "", 1},
		{"wrong key", providerHeader("whk_wrong", testNow), creds, false, CodeWrongKey, -1},
		{"prefix of the key", providerHeader("whk_cur", testNow), creds, false, CodeWrongKey, -1},
		{"key with a suffix", providerHeader("whk_current2", testNow), creds, false, CodeWrongKey, -1},
		{"no headers", http.Header{}, creds, false, CodeMissingCredentials, -1},
		{"empty key header", http.Header{HeaderWebhookKey: {""}}, creds, false, CodeMissingCredentials, -1},
		{"missing timestamp", providerHeader("whk_current", time.Time{}), creds, false, CodeMissingTimestamp, -1},
		{"wrong key and no timestamp", providerHeader("whk_wrong", time.Time{}), creds, false, CodeWrongKey, -1},
		{"4m59s old", providerHeader("whk_current", testNow.Add(-4*time.Minute-59*time.Second)), creds, true, "", 0},
		{"exactly 5m old", providerHeader("whk_current", testNow.Add(-Tolerance)), creds, true, "", 0},
		{"5m1ms old", providerHeader("whk_current", testNow.Add(-Tolerance-time.Millisecond)), creds, false, CodeStaleTimestamp, -1},
		{"1h old", providerHeader("whk_current", testNow.Add(-time.Hour)), creds, false, CodeStaleTimestamp, -1},
		{"4m in the future", providerHeader("whk_current", testNow.Add(4*time.Minute)), creds, true, "", 0},
		{"6m in the future", providerHeader("whk_current", testNow.Add(6*time.Minute)), creds, false, CodeStaleTimestamp, -1},
		{"previous key but stale", providerHeader("whk_previous", testNow.Add(-time.Hour)), creds, false, CodeStaleTimestamp, -1},
		{"no keys configured", providerHeader("whk_current", testNow), Credentials{}, false, CodeNotConfigured, -1},
		{"only an empty key configured", providerHeader("whk_current", testNow), Credentials{Keys: []string{""}}, false, CodeNotConfigured, -1},
		{"empty key skipped, real key matches", providerHeader("whk_current", testNow), Credentials{Keys: []string{"", "whk_current"}}, true, "", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := Verify(tt.header, []byte(`{}`), tt.creds, testNow)
			if v.OK != tt.wantOK || v.Code != tt.wantCode || v.Index != tt.wantIndex {
				t.Errorf("want OK=%v Code=%q Index=%d, got OK=%v Code=%q Index=%d (reason %q)",
					tt.wantOK, tt.wantCode, tt.wantIndex, v.OK, v.Code, v.Index, v.Reason)
			}
			wantScheme := SchemeProviderKey
			if tt.wantCode == CodeMissingCredentials {
				wantScheme = ""
			}
			if v.Scheme != wantScheme {
				t.Errorf("want Scheme %q, got %q", wantScheme, v.Scheme)
			}
			if v.OK && v.Reason != "" {
				t.Errorf("want no Reason on success, got %q", v.Reason)
			}
			if !v.OK && v.Reason == "" {
				t.Errorf("want a Reason on failure, got none")
			}
		})
	}
}

func TestVerifyProviderMalformedTimestamp(t *testing.T) {
	creds := Credentials{Keys: []string{"k"}}
	ms := strconv.FormatInt(testNow.UnixMilli(), 10)
	for _, ts := range []string{"abc", "1.7e12", "-" + ms, "+" + ms, " " + ms, ms + ".0", "99999999999999999999999", "0x1"} {
		h := http.Header{}
		h.Set(HeaderWebhookKey, "k")
		h.Set(HeaderRequestTimestamp, ts)
		v := Verify(h, nil, creds, testNow)
		if v.OK || v.Code != CodeMalformedTimestamp {
			t.Errorf("timestamp %q: want Code %q, got OK=%v Code=%q", ts, CodeMalformedTimestamp, v.OK, v.Code)
		}
	}
}

func TestVerifyProviderSecondsAreNotMilliseconds(t *testing.T) {
	// A sender that puts epoch seconds in X-Request-Timestamp is ~54 years
	// off under the millisecond reading, and must be refused, not trusted.
	h := http.Header{}
	h.Set(HeaderWebhookKey, "k")
	h.Set(HeaderRequestTimestamp, strconv.FormatInt(testNow.Unix(), 10))
	v := Verify(h, nil, Credentials{Keys: []string{"k"}}, testNow)
	if v.OK || v.Code != CodeStaleTimestamp {
		t.Errorf("want Code %q, got OK=%v Code=%q", CodeStaleTimestamp, v.OK, v.Code)
	}
	if want := time.UnixMilli(testNow.Unix()); !v.Timestamp.Equal(want) {
		t.Errorf("want Timestamp %v, got %v", want, v.Timestamp)
	}
}

const (
	vectorSecret  = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	vectorID      = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	vectorTS      = 1614265330
	vectorPayload = `{"test": 2432232314}`
	vectorSig     = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

func TestStandardWebhooksTestVector(t *testing.T) {
	ts := time.Unix(vectorTS, 0)
	got, err := Sign(vectorSecret, vectorID, ts, []byte(vectorPayload))
	if err != nil {
		t.Fatalf("Sign: want no error, got %v", err)
	}
	if got != vectorSig {
		t.Errorf("Sign: want %q, got %q", vectorSig, got)
	}

	h := http.Header{}
	h.Set(HeaderWebhookID, vectorID)
	h.Set(HeaderWebhookTimestamp, strconv.Itoa(vectorTS))
	h.Set(HeaderWebhookSignature, vectorSig)
	v := Verify(h, []byte(vectorPayload), Credentials{Secrets: []string{vectorSecret}}, ts.Add(time.Minute))
	if !v.OK || v.Scheme != SchemeStandardWebhooks || v.WebhookID != vectorID || !v.Timestamp.Equal(ts) {
		t.Errorf("Verify: want OK standard-webhooks %s at %v, got %+v", vectorID, ts, v)
	}

	// The same secret without its prefix is the raw base64 and must work too.
	v = Verify(h, []byte(vectorPayload), Credentials{Secrets: []string{strings.TrimPrefix(vectorSecret, SecretPrefix)}}, ts)
	if !v.OK {
		t.Errorf("Verify with unprefixed secret: want OK, got %+v", v)
	}
}

func standardHeader(t *testing.T, secret, id string, ts time.Time, body string) http.Header {
	t.Helper()
	sig, err := Sign(secret, id, ts, []byte(body))
	if err != nil {
		t.Fatalf("Sign: %v", err)
	}
	h := http.Header{}
	h.Set(HeaderWebhookID, id)
	h.Set(HeaderWebhookTimestamp, strconv.FormatInt(ts.Unix(), 10))
	h.Set(HeaderWebhookSignature, sig)
	return h
}

func TestVerifyStandardWebhooks(t *testing.T) {
	current, previous, other := store.NewWebhookSecret(), store.NewWebhookSecret(), store.NewWebhookSecret()
	creds := Credentials{Secrets: []string{current, previous}}
	const body = `{"operation":"CARDS","operation_id":"op-1"}`

	mutate := func(h http.Header, f func(http.Header)) http.Header { f(h); return h }
	sigOf := func(h http.Header) string { return h.Get(HeaderWebhookSignature) }

	good := func() http.Header { return standardHeader(t, current, "msg_1", testNow, body) }
	otherSig := sigOf(standardHeader(t, other, "msg_1", testNow, body))

	tests := []struct {
		name      string
		header    http.Header
		body      string
		creds     Credentials
		wantOK    bool
		wantCode  string
		wantIndex int
	}{
		{"current secret", good(), body, creds, true, "", 0},
		{"previous secret during rotation", standardHeader(t, previous, "msg_1", testNow, body), body, creds, true, "", 1},
		{"wrong secret", standardHeader(t, other, "msg_1", testNow, body), body, creds, false, CodeBadSignature, -1},
		{"tampered body", good(), body + " ", creds, false, CodeBadSignature, -1},
		{"tampered id", mutate(good(), func(h http.Header) { h.Set(HeaderWebhookID, "msg_2") }), body, creds, false, CodeBadSignature, -1},
		{"tampered timestamp", mutate(good(), func(h http.Header) {
			h.Set(HeaderWebhookTimestamp, strconv.FormatInt(testNow.Unix()+1, 10))
		}), body, creds, false, CodeBadSignature, -1},
		{"second of two signatures matches", mutate(good(), func(h http.Header) {
			h.Set(HeaderWebhookSignature, otherSig+" "+sigOf(h))
		}), body, creds, true, "", 0},
		{"signatures separated by several spaces", mutate(good(), func(h http.Header) {
			h.Set(HeaderWebhookSignature, "  "+otherSig+"   "+sigOf(h)+" ")
		}), body, creds, true, "", 0},
		{"signature in a second header line", mutate(good(), func(h http.Header) {
			sig := sigOf(h)
			h.Set(HeaderWebhookSignature, otherSig)
			h.Add(HeaderWebhookSignature, sig)
		}), body, creds, true, "", 0},
		{"right signature under another version", mutate(good(), func(h http.Header) {
			h.Set(HeaderWebhookSignature, "v2"+strings.TrimPrefix(sigOf(h), "v1"))
		}), body, creds, false, CodeBadSignature, -1},
		{"v1a entries are ignored", mutate(good(), func(h http.Header) {
			h.Set(HeaderWebhookSignature, "v1a,AAAA "+sigOf(h))
		}), body, creds, true, "", 0},
		{"bad base64 entry does not hide a good one", mutate(good(), func(h http.Header) {
			h.Set(HeaderWebhookSignature, "v1,!!!! "+sigOf(h))
		}), body, creds, true, "", 0},
		{"no comma anywhere", mutate(good(), func(h http.Header) {
			h.Set(HeaderWebhookSignature, "garbage")
		}), body, creds, false, CodeMalformedSignature, -1},
		{"bare base64 without version", mutate(good(), func(h http.Header) {
			h.Set(HeaderWebhookSignature, strings.TrimPrefix(sigOf(h), "v1,"))
		}), body, creds, false, CodeMalformedSignature, -1},
		{"empty signature after comma", mutate(good(), func(h http.Header) {
			h.Set(HeaderWebhookSignature, "v1,")
		}), body, creds, false, CodeMalformedSignature, -1},
		{"missing webhook-id", mutate(good(), func(h http.Header) { h.Del(HeaderWebhookID) }), body, creds, false, CodeMissingWebhookID, -1},
		{"missing webhook-timestamp", mutate(good(), func(h http.Header) { h.Del(HeaderWebhookTimestamp) }), body, creds, false, CodeMissingTimestamp, -1},
		{"timestamp in milliseconds", mutate(good(), func(h http.Header) {
			h.Set(HeaderWebhookTimestamp, strconv.FormatInt(testNow.UnixMilli(), 10))
		}), body, creds, false, CodeBadSignature, -1},
		{"malformed timestamp", mutate(good(), func(h http.Header) { h.Set(HeaderWebhookTimestamp, "soon") }), body, creds, false, CodeMalformedTimestamp, -1},
		{"signed 6m ago", standardHeader(t, current, "msg_1", testNow.Add(-6*time.Minute), body), body, creds, false, CodeStaleTimestamp, -1},
		{"signed 6m ahead", standardHeader(t, current, "msg_1", testNow.Add(6*time.Minute), body), body, creds, false, CodeStaleTimestamp, -1},
		{"signed 5m ago", standardHeader(t, current, "msg_1", testNow.Add(-5*time.Minute), body), body, creds, true, "", 0},
		{"stale and forged reads as forged", standardHeader(t, other, "msg_1", testNow.Add(-time.Hour), body), body, creds, false, CodeBadSignature, -1},
		{"no secrets configured", good(), body, Credentials{Keys: []string{"k"}}, false, CodeNotConfigured, -1},
		{"only undecodable secrets", good(), body, Credentials{Secrets: []string{"whsec_***", "", "whsec_"}}, false, CodeNotConfigured, -1},
		{"undecodable secret skipped", good(), body, Credentials{Secrets: []string{"whsec_***", current}}, true, "", 1},
		{"signature wins over a good key", mutate(standardHeader(t, other, "msg_1", testNow, body), func(h http.Header) {
			h.Set(HeaderWebhookKey, "k")
			h.Set(HeaderRequestTimestamp, strconv.FormatInt(testNow.UnixMilli(), 10))
		}), body, Credentials{Keys: []string{"k"}, Secrets: []string{current}}, false, CodeBadSignature, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := Verify(tt.header, []byte(tt.body), tt.creds, testNow)
			if v.OK != tt.wantOK || v.Code != tt.wantCode || v.Index != tt.wantIndex {
				t.Errorf("want OK=%v Code=%q Index=%d, got OK=%v Code=%q Index=%d (reason %q)",
					tt.wantOK, tt.wantCode, tt.wantIndex, v.OK, v.Code, v.Index, v.Reason)
			}
			if v.Scheme != SchemeStandardWebhooks {
				t.Errorf("want Scheme %q, got %q", SchemeStandardWebhooks, v.Scheme)
			}
			if want := tt.header.Get(HeaderWebhookID); v.WebhookID != want {
				t.Errorf("want WebhookID %q, got %q", want, v.WebhookID)
			}
		})
	}
}

func TestVerifyReasons(t *testing.T) {
	creds := Credentials{Keys: []string{"k"}, Secrets: []string{store.NewWebhookSecret()}}
	tests := []struct {
		header     http.Header
		wantReason string
	}{
		{http.Header{}, "missing credentials"},
		{providerHeader("nope", testNow), "wrong key"},
		{providerHeader("k", testNow.Add(-time.Hour)), "stale timestamp"},
		{standardHeader(t, store.NewWebhookSecret(), "m", testNow, ""), "bad signature"},
		{http.Header{HeaderWebhookID: {"m"}, HeaderWebhookTimestamp: {"1"}, HeaderWebhookSignature: {"x"}}, "malformed signature header"},
	}
	for _, tt := range tests {
		if v := Verify(tt.header, nil, creds, testNow); v.Reason != tt.wantReason {
			t.Errorf("want Reason %q, got %q", tt.wantReason, v.Reason)
		}
	}
}

func TestVerificationString(t *testing.T) {
	tests := []struct {
		v    Verification
		want string
	}{
		{Verification{Scheme: SchemeStandardWebhooks, OK: true}, "standard-webhooks: ok"},
		{Verification{Scheme: SchemeProviderKey, Reason: "wrong key"}, "provider-key: wrong key"},
		{Verification{Reason: "missing credentials"}, "none: missing credentials"},
	}
	for _, tt := range tests {
		if got := tt.v.String(); got != tt.want {
			t.Errorf("want %q, got %q", tt.want, got)
		}
	}
}

func TestSignRejectsBadSecret(t *testing.T) {
	for _, s := range []string{"", "whsec_", "whsec_***", "not base64!"} {
		if _, err := Sign(s, "id", testNow, nil); err == nil {
			t.Errorf("Sign(%q): want an error, got none", s)
		}
		if ValidSecret(s) {
			t.Errorf("ValidSecret(%q): want false, got true", s)
		}
	}
	// Unpadded base64 is accepted, and signs like the padded form.
	padded := "whsec_" + base64.StdEncoding.EncodeToString([]byte("0123456789a"))
	unpadded := strings.TrimRight(padded, "=")
	if padded == unpadded {
		t.Fatal("test secret needs padding")
	}
	a, errA := Sign(padded, "id", testNow, nil)
	b, errB := Sign(unpadded, "id", testNow, nil)
	if errA != nil || errB != nil || a != b {
		t.Errorf("want equal signatures, got %q (%v) and %q (%v)", a, errA, b, errB)
	}
}

func FuzzVerify(f *testing.F) {
	secret := store.NewWebhookSecret()
	creds := Credentials{Keys: []string{"k"}, Secrets: []string{secret}}
	f.Add("msg", "1614265330", vectorSig, "k", "1614265330000", []byte(vectorPayload))
	f.Add("", "", "v1,", "", "", []byte(nil))
	f.Add("m", "99999999999999999999", "v1,a v1a,b ,", "", "-1", []byte("{}"))
	f.Fuzz(func(t *testing.T, id, ts, sig, key, reqTS string, body []byte) {
		h := http.Header{}
		for name, v := range map[string]string{
			HeaderWebhookID: id, HeaderWebhookTimestamp: ts, HeaderWebhookSignature: sig,
			HeaderWebhookKey: key, HeaderRequestTimestamp: reqTS,
		} {
			if v != "" {
				h.Set(name, v)
			}
		}
		v := Verify(h, body, creds, time.Unix(1614265330, 0))
		if v.OK != (v.Code == "") || v.OK != (v.Reason == "") {
			t.Fatalf("want Code and Reason empty exactly when OK, got %+v", v)
		}
		if v.OK && v.Scheme == SchemeStandardWebhooks {
			// Only a real signature under the secret can pass.
			want, _ := Sign(secret, id, v.Timestamp, body)
			if !strings.Contains(" "+sig+" ", " "+want+" ") && !strings.Contains(sig, strings.TrimPrefix(want, "v1,")) {
				t.Fatalf("passed without the right signature: %+v", v)
			}
		}
		if v.OK && v.Scheme == SchemeProviderKey && key != "k" {
			t.Fatalf("passed with key %q", key)
		}
	})
}

// TestVerifyRequireSignature: with RequireSignature the provider's key alone
// is refused, even the right one, while a good signature still passes.
func TestVerifyRequireSignature(t *testing.T) {
	secret := store.NewWebhookSecret()
	creds := Credentials{Keys: []string{"whk_current"}, Secrets: []string{secret}, RequireSignature: true}
	tests := []struct {
		name       string
		header     http.Header
		wantOK     bool
		wantCode   string
		wantScheme string
	}{
		{"right key alone", providerHeader("whk_current", testNow), false, CodeSignatureRequired, SchemeProviderKey},
		{"nothing at all", http.Header{}, false, CodeSignatureRequired, ""},
		{"good signature", standardHeader(t, secret, "msg_1", testNow, `{}`), true, "", SchemeStandardWebhooks},
		{"bad signature with the right key", func() http.Header {
			h := standardHeader(t, store.NewWebhookSecret(), "msg_1", testNow, `{}`)
			h.Set(HeaderWebhookKey, "whk_current")
			h.Set(HeaderRequestTimestamp, strconv.FormatInt(testNow.UnixMilli(), 10))
			return h
		}(), false, CodeBadSignature, SchemeStandardWebhooks},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := Verify(tt.header, []byte(`{}`), creds, testNow)
			if v.OK != tt.wantOK || v.Code != tt.wantCode || v.Scheme != tt.wantScheme {
				t.Errorf("got OK=%v Code=%q Scheme=%q (%s), want OK=%v Code=%q Scheme=%q", v.OK, v.Code, v.Scheme, v, tt.wantOK, tt.wantCode, tt.wantScheme)
			}
		})
	}
}
