// Mistake: the compartment's free slot is checked with len(ch) == cap(ch) and taken by a plain send in a second step, so a caller overtaken in between waits on its send.
// Caught: "Checking len(ch) and then sending in a separate step lets another caller in between"
package exercises

import (
	"context"
	"errors"
	"fmt"

	"reliability/04_bulkhead/bulkhead"
)

// ErrUnknownDependency is returned by Isolator.Call for a dependency that
// has no compartment.
var ErrUnknownDependency = errors.New("unknown dependency")

// Isolator keeps one compartment of slots per dependency. It is safe for
// concurrent use: the map is written only by NewIsolator.
type Isolator struct {
	compartments map[string]chan struct{}
}

// NewIsolator returns an Isolator with one compartment per dependency, or
// an error naming the first bad entry.
func NewIsolator(limits map[string]int) (*Isolator, error) {
	if len(limits) == 0 {
		return nil, errors.New("no dependencies: limits is empty")
	}
	compartments := make(map[string]chan struct{}, len(limits))
	for dep, n := range limits {
		switch {
		case dep == "":
			return nil, errors.New("a dependency has an empty name")
		case n < 1:
			return nil, fmt.Errorf("%s: limit is %d, want at least 1", dep, n)
		}
		compartments[dep] = make(chan struct{}, n)
	}
	return &Isolator{compartments: compartments}, nil
}

// Call runs op in dep's compartment, or refuses it at once if that is
// full, with an error that names dep and matches bulkhead.ErrBulkheadFull.
func (i *Isolator) Call(ctx context.Context, dep string, op func(context.Context) error) error {
	slots, ok := i.compartments[dep]
	if !ok {
		return fmt.Errorf("%q: %w", dep, ErrUnknownDependency)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: caller gave up: %w", dep, err)
	}
	if len(slots) == cap(slots) {
		return fmt.Errorf("%s: %w", dep, bulkhead.ErrBulkheadFull)
	}
	slots <- struct{}{}
	defer func() { <-slots }() // freed even if op panics
	return op(ctx)
}

// InFlight reports how many of dep's operations are running.
func (i *Isolator) InFlight(dep string) int { return len(i.compartments[dep]) }
