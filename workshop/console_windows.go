//go:build windows

package main

import (
	"os"
	"syscall"
)

// isTerminal reports whether f is a Windows console (a pipe, a file or
// the NUL device has no console mode).
func isTerminal(f *os.File) bool {
	var mode uint32
	return syscall.GetConsoleMode(syscall.Handle(f.Fd()), &mode) == nil
}

// enableVirtualTerminalProcessing lets a Windows console interpret ANSI
// escape sequences (Windows 10 and later).
const enableVirtualTerminalProcessing = 0x0004

// enableColors switches the console to ANSI escape sequences and reports
// whether it could; an older console then simply gets no colours.
func enableColors(f *os.File) bool {
	h := syscall.Handle(f.Fd())
	var mode uint32
	if syscall.GetConsoleMode(h, &mode) != nil {
		return false
	}
	if mode&enableVirtualTerminalProcessing != 0 {
		return true
	}
	setConsoleMode := syscall.NewLazyDLL("kernel32.dll").NewProc("SetConsoleMode")
	ok, _, _ := setConsoleMode.Call(uintptr(h), uintptr(mode|enableVirtualTerminalProcessing))
	return ok != 0
}
