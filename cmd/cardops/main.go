// Command cardops is the back-office console of a card-issuing platform:
// one binary with the web console, the sandbox issuer and its demo data.
//
//	cardops [serve] [--addr A] [--db F] [--demo] [--tls-cert F --tls-key F] [--trusted-proxy CIDR,...]
//	cardops user add NAME --level 1|2|3   (password on standard input)
//	cardops user reset NAME [--password-stdin]
//	cardops user list
//	cardops user 2fa-reset NAME | 2fa-code NAME
//	cardops apikey add NAME --level 1|2|3 [--allow CIDR,...]
//	cardops apikey list
//	cardops apikey revoke ID
//	cardops seed --cards N
//
// Every command takes --db and --pan-key-file (or CARDOPS_PAN_KEY).
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "cardops:", err)
		os.Exit(1)
	}
}

// run is the whole program behind main, so start-up can be tested and every
// failure leaves through one place.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	cmd, rest := "serve", args
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, rest = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return runServe(ctx, rest, getenv, stdout, stderr)
	case "user":
		return runUser(ctx, rest, getenv, stdin, stdout, stderr)
	case "apikey":
		return runAPIKey(ctx, rest, getenv, stdout, stderr)
	case "seed":
		return runSeed(ctx, rest, getenv, stdout, stderr)
	case "help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	return fmt.Errorf("unknown command %q\n%s", cmd, usage)
}

const usage = `usage:
  cardops [serve] [--addr 127.0.0.1:8080] [--db ./cardops.db] [--demo] [--tls-cert F --tls-key F] [--trusted-proxy CIDR,...]
  cardops user add NAME --level 1|2|3     (reads the password from standard input)
  cardops user reset NAME [--password-stdin] (prints a new random password, or reads one)
  cardops user list
  cardops user 2fa-reset NAME             (turns off a user's two-factor sign-in when they lost it)
  cardops user 2fa-code NAME              (prints the user's current two-factor code, for a demo)
  cardops apikey add NAME --level 1|2|3 [--allow CIDR,...]   (prints the key once)
  cardops apikey list
  cardops apikey revoke ID
  cardops seed --cards N
Every command takes --db and --pan-key-file (the card-number key; default: one per database under $XDG_CONFIG_HOME or ~/.config, in cardops/keys).
Only serve, seed and user add make a database that does not exist yet.
Every flag also reads an environment variable: CARDOPS_ADDR, CARDOPS_DB, CARDOPS_DEMO, ...;
the card-number key itself can be given in CARDOPS_PAN_KEY (hex or base64) instead of a file.
`
