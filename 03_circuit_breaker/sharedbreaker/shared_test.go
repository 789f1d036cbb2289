package sharedbreaker

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"reliability/03_circuit_breaker/breaker"
	"reliability/flaky/redisenv"
)

func TestOneReplicaTripsItForAll(t *testing.T) {
	srv := redisenv.New(t)
	s := Settings{Name: "orders", MaxConsecutiveFailures: 2, Timeout: time.Hour}
	a := newReplica(t, srv, "orders", s, nil)
	b := newReplica(t, srv, "orders", s, nil)
	c := newReplica(t, srv, "orders", s, nil)

	tripWith(t, a, 3)
	for _, r := range []*Breaker{a, b, c} {
		called := false
		err := r.Execute(context.Background(), func() error { called = true; return nil })
		assert.ErrorIs(t, err, breaker.ErrOpenState, "every replica must refuse once one replica tripped the breaker")
		assert.False(t, called, "an open breaker must not call fn")
		assert.Equal(t, breaker.StateOpen, stateOf(t, r))
	}
	assert.Equal(t, uint64(0), b.Stats().Fallback+c.Stats().Fallback, "no call may fall back while the store is up")
}
