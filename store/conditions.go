package store

import "strings"

// conditions is the WHERE clause of a listing whose filters combine: each
// filter adds its condition and that condition's arguments together, and the
// clause is joined once, so a condition and its arguments never drift apart
// (after Miniflux's EntryQueryBuilder).
type conditions struct {
	conds []string
	args  []any
}

// add appends a condition, with one argument per placeholder in it.
func (c *conditions) add(cond string, args ...any) {
	c.conds = append(c.conds, cond)
	c.args = append(c.args, args...)
}

// where is " WHERE a AND b ..." or "" when there is no condition.
func (c *conditions) where() string {
	if len(c.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(c.conds, " AND ")
}

// and is " AND a AND b ..." or "", for a query that has a WHERE already.
func (c *conditions) and() string {
	if len(c.conds) == 0 {
		return ""
	}
	return " AND " + strings.Join(c.conds, " AND ")
}

// inList is the placeholders of an IN list of args ("?, ?, ?, ?"), and args
// padded to as many. The list is padded to the next power of two by
// repeating its last argument, which changes nothing an IN list matches:
// the read pool keeps a statement per query text (read_pool.go), so this
// makes a text per size class, a dozen at most, not one per length, which
// would fill the pool on a long-running server.
func inList(args []any) (string, []any) {
	n := len(args)
	if n == 0 {
		return "", args
	}
	size := 1
	for size < n {
		size *= 2
	}
	padded := append(args[:n:n], make([]any, size-n)...)
	for i := n; i < size; i++ {
		padded[i] = args[n-1]
	}
	return strings.Repeat(", ?", size)[2:], padded
}
