// Package redislimit is one rate limit shared by every replica of a
// service: the count lives in Redis, so ten replicas behind a load balancer
// hold a client to the limit once, not ten times.
//
// The hand-rolled limiter is GCRA, the generic cell rate algorithm, in one
// Lua script (GCRA): per client key Redis keeps a single number, the
// theoretical arrival time (TAT) of the next request if the client kept
// exactly to the rate. The script reads it, decides, and writes it back in
// one atomic step, with the time taken from the server, so the replicas'
// own clocks never enter the answer. Times are whole microseconds, so a
// burst of 10 at one instant admits exactly 10. A key expires when its TAT
// has passed, which is when the client's allowance is full again: an idle
// client costs no memory.
//
// Its library twin is github.com/go-redis/redis_rate/v10 (Library), the same
// algorithm in float seconds. Both satisfy Limiter; the package's tests run
// one behavioural table over both and write down where they differ.
//
// FixedWindow (INCR + PEXPIRE) and SlidingLog (a sorted set) are the two
// other designs found in the wild, kept for contrast: the first lets twice
// the limit through across a window boundary, the second holds one entry
// per request in the window.
//
// A shared limit adds a network round trip to every request and a store
// that can fail. Guard bounds every call with a short timeout and applies
// the policy its caller chose, fail-open (admit, count, log) or fail-closed
// (refuse); there is no default, because either one hides a decision that
// belongs to the service's owner. A Guard is what lesson 05's middleware
// takes (ratelimit.Config.Shared).
package redislimit
