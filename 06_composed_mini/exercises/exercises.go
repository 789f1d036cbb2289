// Package exercises holds the capstone's exercises: each exK_*.go file is
// a stub to fill in and exK_*_test.go says what "done" means. Run them with
//
//	go test ./06_composed_mini/exercises/
//
// Every test fails until its stub is implemented. The tests run in virtual
// time, so a chain that waits for seconds is checked at once. The solved
// files live in solutions/06_composed_mini/exercises/ under the same names.
package exercises

import "errors"

// errNotImplemented is what the stubs return until you write them.
var errNotImplemented = errors.New("not implemented yet")
