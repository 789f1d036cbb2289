//go:build !windows

package main

import "os"

// isTerminal reports whether f is a terminal: a character device, which a
// pipe or a file is not.
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// enableColors is a no-op: Unix terminals understand ANSI colours.
func enableColors(*os.File) bool { return true }
