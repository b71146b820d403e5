package seed

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
)

// nameIndex says how to build the name search index (the FTS5 table
// cards_name_fts, external content on cards) in a staging database, when
// the cards table is empty: as a contentless FTS5 table with the same
// columns and options, filled in one statement from a plain table of the
// cards' names, loaded as they are generated, with the rowids the cards get.
// Its index (the _data and _idx shadow tables) then holds what 'rebuild'
// would make from the copied cards, in fewer segments (nameHashSize), and
// publish copies it into the real, emptied shadow tables instead of
// rebuilding. (Filling it in one statement matters: FTS5 writes out what it
// holds at each statement of a transaction, which would leave many small
// segments.)
type nameIndex struct {
	ddl  string // CREATE VIRTUAL TABLE of the staged index
	cols []int  // the cards columns it indexes, as indexes into tableDefs
}

const nameIndexTable = "cards_name_fts"

// nameIndexShadows are the shadow tables holding the index itself. The
// staged index is only used when these and _config are all there is: a
// _content or _docsize table would need copying too.
var nameIndexShadows = []string{nameIndexTable + "_data", nameIndexTable + "_idx"}

// readNameIndex reads the name index's declaration; nil, nil when it
// cannot be staged (declared in a way this does not follow, or with
// configuration set), and then publish rebuilds it as before.
func readNameIndex(ctx context.Context, db *sql.DB) (*nameIndex, error) {
	var decl string
	err := db.QueryRowContext(ctx, `SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?`, nameIndexTable).Scan(&decl)
	if err == sql.ErrNoRows {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("name index: %w", err)
	}
	shadows, err := queryColumn(ctx, db, `SELECT name FROM sqlite_schema WHERE type = 'table' AND name LIKE ? ESCAPE '\' ORDER BY name`,
		strings.ReplaceAll(nameIndexTable, "_", `\_`)+`\_%`)
	if err != nil {
		return nil, fmt.Errorf("name index: %w", err)
	}
	if !slices.Equal(shadows, []string{nameIndexTable + "_config", nameIndexTable + "_data", nameIndexTable + "_idx"}) {
		return nil, nil
	}
	var config int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM `+nameIndexTable+`_config WHERE k <> 'version'`).Scan(&config); err != nil {
		return nil, fmt.Errorf("name index: %w", err)
	}
	if config != 0 {
		return nil, nil
	}
	return parseNameIndex(decl), nil
}

// parseNameIndex turns the declaration of the name index into that of the
// staged one: the same columns and options, without content.
func parseNameIndex(decl string) *nameIndex {
	head := "CREATE VIRTUAL TABLE " + nameIndexTable + " USING fts5("
	if len(decl) < len(head) || !strings.EqualFold(decl[:len(head)], head) || !strings.HasSuffix(decl, ")") {
		return nil
	}
	n := &nameIndex{}
	var args []string
	external := false
	for arg := range strings.SplitSeq(decl[len(head):len(decl)-1], ",") {
		arg = strings.TrimSpace(arg)
		if strings.Count(arg, "'")%2 != 0 || strings.ContainsAny(arg, "\"`[(") {
			return nil // a comma inside a value, or quoting this does not follow
		}
		key, val, isOption := strings.Cut(arg, "=")
		key, val = strings.ToLower(strings.TrimSpace(key)), strings.TrimSpace(val)
		switch {
		case !isOption:
			f := strings.Fields(arg)
			col := slices.Index(tableDefs[tCards].cols, f[0])
			if len(f) != 1 || col < 0 {
				return nil
			}
			n.cols = append(n.cols, col)
		case key == "content" && val == "'cards'":
			external = true
			continue
		case key == "content_rowid" && val == "'rowid'":
			continue
		case key == "content", key == "content_rowid", key == "contentless_delete", key == "contentless_unindexed":
			return nil
		}
		args = append(args, arg)
	}
	if len(n.cols) == 0 || !external {
		return nil
	}
	n.ddl = head + strings.Join(args, ", ") + ", content = '')"
	return n
}

