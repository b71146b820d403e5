package store

import (
	"context"
	"fmt"
	"strings"
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

// IN lists are padded to a power of two by repeating the last argument:
// lists of every length up to 300 make ten query texts, not 300, so the
// cards asked by such lists keep ten statements in the read pool; and the
// padding matches nothing more.
func TestInListPadsToSizeClasses(t *testing.T) {
	st := openTestStore(t)
	ctx := context.Background()
	kept := func() int {
		st.r.mu.Lock()
		defer st.r.mu.Unlock()
		return len(st.r.stmts)
	}
	texts := map[string]bool{}
	for n := 1; n <= 300; n++ {
		ids := make([]any, n, n+8) // spare room inList must not write in
		for i := range ids {
			ids[i] = fmt.Sprintf("card-%03d", i)
		}
		list, args := inList(ids)
		texts[list] = true
		if c := strings.Count(list, "?"); c != len(args) || c < n || (n > 1 && c >= 2*n) {
			t.Fatalf("%d ids: %d placeholders, %d arguments", n, c, len(args))
		}
		for j, a := range args {
			if want := ids[min(j, n-1)]; a != want {
				t.Fatalf("%d ids: argument %d is %v, want %v", n, j, a, want)
			}
		}
		if spare := ids[:n+1][n]; spare != nil {
			t.Fatalf("%d ids: inList wrote %v past the caller's arguments", n, spare)
		}
	}
	if len(texts) != 10 {
		t.Errorf("lists of 1 to 300 make %d texts, want 10 (1, 2, 4 … 512 placeholders)", len(texts))
	}

	base := kept()
	strs := make([]string, 300)
	for i := range strs {
		strs[i] = fmt.Sprintf("card-%03d", i)
	}
	for n := 1; n <= 300; n++ {
		if _, err := st.CardsByID(ctx, strs[:n]); err != nil {
			t.Fatal(err)
		}
	}
	if n := kept() - base; n > 10 {
		t.Errorf("cards asked by lists of 1 to 300 ids left %d more statements kept, want 10 at most", n)
	}

	var n int
	list, args := inList([]any{"x", "y", "w"})
	if err := st.r.QueryRowContext(ctx, `SELECT count(*) FROM json_each('["x","y","z","w","w"]') WHERE value IN (`+list+`)`, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 4 {
		t.Errorf("an IN list padded with its last argument matched %d rows, want 4", n)
	}
}
