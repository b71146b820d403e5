package dispatch_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"cardops/store"
	"cardops/store/storetest"
	"cardops/web"
	"cardops/web/dispatch"
)

// BenchmarkDispatchEmbedded measures what `cardops serve` does by default:
// b.N notifications already in the outbox, delivered by the dispatcher over
// loopback HTTP to the console's own receiver, which verifies each one and
// commits it (group commit) to the same SQLite database before answering.
// It reports deliveries/s until every notification is stored as an event.
func BenchmarkDispatchEmbedded(b *testing.B) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(b.TempDir(), "embedded.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	if err := storetest.QueueNotifications(ctx, st, b.N); err != nil {
		b.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	ts := httptest.NewUnstartedServer(nil)
	target := "http://" + ts.Listener.Addr().String() + "/webhooks"
	d := dispatch.New(dispatch.Config{Store: st, Target: target, Logger: logger})
	console, err := web.New(ctx, web.Config{Store: st, Logger: logger, WebhookTarget: target, WakeDispatcher: d.Wake})
	if err != nil {
		b.Fatal(err)
	}
	ts.Config.Handler = console
	ts.Start()
	b.Cleanup(func() { console.Close(); ts.Close() })

	b.ResetTimer()
	start := time.Now()
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); d.Run(runCtx) }()
	for {
		n, err := st.LatestEventID(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if n >= int64(b.N) {
			break
		}
		time.Sleep(2 * time.Millisecond)
	}
	elapsed := time.Since(start)
	b.StopTimer()
	stop()
	<-done
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "deliveries/s")
}
