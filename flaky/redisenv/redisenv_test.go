package redisenv_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"reliability/flaky/redisenv"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestClientTalksToTheServer(t *testing.T) {
	s := redisenv.New(t)
	c := s.Client()
	defer c.Close()
	ctx := context.Background()

	key := s.Key("greeting")
	require.NoError(t, c.Set(ctx, key, "hello", 0).Err())
	got, err := c.Get(ctx, key).Result()
	require.NoError(t, err)
	assert.Equal(t, "hello", got)
	t.Logf("server: %s", s.Name())
}

func TestKeysOfTwoServersNeverCollide(t *testing.T) {
	a, b := redisenv.New(t), redisenv.New(t)
	assert.NotEqual(t, a.Key("k"), b.Key("k"))
}

func TestEmbeddedClockStandsStillUntilAdvance(t *testing.T) {
	s := redisenv.New(t)
	if !s.Embedded() {
		require.ErrorIs(t, s.Advance(time.Second), redisenv.ErrRealClock)
		return
	}
	c := s.Client()
	defer c.Close()
	ctx := context.Background()

	now, err := c.Time(ctx).Result()
	require.NoError(t, err)
	assert.True(t, now.Equal(redisenv.Epoch), "TIME = %v, want the epoch %v", now, redisenv.Epoch)

	key := s.Key("short-lived")
	require.NoError(t, c.Set(ctx, key, "x", 1500*time.Millisecond).Err())
	require.NoError(t, s.Advance(time.Second))
	assert.Equal(t, int64(1), c.Exists(ctx, key).Val(), "a key with 500 ms left must still exist")
	now, err = c.Time(ctx).Result()
	require.NoError(t, err)
	assert.True(t, now.Equal(redisenv.Epoch.Add(time.Second)), "TIME = %v after Advance(1s)", now)

	require.NoError(t, s.Advance(time.Second))
	assert.Equal(t, int64(0), c.Exists(ctx, key).Val(), "a key past its time to live must be gone")
	assert.Equal(t, redisenv.Epoch.Add(2*time.Second), s.Now())

	assert.Error(t, s.Advance(-time.Second), "the clock must not go back")
}

func TestStopRefusesAtOnceAndResumeRestores(t *testing.T) {
	s := redisenv.New(t)
	c := s.Client()
	defer c.Close()
	ctx := context.Background()
	key := s.Key("survives")
	require.NoError(t, c.Set(ctx, key, "kept", 0).Err())

	s.Stop()
	err := c.Get(ctx, key).Err()
	require.Error(t, err, "a call while the store is stopped must fail")
	assert.False(t, errors.Is(err, context.DeadlineExceeded), "a stopped store should be refused, not timed out: %v", err)

	s.Resume()
	got, err := c.Get(ctx, key).Result()
	require.NoError(t, err, "after Resume the client must redial and reach the same data")
	assert.Equal(t, "kept", got)
}

func TestStallTimesOutAndResumeRestores(t *testing.T) {
	s := redisenv.New(t)
	c := s.Client()
	defer c.Close()
	require.NoError(t, c.Ping(context.Background()).Err()) // a pooled connection, stalled below

	s.Stall()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := c.Ping(ctx).Err()
	require.Error(t, err, "a call to a stalled store must not succeed")

	s.Resume()
	require.NoError(t, c.Ping(context.Background()).Err(), "after Resume the store must answer")
}

func TestCloseIsIdempotent(t *testing.T) {
	s, err := redisenv.Start()
	require.NoError(t, err)
	s.Close()
	s.Close()
}
