package main

import (
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"
)

func TestServeEventsKeepDaysRefused(t *testing.T) {
	for name, tc := range map[string]struct {
		args []string
		env  map[string]string
		want string
	}{
		"negative flag":       {[]string{"--events-keep-days", "-1"}, nil, "--events-keep-days"},
		"not a number in env": {nil, map[string]string{"CARDOPS_EVENTS_KEEP_DAYS": "ninety"}, "CARDOPS_EVENTS_KEEP_DAYS"},
	} {
		t.Run(name, func(t *testing.T) {
			args := append([]string{"serve", "--db", filepath.Join(t.TempDir(), "x.db")}, tc.args...)
			err := run(context.Background(), args, env(tc.env), nil, io.Discard, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want it to name %s", err, tc.want)
			}
		})
	}
}
