package seed

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
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

// BenchmarkSeedBig seeds one large database per iteration (200,000 cards,
// or SEED_BIG) and reports cards/s, the database size and the process CPU:
//
//	SEED_BIG=1000000 go test -run '^$' -bench SeedBig -benchtime 1x -v ./store/seed
//
// The database goes to SEED_BIG_DIR (default: a temporary directory);
// SEED_BIG_WAL=1 times the copy through the WAL instead of a rollback
// journal, as when a reader is busy during the run; SEED_BIG_TRACE=1 logs
// the phases.
func BenchmarkSeedBig(b *testing.B) {
	n, _ := strconv.Atoi(os.Getenv("SEED_BIG"))
	if n == 0 {
		n = 200_000
	}
	dir := os.Getenv("SEED_BIG_DIR")
	if dir == "" {
		dir = b.TempDir()
	}
	if os.Getenv("SEED_BIG_WAL") != "" {
		old := rollbackJournalAt
		rollbackJournalAt = math.MaxInt
		b.Cleanup(func() { rollbackJournalAt = old })
	}
	ctx := context.Background()
	var elapsed time.Duration
	var size int64
	cpu0 := cpuTime()
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		path := filepath.Join(dir, "big"+strconv.Itoa(i)+".db")
		for _, suffix := range []string{"", "-wal", "-shm", ".pankey"} {
			os.Remove(path + suffix)
		}
		st, err := store.Open(ctx, path)
		if err != nil {
			b.Fatal(err)
		}
		if os.Getenv("SEED_BIG_TRACE") != "" {
			t0 := time.Now()
			c0 := cpuTime()
			tracef = func(f string, a ...any) {
				b.Logf("%6.1fs cpu %6.1fs %s "+f, append([]any{time.Since(t0).Seconds(), (cpuTime() - c0).Seconds(), procIO()}, a...)...)
			}
		}
		b.StartTimer()
		sum, err := Run(ctx, st, Options{Cards: n})
		b.StopTimer()
		tracef = nil
		if err != nil {
			b.Fatal(err)
		}
		elapsed += sum.Elapsed
		st.Close()
		if fi, err := os.Stat(path); err == nil {
			size = fi.Size()
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(b.N*n)/elapsed.Seconds(), "cards/s")
	b.ReportMetric(float64(size)/(1<<20), "MiB/db")
	b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
	b.Logf("%d cards per run; load average %s", n, loadavg())
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

// procIO reads the process's write and read calls and bytes so far.
func procIO() string {
	b, _ := os.ReadFile("/proc/self/io")
	st, _ := os.ReadFile("/proc/self/status")
	b = append(b, st...)
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		k, v, _ := strings.Cut(l, ":")
		v = strings.TrimSpace(v)
		switch k {
		case "syscr", "syscw":
			out = append(out, k+"="+v)
		case "VmRSS", "VmHWM":
			n, _ := strconv.ParseInt(strings.Fields(v)[0], 10, 64)
			out = append(out, fmt.Sprintf("%s=%dM", k, n>>10))
		case "rchar", "wchar":
			n, _ := strconv.ParseInt(v, 10, 64)
			out = append(out, fmt.Sprintf("%s=%dM", k, n>>20))
		}
	}
	return strings.Join(out, " ")
}
