package web

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"cardops/store"
	"cardops/web/webhook"
)

const crashHelperEnv = "CARDOPS_CRASH_HELPER_DB"

// TestCrashHelperProcess is the server that TestWebhookCrashLosesNoAcknowledgedEvent
// starts in a child process and kills; on its own it skips.
func TestCrashHelperProcess(t *testing.T) {
	db := os.Getenv(crashHelperEnv)
	if db == "" {
		t.Skip("helper process for TestWebhookCrashLosesNoAcknowledgedEvent")
	}
	ctx := context.Background()
	st, err := store.Open(ctx, db)
	if err != nil {
		fmt.Println("ERROR", err)
		os.Exit(1)
	}
	srv, err := New(ctx, Config{Store: st, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), WebhookKey: testWebhookKey})
	if err != nil {
		fmt.Println("ERROR", err)
		os.Exit(1)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println("ERROR", err)
		os.Exit(1)
	}
	fmt.Println("LISTEN", ln.Addr().String())
	http.Serve(ln, srv) // until killed
}

// TestWebhookCrashLosesNoAcknowledgedEvent kills a receiving server with
// SIGKILL in the middle of a burst of concurrent deliveries, reopens its
// database and checks that every delivery it acknowledged is there.
func TestWebhookCrashLosesNoAcknowledgedEvent(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills a server process")
	}
	db := filepath.Join(t.TempDir(), "crash.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashHelperProcess$")
	cmd.Env = append(os.Environ(), crashHelperEnv+"="+db)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	killed := false
	t.Cleanup(func() {
		if !killed {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	addrc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), "LISTEN "); ok {
				addrc <- a
			}
		}
		io.Copy(io.Discard, out)
	}()
	var addr string
	select {
	case addr = <-addrc:
	case <-time.After(30 * time.Second):
		t.Fatal("helper server did not start within 30s")
	}

	var mu sync.Mutex
	acked := map[string]bool{}
	var sent, failed int
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	// Each sender sends until the server is gone; inflight counts the
	// requests sent and not yet answered.
	var inflight atomic.Int64
	var wg sync.WaitGroup
	for s := range 32 {
		wg.Go(func() {
			for i := 0; ; i++ {
				opID := fmt.Sprintf("crash-%d-%d", s, i)
				req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/webhooks", strings.NewReader(notification(opID)))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set(webhook.HeaderWebhookKey, testWebhookKey)
				req.Header.Set(webhook.HeaderRequestTimestamp, fmt.Sprint(time.Now().UnixMilli()))
				inflight.Add(1)
				resp, err := client.Do(req)
				inflight.Add(-1)
				mu.Lock()
				sent++
				if err == nil && resp.StatusCode == http.StatusOK {
					acked[opID] = true
				} else {
					failed++
				}
				mu.Unlock()
				if err != nil {
					return // the server is gone
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		})
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		// Mid-burst: a good many acknowledged, and requests on the wire
		// (on a busy machine the senders can all be between requests).
		if n >= 1500 && inflight.Load() >= 8 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d deliveries acknowledged in 30s", n)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	atKill := inflight.Load()
	killed = true
	cmd.Wait()
	wg.Wait()

	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatalf("reopen after kill: %v", err)
	}
	defer st.Close()
	stored := map[string]bool{}
	var before int64
	for {
		evs, err := st.Events(context.Background(), store.EventFilter{BeforeID: before, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range evs {
			stored[e.OperationID] = true
			before = e.ID
		}
		if len(evs) < 1000 {
			break
		}
	}
	lost := 0
	for opID := range acked {
		if !stored[opID] {
			lost++
			if lost < 5 {
				t.Errorf("acknowledged %s is missing after the crash", opID)
			}
		}
	}
	t.Logf("sent %d, acknowledged %d, unacknowledged %d (%d on the wire at the kill), stored after restart %d, lost %d",
		sent, len(acked), failed, atKill, len(stored), lost)
	if lost > 0 {
		t.Fatalf("%d acknowledged deliveries lost", lost)
	}
}
