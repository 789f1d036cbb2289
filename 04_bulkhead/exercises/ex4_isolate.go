package exercises

import (
	"context"
	"errors"

	"reliability/04_bulkhead/bulkhead"
)

// ErrUnknownDependency is returned by Isolator.Call for a dependency that
// has no compartment.
var ErrUnknownDependency = errors.New("unknown dependency")

// Exercise 4: one compartment per dependency.
//
// A bulkhead isolates only if each dependency has its own: one pool for
// everything lets one slow dependency take every slot. Isolator keeps a
// compartment of slots per dependency. Implement NewIsolator, Call and
// InFlight:
//
//   - NewIsolator(limits) makes one compartment per entry of limits: the
//     dependency's name and its number of slots. It returns an error if
//     limits is empty, a name is "" or a limit is below 1. Changing the
//     map afterwards must not change the Isolator.
//   - Call(ctx, dep, op) runs op(ctx) in dep's compartment if a slot is
//     free there, and returns op's error unchanged; the slot is freed when
//     op returns or panics (let the panic go on up). If dep's compartment
//     is full, Call returns at once, without running op, an error that
//     matches bulkhead.ErrBulkheadFull and names dep (such as
//     "payments: bulkhead full"), so a log line says which dependency is
//     saturated. A full compartment never affects the others.
//   - An unknown dep gets an error that matches ErrUnknownDependency, and
//     a ctx that has already ended an error that matches ctx.Err() (not
//     bulkhead.ErrBulkheadFull). Neither runs op.
//   - InFlight(dep) reports how many of dep's operations are running (0
//     for an unknown dep).
//
// Hint: a map from name to a channel, built once in NewIsolator and only
// read afterwards, is safe for concurrent use without a lock. Exercise 2's
// select with a default case refuses at once. fmt.Errorf with %w names the
// dependency and keeps the sentinel matchable.
//
// Run: go test -run Ex4 ./04_bulkhead/exercises/
type Isolator struct {
	// Add the fields you need.
}

// The refusal is bulkhead.ErrBulkheadFull, from the lesson's package,
// imported above for it: return it, or an error that wraps it.
var _ = bulkhead.ErrBulkheadFull

// NewIsolator returns an Isolator with one compartment per dependency.
func NewIsolator(limits map[string]int) (*Isolator, error) {
	return nil, errNotImplemented
}

// Call runs op in dep's compartment, or refuses it at once if that is full.
func (i *Isolator) Call(ctx context.Context, dep string, op func(context.Context) error) error {
	return errNotImplemented
}

// InFlight reports how many of dep's operations are running.
func (i *Isolator) InFlight(dep string) int {
	return 0
}
