package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"cardops/store"
)

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestUserAdd(t *testing.T) {
	store.BcryptCost = bcrypt.MinCost
	db := filepath.Join(t.TempDir(), "cli.db")
	getenv := env(map[string]string{"CARDOPS_DB": db})
	for _, tc := range []struct {
		name    string
		args    []string
		stdin   string
		wantErr string
		wantOut string
	}{
		{"good", []string{"user", "add", "alice", "--level", "3"}, "a fine password\n", "", "created user alice at level 3 (Admin)"},
		{"flags before name", []string{"user", "add", "--level", "1", "bob"}, "a fine password\n", "", "created user bob at level 1"},
		{"duplicate", []string{"user", "add", "alice", "--level", "2"}, "a fine password\n", "already exists", ""},
		{"bad level", []string{"user", "add", "carol", "--level", "4"}, "a fine password\n", "--level must be 1, 2 or 3", ""},
		{"missing level", []string{"user", "add", "carol"}, "a fine password\n", "--level must be 1, 2 or 3", ""},
		{"short password", []string{"user", "add", "carol", "--level", "1"}, "short\n", "at least 10 characters", ""},
		{"empty password", []string{"user", "add", "carol", "--level", "1"}, "", "empty password", ""},
		{"no name", []string{"user", "add", "--level", "1"}, "a fine password\n", "give the user's name", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := run(context.Background(), tc.args, getenv, strings.NewReader(tc.stdin), &out, &errOut)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("run = %v, want an error containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("run = %v", err)
			}
			if !strings.Contains(out.String(), tc.wantOut) {
				t.Errorf("output %q, want %q", out.String(), tc.wantOut)
			}
		})
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"user", "list"}, getenv, nil, &out, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "alice") || !strings.Contains(out.String(), "3 Admin") || strings.Contains(out.String(), "carol") {
		t.Errorf("user list = %q, want alice at level 3 and no carol", out.String())
	}
}

func TestUnknownCommand(t *testing.T) {
	err := run(context.Background(), []string{"frobnicate"}, env(nil), nil, &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "unknown command") {
		t.Errorf("run = %v, want unknown command", err)
	}
}

func TestBadEnvironmentValue(t *testing.T) {
	err := run(context.Background(), []string{"serve"}, env(map[string]string{"CARDOPS_DEMO": "maybe"}), nil, &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "CARDOPS_DEMO") {
		t.Errorf("run = %v, want an error naming CARDOPS_DEMO", err)
	}
}
