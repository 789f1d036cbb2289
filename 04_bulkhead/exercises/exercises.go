// Package exercises holds the lesson's exercises: each exK_*.go file is a
// stub to fill in and exK_*_test.go says what "done" means. Run them with
//
//	go test ./04_bulkhead/exercises/
//
// Every test fails until its stub is implemented. The solved files live in
// solutions/04_bulkhead/exercises/ under the same names.
package exercises

import "errors"

// errNotImplemented is what the stubs return until you write them.
var errNotImplemented = errors.New("not implemented yet")
