package timeout

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
)

// maxBody caps how much of a response Get reads. A timeout bounds how long
// we wait; this bounds how much we hold.
const maxBody = 1 << 20

// Get is the HTTP side of the library twin: a GET whose deadline comes from
// the caller. It builds the request with http.NewRequestWithContext, so the
// deadline and cancellation of ctx travel with the request: when ctx ends,
// the transport stops dialing, writing or reading and closes the
// connection. Nothing keeps running after Get returns, unlike an op
// wrapped by Do that ignores its context.
//
// client may carry its own overall limit in http.Client.Timeout; whichever
// of ctx's deadline and client.Timeout comes first cuts the request off. A
// nil client means http.DefaultClient, which has no Timeout of its own.
//
// Get reads the body (at most 1 MiB) and closes it, so the connection can be
// reused, and returns the status code and the body. Any status is a
// successful exchange: deciding that 503 is worth a retry is the caller's
// job.
//
// Errors:
//   - ctx's deadline or client.Timeout passed first, or a network deadline
//     expired (dial, TLS handshake, response headers): the error matches
//     ErrTimeout and context.DeadlineExceeded.
//   - ctx was cancelled: the error matches context.Canceled, not ErrTimeout.
//   - anything else (bad URL, connection refused, ...) is returned as the
//     http.Client reported it.
func Get(ctx context.Context, client *http.Client, url string) (status int, body []byte, err error) {
	if client == nil {
		client = http.DefaultClient
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, httpError(ctx, err)
	}
	defer resp.Body.Close()
	// The deadline covers the body too: a server that sends headers and
	// then trickles the body is cut off here, not only before the headers.
	body, err = io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return resp.StatusCode, nil, httpError(ctx, err)
	}
	return resp.StatusCode, body, nil
}

// httpError sorts a client error into cancellation, timeout or other.
// Cancellation is checked first: a request the caller abandoned did not time
// out, even if a deadline was also close.
func httpError(ctx context.Context, err error) error {
	if errors.Is(ctx.Err(), context.Canceled) {
		return fmt.Errorf("timeout: request cancelled by the caller: %w", ensure(err, context.Canceled))
	}
	var netErr net.Error
	// The transport reports the context's cause, which need not be
	// DeadlineExceeded when the caller used WithTimeoutCause, so ctx.Err()
	// is asked as well. client.Timeout surfaces as a net.Error whose
	// Timeout method reports true.
	if errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) ||
		(errors.As(err, &netErr) && netErr.Timeout()) {
		return fmt.Errorf("%w: %w", ErrTimeout, ensure(err, context.DeadlineExceeded))
	}
	return err
}

// ensure returns err, wrapped so that it also matches target if it does
// not already.
func ensure(err, target error) error {
	if errors.Is(err, target) {
		return err
	}
	return fmt.Errorf("%w: %w", target, err)
}
