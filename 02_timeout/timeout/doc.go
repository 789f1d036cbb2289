// Package timeout bounds how long a caller waits for an operation:
//
//   - Do, the hand-rolled wrapper: op on its own goroutine, a deadline, and
//     a return at that deadline whether or not op has finished. It stops
//     waiting; only an op that watches its context also stops working.
//   - DoStdlib and Get, the library twin: the same job on
//     context.WithTimeoutCause, and an HTTP GET that carries the caller's
//     deadline with http.NewRequestWithContext.
//   - Budget, which splits one overall deadline across retry attempts, and
//     WorstCase, the arithmetic of retries × timeout without one.
//
// The lesson's README (02_timeout/README.md) explains why each piece is
// built the way it is.
package timeout
