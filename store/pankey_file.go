package store

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// The card-number key recovers every number with the database, so the
// commands' default key file is kept away from the database's directory (and
// from copies and backups of it): in the user's configuration directory, one
// file per database path. A key file that an older release left beside its
// database is still read; cardops serve says where to move it. (Open's own
// default, beside the database, is for tests' and benchmarks' scratch
// databases.)

// KeyDirName is the key files' directory under the configuration directory.
const KeyDirName = "cardops/keys"

// ConfigDir is where the user's configuration lives, as os.UserConfigDir
// finds it on Linux, from the command's environment.
func ConfigDir(getenv func(string) string) (string, error) {
	if d := getenv("XDG_CONFIG_HOME"); filepath.IsAbs(d) {
		return d, nil
	}
	if h := getenv("HOME"); filepath.IsAbs(h) {
		return filepath.Join(h, ".config"), nil
	}
	return "", errors.New("neither $XDG_CONFIG_HOME nor $HOME is set to an absolute path")
}

// DefaultPANKeyFile is the key file of the database db under dir: its name
// says which database it belongs to, and a hash of the database's absolute
// path tells apart databases of the same name in different directories.
func DefaultPANKeyFile(dir, db string) (string, error) {
	abs, err := filepath.Abs(db)
	if err != nil {
		return "", fmt.Errorf("card-number key file of %s: %w", db, err)
	}
	// The same database reached through a symbolic link is the same
	// database: its directory is named as it really is.
	if dir, err := filepath.EvalSymlinks(filepath.Dir(abs)); err == nil {
		abs = filepath.Join(dir, filepath.Base(abs))
	}
	sum := sha256.Sum256([]byte(abs))
	return filepath.Join(dir, KeyDirName, filepath.Base(abs)+"-"+hex.EncodeToString(sum[:6])+PANKeyFileSuffix), nil
}

// PANKeyFileFor settles which key file a command without --pan-key-file uses:
// the one in the configuration directory when it exists, else one an older
// release made beside the database, else a new one in the configuration
// directory. It makes nothing: Open makes the new file's directory, private,
// with Options.MakePANKeyDir, once it knows a new key is wanted.
func PANKeyFileFor(getenv func(string) string, db string) (string, error) {
	var path string
	dir, dirErr := ConfigDir(getenv)
	if dirErr == nil {
		var err error
		if path, err = DefaultPANKeyFile(dir, db); err != nil {
			return "", err
		}
		if fileExists(path) {
			return path, nil
		}
	}
	if beside := db + PANKeyFileSuffix; fileExists(beside) {
		return beside, nil
	}
	if dirErr != nil {
		return "", fmt.Errorf("no place for the card-number key (%w): give --pan-key-file or CARDOPS_PAN_KEY", dirErr)
	}
	return path, nil
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
