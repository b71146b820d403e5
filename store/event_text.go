package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"
)

// TextIndexBatch is the most events IndexEventText adds to the text index
// in one transaction. The receiver's group commit waits for the writer
// while such a transaction runs, so this bounds how long a delivery can be
// held up by the indexer.
const TextIndexBatch = 2000

// Indexed is what one IndexEventText call did.
type Indexed struct {
	Events int           // events added to the text index
	Mark   int64         // the high-water mark afterwards: every event up to it is indexed
	Tx     time.Duration // how long the write transaction held the writer
}

// More reports whether the call indexed a full batch, so that more events
// may be waiting.
func (x Indexed) More() bool { return x.Events == TextIndexBatch }

// The text index's high-water mark (migration 0021).
const (
	textMarkSQL = `SELECT indexed_to FROM webhook_events_text_mark`
	// indexTextSQL takes a JSON array of eventText and indexes those of
	// its events that still exist (retention may have deleted one since
	// it was read).
	indexTextSQL = `INSERT INTO webhook_events_text(rowid, payload_values)
		SELECT value->>0, value->>1 FROM json_each(?) WHERE EXISTS (SELECT 1 FROM webhook_events WHERE id = value->>0)`
)

// IndexEventText adds to the payload's text index, in one transaction, up
// to TextIndexBatch of the events above its high-water mark, oldest first,
// and moves the mark past them. The receiver does not index (it would pay
// FTS5's tokenising and segment merging at every group commit); until the
// indexer has passed them, Events finds the newest events by reading them.
//
// The bodies are read and their values computed before the transaction, so
// the writer is held only for the index insert. A body never changes once
// stored; an event deleted meanwhile is left out, and if the events between
// the mark and the batch's end are no longer those read (the mark moved,
// or an id was reused after retention emptied the top of the table), the
// transaction does nothing and the next call reads again.
func (s *Store) IndexEventText(ctx context.Context) (Indexed, error) {
	var x Indexed
	var mark int64
	if err := s.r.QueryRowContext(ctx, textMarkSQL).Scan(&mark); err != nil {
		return x, fmt.Errorf("store: index event text: %w", err)
	}
	x.Mark = mark
	rows, err := s.r.QueryContext(ctx, `SELECT id, body FROM webhook_events WHERE id > ? ORDER BY id LIMIT ?`, mark, TextIndexBatch)
	if err != nil {
		return x, fmt.Errorf("store: index event text: %w", err)
	}
	texts := make([]eventText, 0, TextIndexBatch)
	for rows.Next() {
		var t eventText
		var body []byte
		if err := rows.Scan(&t.id, &body); err != nil {
			rows.Close()
			return x, fmt.Errorf("store: index event text: %w", err)
		}
		t.values = PayloadValues(body)
		texts = append(texts, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return x, fmt.Errorf("store: index event text: %w", err)
	}
	if len(texts) == 0 {
		return x, nil
	}
	last := texts[len(texts)-1].id
	if s.afterTextRead != nil {
		s.afterTextRead()
	}
	j, err := json.Marshal(texts)
	if err != nil {
		return x, fmt.Errorf("store: index event text: %w", err)
	}
	st, err := s.prepared(ctx, indexTextSQL)
	if err != nil {
		return x, fmt.Errorf("store: index event text: %w", err)
	}
	start := time.Now()
	var n int64
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE webhook_events_text_mark SET indexed_to = ? WHERE indexed_to = ?`, last, mark)
		if err != nil {
			return err
		}
		if moved, err := res.RowsAffected(); err != nil || moved != 1 {
			n = 0
			return errTextMarkMoved
		}
		if res, err = tx.StmtContext(ctx, st).ExecContext(ctx, string(j)); err != nil {
			return err
		}
		if n, err = res.RowsAffected(); err != nil {
			return err
		}
		// Every event now between the mark and last must be one read
		// above: none arrived in between since.
		var between int64
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM webhook_events WHERE id > ? AND id <= ?`, mark, last).Scan(&between); err != nil {
			return err
		}
		if between != n {
			n = 0
			return errTextMarkMoved
		}
		return nil
	})
	x.Tx = time.Since(start)
	if err == errTextMarkMoved {
		return x, nil
	}
	if err != nil {
		return x, fmt.Errorf("store: index event text up to %d: %w", last, err)
	}
	x.Events, x.Mark = len(texts), last
	return x, nil
}

// errTextMarkMoved rolls back an IndexEventText transaction whose batch is
// out of date.
var errTextMarkMoved = fmt.Errorf("text index mark moved")

// IndexEventTextLoop keeps the text index up with the events until ctx is
// done: it calls IndexEventText every interval, and again after pause while
// it indexes full batches, so the receiver's commits go in between. logf is
// told of each call that indexed something or failed. Serve runs it; it
// returns once ctx is done and its current transaction, bounded by the
// write timeout, has ended.
func (s *Store) IndexEventTextLoop(ctx context.Context, interval, pause time.Duration, logf func(Indexed, error)) {
	wait := interval
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		// The reads before the transaction have a deadline too; the
		// transaction has the write timeout.
		cctx, cancel := context.WithTimeout(ctx, time.Minute)
		x, err := s.IndexEventText(cctx)
		cancel()
		if ctx.Err() != nil {
			return
		}
		if err != nil || x.Events > 0 {
			logf(x, err)
		}
		wait = interval
		if err == nil && x.More() {
			wait = pause
		}
	}
}

// textLag is the SQL of the events above the text index's mark, for a
// condition on key (an event id): the events Events must read because the
// index does not hold them yet.
func textLag(key string) string {
	return key + " > (" + textMarkSQL + ")"
}
