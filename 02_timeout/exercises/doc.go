// Package exercises holds the timeout lesson's exercises. Each exK_*.go file
// is a stub: it compiles and returns errNotImplemented. Make the tests in the
// matching exK_*_test.go pass, easiest first:
//
//	go test ./02_timeout/exercises/            # all of them
//	go test -run Ex1 ./02_timeout/exercises/   # exercise 1 only
//
// The tests run in virtual time (testing/synctest), so a deadline of an hour
// is checked instantly, and they fail if your code leaves a goroutine
// behind. Solutions are in solutions/02_timeout/exercises/, for after you
// have tried.
package exercises

import "errors"

// errNotImplemented is what the stubs return until you replace them.
var errNotImplemented = errors.New("not implemented yet")
