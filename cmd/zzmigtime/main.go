package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"time"

	"cardops/store"

	_ "modernc.org/sqlite"
)

func size(p string) float64 { fi, _ := os.Stat(p); return float64(fi.Size()) / 1e6 }

func main() {
	p := os.Args[1]
	db, err := sql.Open("sqlite", "file:"+p)
	if err != nil {
		panic(err)
	}
	for _, q := range []string{"DROP INDEX webhook_events_operation_id", "DROP INDEX webhook_events_sub_operation", "DROP INDEX webhook_events_status",
		"DROP TABLE webhook_event_minutes", "DROP TABLE webhook_events_text", "DROP TABLE webhook_event_counts", "DROP TABLE IF EXISTS webhook_event_counts_hourly",
		"DELETE FROM schema_migrations WHERE version IN (17, 18)", "VACUUM"} {
		if _, err := db.Exec(q); err != nil {
			panic(fmt.Sprint(q, err))
		}
	}
	db.Close()
	fmt.Printf("before 0017/0018 (vacuumed): %.0f MB\n", size(p))
	t0 := time.Now()
	st, err := store.Open(context.Background(), p)
	if err != nil {
		panic(err)
	}
	fmt.Printf("open with migrations 0017+0018: %.1f s\n", time.Since(t0).Seconds())
	st.Close()
	db, _ = sql.Open("sqlite", "file:"+p)
	db.Exec("VACUUM")
	db.Close()
	fmt.Printf("after (vacuumed): %.0f MB\n", size(p))
}
