package sharedbreaker

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/sony/gobreaker/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"reliability/03_circuit_breaker/breaker"
	"reliability/flaky/redisenv"
)

// These tests show the price of the library twin's design next to the
// hand-rolled breaker: eight replicas each make one 50 ms call at the same
// moment through one shared breaker. They run in a synctest bubble, so
// gobreaker's 500 ms lock retries and the calls' 50 ms pass in virtual
// time while the store calls go over the network for real: the bubble's
// clock waits for them.

const (
	concurrentCalls = 8
	callTime        = 50 * time.Millisecond
)

// burst is the outcome of concurrentCalls calls made at once.
type burst struct {
	maxInFlight int
	lastDone    time.Duration // when the last call returned
	errs        []error
}

// fire makes n calls at once, one per replica, each taking callTime and
// ending with result.
func fire(n int, replicas []Shared, result error) burst {
	var (
		mu            sync.Mutex
		inFlight      int
		out           burst
		wg            sync.WaitGroup
		start         = time.Now()
		lastDoneNanos atomic.Int64
	)
	out.errs = make([]error, n)
	for i := range n {
		wg.Go(func() {
			out.errs[i] = replicas[i%len(replicas)].Execute(context.Background(), func() error {
				mu.Lock()
				inFlight++
				out.maxInFlight = max(out.maxInFlight, inFlight)
				mu.Unlock()
				time.Sleep(callTime)
				mu.Lock()
				inFlight--
				mu.Unlock()
				return result
			})
			d := int64(time.Since(start))
			for {
				old := lastDoneNanos.Load()
				if d <= old || lastDoneNanos.CompareAndSwap(old, d) {
					break
				}
			}
		})
	}
	wg.Wait()
	out.lastDone = time.Duration(lastDoneNanos.Load())
	return out
}

// handrolledReplicas and libraryReplicas build n replicas, each with its own
// client, all on one breaker named name. Call them inside the bubble.
func handrolledReplicas(t *testing.T, srv *redisenv.Server, name string, n int, s Settings) []Shared {
	var rs []Shared
	for range n {
		rs = append(rs, newReplica(t, srv, name, s, nil))
	}
	return rs
}

func libraryReplicas(t *testing.T, srv *redisenv.Server, name string, n int, s Settings) ([]Shared, []*RedisStore) {
	var (
		rs     []Shared
		stores []*RedisStore
	)
	for range n {
		c := patientClient(t, srv)
		st := NewRedisStore(c, srv.Key(name)+":", 0)
		l, err := NewLibrary(st, s)
		require.NoError(t, err)
		rs = append(rs, l)
		stores = append(stores, st)
	}
	return rs, stores
}

func TestHandrolledCallsRunSideBySide(t *testing.T) {
	srv := redisenv.New(t)
	synctest.Test(t, func(t *testing.T) {
		s := Settings{Name: "side-by-side"}
		rs := handrolledReplicas(t, srv, "side-by-side", concurrentCalls, s)
		got := fire(concurrentCalls, rs, nil)
		for _, err := range got.errs {
			require.NoError(t, err)
		}
		assert.Equal(t, concurrentCalls, got.maxInFlight, "the shared breaker must hold no lock while fn runs")
		assert.Equal(t, callTime, got.lastDone, "eight 50 ms calls side by side take 50 ms")
		assert.Equal(t, uint32(concurrentCalls), countsOf(t, rs[0].(*Breaker)).Requests, "every call must be counted")
	})
}

func TestLibraryRunsOneCallAtATimeAcrossReplicas(t *testing.T) {
	srv := redisenv.New(t)
	synctest.Test(t, func(t *testing.T) {
		s := Settings{Name: "one-at-a-time"}
		rs, stores := libraryReplicas(t, srv, "one-at-a-time", concurrentCalls, s)
		got := fire(concurrentCalls, rs, nil)
		for _, err := range got.errs {
			require.NoError(t, err)
		}
		var attempts, refused uint64
		for _, st := range stores {
			a, r := st.LockStats()
			attempts, refused = attempts+a, refused+r
		}
		// Each constructor took the lock once, without contention.
		attempts -= concurrentCalls
		t.Logf("library: %d in flight at most, last call done after %v, %d of %d lock attempts refused",
			got.maxInFlight, got.lastDone, refused, attempts)
		assert.Equal(t, 1, got.maxInFlight, "gobreaker holds the cluster-wide lock while fn runs")
		// Round k (k = 0..7) starts at k*500 ms, when the losers of the
		// round before wake up; its winner's call takes 50 ms.
		assert.Equal(t, 7*500*time.Millisecond+callTime, got.lastDone)
		assert.Equal(t, uint64(7+6+5+4+3+2+1), refused, "every loser retries once per 500 ms")
		assert.Equal(t, uint64(concurrentCalls+refused), attempts)
	})
}

func TestLibraryGivesUpOnTheLockAfterFiveSeconds(t *testing.T) {
	srv := redisenv.New(t)
	synctest.Test(t, func(t *testing.T) {
		// Twelve calls at once: one per 500 ms round gets the lock, and
		// gobreaker stops retrying after 5 s, ten rounds.
		const n = 12
		rs, _ := libraryReplicas(t, srv, "gives-up", n, Settings{Name: "gives-up"})
		got := fire(n, rs, nil)
		var locked int
		for _, err := range got.errs {
			if errors.Is(err, ErrLocked) {
				locked++
			} else {
				require.NoError(t, err)
			}
		}
		assert.Equal(t, 2, locked, "of 12 simultaneous calls, the two that never got the lock in 5 s must fail with ErrLocked")
	})
}

// sharedCounts decodes the state gobreaker keeps in the store.
func sharedCounts(t *testing.T, st *RedisStore, name string) gobreaker.SharedState {
	data, err := st.GetData("gobreaker:state:" + name)
	require.NoError(t, err)
	var state gobreaker.SharedState
	require.NoError(t, json.Unmarshal(data, &state))
	return state
}

func TestLibraryLosesTheCountsOfCallsItWaitedFor(t *testing.T) {
	srv := redisenv.New(t)
	synctest.Test(t, func(t *testing.T) {
		s := Settings{Name: "lost", MaxConsecutiveFailures: 5}
		lib, stores := libraryReplicas(t, srv, "lost", concurrentCalls, s)
		fire(concurrentCalls, lib, errFail)
		state := sharedCounts(t, stores[0], "lost")
		// Every caller read the state before it had the lock, so each
		// wrote back "one failure" over the others' writes.
		assert.Equal(t, uint32(1), state.Counts.TotalFailures, "gobreaker's counts after 8 concurrent failures")
		assert.Equal(t, gobreaker.StateClosed, state.State, "8 concurrent failures leave gobreaker's shared breaker closed")

		hand := handrolledReplicas(t, srv, "lost-handrolled", concurrentCalls, s)
		fire(concurrentCalls, hand, errFail)
		assert.Equal(t, breaker.StateOpen, stateOf(t, hand[0].(*Breaker)),
			"the sixth of 8 concurrent failures must open the hand-rolled shared breaker")
	})
}
