package store_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"cardops/store"
)

// TestMigration0026FillsWhoControlsAnAccount opens a database whose users
// were made and changed before 0026, as 0026 finds it (its columns gone),
// and checks that the audit log fills them: an admin the maker created, or
// promoted, is refused as the maker's second admin; one made at the
// terminal is not.
func TestMigration0026FillsWhoControlsAnAccount(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	opts := store.Options{BcryptCost: bcrypt.MinCost}
	st, err := store.OpenWith(ctx, path, opts)
	if err != nil {
		t.Fatal(err)
	}
	users := map[string]store.User{}
	for _, nu := range []store.NewUser{{"alice", store.LevelAdmin, "a fine password"}, {"bob", store.LevelAdmin, "a fine password"},
		{"oscar", store.LevelOperational, "a fine password"}} {
		u, err := st.CreateUser(ctx, nu)
		if err != nil {
			t.Fatal(err)
		}
		users[u.Username] = u
	}
	alice := store.Actor{Username: "alice", Level: store.LevelAdmin}
	mallory, _, err := st.CreateUserByAdmin(ctx, store.UserCreate{Username: "mallory", Level: store.LevelAdmin, Actor: alice})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.SetUserLevel(ctx, store.UserChange{UserID: users["oscar"].ID, Level: store.LevelAdmin, Reason: "cover", Actor: alice}); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`ALTER TABLE users DROP COLUMN credentials_set_by`, `ALTER TABLE users DROP COLUMN credentials_set_at`,
		`ALTER TABLE users DROP COLUMN admin_since`, `ALTER TABLE users DROP COLUMN admin_by`,
		`ALTER TABLE recovery_codes DROP COLUMN keyed`,
		`DELETE FROM schema_migrations WHERE version = 26`,
	} {
		if _, err := st.Writer().ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	st.Close()

	st, err = store.OpenWith(ctx, path, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	req := store.ReissueRequest{ID: "r1", MakerID: users["alice"].ID, Maker: "alice", FourEyes: true, CreatedAt: time.Now().Add(time.Hour)}
	for _, tc := range []struct {
		who  string
		id   int64
		want store.CheckerControl
	}{
		{"mallory", mallory.ID, store.CheckerCredentialsByMaker},
		{"oscar", users["oscar"].ID, store.CheckerMadeAdminByMaker},
		{"bob", users["bob"].ID, 0},
	} {
		err := st.ReissueCheckerRefusal(ctx, req, tc.id)
		var ce *store.ReissueCheckerError
		switch {
		case tc.want == 0 && err != nil:
			t.Errorf("%s: %v, want no refusal", tc.who, err)
		case tc.want != 0 && (!errors.As(err, &ce) || ce.Control != tc.want):
			t.Errorf("%s: %v, want control %d", tc.who, err, tc.want)
		}
	}
	// Became an admin after a request made before the migration's records.
	early := req
	early.CreatedAt = time.UnixMilli(users["bob"].CreatedAt - 1000)
	var ce *store.ReissueCheckerError
	if err := st.ReissueCheckerRefusal(ctx, early, users["bob"].ID); !errors.As(err, &ce) || ce.Control != store.CheckerAdminAfterRequest {
		t.Errorf("bob for a request before he was an admin: %v, want CheckerAdminAfterRequest", err)
	}
}
