package exercises

import (
	"context"
	"errors"
	"net/http"
)

// ErrTimedOut is matched by Fetch's error when the request ran out of time.
var ErrTimedOut = errors.New("request timed out")

// Fetch GETs url with client and returns the response body.
//
// A deadline only helps if it travels with the request: the caller's ctx
// must reach the transport so that a slow server is cut off, and so that
// the server sees the request go away and can stop working on it too.
//
// Task:
//   - send the request with ctx attached;
//   - on status 200, return the body;
//   - on any other status, return an error that mentions the status code;
//   - if ctx's deadline or client.Timeout passes first, return an error
//     that matches both ErrTimedOut and context.DeadlineExceeded;
//   - if ctx is cancelled, return an error that matches context.Canceled
//     and not ErrTimedOut: the caller gave up, nothing timed out;
//   - always close the response body.
//
// Hint: http.NewRequestWithContext. Check ctx.Err() too, not only the
// client's error: when the caller gave its deadline or cancellation a cause
// (context.WithTimeoutCause, context.WithCancelCause), the client's error
// carries that cause, which matches neither context.DeadlineExceeded nor
// context.Canceled, while ctx.Err() still says which one it was.
// client.Timeout leaves ctx alone; its error matches
// context.DeadlineExceeded.
func Fetch(ctx context.Context, client *http.Client, url string) (string, error) {
	return "", errNotImplemented
}
