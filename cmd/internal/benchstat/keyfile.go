package benchstat

import (
	"os"

	"cardops/store"
)

// KeyFile is the card-number key file of a database a benchmark opens (for
// store.Options.PANKeyFile): a database `cardops` made (-db FILE) is found
// where the command keeps its key; a new one, made by the benchmark in its
// scratch folder, keeps its key beside it (Open's default, ""), so the runs
// leave nothing in the user's configuration directory.
func KeyFile(db string) string {
	if _, err := os.Stat(db); err != nil {
		return ""
	}
	if _, err := os.Stat(db + store.PANKeyFileSuffix); err == nil {
		return ""
	}
	kf, err := store.PANKeyFileFor(os.Getenv, db)
	if err != nil {
		return "" // Open then names the key it misses
	}
	return kf
}
