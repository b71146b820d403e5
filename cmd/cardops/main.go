// Command cardops is the back-office console of a card-issuing platform:
// one binary with the web console, the sandbox issuer and its demo data.
//
//	cardops [serve] [--addr A] [--db F] [--demo]
//	cardops user add NAME --level 1|2|3   (password on standard input)
//	cardops user list
//	cardops apikey add NAME --level 1|2|3 [--allow CIDR,...]
//	cardops apikey list
//	cardops apikey revoke ID
//	cardops seed --cards N
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
  cardops [serve] [--addr 127.0.0.1:8080] [--db ./cardops.db] [--demo]
  cardops user add NAME --level 1|2|3     (reads the password from standard input)
  cardops user list
  cardops apikey add NAME --level 1|2|3 [--allow CIDR,...]   (prints the key once)
  cardops apikey list
  cardops apikey revoke ID
  cardops seed --cards N
Every flag also reads an environment variable: CARDOPS_ADDR, CARDOPS_DB, CARDOPS_DEMO, ...
`
