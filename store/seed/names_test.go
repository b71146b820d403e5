package seed

import (
	"slices"
	"testing"
)

func TestInSchema(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"CREATE INDEX cards_last4 ON cards(last4)", "CREATE INDEX seed_build.cards_last4 ON cards(last4)"},
		{"create unique index if not exists x on t(a)", "create unique index if not exists seed_build.x on t(a)"},
		{"CREATE  INDEX\n\"odd name\" ON t(a)", "CREATE  INDEX\nseed_build.\"odd name\" ON t(a)"},
		{"CREATE VIRTUAL TABLE f USING fts5(a)", "CREATE VIRTUAL TABLE seed_build.f USING fts5(a)"},
		{"CREATE TABLE t (a)", "CREATE TABLE t (a)"},
		{"INSERT INTO t VALUES (1)", "INSERT INTO t VALUES (1)"},
	} {
		if got := inSchema(c.in, "seed_build"); got != c.want {
			t.Errorf("inSchema(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestParseNameIndex: the name index is staged only when it is declared as
// the seed expects, external content on the cards' rowids over cards
// columns; anything else is rebuilt in the database as before.
func TestParseNameIndex(t *testing.T) {
	decl := "CREATE VIRTUAL TABLE cards_name_fts USING fts5(\n    name_norm,\n    content = 'cards',\n    content_rowid = 'rowid',\n    tokenize = 'trigram',\n    columnsize = 0\n)"
	n := parseNameIndex(decl)
	if n == nil {
		t.Fatal("the migration's declaration is not staged")
	}
	if want := "CREATE VIRTUAL TABLE cards_name_fts USING fts5(name_norm, tokenize = 'trigram', columnsize = 0, content = '')"; n.ddl != want {
		t.Errorf("staged declaration %q, want %q", n.ddl, want)
	}
	if want := []int{slices.Index(tableDefs[tCards].cols, "name_norm")}; !slices.Equal(n.cols, want) {
		t.Errorf("columns %v, want %v", n.cols, want)
	}
	for _, d := range []string{
		"CREATE VIRTUAL TABLE cards_name_fts USING fts5(name_norm, content = 'other')",
		"CREATE VIRTUAL TABLE cards_name_fts USING fts5(name_norm, content = 'cards', content_rowid = 'id')",
		"CREATE VIRTUAL TABLE cards_name_fts USING fts5(nickname, content = 'cards')",
		"CREATE VIRTUAL TABLE cards_name_fts USING fts5(name_norm, tokenize = 'unicode61 separators '',.''')",
		"CREATE VIRTUAL TABLE cards_name_fts USING fts5(name_norm)",
		"CREATE VIRTUAL TABLE cards_name_fts USING fts4(name_norm, content = 'cards')",
	} {
		if parseNameIndex(d) != nil {
			t.Errorf("%s: staged, want rebuilt", d)
		}
	}
}
