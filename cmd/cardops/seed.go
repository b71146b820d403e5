package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"cardops/store/seed"
)

func runSeed(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var sf storeFlags
	var cards int
	f := newFlags("seed", getenv, stderr)
	f.store(&sf)
	f.IntVar(&cards, "cards", 1000, "how many cards to add")
	if err := f.parse(args); err != nil {
		return err
	}
	if cards <= 0 || cards > 20_000_000 {
		return errors.New("seed: --cards must be between 1 and 20000000")
	}
	st, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	last := time.Now()
	sum, err := seed.Run(ctx, st, seed.Options{Cards: cards, Progress: func(done, total int) {
		if time.Since(last) > 2*time.Second || done == total {
			last = time.Now()
			fmt.Fprintf(stdout, "  %d/%d cards\n", done, total)
		}
	}})
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	fmt.Fprintf(stdout, "seeded %d cards, %d numbers, %d movements, %d wallets, %d wallet movements, %d tokenizations in %s\n",
		sum.Cards, sum.Numbers, sum.Transactions, sum.Wallets, sum.WalletMovements, sum.Tokenizations, sum.Elapsed.Round(time.Millisecond))
	return nil
}
