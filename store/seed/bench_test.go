package seed

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"cardops/store"
)

// BenchmarkSeed seeds 20,000 cards into a fresh database per iteration.
func BenchmarkSeed(b *testing.B) {
	const cards = 20_000
	ctx := context.Background()
	var total time.Duration
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		st, err := store.Open(ctx, filepath.Join(b.TempDir(), strconv.Itoa(i)+".db"))
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		sum, err := Run(ctx, st, Options{Cards: cards})
		if err != nil {
			b.Fatal(err)
		}
		total += sum.Elapsed
		b.StopTimer()
		st.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(b.N*cards)/total.Seconds(), "cards/s")
}

// BenchmarkGenerate measures the generator alone, without SQLite.
func BenchmarkGenerate(b *testing.B) {
	g := newGen(1, bytes.Repeat([]byte{7}, store.PANKeySize))
	g.b = &batch{}
	i := 0
	for b.Loop() {
		if g.b.cards == batchCards {
			g.b.reset()
		}
		g.card(uint64(i))
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "cards/s")
}

// TestSeedBig times a large run and reports its phases:
//
//	SEED_BIG=1000000 go test -run TestSeedBig -v ./store/seed
//
// The database goes to SEED_BIG_DIR (default: a temporary directory);
// SEED_BIG_WAL=1 times the copy through the WAL instead of a rollback
// journal, as when a reader is busy during the run.
func TestSeedBig(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("SEED_BIG"))
	if n == 0 {
		t.Skip("set SEED_BIG to the number of cards to time a large seed")
	}
	dir := os.Getenv("SEED_BIG_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	path := filepath.Join(dir, "big.db")
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(path + suffix)
	}
	ctx := context.Background()
	st, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if os.Getenv("SEED_BIG_WAL") != "" {
		old := rollbackJournalAt
		rollbackJournalAt = math.MaxInt
		defer func() { rollbackJournalAt = old }()
	}
	t0, cpu0 := time.Now(), cpuTime()
	tracef = func(f string, a ...any) {
		t.Logf("%6.1fs (cpu %5.1fs) "+f, append([]any{time.Since(t0).Seconds(), (cpuTime() - cpu0).Seconds()}, a...)...)
	}
	defer func() { tracef = nil }()
	last := time.Now()
	sum, err := Run(ctx, st, Options{Cards: n, Progress: func(done, total int) {
		if time.Since(last) > 5*time.Second || done == total {
			t.Logf("%d/%d cards", done, total)
			last = time.Now()
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	var wal int64
	if wi, err := os.Stat(path + "-wal"); err == nil {
		wal = wi.Size()
	}
	t.Logf("%+v", sum)
	t.Logf("process CPU time %.1f s; load average %s", (cpuTime() - cpu0).Seconds(), loadavg())
	t.Logf("%.0f cards/s, %.1f s; database %.0f MiB (WAL %.0f MiB)",
		float64(sum.Cards)/sum.Elapsed.Seconds(), sum.Elapsed.Seconds(), float64(fi.Size())/(1<<20), float64(wal)/(1<<20))
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func loadavg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	return string(bytes.TrimSpace(b))
}
