package main

import (
	"errors"
	"flag"
	"io"
	"strings"
)

// errHelp asks for a command's own help (watch -h).
var errHelp = errors.New("help requested")

// parseArgs parses a command's flags wherever they stand among its
// arguments (reset 01/ex2 --yes reads as well as reset --yes 01/ex2) and
// returns the others, at most maxArgs of them. fs may be nil for a
// command without flags.
func parseArgs(name string, args []string, fs *flag.FlagSet, maxArgs int) ([]string, error) {
	if fs == nil {
		fs = flag.NewFlagSet(name, flag.ContinueOnError)
	}
	fs.SetOutput(io.Discard)
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, errHelp
			}
			return nil, usagef("%v", err)
		}
		if fs.NArg() == 0 {
			break
		}
		rest = append(rest, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(rest) > maxArgs {
		extra := rest[maxArgs:]
		if maxArgs == 0 {
			return nil, usagef("%s takes no arguments, got %s", name, strings.Join(extra, " "))
		}
		return nil, usagef("unexpected argument %s", strings.Join(extra, " "))
	}
	return rest, nil
}

// yesFlags is the --yes (-y) flag of the commands that ask first.
type yesFlags struct {
	set *flag.FlagSet
	yes *bool
}

func newYesFlags(name string) yesFlags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	yes := fs.Bool("yes", false, "do not ask")
	fs.BoolVar(yes, "y", false, "do not ask")
	return yesFlags{fs, yes}
}
