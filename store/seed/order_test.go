package seed

import (
	"cmp"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

// TestOrderByID: every place comes out once, sorted by its whole id, also
// where ids share the leading bits the first sort goes by.
func TestOrderByID(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	const n = 5000
	ids := make([][2]uint64, n)
	for i := range ids {
		// 50 leading parts for 5,000 ids: each shares its own with about
		// 100 others, which differ below orderBits or only in lo.
		ids[i] = [2]uint64{uint64(r.IntN(50))<<40 | r.Uint64()&(1<<orderBits-1)&^uint64(r.IntN(2)), r.Uint64()}
	}
	got := orderByID(n, func(p uint64) (uint64, uint64) { return ids[p][0], ids[p][1] })
	seen := make([]bool, n)
	for i, p := range got {
		if p >= n || seen[p] {
			t.Fatalf("place %d at %d: out of range or repeated", p, i)
		}
		seen[p] = true
		if i > 0 {
			a, b := ids[got[i-1]], ids[p]
			if cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1])) > 0 {
				t.Fatalf("places %d and %d out of id order: %x after %x", got[i-1], p, b, a)
			}
		}
	}
}

// TestCardOrderIsIDOrder: the cards of a seeded run are stored in the order
// of their ids, as cardOrder promises.
func TestCardOrderIsIDOrder(t *testing.T) {
	st, _ := seedStore(t, 3000, 4)
	byRowid := queryStrings(t, st.Reader(), `SELECT id FROM cards ORDER BY rowid`)
	byID := queryStrings(t, st.Reader(), `SELECT id FROM cards ORDER BY id`)
	if strings.Join(byRowid, ",") != strings.Join(byID, ",") {
		t.Error("cards are not stored in the order of their ids")
	}
}

// TestMovementIDs: movement ids ascend from place to place and, within a
// place, from event to event, spread over the whole range of ids, and are
// version 4 UUIDs.
func TestMovementIDs(t *testing.T) {
	g := newGen(1, nil)
	uuid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	const n = 1000
	var ids []string
	for place := range uint64(n) {
		g.placeMovements(place, n)
		k := 1 + int(place%7)
		for j := range k {
			ids = append(ids, g.movementID(j, k))
		}
	}
	for i, id := range ids {
		if !uuid.MatchString(id) {
			t.Fatalf("%q is not a version 4 UUID", id)
		}
		if i > 0 && id <= ids[i-1] {
			t.Fatalf("%s after %s", id, ids[i-1])
		}
	}
	if ids[0][0] != '0' || ids[len(ids)-1][0] != 'f' {
		t.Errorf("ids from %s to %s: not spread over the range", ids[0], ids[len(ids)-1])
	}
}

// TestInOrderIndexes: every index staging builds as it loads exists in the
// real schema, and a run's rows reach it in the order inOrderIndexes says:
// walking an ascending index gives the rows in the order they were stored,
// and walking one ascending by card gives the cards in the order they were
// stored (cards' rowids). (An index out of order is still correct, only
// built by many more seeks; this guards the speed.)
func TestInOrderIndexes(t *testing.T) {
	st, _ := seedStore(t, 3000, 5)
	db := st.Reader()
	for name, order := range inOrderIndexes {
		var table, decl string
		if err := db.QueryRow(`SELECT tbl_name, coalesce(sql, '') FROM sqlite_schema WHERE type = 'index' AND name = ?`, name).Scan(&table, &decl); err != nil {
			t.Errorf("index %s: %v", name, err)
			continue
		}
		var terms []string
		rows, err := db.Query(`SELECT name, coll, desc FROM pragma_index_xinfo(?) WHERE key = 1 ORDER BY seqno`, name)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var col, coll string
			var desc bool
			if err := rows.Scan(&col, &coll, &desc); err != nil {
				t.Fatal(err)
			}
			term := "x." + quoteIdent(col) + " COLLATE " + quoteIdent(coll)
			if desc {
				term += " DESC"
			}
			terms = append(terms, term)
		}
		rows.Close()
		where := ""
		if i := strings.LastIndex(strings.ToUpper(decl), " WHERE "); i >= 0 {
			where = decl[i:]
		}
		// What must not go back as the index is walked: the row, or
		// the row's card.
		walked := "x.rowid"
		if order == ascendingByCard {
			walked = "(SELECT rowid FROM cards WHERE id = x.card_id)"
		}
		q := `SELECT ` + walked + ` FROM ` + quoteIdent(table) + ` AS x` + where + ` ORDER BY ` + strings.Join(append(terms, "x.rowid"), ", ")
		prev, n := int64(0), 0
		rows, err = db.Query(q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		for rows.Next() {
			var rowid int64
			if err := rows.Scan(&rowid); err != nil {
				t.Fatal(err)
			}
			if rowid < prev || rowid == prev && order == ascending {
				t.Errorf("%s: row %d comes after row %d in the index", name, rowid, prev)
				break
			}
			prev, n = rowid, n+1
		}
		rows.Close()
		if n == 0 && where == "" {
			t.Errorf("%s: no rows", name)
		}
	}
}
