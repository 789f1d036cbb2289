package compose

import (
	"errors"
	"fmt"
	"math"
	"sync"
)

// RetryBudget limits retries across all the calls that share it, so that
// when a dependency fails for everyone, the callers together add only a
// little load on top of their first attempts instead of multiplying it.
// A Retry layer with the WithBudget option calls its methods; they must be
// safe for concurrent use.
type RetryBudget interface {
	// OnRequest is called once per call, as its first attempt starts. A
	// call that never makes an attempt (its context had already ended, or
	// the layer's policy is invalid) is not reported.
	OnRequest()
	// OnResult is called after each attempt that succeeded (true) or
	// failed with an error the layer would retry (false). Final errors,
	// such as a breaker's rejection, are not reported: they say nothing
	// about whether retrying helps.
	OnResult(ok bool)
	// AllowRetry is called when a retry is about to start: after the
	// failed attempt's backoff, with the caller's context still alive and
	// the attempt due before its deadline. True means the retry is made,
	// at once (a budget that counts retries counts it now); false ends the
	// call with an error matching ErrRetryThrottled. A retry that a
	// deadline or a cancellation calls off is never asked for, so it costs
	// the budget nothing.
	AllowRetry() bool
}

// ErrInvalidThrottle is wrapped by NewThrottle's error for settings out of
// range.
var ErrInvalidThrottle = errors.New("compose: invalid retry throttle")

// Throttle is gRPC's retry throttling (gRFC A6), a RetryBudget shared by
// every call to one dependency. It holds tokens, starting full at
// maxTokens: every failed attempt takes one token, every successful one
// gives back tokenRatio, never above maxTokens. Retries are allowed only
// while more than half of maxTokens is left. gRPC's example values are 10
// tokens and a ratio of 0.1: the bucket drains whenever fewer than ten
// attempts succeed for each one that fails (more than about one attempt in
// eleven failing), so a dependency in real trouble soon gets no retries;
// they resume after enough successes refill the bucket. First attempts
// are never throttled.
//
// Like gRPC, it counts in thousandths of a token, so that ten successes of
// 0.1 make exactly one token. Its methods are safe for concurrent use.
type Throttle struct {
	mu     sync.Mutex
	tokens int64 // thousandths of a token
	max    int64
	ratio  int64
}

// NewThrottle returns a full Throttle. maxTokens must be in (0, 1000] and
// tokenRatio in (0, maxTokens], as gRPC requires; both are kept to three
// decimal places. A maxTokens that rounds to 0 there (below about 0.0005)
// is refused too: a throttle with no tokens would silently turn every
// retry off. Otherwise it returns an error wrapping ErrInvalidThrottle. A
// tokenRatio that rounds to 0 counts as 0.001.
func NewThrottle(maxTokens, tokenRatio float64) (*Throttle, error) {
	m := int64(math.Round(maxTokens * 1000))
	switch {
	case math.IsNaN(maxTokens) || maxTokens <= 0 || maxTokens > 1000:
		return nil, fmt.Errorf("%w: maxTokens is %v, want more than 0 and at most 1000", ErrInvalidThrottle, maxTokens)
	case m == 0:
		return nil, fmt.Errorf("%w: maxTokens is %v, which rounds to 0 at the throttle's precision of 0.001 "+
			"and would never allow a retry; want 0.001 or more", ErrInvalidThrottle, maxTokens)
	case math.IsNaN(tokenRatio) || tokenRatio <= 0 || tokenRatio > maxTokens:
		return nil, fmt.Errorf("%w: tokenRatio is %v, want more than 0 and at most maxTokens", ErrInvalidThrottle, tokenRatio)
	}
	return &Throttle{tokens: m, max: m, ratio: max(1, int64(math.Round(tokenRatio*1000)))}, nil
}

// OnRequest does nothing: gRPC's throttle counts outcomes, not requests.
func (t *Throttle) OnRequest() {}

// OnResult returns tokenRatio tokens for a success and takes one for a
// failure.
func (t *Throttle) OnResult(ok bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if ok {
		t.tokens = min(t.max, t.tokens+t.ratio)
	} else {
		t.tokens = max(0, t.tokens-1000)
	}
}

// AllowRetry reports whether more than half of the tokens are left.
func (t *Throttle) AllowRetry() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.tokens*2 > t.max
}

// Tokens returns the tokens left.
func (t *Throttle) Tokens() float64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return float64(t.tokens) / 1000
}
