package flaky_test

import (
	"context"
	"math"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"reliability/flaky"
)

func serve(s *flaky.Service, ctx context.Context) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	req := httptest.NewRequestWithContext(ctx, http.MethodGet, "/", nil)
	s.ServeHTTP(rec, req)
	return rec
}

func TestServeHTTP(t *testing.T) {
	cases := []struct {
		name       string
		cfg        flaky.Config
		wantStatus int
		wantRetry  string
	}{
		{"healthy", flaky.Config{}, http.StatusOK, ""},
		{"transient is 503 with Retry-After", flaky.Config{FailFirst: 1}, http.StatusServiceUnavailable, "1"},
		{"429 on request", flaky.Config{FailFirst: 1, HTTPStatus: http.StatusTooManyRequests, RetryAfter: 2500 * time.Millisecond}, http.StatusTooManyRequests, "3"},
		{"huge Retry-After does not wrap", flaky.Config{FailFirst: 1, RetryAfter: math.MaxInt64}, http.StatusServiceUnavailable, "9223372037"},
		{"permanent is 400", flaky.Config{FailFirst: 1, Permanent: true}, http.StatusBadRequest, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := serve(flaky.MustNew(tc.cfg), context.Background())
			assert.Equal(t, tc.wantStatus, rec.Code)
			assert.Equal(t, tc.wantRetry, rec.Header().Get("Retry-After"))
		})
	}
}

func TestServeHTTPClientGone(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rec := serve(flaky.MustNew(flaky.Config{Latency: time.Hour}), ctx)
	assert.Equal(t, http.StatusServiceUnavailable, rec.Code)
	assert.Empty(t, rec.Header().Get("Retry-After"))
}
