// Package compose puts the workshop's patterns around one call, in an
// order that makes them help each other instead of fight:
//
//	Caller → Retry → Timeout → CircuitBreaker → Service
//
// Every pattern is a Layer: a function that takes a Call and returns a
// Call of the same type. Chain stacks layers, the first one outermost, so
// a chain reads in the order a call travels, and any subset of the layers
// composes:
//
//	call := compose.Chain(svc.Call,
//		compose.Timeout(90*time.Millisecond), // the whole call, retries included
//		compose.Retry(policy),                // only transient errors, not ErrOpenState
//		compose.Timeout(20*time.Millisecond), // each attempt
//		compose.Breaker(cb),                  // counts every attempt, timeouts too
//	)
//
// The layers import the lessons' hand-rolled packages (retry from lesson
// 01, timeout from lesson 02, breaker from lesson 03, and an optional
// bulkhead from lesson 04); this package adds only the rules that make
// them compose:
//
//   - each attempt gets its own timeout, and a deadline around the whole
//     call bounds it, retries and waits included;
//   - a timed-out attempt reaches the breaker as a failure;
//   - the retry layer retries only transient errors: a permanent error, a
//     breaker's or a bulkhead's rejection (ErrOpenState,
//     ErrTooManyRequests, ErrBulkheadFull), an exhausted time budget and
//     a layer's configuration error end the call at once;
//   - an error that leaves a retry layer is final, so retry layers nested
//     inside each other do not multiply their attempts;
//   - an optional retry budget (Throttle, gRPC's retry throttling) stops
//     retries while the dependency fails more often than it allows (with
//     gRPC's example values, more than one attempt in eleven); it is
//     asked only for a retry that is about to start, so a deadline or a
//     cancellation never spends it.
//   - an optional adaptive throttle (AdaptiveThrottling, the SRE book's
//     client-side throttling) refuses calls locally while the dependency
//     accepts few of them, so that an overloaded dependency can recover.
//
// Settings describes a whole chain in plain numbers and builds it twice:
// hand-rolled from the layers (HandRolled) and with
// github.com/failsafe-go/failsafe-go (Failsafe), so the two can be run and
// measured side by side.
package compose
