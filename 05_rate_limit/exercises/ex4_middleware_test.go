package exercises

import (
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"reliability/05_rate_limit/ratelimit"
)

// limited is a Limit handler under test: a clock the test sets, and a
// next handler that counts its calls.
type limited struct {
	h       http.Handler
	now     time.Time
	reached int
}

func newLimited(lim *ratelimit.Limiter) *limited {
	l := &limited{now: t0}
	l.h = Limit(lim, func() time.Time { return l.now }, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l.reached++
		_, _ = w.Write([]byte("hello"))
	}))
	return l
}

// reply is what a client received: the headers as sent with the status
// line, so a header set after the status was written is not there.
type reply struct {
	Code   int
	header http.Header
	Body   string
}

func (r reply) Header() http.Header { return r.header }

// get sends one request at the given offset from t0.
func (l *limited) get(at time.Duration) reply {
	l.now = t0.Add(at)
	w := httptest.NewRecorder()
	l.h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
	res := w.Result()
	return reply{Code: res.StatusCode, header: res.Header, Body: w.Body.String()}
}

func TestEx4PassesWithinTheLimit(t *testing.T) {
	startedLimit(t, "the burst to pass and the request after it to be refused: rate 1, burst 2, three requests at once get 200, 200, 429")
	l := newLimited(ratelimit.NewLimiter(1, 2))
	for i := 1; i <= 2; i++ {
		w := l.get(0)
		if w.Code != http.StatusOK || w.Body != "hello" {
			t.Fatalf("request %d of a burst of 2: got status %d and body %q, want 200 and next's %q", i, w.Code, w.Body, "hello")
		}
		if ra := w.Header().Get("Retry-After"); ra != "" {
			t.Errorf("request %d was admitted but carries Retry-After %q: only a 429 has one", i, ra)
		}
	}
	if w := l.get(0); w.Code == http.StatusOK {
		t.Errorf("a third request at the same moment got 200: with a burst of 2 it must be refused")
	}
}

func TestEx4RefusesWith429(t *testing.T) {
	startedLimit(t, "a request that finds no token to get 429 Too Many Requests with a Retry-After header, and never to reach next")
	l := newLimited(ratelimit.NewLimiter(1, 2))
	l.get(0)
	l.get(0)
	w := l.get(0)
	if w.Code != http.StatusTooManyRequests {
		t.Fatalf("the third request of a burst of 2 got status %d, want 429 Too Many Requests", w.Code)
	}
	if l.reached != 2 {
		t.Errorf("next was called %d times for 2 admitted requests and 1 refused: a refused request must not reach next (is a return missing after the 429?)", l.reached)
	}
	switch ra := w.Header().Get("Retry-After"); ra {
	case "1":
	case "":
		t.Errorf("the 429 has no Retry-After header: set it before the status is written (http.Error and WriteHeader send the headers)")
	default:
		t.Errorf("the 429's Retry-After is %q, want \"1\": at 1 token per second the next one comes in 1s, in whole seconds", ra)
	}
}

func TestEx4RetryAfterRoundsUp(t *testing.T) {
	startedLimit(t, "a refused request to get 429 with Retry-After in whole seconds, rounded up: at 0.4 per second on an empty bucket, \"3\"")
	for _, c := range []struct {
		rate   ratelimit.Limit
		burst  int
		before time.Duration // the last admitted request, before the refused one at 0
		want   string
		why    string
	}{
		{2, 1, 0, "1", "the token comes in 0.5s: round up to 1, never down to 0"},
		{0.4, 1, 0, "3", "the token comes in 2.5s: round up to 3 (2 would be too early)"},
		{ratelimit.Every(time.Minute), 1, 0, "60", "one token a minute: 60 seconds"},
		{0.1, 1, -5 * time.Second, "5", "half a token is already there, earned since the last request 5s ago: the other half takes 5s, not 10 (count the tokens already there)"},
		{0.3, 3, 0, "4", "the token comes in 3.33s: round up to 4"},
	} {
		l := newLimited(ratelimit.NewLimiter(c.rate, c.burst))
		for range c.burst {
			l.get(c.before)
		}
		w := l.get(0)
		if w.Code != http.StatusTooManyRequests {
			t.Errorf("rate %v, burst %d: the refused request got status %d, want 429", c.rate, c.burst, w.Code)
			continue
		}
		if ra := w.Header().Get("Retry-After"); ra != c.want {
			t.Errorf("rate %v, burst %d: Retry-After is %q, want %q: %s", c.rate, c.burst, ra, c.want, c.why)
		}
	}
}

