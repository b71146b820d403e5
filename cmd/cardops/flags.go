package main

import (
	"flag"
	"fmt"
	"io"
	"strconv"
)

// flags is a flag set whose defaults come from the environment, so every
// flag has an environment fallback (the flag wins when both are given).
type flags struct {
	*flag.FlagSet
	getenv func(string) string
	err    error
}

func newFlags(name string, getenv func(string) string, stderr io.Writer) *flags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return &flags{FlagSet: fs, getenv: getenv}
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
