package seed

import (
	"context"
	"fmt"
	"strings"
)

// writer inserts batches into a staging database: multi-row INSERT
// statements prepared once per (table, row count), bound from the batch's
// flattened values.
type writer struct {
	ctx   context.Context
	c     *rawConn
	stmts map[[2]int]uintptr // (table, rows) → statement; table -1: the name index
	names []any              // values of the name index's rows being bound
}

func newWriter(ctx context.Context, c *rawConn) *writer {
	return &writer{ctx: ctx, c: c, stmts: map[[2]int]uintptr{}}
}

func (w *writer) exec(query string) error { return w.c.exec(query) }

func (w *writer) close() {
	for _, s := range w.stmts {
		w.c.finalize(s)
	}
	clear(w.stmts)
}

// stmt returns the statement inserting rows rows into table. INSERT OR FAIL
// rather than the default ABORT: a multi-row ABORT statement keeps a
// statement journal to undo its own rows, which costs a copy of every page
// it touches, and a failed run is thrown away anyway.
func (w *writer) stmt(table, rows int) (uintptr, error) {
	k := [2]int{table, rows}
	if s, ok := w.stmts[k]; ok {
		return s, nil
	}
	def := tableDefs[table]
	var q strings.Builder
	q.WriteString("INSERT OR FAIL INTO " + def.name + " (" + strings.Join(def.cols, ", ") + ") VALUES ")
	row := "(?" + strings.Repeat(", ?", len(def.cols)-1) + ")"
	for i := range rows {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString(row)
	}
	s, err := w.c.prepare(q.String())
	if err != nil {
		return 0, err
	}
	w.stmts[k] = s
	return s, nil
}

// write inserts the rows of the given tables from b.
func (w *writer) write(b *batch, tables []int) error {
	for _, t := range tables {
		if err := w.insert(t, b.vals[t], b.rows[t]); err != nil {
			return err
		}
	}
	return nil
}

func (w *writer) insert(table int, vals []any, rows int) error {
	cols := len(tableDefs[table].cols)
	if len(vals) != rows*cols {
		return fmt.Errorf("insert into %s: %d values for %d rows of %d columns", tableDefs[table].name, len(vals), rows, cols)
	}
	for off := 0; off < rows; off += rowsPerStmt {
		if err := w.ctx.Err(); err != nil {
			return err
		}
		n := min(rowsPerStmt, rows-off)
		s, err := w.stmt(table, n)
		if err != nil {
			return err
		}
		if err := w.c.run(s, vals[off*cols:(off+n)*cols]); err != nil {
			if ctxErr := w.ctx.Err(); ctxErr != nil {
				return ctxErr // the target interrupted the insert
			}
			return fmt.Errorf("insert into %s: %w", tableDefs[table].name, err)
		}
	}
	return nil
}
