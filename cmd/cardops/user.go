package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"cardops/store"
)

func runUser(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("user: want 'user add NAME --level N' or 'user list'")
	}
	switch args[0] {
	case "add":
		return runUserAdd(ctx, args[1:], getenv, stdin, stdout, stderr)
	case "list":
		return runUserList(ctx, args[1:], getenv, stdout, stderr)
	case "2fa-reset":
		return runUserTwoFactorReset(ctx, args[1:], getenv, stdout, stderr)
	case "2fa-code":
		return runUserTwoFactorCode(ctx, args[1:], getenv, stdout, stderr)
	}
	return fmt.Errorf("user: unknown sub-command %q: want add or list", args[0])
}

func runUserAdd(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	var db string
	var level int
	f := newFlags("user add", getenv, stderr)
	f.string(&db, "db", "CARDOPS_DB", "./cardops.db", "SQLite database file")
	f.IntVar(&level, "level", 0, "access level: 1 Read-Only, 2 Operational, 3 Admin")
	// Accept the name before or after the flags.
	var name string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	if err := f.parse(args); err != nil {
		return err
	}
	if name == "" && f.NArg() > 0 {
		name = f.Arg(0)
	}
	if name == "" {
		return errors.New("user add: give the user's name: cardops user add NAME --level 1|2|3")
	}
	if !store.Level(level).Valid() {
		return fmt.Errorf("user add: --level must be 1, 2 or 3 (got %d)", level)
	}
	password, err := readPassword(stdin)
	if err != nil {
		return err
	}
	nu := store.NewUser{Username: name, Level: store.Level(level), Password: password}
	if err := nu.Validate(); err != nil {
		return fmt.Errorf("user add: %w", err)
	}
	st, err := store.Open(ctx, db)
	if err != nil {
		return err
	}
	defer st.Close()
	u, err := st.CreateUser(ctx, nu)
	if err != nil {
		return fmt.Errorf("user add: %w", err)
	}
	if err := st.Audit(ctx, store.AuditEntry{Actor: "cli", Action: "user.create", TargetType: "user",
		TargetID: u.Username, Detail: fmt.Sprintf("level %d", u.Level)}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created user %s at level %d (%s)\n", u.Username, u.Level, u.Level)
	return nil
}

// readPassword reads one line from standard input: the password, never a flag,
// so it stays out of shell history and process lists.
func readPassword(stdin io.Reader) (string, error) {
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("user add: read password from standard input: %w", err)
	}
	password := strings.TrimRight(line, "\r\n")
	if password == "" {
		return "", errors.New("user add: empty password: pipe the password on standard input, e.g. `printf '%s\\n' \"$PW\" | cardops user add NAME --level 1`")
	}
	return password, nil
}

func runUserList(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var db string
	f := newFlags("user list", getenv, stderr)
	f.string(&db, "db", "CARDOPS_DB", "./cardops.db", "SQLite database file")
	if err := f.parse(args); err != nil {
		return err
	}
	st, err := store.Open(ctx, db)
	if err != nil {
		return err
	}
	defer st.Close()
	users, err := st.Users(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "USERNAME\tLEVEL\tCREATED")
	for _, u := range users {
		fmt.Fprintf(tw, "%s\t%d %s\t%s\n", u.Username, u.Level, u.Level, time.UnixMilli(u.CreatedAt).UTC().Format(time.RFC3339))
	}
	return tw.Flush()
}
