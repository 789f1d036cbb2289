package redislimit

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/goleak"

	"reliability/flaky/redisenv"
)

// TestMain silences go-redis's own log, which reports every refused dial
// while the tests stop the store on purpose, and checks for leaks.
func TestMain(m *testing.M) {
	redis.SetLogger(quiet{})
	goleak.VerifyTestMain(m)
}

type quiet struct{}

func (quiet) Printf(context.Context, string, ...any) {}

// patientClient is a client of s with timeouts a busy machine (the race
// detector, many jobs at once) cannot trip: a test that is not about a
// slow store must not fail because the machine was slow. Tests of a
// failing store bound their calls with a Guard's timeout instead.
func patientClient(s *redisenv.Server) *redis.Client {
	o := s.Options()
	o.DialTimeout, o.ReadTimeout, o.WriteTimeout = 5*time.Second, 5*time.Second, 5*time.Second
	return redis.NewClient(o)
}
