//go:build !linux

package main

import (
	"os"
	"testing"
)

// openPTY skips: the test opens its pseudo-terminal the Linux way.
func openPTY(t *testing.T) (master, term *os.File) {
	t.Skip("the pseudo-terminal test runs on Linux")
	return nil, nil
}

func termFlags(t *testing.T, _ *os.File) (lineEditing, echo bool) {
	t.Skip("the pseudo-terminal test runs on Linux")
	return false, false
}
