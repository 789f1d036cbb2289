package breaker

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The zero Breaker works like New(Settings{}): gobreaker's defaults. (It
// used to dereference a nil classifier on its first result.)
func TestZeroBreakerIsNewWithDefaultSettings(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var b Breaker
		assert.Equal(t, StateClosed, b.State())
		run(t, &b, 5, failing, errFail)
		require.Equal(t, StateClosed, b.State(), "five failures are not more than five")
		run(t, &b, 1, failing, errFail)
		require.Equal(t, StateOpen, b.State(), "the sixth failure trips, as with the default ReadyToTrip")
		run(t, &b, 1, succeed, ErrOpenState)

		time.Sleep(60 * time.Second)
		require.Equal(t, StateOpen, b.State(), "the default Timeout is 60 seconds")
		time.Sleep(time.Nanosecond)
		require.Equal(t, StateHalfOpen, b.State())
		run(t, &b, 1, succeed, nil)
		require.Equal(t, StateClosed, b.State(), "the default MaxRequests is 1: one success closes it")

		price, err := Do(&b, func() (int, error) { return 42, nil })
		assert.Equal(t, 42, price)
		assert.NoError(t, err)
	})
}
