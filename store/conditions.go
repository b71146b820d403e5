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

// inList is "?, ?, ?" for n arguments.
func inList(n int) string {
	return strings.Repeat(", ?", n)[2:]
}
