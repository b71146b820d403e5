package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"cardops/store"
)

// runUserTwoFactorReset turns a user's two-factor sign-in off and ends their
// sessions: the way back in for someone who lost their authenticator (and
// their recovery codes), when no admin can sign in to do more.
func runUserTwoFactorReset(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	name, st, err := openForUser(ctx, "user 2fa-reset", args, getenv, stderr)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.ResetTwoFactor(ctx, name, store.Actor{Username: "cli", Level: store.LevelAdmin}); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("user 2fa-reset: there is no user %q", name)
		}
		return fmt.Errorf("user 2fa-reset: %w", err)
	}
	fmt.Fprintf(stdout, "two-factor sign-in of %s is off and their sessions ended; they enrol again at their next sign-in if their level requires it\n", name)
	return nil
}

// runUserTwoFactorCode prints the user's current TOTP code (of the secret
// enrolled, or being enrolled): it lets a demo or a test pass the second
// step with nothing but a terminal. Whoever can read the database can do
// this anyway.
func runUserTwoFactorCode(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	name, st, err := openForUser(ctx, "user 2fa-code", args, getenv, stderr)
	if err != nil {
		return err
	}
	defer st.Close()
	secret, _, err := st.TOTPSecret(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("user 2fa-code: there is no user %q", name)
	}
	if err != nil {
		return err
	}
	if secret == "" {
		return fmt.Errorf("user 2fa-code: %s has not started two-factor enrolment (open /account/2fa first)", name)
	}
	code, err := store.TOTPCode(secret, time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, code)
	return nil
}

// openForUser parses `NAME [--db F]` and opens the store.
func openForUser(ctx context.Context, cmd string, args []string, getenv func(string) string, stderr io.Writer) (string, *store.Store, error) {
	var sf storeFlags
	f := newFlags(cmd, getenv, stderr)
	f.store(&sf)
	name, err := f.parseNamed(args, fmt.Sprintf("%s: give the user's name: cardops %s NAME", cmd, cmd))
	if err != nil {
		return "", nil, err
	}
	st, err := sf.openExisting(ctx, cmd)
	if err != nil {
		return "", nil, err
	}
	return name, st, nil
}

// runUserUnlock forgets an account's failed sign-ins and step-ups, from
// every address, so its owner can sign in at once (audited).
func runUserUnlock(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	name, st, err := openForUser(ctx, "user unlock", args, getenv, stderr)
	if err != nil {
		return err
	}
	defer st.Close()
	if _, err := st.UserByName(ctx, name); errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("user unlock: there is no user %q", name)
	}
	n, err := st.UnlockUser(ctx, name, "cli")
	if err != nil {
		return fmt.Errorf("user unlock: %w", err)
	}
	fmt.Fprintf(stdout, "%s is unlocked: %d failed sign-in(s) forgotten\n", name, n)
	return nil
}
