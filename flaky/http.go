package flaky

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// ServeHTTP makes *Service an http.Handler, so the HTTP lessons can put the
// same misbehaving dependency behind a real server. Each request is one
// Call with the request's context:
//
//   - success: 200 with body "ok";
//   - transient failure: Config.HTTPStatus (503 or 429) with a Retry-After
//     header, the server's hint for when to come back;
//   - permanent failure: 400, because the request itself is the problem and
//     sending it again cannot help;
//   - the client went away (its context ended): 503, which nobody reads.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	err := s.Call(r.Context())
	var failure *Error
	switch {
	case err == nil:
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	case errors.As(err, &failure) && failure.permanent:
		http.Error(w, err.Error(), http.StatusBadRequest)
	case failure != nil:
		w.Header().Set("Retry-After", retryAfterSeconds(s.cfg.RetryAfter))
		http.Error(w, err.Error(), s.cfg.HTTPStatus)
	default:
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
	}
}

// retryAfterSeconds formats d as the delay-seconds form of Retry-After
// (RFC 9110, section 10.2.3), which only allows whole seconds. Rounding up
// keeps a client from coming back before the server asked.
func retryAfterSeconds(d time.Duration) string {
	secs := int64(d / time.Second)
	if d%time.Second != 0 {
		secs++
	}
	return strconv.FormatInt(secs, 10)
}
