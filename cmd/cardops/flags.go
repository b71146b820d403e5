package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"

	"cardops/store"
)

// flags is a flag set whose defaults come from the environment, so every
// flag has an environment fallback (the flag wins when both are given).
type flags struct {
	*flag.FlagSet
	getenv func(string) string
	stderr io.Writer
	err    error
}

func newFlags(name string, getenv func(string) string, stderr io.Writer) *flags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return &flags{FlagSet: fs, getenv: getenv, stderr: stderr}
}

func (f *flags) string(p *string, name, env, def, usage string) {
	if v := f.getenv(env); v != "" {
		def = v
	}
	f.StringVar(p, name, def, usage+" (env "+env+")")
}

func (f *flags) bool(p *bool, name, env string, def bool, usage string) {
	if v := f.getenv(env); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil && f.err == nil {
			f.err = fmt.Errorf("%s=%q: want true or false", env, v)
		}
		def = b
	}
	f.BoolVar(p, name, def, usage+" (env "+env+")")
}

func (f *flags) int(p *int, name, env string, def int, usage string) {
	if v := f.getenv(env); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil && f.err == nil {
			f.err = fmt.Errorf("%s=%q: want a whole number", env, v)
		}
		def = n
	}
	f.IntVar(p, name, def, usage+" (env "+env+")")
}

func (f *flags) duration(p *time.Duration, name, env string, def time.Duration, usage string) {
	if v := f.getenv(env); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil && f.err == nil {
			f.err = fmt.Errorf("%s=%q: want a duration such as 5s", env, v)
		}
		def = d
	}
	f.DurationVar(p, name, def, usage+" (env "+env+")")
}

// given reports whether the flag was set on the command line or its
// environment variable is set.
func (f *flags) given(name, env string) bool {
	set := f.getenv(env) != ""
	f.Visit(func(fl *flag.Flag) { set = set || fl.Name == name })
	return set
}

// parse parses args after reporting any bad environment value.
func (f *flags) parse(args []string) error {
	if f.err != nil {
		return f.err
	}
	return f.Parse(args)
}

// parseNamed parses args whose one positional argument, a name, may come
// before or after the flags; missing is the error when there is none.
func (f *flags) parseNamed(args []string, missing string) (string, error) {
	name, args := leadingArg(args)
	if err := f.parse(args); err != nil {
		return "", err
	}
	if name == "" && f.NArg() > 0 {
		name = f.Arg(0)
	}
	if name == "" {
		return "", errors.New(missing)
	}
	return name, nil
}

// leadingArg takes a first argument that is not a flag, so it may come
// before or after the flags.
func leadingArg(args []string) (string, []string) {
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		return args[0], args[1:]
	}
	return "", args
}

// storeFlags say which database to open and where its card-number key is;
// every command that opens the database takes them.
type storeFlags struct {
	db         string
	panKeyFile string
	// panKey comes from the environment only, never a flag, so the key
	// stays out of shell history and process lists.
	panKey string
	// bcryptCost is the work factor of new password hashes.
	bcryptCost int
	// stderr hears of migrations applied on opening (store.Options.Logger).
	stderr io.Writer
	// getenv finds the configuration directory of the default key file.
	getenv func(string) string
}

func (f *flags) store(sf *storeFlags) {
	sf.stderr = f.stderr
	sf.getenv = f.getenv
	f.string(&sf.db, "db", "CARDOPS_DB", "./cardops.db", "SQLite database file")
	f.string(&sf.panKeyFile, "pan-key-file", "CARDOPS_PAN_KEY_FILE", "",
		"file holding the card-number key, hex (default: one per database under $XDG_CONFIG_HOME or ~/.config, in "+store.KeyDirName+", created on first start)")
	sf.panKey = f.getenv("CARDOPS_PAN_KEY")
	f.int(&sf.bcryptCost, "bcrypt-cost", "CARDOPS_BCRYPT_COST", store.DefaultBcryptCost,
		"bcrypt work factor of new password hashes (4 to 31; each step doubles the time of a sign-in)")
}

// openExisting opens the database for cmd, a command that only makes sense
// on a database someone already has: a --db naming no file is most likely a
// typo, so it is refused before anything is made, neither the database nor
// a card-number key.
func (sf storeFlags) openExisting(ctx context.Context, cmd string) (*store.Store, error) {
	if _, err := os.Stat(sf.db); errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%s: no database at %s (cardops serve or cardops seed creates one)", cmd, sf.db)
	}
	return sf.open(ctx)
}

// open opens the database with the configured card-number key, creating
// both when they do not exist yet.
func (sf storeFlags) open(ctx context.Context) (*store.Store, error) {
	if sf.bcryptCost < bcrypt.MinCost || sf.bcryptCost > bcrypt.MaxCost {
		return nil, fmt.Errorf("--bcrypt-cost must be %d to %d (got %d)", bcrypt.MinCost, bcrypt.MaxCost, sf.bcryptCost)
	}
	opts := store.Options{PANKeyFile: sf.panKeyFile, BcryptCost: sf.bcryptCost}
	if sf.stderr != nil {
		opts.Logger = slog.New(slog.NewTextHandler(sf.stderr, nil))
	}
	if sf.panKey != "" {
		if sf.panKeyFile != "" {
			return nil, errors.New("give the card-number key either in CARDOPS_PAN_KEY or as a file (--pan-key-file / CARDOPS_PAN_KEY_FILE), not both")
		}
		key, err := store.ParsePANKey(sf.panKey)
		if err != nil {
			return nil, fmt.Errorf("CARDOPS_PAN_KEY: %w", err)
		}
		opts.PANKey = key
	} else if opts.PANKeyFile == "" {
		path, err := store.PANKeyFileFor(sf.getenv, sf.db)
		if err != nil {
			return nil, err
		}
		opts.PANKeyFile, opts.MakePANKeyDir = path, true
	}
	return store.OpenWith(ctx, sf.db, opts)
}
