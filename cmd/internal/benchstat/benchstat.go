// Package benchstat holds what the benchmark programs in cmd/ share: the
// percentiles they report and a way to read a query's rows to the end.
package benchstat

import (
	"context"
	"database/sql"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Pct is the p-th percentile of d (nearest rank), 0 for no samples.
func Pct(d []time.Duration, p int) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	i := (len(s)*p + 99) / 100
	return s[max(0, min(len(s)-1, i-1))]
}

// Ms is d in milliseconds.
func Ms(d time.Duration) float64 { return float64(d) / 1e6 }

// Drain runs q and reads every row, as a page would, discarding them.
func Drain(ctx context.Context, db *sql.DB, q string, args ...any) error {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	vals := make([]any, len(cols))
	for i := range vals {
		vals[i] = new(any)
	}
	for rows.Next() {
		if err := rows.Scan(vals...); err != nil {
			return err
		}
	}
	return rows.Err()
}

// DiskReadBytes reports how many bytes this process has had read from
// storage so far: Linux's read_bytes in /proc/self/io, which counts the
// page cache's misses and not the reads it answered. ok is false where it
// is not available. At scale a page's latency is its reads that reach the
// disk, whose speed varies hour by hour; their count does not.
func DiskReadBytes() (n int64, ok bool) {
	b, err := os.ReadFile("/proc/self/io")
	if err != nil {
		return 0, false
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, found := strings.CutPrefix(line, "read_bytes:"); found {
			n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			return n, err == nil
		}
	}
	return 0, false
}
