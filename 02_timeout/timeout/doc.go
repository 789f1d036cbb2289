// Package timeout bounds how long a caller waits for an operation, and
// shows why that is not the same as stopping the operation.
//
// A timeout can do two different things:
//
//   - give up waiting: the caller stops listening at the deadline and gets
//     an error right away;
//   - cancel the work: the operation is told, through its context, that
//     nobody wants its result any more, and it stops.
//
// Go can only do the first by force. There is no way to kill a goroutine
// from the outside; the second happens only if the operation watches its
// context. An operation that ignores its context keeps running after the
// caller has moved on: its goroutine, its connection and its memory stay in
// use. That is the classic timeout leak, and Do (the hand-rolled wrapper)
// documents exactly where it stops.
//
// The package has three parts:
//
//   - Do, the hand-rolled wrapper: a deadline for the operation, a goroutine
//     and a select that returns at the deadline, and errors that say which
//     deadline fired.
//   - DoStdlib and Get, the library twin: the same job done with the
//     standard library's context.WithTimeoutCause, and an HTTP call that
//     carries the caller's deadline with http.NewRequestWithContext.
//   - Budget, which splits one overall deadline across retry attempts so
//     that retries × timeout cannot run past what the caller allowed: no
//     attempt reaches past the overall deadline, and once that deadline
//     leaves no room for another attempt the error says so
//     (ErrBudgetExhausted), so the retry loop can stop.
package timeout
