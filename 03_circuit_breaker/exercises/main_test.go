package exercises

import (
	"errors"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// errDown is the dependency's failure in the exercise tests.
var errDown = errors.New("dependency is down")

func fail() error    { return errDown }
func succeed() error { return nil }
