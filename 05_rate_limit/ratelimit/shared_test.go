package ratelimit

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// answer is a SharedLimit that gives one fixed answer and records the keys
// it was asked about.
type answer struct {
	ok         bool
	retryAfter time.Duration
	err        error
	keys       []string
}

func (a *answer) Take(_ context.Context, key string) (bool, time.Duration, error) {
	a.keys = append(a.keys, key)
	return a.ok, a.retryAfter, a.err
}

func TestSharedLimitDecides(t *testing.T) {
	cases := []struct {
		name       string
		answer     answer
		code       int
		retryAfter string
		allowRA    int64
	}{
		{"admitted", answer{ok: true}, http.StatusOK, "", 0},
		{"refused: Retry-After rounded up", answer{retryAfter: 1500 * time.Millisecond}, http.StatusTooManyRequests, "2", 2},
		{"refused: never less than 1", answer{retryAfter: time.Millisecond}, http.StatusTooManyRequests, "1", 1},
		{"store failed: 503", answer{err: errors.New("store down")}, http.StatusServiceUnavailable, "1", 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, err := NewMiddleware(Config{Shared: &tc.answer})
			require.NoError(t, err)
			reached := false
			h := m.Wrap(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { reached = true }))
			req := httptest.NewRequest("GET", "/", nil)
			req.RemoteAddr = "198.51.100.4:5555"
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			assert.Equal(t, tc.code, rec.Code)
			assert.Equal(t, tc.retryAfter, rec.Header().Get("Retry-After"))
			assert.Equal(t, tc.code == http.StatusOK, reached, "only an admitted request reaches the handler")
			assert.Equal(t, []string{"198.51.100.4"}, tc.answer.keys, "the shared limit is asked per client key")

			ok, ra := m.Allow("k", time.Time{})
			assert.Equal(t, tc.code == http.StatusOK, ok)
			assert.Equal(t, tc.allowRA, ra)

			st := m.Stats()
			switch tc.code {
			case http.StatusOK:
				assert.EqualValues(t, 1, st.Admitted)
			case http.StatusTooManyRequests:
				assert.EqualValues(t, 1, st.Limited)
			default:
				assert.EqualValues(t, 1, st.Unavailable)
			}
		})
	}
}

func TestSharedLimitRejectsLocalSettings(t *testing.T) {
	for _, cfg := range []Config{
		{Shared: &answer{}, Rate: 1},
		{Shared: &answer{}, Burst: 1},
		{Shared: &answer{}, MaxClients: 10},
		{Shared: &answer{}, NewBucket: Handrolled},
	} {
		_, err := NewMiddleware(cfg)
		assert.ErrorIs(t, err, ErrBadConfig, "a local setting beside a shared limit would be ignored")
	}
}
