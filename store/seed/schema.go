package seed

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// tableSchema is how a table the seed fills is declared in the real
// database, read once so the staging databases can reproduce it.
type tableSchema struct {
	name    string
	sql     string     // CREATE TABLE statement
	indexes []namedSQL // the declared indexes
	cols    []column
	// auto lists the indexes SQLite made for PRIMARY KEY and UNIQUE
	// constraints (sqlite_autoindex_<table>_N), in the order of their names.
	auto []autoIndex
	// plain reports whether the table can be staged without its
	// constraints (see stager); otherwise it is staged as declared.
	plain bool
}

type namedSQL struct{ name, sql string }

type column struct {
	name, typ string
	notNull   bool
	dflt      sql.NullString
	pk        int
}

type autoIndex struct {
	name string
	cols []indexColumn
}

type indexColumn struct {
	name, coll string
	desc       bool
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func readSchema(ctx context.Context, db *sql.DB, name string) (tableSchema, error) {
	ts := tableSchema{name: name}
	if err := db.QueryRowContext(ctx, `SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?`, name).Scan(&ts.sql); err != nil {
		return ts, fmt.Errorf("schema of %s: %w", name, err)
	}
	var err error
	if ts.indexes, err = queryIndexes(ctx, db, name); err != nil {
		return ts, fmt.Errorf("indexes of %s: %w", name, err)
	}
	ts.plain = !strings.Contains(strings.ToUpper(ts.sql), "WITHOUT ROWID")

	rows, err := db.QueryContext(ctx, `SELECT name, type, "notnull", dflt_value, pk, hidden FROM pragma_table_xinfo(?) ORDER BY cid`, name)
	if err != nil {
		return ts, fmt.Errorf("columns of %s: %w", name, err)
	}
	for rows.Next() {
		var c column
		var hidden int
		if err := rows.Scan(&c.name, &c.typ, &c.notNull, &c.dflt, &c.pk, &hidden); err != nil {
			rows.Close()
			return ts, fmt.Errorf("columns of %s: %w", name, err)
		}
		if hidden != 0 { // generated or hidden columns: stage as declared
			ts.plain = false
		}
		ts.cols = append(ts.cols, c)
	}
	if err := rows.Close(); err != nil {
		return ts, fmt.Errorf("columns of %s: %w", name, err)
	}

	autos, err := queryColumn(ctx, db, `SELECT name FROM pragma_index_list(?) WHERE origin IN ('pk', 'u') ORDER BY name`, name)
	if err != nil {
		return ts, fmt.Errorf("constraints of %s: %w", name, err)
	}
	for _, an := range autos {
		ai := autoIndex{name: an}
		rows, err := db.QueryContext(ctx, `SELECT coalesce(name, ''), desc, coll, cid FROM pragma_index_xinfo(?) WHERE key = 1 ORDER BY seqno`, an)
		if err != nil {
			return ts, fmt.Errorf("constraint %s: %w", an, err)
		}
		for rows.Next() {
			var ic indexColumn
			var cid int
			if err := rows.Scan(&ic.name, &ic.desc, &ic.coll, &cid); err != nil {
				rows.Close()
				return ts, fmt.Errorf("constraint %s: %w", an, err)
			}
			if cid < 0 {
				ts.plain = false
			}
			ai.cols = append(ai.cols, ic)
		}
		if err := rows.Close(); err != nil {
			return ts, fmt.Errorf("constraint %s: %w", an, err)
		}
		ts.auto = append(ts.auto, ai)
	}
	return ts, nil
}

// queryIndexes lists table's indexes made by CREATE INDEX, in the order
// they were made.
func queryIndexes(ctx context.Context, db *sql.DB, table string) ([]namedSQL, error) {
	return queryRows(ctx, db, func(rows *sql.Rows) (namedSQL, error) {
		var ix namedSQL
		err := rows.Scan(&ix.name, &ix.sql)
		return ix, err
	}, `SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY rowid`, table)
}

// queryColumn lists the one text column q selects.
func queryColumn(ctx context.Context, db *sql.DB, q string, args ...any) ([]string, error) {
	return queryRows(ctx, db, func(rows *sql.Rows) (string, error) {
		var s string
		err := rows.Scan(&s)
		return s, err
	}, q, args...)
}

// queryRows runs q and lists its rows, each read by scan.
func queryRows[T any](ctx context.Context, db *sql.DB, scan func(*sql.Rows) (T, error), q string, args ...any) ([]T, error) {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// isRowidAlias reports whether c is an INTEGER PRIMARY KEY, which SQLite
// stores as the rowid rather than in the record.
func (ts *tableSchema) isRowidAlias(c column) bool {
	if c.pk != 1 || !strings.EqualFold(strings.TrimSpace(c.typ), "INTEGER") {
		return false
	}
	for _, o := range ts.cols {
		if o.pk > 1 {
			return false
		}
	}
	return true
}

// stagingDDL is the CREATE TABLE the staging database starts with: for a
// plain table, the same columns with the same declared types (so the same
// affinities and the same records), NOT NULL and defaults, but no key, no
// UNIQUE and no CHECK, so that loading it only appends; otherwise the real
// statement.
func (ts *tableSchema) stagingDDL() string {
	if !ts.plain {
		return ts.sql
	}
	var b strings.Builder
	b.WriteString("CREATE TABLE " + quoteIdent(ts.name) + " (")
	for i, c := range ts.cols {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(quoteIdent(c.name))
		if c.typ != "" {
			b.WriteString(" " + c.typ)
		}
		if ts.isRowidAlias(c) {
			b.WriteString(" PRIMARY KEY")
		}
		if c.notNull {
			b.WriteString(" NOT NULL")
		}
		if c.dflt.Valid {
			b.WriteString(" DEFAULT (" + c.dflt.String + ")")
		}
	}
	b.WriteString(")")
	return b.String()
}

// finishStatements returns what turns a loaded staging table into one
// declared exactly like the real one, for SQLite's transfer optimisation,
// in three steps. For a plain table, unique builds each constraint's index
// as an ordinary unique index on the same columns and collations (which
// also checks uniqueness); swap then, with writable_schema, gives the table
// its real CREATE statement and those indexes the names and (absent) SQL
// SQLite gives constraint indexes. The B-trees are the same either way: a
// table's records do not depend on its constraints, and a constraint index
// holds the same keys as a unique index on the same columns. Last,
// declared builds the declared indexes, against the real declaration
// (column collations included).
//
// An index named in inOrder receives its keys in ascending order (or
// nearly) as the rows are loaded: its statement goes to early, to be run
// before loading, so that it grows by appends instead of being sorted
// afterwards.
func (ts *tableSchema) finishStatements(inOrder map[string]keyOrder) (early, unique, swap, declared []string) {
	if ts.plain {
		for i, ai := range ts.auto {
			cols := make([]string, len(ai.cols))
			for j, c := range ai.cols {
				cols[j] = quoteIdent(c.name) + " COLLATE " + quoteIdent(c.coll)
				if c.desc {
					cols[j] += " DESC"
				}
			}
			q := fmt.Sprintf("CREATE UNIQUE INDEX %s ON %s (%s)",
				quoteIdent(stagingIndexName(ts.name, i)), quoteIdent(ts.name), strings.Join(cols, ", "))
			if inOrder[ai.name] != 0 {
				early = append(early, q)
			} else {
				unique = append(unique, q)
			}
		}
		swap = append(swap, "UPDATE sqlite_schema SET sql = "+quoteString(ts.sql)+
			" WHERE type = 'table' AND name = "+quoteString(ts.name))
		for i, ai := range ts.auto {
			swap = append(swap, "UPDATE sqlite_schema SET name = "+quoteString(ai.name)+", sql = NULL"+
				" WHERE type = 'index' AND name = "+quoteString(stagingIndexName(ts.name, i)))
		}
	}
	for _, ix := range ts.indexes {
		if inOrder[ix.name] != 0 {
			early = append(early, ix.sql)
		} else {
			declared = append(declared, ix.sql)
		}
	}
	return early, unique, swap, declared
}

// allInOrder reports whether every index of the table, its constraints'
// included, is named in inOrder: loaded straight into the real database,
// the table's indexes then grow by appends there too.
func (ts *tableSchema) allInOrder(inOrder map[string]keyOrder) bool {
	for _, ai := range ts.auto {
		if inOrder[ai.name] == 0 {
			return false
		}
	}
	for _, ix := range ts.indexes {
		if inOrder[ix.name] == 0 {
			return false
		}
	}
	return true
}

func stagingIndexName(table string, i int) string { return fmt.Sprintf("seed_stage_%s_%d", table, i) }

func quoteString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
