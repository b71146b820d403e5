package seed

import (
	"slices"
	"testing"
)

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
