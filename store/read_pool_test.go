package store

import (
	"context"
	"fmt"
	"testing"
)

// The read pool keeps a query text prepared after its first use, answers
// from it with each use's own arguments, keeps answering after the schema
// changes under it, and stops keeping new texts at its bound without
// refusing them.
func TestReadPoolKeepsStatements(t *testing.T) {
	st := openTestStore(t)
	ctx := context.Background()
	p := st.r
	kept := func() int {
		p.mu.Lock()
		defer p.mu.Unlock()
		return len(p.stmts)
	}
	base := kept()

	const q = `SELECT ? + 1`
	for i := range 3 {
		var got int
		if err := p.QueryRowContext(ctx, q, i).Scan(&got); err != nil {
			t.Fatalf("query %d: %v", i, err)
		}
		if got != i+1 {
			t.Fatalf("query %d answered %d, want %d", i, got, i+1)
		}
	}
	if n := kept() - base; n != 1 {
		t.Fatalf("after one text asked three times the pool keeps %d new statements, want 1", n)
	}

	// A schema change (here by the writer) does not break a kept statement.
	const count = `SELECT count(*) FROM users`
	var before int
	if err := p.QueryRowContext(ctx, count).Scan(&before); err != nil {
		t.Fatal(err)
	}
	if _, err := st.w.ExecContext(ctx, `CREATE TABLE read_pool_probe (x)`); err != nil {
		t.Fatal(err)
	}
	if _, err := st.w.ExecContext(ctx, `INSERT INTO users (username, password_hash, level, created_at) VALUES ('probe', 'x', 1, 0)`); err != nil {
		t.Fatal(err)
	}
	var after int
	if err := p.QueryRowContext(ctx, count).Scan(&after); err != nil {
		t.Fatalf("a kept statement after a schema change: %v", err)
	}
	if after != before+1 {
		t.Fatalf("a kept statement after a schema change counts %d users, want %d", after, before+1)
	}

	// Past the bound, texts are still answered, and no more are kept.
	for i := range maxReadStmts + 20 {
		rows, err := p.QueryContext(ctx, fmt.Sprintf(`SELECT %d`, i))
		if err != nil {
			t.Fatalf("text %d: %v", i, err)
		}
		var got int
		if !rows.Next() {
			t.Fatalf("text %d: no row", i)
		}
		if err := rows.Scan(&got); err != nil || got != i {
			t.Fatalf("text %d answered %d (%v)", i, got, err)
		}
		rows.Close()
	}
	if n := kept(); n != maxReadStmts {
		t.Fatalf("the pool keeps %d statements, want its bound %d", n, maxReadStmts)
	}

	// A text that does not prepare reports its error, and is not kept.
	if _, err := p.QueryContext(ctx, `SELECT FROM nowhere`); err == nil {
		t.Fatal("a malformed query answered without an error")
	}
}
