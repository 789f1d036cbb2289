// Mistake: accepts any 2xx status as success, not only 200.
// Caught: "the server answered 201 Created; Fetch returned it as a success"
package exercises

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// ErrTimedOut is matched by Fetch's error when the request ran out of time.
var ErrTimedOut = errors.New("request timed out")

// Exercise 4: an HTTP GET that carries the caller's deadline.
//
// Fetch GETs url with client and returns the response body. A deadline only
// helps if it travels with the request: the caller's ctx must reach the
// transport so that a slow server is cut off, and so that the server sees
// the request go away and can stop working on it too:
//   - send the request with ctx attached;
//   - on status 200, return the body;
//   - on any other status, return an error that mentions the status code;
//   - if ctx's deadline or client.Timeout passes first, while waiting for
//     the headers or while reading the body, return an error that matches
//     both ErrTimedOut and context.DeadlineExceeded;
//   - if ctx is cancelled, return an error that matches context.Canceled
//     and not ErrTimedOut: the caller gave up, nothing timed out;
//   - any other failure (connection refused, ...) is neither;
//   - always close the response body.
//
// Hint: http.NewRequestWithContext. Sort errors by asking ctx.Err() as well
// as the client's error: when the caller gave its deadline or cancellation
// a cause (context.WithTimeoutCause, context.WithCancelCause), the client's
// error carries that cause, which matches neither context error, while
// ctx.Err() still says which one it was. client.Timeout leaves ctx alone;
// its error matches context.DeadlineExceeded.
//
// Run: go test -run Ex4 ./02_timeout/exercises/
func Fetch(ctx context.Context, client *http.Client, url string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", err
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", classify(ctx, err)
	}
	defer resp.Body.Close()

	// The deadline covers the body too: a server that sends the headers and
	// then stalls is cut off here, and that is a timeout as much as one
	// before the headers.
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", classify(ctx, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return "", fmt.Errorf("unexpected status %d: %s", resp.StatusCode, body)
	}
	return string(body), nil
}

// classify sorts a client error into cancellation, timeout or other.
// ctx.Err() is asked first: with a cause attached, the client's error
// carries the cause and would match neither context error.
func classify(ctx context.Context, err error) error {
	switch {
	case errors.Is(ctx.Err(), context.Canceled):
		return fmt.Errorf("cancelled by the caller (%w): %w", context.Canceled, err)
	case errors.Is(ctx.Err(), context.DeadlineExceeded), errors.Is(err, context.DeadlineExceeded):
		// The second test catches client.Timeout, which leaves ctx alone.
		return fmt.Errorf("%w (%w): %w", ErrTimedOut, context.DeadlineExceeded, err)
	}
	return err
}
