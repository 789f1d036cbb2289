//go:build !(linux || darwin || dragonfly || freebsd || netbsd || openbsd)

package main

import "os"

// keyMode reports that single key presses cannot be read here (Windows
// consoles, other systems): watch then takes no keys and Ctrl-C stops it.
func keyMode(*os.File) (restore func(), ok bool) { return nil, false }
