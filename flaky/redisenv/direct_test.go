package redisenv_test

import (
	"context"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"reliability/flaky/redisenv"
)

func TestDirectOptionsBypassTheProxy(t *testing.T) {
	s := redisenv.New(t)
	direct := redis.NewClient(s.DirectOptions())
	defer direct.Close()
	ctx := context.Background()
	assert.NotEqual(t, s.Addr(), s.DirectOptions().Addr)
	s.Stop()
	defer s.Resume()
	require.NoError(t, direct.Set(ctx, s.Key("direct"), "yes", 0).Err(),
		"a direct client must not see the proxy stopped")
	assert.Equal(t, "yes", direct.Get(ctx, s.Key("direct")).Val())
}
