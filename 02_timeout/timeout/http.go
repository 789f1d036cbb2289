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

// ErrBodyTooLarge is matched by the error Get returns when a response body
// is longer than Get reads (1 MiB).
var ErrBodyTooLarge = errors.New("timeout: response body over 1 MiB")

// Get is the HTTP side of the library twin: a GET whose deadline comes from
// the caller, with http.NewRequestWithContext. When ctx ends, the transport
// stops dialing, writing or reading and closes the connection, so nothing
// keeps running after Get returns. client.Timeout, if set, also applies;
// whichever comes first cuts the request off. A nil client means
// http.DefaultClient, which has no Timeout.
//
//   - Any status is an answer: Get returns it with the body and a nil
//     error. Deciding that 503 is worth a retry is the caller's job.
//   - The deadline covers the body too. ctx's deadline or client.Timeout
//     passing first, or a network deadline expiring (dial, TLS handshake,
//     response headers, body): an error matching ErrTimeout and
//     context.DeadlineExceeded.
//   - ctx cancelled: an error matching context.Canceled, not ErrTimeout.
//   - A body over 1 MiB: the status, no body, and an error matching
//     ErrBodyTooLarge. Get stops reading there, and the connection is
//     closed rather than drained.
//   - Anything else (bad URL, connection refused, ...) is returned as the
//     http.Client reported it.
//
// Get reads a body within the limit to its end before closing it, which is
// what lets the transport reuse the connection.
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
	// One byte more than the limit: a body that fits is read through to
	// its end (EOF), and a body that does not is told apart from one of
	// exactly maxBody bytes.
	body, err = io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return resp.StatusCode, nil, httpError(ctx, err)
	}
	if len(body) > maxBody {
		return resp.StatusCode, nil, fmt.Errorf("%w (status %d)", ErrBodyTooLarge, resp.StatusCode)
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
