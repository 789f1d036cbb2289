package timeout

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package if any test leaves a goroutine behind. The
// leak tests in leak_test.go create leaks on purpose and clean them up
// before they return, so this check stays meaningful.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
