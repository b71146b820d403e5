package store

import (
	"context"
	"encoding/base64"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestWebhookSecretsGeneratedOnceAndRotated(t *testing.T) {
	ctx := context.Background()
	st, err := Open(ctx, filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	first, err := st.WebhookSecrets(ctx, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(first.Key, "whk_") || !strings.HasPrefix(first.Secret, "whsec_") {
		t.Fatalf("secrets = %+v, want whk_ and whsec_ prefixes", first)
	}
	again, _ := st.WebhookSecrets(ctx, "", "")
	if again.Key != first.Key || again.Secret != first.Secret {
		t.Errorf("second read generated new secrets")
	}
	set, _ := st.WebhookSecrets(ctx, "operator-key", "")
	if set.Key != "operator-key" || set.Secret != first.Secret {
		t.Errorf("operator key not applied: %+v", set)
	}
	rotated, err := st.RotateWebhookSecrets(ctx, time.Hour, Actor{Username: "admin", Level: LevelAdmin})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if keys := rotated.Keys(now); len(keys) != 2 || keys[1] != "operator-key" {
		t.Errorf("keys during overlap = %v, want new and old", keys)
	}
	if keys := rotated.Keys(now.Add(2 * time.Hour)); len(keys) != 1 || keys[0] != rotated.Key {
		t.Errorf("keys after overlap = %v, want only the new key", keys)
	}
}

func TestNewWebhookKeyAndSecret(t *testing.T) {
	seen := map[string]bool{}
	for range 50 {
		s := NewWebhookSecret()
		raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(s, "whsec_"))
		if !strings.HasPrefix(s, "whsec_") || err != nil || len(raw) != 24 {
			t.Fatalf("secret %q: want whsec_ and 24 bytes of base64, got %d bytes (%v)", s, len(raw), err)
		}
		k := NewWebhookKey()
		if !strings.HasPrefix(k, "whk_") || len(k) != len("whk_")+64 {
			t.Fatalf("key %q: want whk_ and 64 hex digits", k)
		}
		if seen[s] || seen[k] {
			t.Fatalf("want fresh values, got a repeat: %q %q", s, k)
		}
		seen[s], seen[k] = true, true
	}
}
