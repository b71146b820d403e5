package main

import (
	"context"
	"database/sql"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cardops/store"
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

// TestServeDeletesDeliveredBurstRows: serve deletes, from its start, the
// delivered rows of a burst done more than store.BurstRowsKeep ago, and
// keeps the other notifications.
func TestServeDeletesDeliveredBurstRows(t *testing.T) {
	db := filepath.Join(t.TempDir(), "bursts.db")
	ctx := context.Background()
	st, err := openAsCLI(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	then := time.Now().Add(-store.BurstRowsKeep - time.Hour)
	st.SetClock(func() time.Time { return then })
	by := store.SimActor{Name: "operator", Level: store.LevelOperational}
	if _, err := st.EnqueueEdited(ctx, []byte(`{"operation":"CARDS","operation_id":"op-1"}`), store.ModeNormal, by); err != nil {
		t.Fatal(err)
	}
	if _, err := st.EnqueueBurst(ctx, 30, "", by); err != nil {
		t.Fatal(err)
	}
	due, err := st.DueOutbox(ctx, time.Now(), 100, nil)
	if err != nil {
		t.Fatal(err)
	}
	var results []store.AttemptResult
	for _, m := range due {
		results = append(results, store.AttemptResult{State: store.OutboxDelivered, Attempt: store.OutboxAttempt{
			OutboxID: m.ID, Target: "http://receiver", StartedAt: then.UnixMilli(), DurationMs: 2, HTTPStatus: 200}})
	}
	if err := st.RecordAttempts(ctx, results); err != nil {
		t.Fatal(err)
	}
	st.Close()

	c := startServe(t, []string{"--db", db}, nil)
	ro, err := sql.Open("sqlite", "file:"+db+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var left int
		if err := ro.QueryRowContext(ctx, `SELECT count(*) FROM outbox`).Scan(&left); err != nil {
			t.Fatal(err)
		}
		if left == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("outbox rows = %d 30 s after the start, want the edited one only; stderr %q", left, c.Err.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	var source string
	if err := ro.QueryRowContext(ctx, `SELECT source FROM outbox`).Scan(&source); err != nil || source != store.SourceEdited {
		t.Errorf("the row left is %q (%v), want the edited one", source, err)
	}
	c.stop(t)
}
