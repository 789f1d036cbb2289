package retry_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"reliability/01_retry/retry"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// impls are the implementations that share the behavioural table below:
// whatever both promise is tested once, against both.
var impls = []struct {
	name string
	do   func(context.Context, retry.Policy, func(context.Context) error) error
}{
	{"handrolled", retry.Do},
	{"library", retry.DoBackoff},
}

var errBoom = errors.New("boom")

// script returns an op that fails with the given errors in order and then
// succeeds, and a pointer to the number of calls made.
func script(errs ...error) (func(context.Context) error, *int) {
	calls := 0
	return func(context.Context) error {
		calls++
		if calls <= len(errs) {
			return errs[calls-1]
		}
		return nil
	}, &calls
}

func failing(n int) []error {
	errs := make([]error, n)
	for i := range errs {
		errs[i] = fmt.Errorf("failure %d: %w", i+1, errBoom)
	}
	return errs
}

func TestBehaviour(t *testing.T) {
	noJitter := retry.Policy{MaxAttempts: 4, InitialDelay: 100 * time.Millisecond, MaxDelay: 300 * time.Millisecond, Multiplier: 2, Jitter: retry.NoJitter}

	cases := []struct {
		name      string
		policy    retry.Policy
		errs      []error
		wantErr   error // nil: success expected
		wantCalls int
		wantTime  time.Duration // virtual time spent in Do
	}{
		{name: "success at once", policy: noJitter, wantCalls: 1},
		{name: "fails twice then succeeds", policy: noJitter, errs: failing(2), wantCalls: 3, wantTime: 300 * time.Millisecond},
		{name: "delays are capped", policy: noJitter, errs: failing(3), wantCalls: 4, wantTime: 100*time.Millisecond + 200*time.Millisecond + 300*time.Millisecond},
		{name: "gives up after MaxAttempts", policy: noJitter, errs: failing(10), wantErr: errBoom, wantCalls: 4, wantTime: 600 * time.Millisecond},
		{name: "one attempt means no retry", policy: retry.Policy{MaxAttempts: 1}, errs: failing(1), wantErr: errBoom, wantCalls: 1},
		{name: "permanent error stops at once", policy: noJitter, errs: []error{retry.Permanent(errBoom)}, wantErr: errBoom, wantCalls: 1},
		{name: "permanent after a transient", policy: noJitter, errs: []error{errors.New("transient"), retry.Permanent(errBoom)}, wantErr: errBoom, wantCalls: 2, wantTime: 100 * time.Millisecond},
		{name: "zero policy retries with defaults", policy: retry.Policy{}, errs: failing(1), wantCalls: 2},
	}
	for _, impl := range impls {
		for _, tc := range cases {
			t.Run(impl.name+"/"+tc.name, func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					op, calls := script(tc.errs...)
					start := time.Now()
					err := impl.do(context.Background(), tc.policy, op)
					elapsed := time.Since(start)

					if tc.wantErr == nil {
						require.NoError(t, err)
					} else {
						require.ErrorIs(t, err, tc.wantErr)
					}
					assert.Equal(t, tc.wantCalls, *calls, "calls to op")
					if tc.policy.Jitter == retry.NoJitter && tc.policy.MaxAttempts != 0 {
						assert.Equal(t, tc.wantTime, elapsed, "time spent waiting")
					}
				})
			})
		}
	}
}

func TestOnRetrySeesEveryWait(t *testing.T) {
	for _, impl := range impls {
		t.Run(impl.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				type call struct {
					attempt int
					delay   time.Duration
				}
				var got []call
				p := retry.Policy{MaxAttempts: 4, InitialDelay: time.Second, MaxDelay: time.Minute, Multiplier: 3, Jitter: retry.NoJitter,
					OnRetry: func(attempt int, err error, delay time.Duration) {
						require.ErrorIs(t, err, errBoom)
						got = append(got, call{attempt, delay})
					}}
				op, _ := script(failing(10)...)
				require.ErrorIs(t, impl.do(context.Background(), p, op), errBoom)
				assert.Equal(t, []call{{1, time.Second}, {2, 3 * time.Second}, {3, 9 * time.Second}}, got)
			})
		})
	}
}

func TestCancelDuringWait(t *testing.T) {
	for _, impl := range impls {
		t.Run(impl.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				p := retry.Policy{MaxAttempts: 5, InitialDelay: time.Hour, Jitter: retry.NoJitter, MaxDelay: time.Hour}
				time.AfterFunc(time.Second, cancel)

				op, calls := script(failing(10)...)
				start := time.Now()
				err := impl.do(ctx, p, op)

				require.ErrorIs(t, err, context.Canceled)
				assert.Equal(t, time.Second, time.Since(start), "Do should return the moment ctx is canceled")
				assert.Equal(t, 1, *calls)
			})
		})
	}
}

func TestInvalidPolicy(t *testing.T) {
	bad := map[string]retry.Policy{
		"negative attempts":      {MaxAttempts: -1},
		"negative initial delay": {InitialDelay: -time.Second},
		"negative max delay":     {MaxDelay: -1},
		"negative multiplier":    {Multiplier: -2},
		"shrinking multiplier":   {Multiplier: 0.5},
		"NaN multiplier":         {Multiplier: nan()},
		"unknown jitter":         {Jitter: retry.Jitter(42)},
	}
	for _, impl := range impls {
		for name, p := range bad {
			t.Run(impl.name+"/"+name, func(t *testing.T) {
				op, calls := script()
				err := impl.do(context.Background(), p, op)
				require.ErrorIs(t, err, retry.ErrInvalidPolicy)
				assert.Zero(t, *calls, "op must not run under an invalid policy")
				assert.ErrorIs(t, p.Validate(), retry.ErrInvalidPolicy)
			})
		}
	}
}

// TestNilOp: a nil op is a clear error, not a nil dereference deep
// inside the loop.
func TestNilOp(t *testing.T) {
	for _, impl := range impls {
		t.Run(impl.name, func(t *testing.T) {
			var err error
			require.NotPanics(t, func() { err = impl.do(context.Background(), retry.Policy{}, nil) })
			require.ErrorIs(t, err, retry.ErrNilOp)
		})
	}
}

func nan() float64 {
	zero := 0.0
	return zero / zero
}
