// Package exercises holds the rate-limiting lesson's exercises, easiest
// first. Each exK_*.go file is a stub with its task in the doc comment;
// the matching exK_*_test.go says what "done" means. Run them with
//
//	go test ./05_rate_limit/exercises/
//
// and compare your answers with solutions/05_rate_limit/exercises/
// afterwards.
package exercises

import "errors"

// errNotImplemented is what the stubs return until you replace them.
var errNotImplemented = errors.New("not implemented yet: this is your exercise")
