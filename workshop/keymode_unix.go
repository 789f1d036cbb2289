//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package main

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// keyMode lets watch read single key presses from the terminal f: it
// turns off line editing (a key arrives without Enter) and echo (the key
// does not print), and leaves everything else alone, so output and
// Ctrl-C behave as usual. It returns the function that puts the terminal
// back as it was, or false when f is not a terminal (a pipe, a file).
func keyMode(f *os.File) (restore func(), ok bool) {
	// SyscallConn, unlike Fd, leaves the file in non-blocking mode, so
	// that closing it still ends a pending read.
	rc, err := f.SyscallConn()
	if err != nil {
		return nil, false
	}
	var old *unix.Termios
	var setErr error
	err = rc.Control(func(fd uintptr) {
		// Only the terminal's foreground job may change its mode: a watch
		// started in the background (&) would be stopped for trying. (A
		// terminal that is not this process's controlling terminal has no
		// foreground job to ask about.)
		if fg, err := unix.IoctlGetInt(int(fd), unix.TIOCGPGRP); err == nil && fg != unix.Getpgrp() {
			setErr = errors.New("not the terminal's foreground job")
			return
		}
		t, err := unix.IoctlGetTermios(int(fd), ioctlGetTermios)
		if err != nil {
			setErr = err
			return
		}
		old = t
		keys := *t
		keys.Lflag &^= unix.ICANON | unix.ECHO
		keys.Cc[unix.VMIN] = 1
		keys.Cc[unix.VTIME] = 0
		setErr = unix.IoctlSetTermios(int(fd), ioctlSetTermios, &keys)
	})
	if err != nil || setErr != nil {
		return nil, false
	}
	return func() {
		_ = rc.Control(func(fd uintptr) {
			_ = unix.IoctlSetTermios(int(fd), ioctlSetTermios, old)
		})
	}, true
}
