// Package sharedbreaker is a circuit breaker whose state lives in Redis, so
// that every replica of a service sees the same breaker: when one replica's
// calls trip it, the others refuse too, and the dependency gets its rest
// from the whole fleet instead of from one process at a time.
//
// Breaker is the hand-rolled version. Its state, generation, counts and
// expiry sit in one Redis hash, and one Lua script, run atomically by the
// server with the server's own clock, moves them on: one round trip before
// the call (may it go through?) and one after (what happened?). The call
// itself runs with no lock held anywhere, so replicas call the dependency
// side by side. For a single replica it goes through the same states as
// lesson 03's breaker.Breaker. When Redis fails it falls back to a local
// breaker.Breaker of its own, so a dead store costs the fleet its shared
// view, never its protection.
//
// Library is the library twin: sony/gobreaker v2's DistributedCircuitBreaker
// with RedisStore, a SharedDataStore written here on go-redis. It is the
// shape the library offers, and its price shows in the package's tests: it
// holds a cluster-wide lock for the whole call, so calls through one breaker
// run one at a time across every replica.
//
// Both satisfy Shared, and both refuse calls with lesson 03's sentinels,
// breaker.ErrOpenState and breaker.ErrTooManyRequests.
package sharedbreaker
