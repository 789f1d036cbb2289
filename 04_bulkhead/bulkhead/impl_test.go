package bulkhead

import (
	"testing"
	"time"
)

// implementation is one of the two bulkheads under test.
type implementation struct {
	name string
	new  func(maxConcurrent int, maxWait time.Duration) (Interface, error)
}

// implementations lists both bulkheads; every behavioural test and every
// benchmark runs over each, so the table doubles as a readable account of
// what the library twin does.
var implementations = []implementation{
	{"handrolled", func(n int, w time.Duration) (Interface, error) { return New(n, w) }},
	{"library", func(n int, w time.Duration) (Interface, error) { return NewLibrary(n, w) }},
}

// mustNew returns a bulkhead or stops the test.
func (impl implementation) mustNew(tb testing.TB, maxConcurrent int, maxWait time.Duration) Interface {
	tb.Helper()
	bh, err := impl.new(maxConcurrent, maxWait)
	if err != nil {
		tb.Fatalf("%s: new(%d, %v): %v", impl.name, maxConcurrent, maxWait, err)
	}
	return bh
}
