package sim

import (
	"testing"

	"go.uber.org/goleak"
)

// The simulation starts no goroutines; goleak proves it stays that way.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
