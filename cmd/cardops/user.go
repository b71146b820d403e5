package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"cardops/store"
)

func runUser(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("user: want 'user add NAME --level N', 'user reset NAME', 'user unlock NAME', 'user 2fa-reset NAME', 'user 2fa-code NAME' or 'user list'")
	}
	switch args[0] {
	case "add":
		return runUserAdd(ctx, args[1:], getenv, stdin, stdout, stderr)
	case "reset":
		return runUserReset(ctx, args[1:], getenv, stdin, stdout, stderr)
	case "list":
		return runUserList(ctx, args[1:], getenv, stdout, stderr)
	case "2fa-reset":
		return runUserTwoFactorReset(ctx, args[1:], getenv, stdout, stderr)
	case "2fa-code":
		return runUserTwoFactorCode(ctx, args[1:], getenv, stdout, stderr)
	case "unlock":
		return runUserUnlock(ctx, args[1:], getenv, stdout, stderr)
	}
	return fmt.Errorf("user: unknown sub-command %q: want add, reset, list, unlock, 2fa-reset or 2fa-code", args[0])
}

func runUserAdd(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	var sf storeFlags
	var level int
	f := newFlags("user add", getenv, stderr)
	f.store(&sf)
	f.IntVar(&level, "level", 0, "access level: 1 Read-Only, 2 Operational, 3 Admin")
	name, err := f.parseNamed(args, "user add: give the user's name: cardops user add NAME --level 1|2|3")
	if err != nil {
		return err
	}
	if !store.Level(level).Valid() {
		return fmt.Errorf("user add: --level must be 1, 2 or 3 (got %d)", level)
	}
	password, err := readPassword(stdin, "user add")
	if err != nil {
		return err
	}
	nu := store.NewUser{Username: name, Level: store.Level(level), Password: password}
	if err := nu.Validate(); err != nil {
		return fmt.Errorf("user add: %w", err)
	}
	// The first admin of an installation without --demo is made before
	// anyone can sign in, so user add may make the database; it says so,
	// as a typo in --db would make one too.
	_, statErr := os.Stat(sf.db)
	st, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if errors.Is(statErr, os.ErrNotExist) {
		fmt.Fprintf(stderr, "user add: there was no database at %s: made a new one\n", sf.db)
	}
	u, err := st.CreateUser(ctx, nu)
	if err != nil {
		return fmt.Errorf("user add: %w", err)
	}
	fmt.Fprintf(stdout, "created user %s at level %d (%s)\n", u.Username, u.Level, u.Level)
	return nil
}

// readPassword reads one line from standard input: the password, never a flag,
// so it stays out of shell history and process lists.
func readPassword(stdin io.Reader, cmd string) (string, error) {
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("%s: read password from standard input: %w", cmd, err)
	}
	password := strings.TrimRight(line, "\r\n")
	if password == "" {
		return "", fmt.Errorf("%s: empty password: pipe the password on standard input, e.g. `printf '%%s\\n' \"$PW\" | cardops %s NAME ...`", cmd, cmd)
	}
	return password, nil
}

// runUserReset sets a new password for a user and ends the user's sessions:
// a random one, printed once, or with --password-stdin the line read from
// standard input. It is how a demo account gets a password again, since
// only the first start prints them.
func runUserReset(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	var sf storeFlags
	var fromStdin bool
	f := newFlags("user reset", getenv, stderr)
	f.store(&sf)
	f.BoolVar(&fromStdin, "password-stdin", false, "read the new password from standard input instead of generating one")
	name, err := f.parseNamed(args, "user reset: give the user's name: cardops user reset NAME [--password-stdin]")
	if err != nil {
		return err
	}
	password := randomPassword()
	if fromStdin {
		var err error
		if password, err = readPassword(stdin, "user reset"); err != nil {
			return err
		}
	}
	st, err := sf.openExisting(ctx, "user reset")
	if err != nil {
		return err
	}
	defer st.Close()
	u, err := st.ResetPassword(ctx, name, password, "cli")
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("user reset: there is no user %q (cardops user list shows them)", name)
	}
	if err != nil {
		return fmt.Errorf("user reset: %w", err)
	}
	if fromStdin {
		fmt.Fprintf(stdout, "new password set for %s (level %d, %s); any session the user had is ended\n", u.Username, u.Level, u.Level)
		return nil
	}
	fmt.Fprintf(stdout, "new password for %s (level %d, %s): %s\n", u.Username, u.Level, u.Level, password)
	fmt.Fprintln(stdout, "it is shown only now; any session the user had is ended")
	return nil
}

func runUserList(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var sf storeFlags
	f := newFlags("user list", getenv, stderr)
	f.store(&sf)
	if err := f.parse(args); err != nil {
		return err
	}
	st, err := sf.openExisting(ctx, "user list")
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
