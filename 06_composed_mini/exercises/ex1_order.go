package exercises

import "reliability/06_composed_mini/compose"

// Exercise 1: put the chain in the right order.
//
// Build wraps svc in the three layers it is given (a retry layer, a
// timeout layer and a circuit-breaker layer, from package compose) so that
// the chain does what a caller needs:
//
//   - every attempt gets its own timeout: one slow attempt must not use up
//     the time of the attempts after it;
//   - the breaker sees every attempt, so that a call whose attempts all
//     fail counts as that many failures, timed-out attempts included;
//   - once the breaker is open, a call fails at once: the service is not
//     called and nothing is retried.
//
// compose.Chain(svc, a, b, c) puts a outermost: a call goes through a,
// then b, then c, then reaches svc. You may also nest the layers by hand,
// a(b(c(svc))).
//
// Hint: a layer wraps everything listed after it. Ask of each pattern
// whether it should run once per call or once per attempt; whatever runs
// once per attempt belongs inside the retry.
//
// Run: go test -run Ex1 ./06_composed_mini/exercises/
func Build(svc compose.Call, retry, timeout, breaker compose.Layer) compose.Call {
	return nil
}