// nameHashSize is the staged name index's FTS5 hashsize: how much it
// gathers in memory before writing a segment, which FTS5 then merges with
// the others. 16 MiB instead of FTS5's 1 MiB halves the time the index takes
// at 1,000,000 cards (4.8 → 2.5 s) and leaves 3 segments instead of 11,
// which searches seek fewer of; 64 MiB was slower again. The setting stays
// in the staging database (its _config table is not copied).
const nameHashSize = 16 << 20

// nameSource is the staging table of the names to index.
const nameSource = "seed_names"

func (n *nameIndex) colNames() []string {
	var cols []string
	for _, c := range n.cols {
		cols = append(cols, tableDefs[tCards].cols[c])
	}
	return cols
}

func openNameStager(path string, n *nameIndex) (*stager, error) {
	s := &stager{path: path, names: n, nextRow: 1}
	cols := strings.Join(n.colNames(), ", ")
	s.declared = []string{n.ddl,
		fmt.Sprintf("INSERT INTO %s (%[1]s, rank) VALUES ('hashsize', %d)", nameIndexTable, nameHashSize),
		"INSERT INTO " + nameIndexTable + " (rowid, " + cols + ") SELECT rowid, " + cols + " FROM " + nameSource + " ORDER BY rowid",
		"DROP TABLE " + nameSource}
	return s, s.open([]string{"CREATE TABLE " + nameSource + " (" + cols + ")"})
}

// writeNames adds the batch's cards to the names to index, numbered from
// *next on.
func (w *writer) writeNames(b *batch, n *nameIndex, next *int64) error {
	cardCols := len(tableDefs[tCards].cols)
	rows := b.rows[tCards]
	vals := b.vals[tCards]
	buf := w.names[:0]
	for off := 0; off < rows; off += rowsPerStmt {
		if err := w.ctx.Err(); err != nil {
			return err
		}
		k := min(rowsPerStmt, rows-off)
		s, err := w.namesStmt(n, k)
		if err != nil {
			return err
		}
		buf = buf[:0]
		for r := off; r < off+k; r++ {
			buf = append(buf, *next)
			*next++
			for _, c := range n.cols {
				buf = append(buf, vals[r*cardCols+c])
			}
		}
		if err := w.c.run(s, buf); err != nil {
			return fmt.Errorf("insert into %s: %w", nameSource, err)
		}
	}
	clear(buf)
	w.names = buf[:0]
	return nil
}

func (w *writer) namesStmt(n *nameIndex, rows int) (uintptr, error) {
	k := [2]int{-1, rows}
	if s, ok := w.stmts[k]; ok {
		return s, nil
	}
	cols := append([]string{"rowid"}, n.colNames()...)
	row := "(?" + strings.Repeat(", ?", len(cols)-1) + ")"
	q := "INSERT OR FAIL INTO " + nameSource + " (" + strings.Join(cols, ", ") + ") VALUES " + row + strings.Repeat(", "+row, rows-1)
	s, err := w.c.prepare(q)
	if err != nil {
		return 0, err
	}
	w.stmts[k] = s
	return s, nil
}

// copyNameIndex replaces the real name index, empty, by the staged one
// from the attached database stage, in tg's transaction, writing its
// shadow tables directly. FTS5 keeps what it read of its index (its
// structure) per connection and notices other connections' changes only:
// tg's connection is the run's own, closed once it commits, so the store's
// connections see the change.
func copyNameIndex(ctx context.Context, tg *target, stage string) error {
	var stmts []string
	for _, t := range nameIndexShadows {
		stmts = append(stmts, `DELETE FROM main.`+t, `INSERT INTO main.`+t+` SELECT * FROM `+stage+`.`+t)
	}
	for _, q := range stmts {
		if err := tg.exec(ctx, q); err != nil {
			return fmt.Errorf("copy the name search index: %w", err)
		}
	}
	return nil
}
