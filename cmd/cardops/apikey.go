package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"

	"cardops/store"
)

// cliActor is how the audit log names the command line.
var cliActor = store.Actor{Username: "cli"}

func runAPIKey(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("apikey: want 'apikey add NAME --level N [--allow CIDR,...]', 'apikey list' or 'apikey revoke ID'")
	}
	switch args[0] {
	case "add":
		return runAPIKeyAdd(ctx, args[1:], getenv, stdout, stderr)
	case "list":
		return runAPIKeyList(ctx, args[1:], getenv, stdout, stderr)
	case "revoke":
		return runAPIKeyRevoke(ctx, args[1:], getenv, stdout, stderr)
	}
	return fmt.Errorf("apikey: unknown sub-command %q: want add, list or revoke", args[0])
}

func runAPIKeyAdd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var sf storeFlags
	var allow string
	var level int
	f := newFlags("apikey add", getenv, stderr)
	f.store(&sf)
	f.IntVar(&level, "level", 0, "access level: 1 Read-Only, 2 Operational, 3 Admin")
	f.StringVar(&allow, "allow", "", "allowlist: addresses and CIDR ranges separated by commas (default: any address)")
	name, err := f.parseNamed(args, "apikey add: give the key's name: cardops apikey add NAME --level 1|2|3")
	if err != nil {
		return err
	}
	if !store.Level(level).Valid() {
		return fmt.Errorf("apikey add: --level must be 1, 2 or 3 (got %d)", level)
	}
	if _, err := store.ParseAllowlist(allow); err != nil {
		return fmt.Errorf("apikey add: --allow: %w", err)
	}
	st, err := sf.openExisting(ctx, "apikey add")
	if err != nil {
		return err
	}
	defer st.Close()
	k, secret, err := st.CreateAPIKey(ctx, store.NewAPIKey{Name: name, Level: store.Level(level), Allowlist: allow, Actor: cliActor})
	if err != nil {
		return fmt.Errorf("apikey add: %w", err)
	}
	fmt.Fprintf(stderr, "created API key %d %q at level %d (%s); it is shown once, below:\n", k.ID, k.Name, k.Level, k.Level)
	fmt.Fprintln(stdout, secret)
	return nil
}

func runAPIKeyList(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var sf storeFlags
	f := newFlags("apikey list", getenv, stderr)
	f.store(&sf)
	if err := f.parse(args); err != nil {
		return err
	}
	st, err := sf.openExisting(ctx, "apikey list")
	if err != nil {
		return err
	}
	defer st.Close()
	keys, err := st.APIKeys(ctx)
	if err != nil {
		return err
	}
	when := func(ms int64) string {
		if ms == 0 {
			return "-"
		}
		return time.UnixMilli(ms).UTC().Format(time.RFC3339)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tKEY\tLEVEL\tALLOW\tCREATED\tBY\tLAST USED\tFROM\tREVOKED")
	for _, k := range keys {
		allow := k.AllowlistText()
		if allow == "" {
			allow = "any"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s…\t%d %s\t%s\t%s\t%s\t%s\t%s\t%s\n", k.ID, k.Name, k.Prefix, k.Level, k.Level, allow,
			when(k.CreatedAt), k.CreatedBy, when(k.LastUsedAt), cmpStr(k.LastUsedAddr, "-"), when(k.RevokedAt))
	}
	return tw.Flush()
}

func cmpStr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func runAPIKeyRevoke(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var sf storeFlags
	f := newFlags("apikey revoke", getenv, stderr)
	f.store(&sf)
	raw, args := leadingArg(args)
	if err := f.parse(args); err != nil {
		return err
	}
	if raw == "" && f.NArg() > 0 {
		raw = f.Arg(0)
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		return fmt.Errorf("apikey revoke: give the key's id (see cardops apikey list), not %q", raw)
	}
	st, err := sf.openExisting(ctx, "apikey revoke")
	if err != nil {
		return err
	}
	defer st.Close()
	k, err := st.RevokeAPIKey(ctx, id, cliActor)
	if err != nil {
		return fmt.Errorf("apikey revoke: %w", err)
	}
	fmt.Fprintf(stdout, "revoked API key %d %q\n", k.ID, k.Name)
	return nil
}
