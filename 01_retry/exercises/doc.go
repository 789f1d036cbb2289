// Package exercises holds the retry lesson's exercises, easiest first.
// Each exK_*.go file is a stub with its task in the doc comment; the
// matching exK_*_test.go says what "done" means. Run them with
//
//	go test ./01_retry/exercises/
//
// and compare your answers with solutions/01_retry/exercises/ afterwards.
package exercises

import "errors"

// errNotImplemented is what the stubs return until you replace them.
var errNotImplemented = errors.New("not implemented yet: this is your exercise")
