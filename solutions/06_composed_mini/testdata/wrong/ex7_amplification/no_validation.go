// Mistake: accepts any f, even one that is not a probability.
// Caught: "f is a probability"
package exercises

import (
	"errors"
	"fmt"
	"math"
)

// ErrBadArithmetic is matched by the errors of Attempts, Offered and
// Budgeted for arguments out of range.
var ErrBadArithmetic = errors.New("bad retry arithmetic")

// Exercise 7: the arithmetic of a retry storm.
//
// When a dependency fails, retries multiply the load on it. How much is
// simple arithmetic, and worth knowing by heart:
//
//   - Attempts(maxAttempts, f) is the expected number of attempts per
//     request when each attempt fails, independently, with probability f,
//     and a request makes at most maxAttempts: the first attempt always,
//     the second if the first failed (probability f), the third if both
//     failed (f*f), and so on: 1 + f + f^2 + ... + f^(maxAttempts-1). At
//     f = 1 that is maxAttempts;
//   - Offered(rate, maxAttempts, f) is the load reaching the dependency,
//     in attempts per second, when clients make rate requests per second:
//     rate times Attempts;
//   - Budgeted(rate, maxAttempts, f, ratio) is the same load when a retry
//     budget lets retries add at most ratio of the requests (0.1: 10%):
//     each request then makes at most 1 + ratio attempts on average, and
//     fewer if Attempts says so;
//   - all three return an error matching ErrBadArithmetic for maxAttempts
//     below 1, f outside [0, 1] (or NaN), a negative rate or a negative
//     ratio.
//
// The overload demo (go run ./06_composed_mini -overload) is these
// numbers: 150 requests a second, 3 attempts, f = 1 while the server is
// slow, is 450 attempts a second at a server that can do 200.
//
// Hint: add the terms in a loop; the closed form (1-f^n)/(1-f) is 0/0 at
// f = 1.
//
// Run: go test -run Ex7 ./06_composed_mini/exercises/
func Attempts(maxAttempts int, f float64) (float64, error) {
	if maxAttempts < 1 {
		return 0, fmt.Errorf("%w: maxAttempts %d (want at least 1), f %v (want a probability)", ErrBadArithmetic, maxAttempts, f)
	}
	sum, term := 0.0, 1.0
	for range maxAttempts {
		sum += term
		term *= f
	}
	return sum, nil
}

// Offered returns the attempts per second reaching the dependency.
func Offered(rate float64, maxAttempts int, f float64) (float64, error) {
	if math.IsNaN(rate) || rate < 0 {
		return 0, fmt.Errorf("%w: rate %v, want 0 or more", ErrBadArithmetic, rate)
	}
	a, err := Attempts(maxAttempts, f)
	if err != nil {
		return 0, err
	}
	return rate * a, nil
}

// Budgeted returns the attempts per second reaching the dependency under
// a retry budget of ratio.
func Budgeted(rate float64, maxAttempts int, f, ratio float64) (float64, error) {
	if math.IsNaN(ratio) || ratio < 0 {
		return 0, fmt.Errorf("%w: ratio %v, want 0 or more", ErrBadArithmetic, ratio)
	}
	load, err := Offered(rate, maxAttempts, f)
	if err != nil {
		return 0, err
	}
	return min(load, rate*(1+ratio)), nil
}