func TestEx4RetryAfterIsExact(t *testing.T) {
	startedLimit(t, "a refused request to get 429 with the whole seconds until the next token, rounded up, in Retry-After")
	r := rand.New(rand.NewPCG(5, 5))
	for range 200 {
		rate := ratelimit.Limit(math.Exp(r.Float64()*6 - 4)) // about 0.02 to 7 per second
		lim := ratelimit.NewLimiter(rate, 1)
		l := newLimited(lim)
		l.get(0)
		at := time.Duration(r.Float64() / float64(rate) * float64(time.Second)) // before the next token
		w := l.get(at)
		if w.Code != http.StatusTooManyRequests {
			t.Fatalf("rate %v, burst 1: a request %v after the only token went got %d, want 429: the next token is not there yet", rate, at, w.Code)
		}
		ra := w.Header().Get("Retry-After")
		secs, err := strconv.Atoi(ra)
		if err != nil || secs < 1 {
			t.Fatalf("rate %v: Retry-After is %q, want a whole number of seconds, at least 1 (not a duration like \"1.5s\", not milliseconds)", rate, ra)
		}
		next := t0.Add(at)
		if tokens := lim.TokensAt(next.Add(time.Duration(secs) * time.Second)); tokens < 1-1e-9 {
			t.Fatalf("rate %v: a client told Retry-After %s comes back to %.3f tokens: too early, another 429 (round up, never down)", rate, ra, tokens)
		}
		if tokens := lim.TokensAt(next.Add(time.Duration(secs-1) * time.Second)); secs > 1 && tokens >= 1+1e-9 {
			t.Fatalf("rate %v: Retry-After is %s, but the token is already there after %d seconds: one second too long", rate, ra, secs-1)
		}
	}
}

func TestEx4UsesTheGivenClock(t *testing.T) {
	startedLimit(t, "the tokens to be taken at the time now() returns: at 1 per second, burst 1, a second request within the same second gets 429")
	l := newLimited(ratelimit.NewLimiter(1, 1))
	for i := range 3 {
		if w := l.get(time.Duration(i) * time.Second); w.Code != http.StatusOK {
			t.Fatalf("1 per second, one request a second by the handler's clock: request %d got %d, want 200 (read the time from now(), not time.Now: the tests set the clock)", i+1, w.Code)
		}
	}
	if w := l.get(2 * time.Second); w.Code != http.StatusTooManyRequests {
		t.Errorf("a second request within the same second by the handler's clock got %d, want 429", w.Code)
	}
}

func TestEx4RefusalCostsNothing(t *testing.T) {
	startedLimit(t, "a refused request to take nothing: at 1 per second, burst 1, requests at 0s, 0.5s and 1s get 200, 429, 200")
	l := newLimited(ratelimit.NewLimiter(1, 1))
	l.get(0)
	if w := l.get(500 * time.Millisecond); w.Code != http.StatusTooManyRequests {
		t.Fatalf("half a second after the only token went, a request got %d, want 429", w.Code)
	}
	if w := l.get(time.Second); w.Code != http.StatusOK {
		t.Errorf("1s after the only token went, the next token is there, but the request got %d: did the refused request take (or reserve) a token? A refusal must cost nothing", w.Code)
	}
}

func TestEx4RetryAfterCountsADebt(t *testing.T) {
	startedLimit(t, "a bucket 2 tokens in debt at 1 per second to answer 429 with Retry-After \"3\"")
	// lim is shared with callers that reserved its only token and 2 more
	// not earned yet: the bucket is 2 tokens in debt, so the next token
	// is 3s away at 1 per second.
	lim := ratelimit.NewLimiter(1, 1)
	for range 3 {
		lim.ReserveN(t0, 1)
	}
	w := newLimited(lim).get(0)
	if w.Code != http.StatusTooManyRequests {
		t.Fatalf("the bucket is 2 tokens in debt: the request got %d, want 429", w.Code)
	}
	if ra := w.Header().Get("Retry-After"); ra != "3" {
		t.Errorf("the bucket is 2 tokens in debt (TokensAt is -2) at 1 per second: Retry-After is %q, want \"3\": (1 - tokens) / rate counts the debt too; do not clamp the tokens at 0", ra)
	}
}
