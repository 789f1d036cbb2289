package exercises

import (
	"time"

	"reliability/flaky/redisenv"
)

// patientClient is a client of s with timeouts a busy machine cannot
// trip: the tests of exercises 6 and 7 are about what the answer does
// with the store, not about a slow store.
func patientClient(s redisenv.Store) redisenv.Client {
	return s.PatientClient(5 * time.Second)
}
