package exercises

import (
	"time"

	"github.com/redis/go-redis/v9"

	"reliability/flaky/redisenv"
)

// patientClient is a client of s with timeouts a busy machine cannot
// trip: the tests of exercises 6 and 7 are about what the answer does
// with the store, not about a slow store.
func patientClient(s *redisenv.Server) *redis.Client {
	o := s.Options()
	o.DialTimeout, o.ReadTimeout, o.WriteTimeout = 5*time.Second, 5*time.Second, 5*time.Second
	return redis.NewClient(o)
}
