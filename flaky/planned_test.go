package flaky

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPlannedLatenciesAreTheCallsLatencies(t *testing.T) {
	cfg := Config{Seed: 7, Latency: 300 * time.Millisecond, LatencyJitter: 60 * time.Millisecond, FailureRate: 0.3}
	planned, err := cfg.PlannedLatencies(8)
	require.NoError(t, err)
	synctest.Test(t, func(t *testing.T) {
		svc := MustNew(cfg)
		for i, want := range planned {
			start := time.Now()
			_ = svc.Call(context.Background())
			assert.Equal(t, want, time.Since(start), "call %d", i+1)
		}
	})
	again, err := cfg.PlannedLatencies(8)
	require.NoError(t, err)
	assert.Equal(t, planned, again, "the same seed plans the same latencies")

	_, err = Config{Latency: -time.Second}.PlannedLatencies(1)
	assert.ErrorIs(t, err, ErrInvalidConfig)
}
