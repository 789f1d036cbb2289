package ratelimit

import (
	"context"
	"fmt"
	"math"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"
)

// The edge cases the promise names, one scripted scenario each, played on
// both limiters through the same small interface. Each scenario records
// what it observes; both records must be equal, and the assertions that
// follow pin down what the answer is, so a reader sees the behaviour and
// not only that the two agree.

// bucketAPI is the explicit-time API both limiters share (after
// converting the Limit type).
type bucketAPI interface {
	AllowN(t time.Time, n int) bool
	TokensAt(t time.Time) float64
	ReserveN(t time.Time, n int) reservationAPI
	SetLimitAt(t time.Time, r Limit)
	SetBurstAt(t time.Time, b int)
}

type reservationAPI interface {
	OK() bool
	DelayFrom(t time.Time) time.Duration
	CancelAt(t time.Time)
}

type handAPI struct{ *Limiter }

func (h handAPI) ReserveN(t time.Time, n int) reservationAPI { return h.Limiter.ReserveN(t, n) }

type libAPI struct{ *rate.Limiter }

func (l libAPI) ReserveN(t time.Time, n int) reservationAPI { return l.Limiter.ReserveN(t, n) }
func (l libAPI) SetLimitAt(t time.Time, r Limit)            { l.Limiter.SetLimitAt(t, rate.Limit(r)) }

// t0 is an arbitrary start; sec(x) is x seconds after it.
var t0 = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

func sec(x float64) time.Time { return t0.Add(time.Duration(x * float64(time.Second))) }

// both plays a scenario on a fresh hand-rolled and library limiter with the
// same settings, requires the same observations, and returns them.
func both(t *testing.T, r Limit, b int, scenario func(l bucketAPI, see func(string, ...any))) []string {
	t.Helper()
	play := func(l bucketAPI) []string {
		var seen []string
		scenario(l, func(format string, args ...any) { seen = append(seen, fmt.Sprintf(format, args...)) })
		return seen
	}
	hand := play(handAPI{NewLimiter(r, b)})
	lib := play(libAPI{rate.NewLimiter(rate.Limit(r), b)})
	require.Equal(t, lib, hand, "hand-rolled (second) must observe what x/time/rate (first) observes")
	return hand
}

func TestStartsFullAndRefillsAtTheRate(t *testing.T) {
	seen := both(t, 2, 3, func(l bucketAPI, see func(string, ...any)) {
		see("tokens %v", l.TokensAt(sec(0)))
		see("take 3: %v", l.AllowN(sec(0), 3))
		see("take 1: %v", l.AllowN(sec(0), 1))
		see("tokens after 0.25s %v", l.TokensAt(sec(0.25)))
		see("tokens after 10s %v", l.TokensAt(sec(10)))
	})
	assert.Equal(t, []string{"tokens 3", "take 3: true", "take 1: false",
		"tokens after 0.25s 0.5", "tokens after 10s 3"}, seen, "full at start, 2 per second, capped at the burst")
}

func TestAllOrNothingAndBurstBounds(t *testing.T) {
	seen := both(t, 1, 3, func(l bucketAPI, see func(string, ...any)) {
		see("n=4 > burst: %v", l.AllowN(sec(0), 4))
		see("n=2: %v", l.AllowN(sec(0), 2))
		see("n=2 with 1 left: %v", l.AllowN(sec(0), 2))
		see("a refusal took nothing: %v tokens", l.TokensAt(sec(0)))
		see("n=0: %v", l.AllowN(sec(0), 0))
		see("reserve n=4: OK %v", l.ReserveN(sec(0), 4).OK())
	})
	assert.Equal(t, []string{"n=4 > burst: false", "n=2: true", "n=2 with 1 left: false",
		"a refusal took nothing: 1 tokens", "n=0: true", "reserve n=4: OK false"}, seen)
}

// TestZeroTokensRefusedWhileInDebt: n = 0 asks for nothing, yet it is
// refused while reservations hold the bucket below zero, because the
// check is "would the bucket be negative after this?", and it already is.
// A negative burst refuses it too.
func TestZeroTokensRefusedWhileInDebt(t *testing.T) {
	seen := both(t, 1, 2, func(l bucketAPI, see func(string, ...any)) {
		see("n=0 when full: %v", l.AllowN(sec(0), 0))
		r := l.ReserveN(sec(0), 2)
		r2 := l.ReserveN(sec(0), 1)
		see("reserved 2+1, delays %v %v, tokens %v", r.DelayFrom(sec(0)), r2.DelayFrom(sec(0)), l.TokensAt(sec(0)))
		see("n=0 in debt: %v", l.AllowN(sec(0.5), 0))
		see("n=0 once the debt is paid: %v", l.AllowN(sec(1), 0))
		l.SetBurstAt(sec(1), -1)
		see("n=0 with burst -1: %v", l.AllowN(sec(5), 0))
	})
	assert.Equal(t, []string{"n=0 when full: true", "reserved 2+1, delays 0s 1s, tokens -1",
		"n=0 in debt: false", "n=0 once the debt is paid: true", "n=0 with burst -1: false"}, seen)
}

func TestBurstZeroAllowsNothingUnlessInf(t *testing.T) {
	seen := both(t, 10, 0, func(l bucketAPI, see func(string, ...any)) {
		see("burst 0: %v", l.AllowN(sec(0), 1))
		l.SetLimitAt(sec(0), Inf)
		see("burst 0, Inf: %v, n=1000: %v", l.AllowN(sec(0), 1), l.AllowN(sec(0), 1000))
	})
	assert.Equal(t, []string{"burst 0: false", "burst 0, Inf: true, n=1000: true"}, seen)
}

func TestZeroLimitSpendsOnlyTheInitialBurst(t *testing.T) {
	seen := both(t, 0, 2, func(l bucketAPI, see func(string, ...any)) {
		see("%v %v %v", l.AllowN(sec(0), 1), l.AllowN(sec(0), 1), l.AllowN(sec(1e6), 1))
		r := l.ReserveN(sec(1e6), 1)
		see("reserve: OK %v delay %v", r.OK(), r.DelayFrom(sec(1e6)))
	})
	// A zero rate never earns the token, yet the reservation is OK with
	// the longest delay there is: x/time/rate's answer, kept.
	assert.Equal(t, []string{"true true false", fmt.Sprintf("reserve: OK true delay %v", InfDuration)}, seen)
}

func TestTinyLimit(t *testing.T) {
	seen := both(t, 1e-10, 1, func(l bucketAPI, see func(string, ...any)) {
		see("first: %v", l.AllowN(sec(0), 1))
		r := l.ReserveN(sec(0), 1)
		see("reserve: OK %v delay %v", r.OK(), r.DelayFrom(sec(0)))
		see("tokens after a year %.6g", l.TokensAt(sec(365*24*3600)))
		r.CancelAt(sec(1))
		see("after cancel %.6g", l.TokensAt(sec(1)))
	})
	// 1e-10 tokens per second is one token in about 317 years, longer
	// than a time.Duration can hold.
	assert.Equal(t, []string{"first: true",
		fmt.Sprintf("reserve: OK true delay %v", InfDuration),
		"tokens after a year -0.996846", "after cancel 1e-10"}, seen)
}

func TestTimeGoingBackwardsEarnsNothingButIsRemembered(t *testing.T) {
	seen := both(t, 1, 1, func(l bucketAPI, see func(string, ...any)) {
		see("at 10s: %v", l.AllowN(sec(10), 1))
		see("at 9s: tokens %v", l.TokensAt(sec(9)))
		see("at 10.5s: %v", l.AllowN(sec(10.5), 1))
		l.SetBurstAt(sec(9.5), 1) // any call that books time moves the clock back
		see("at 10.5s again: tokens %v", l.TokensAt(sec(10.5)))
	})
	// The bucket is empty at 10s and earns nothing by going back to 9s.
	// But a call that books its time at 9.5s sets the bucket's clock back,
	// and the 9.5s to 10.5s stretch is earned again: 0.5 tokens at 10.5s,
	// then 1 more. x/time/rate does this; so does Limiter.
	assert.Equal(t, []string{"at 10s: true", "at 9s: tokens 0", "at 10.5s: false",
		"at 10.5s again: tokens 1"}, seen)
}

func TestReservationQueueAndCancel(t *testing.T) {
	seen := both(t, 1, 2, func(l bucketAPI, see func(string, ...any)) {
		l.AllowN(sec(0), 2) // empty the bucket
		a := l.ReserveN(sec(0), 1)
		b := l.ReserveN(sec(0), 1)
		see("a waits %v, b waits %v", a.DelayFrom(sec(0)), b.DelayFrom(sec(0)))
		a.CancelAt(sec(0.5))
		// b queued behind a and keeps its place: a's token is not given back.
		see("after cancelling a: tokens %v, b still waits %v", l.TokensAt(sec(0.5)), b.DelayFrom(sec(0.5)))
		b.CancelAt(sec(0.5))
		see("after cancelling b too: tokens %v", l.TokensAt(sec(0.5)))
		c := l.ReserveN(sec(3), 1)
		c.CancelAt(sec(3.5)) // the moment to act has passed: too late to give back
		see("cancel after acting: tokens %v", l.TokensAt(sec(3.5)))
	})
	assert.Equal(t, []string{"a waits 1s, b waits 2s",
		"after cancelling a: tokens -1.5, b still waits 1.5s",
		"after cancelling b too: tokens -0.5",
		"cancel after acting: tokens 1.5"}, seen)
}

func TestCancelTwiceGivesBackTwice(t *testing.T) {
	seen := both(t, 1, 3, func(l bucketAPI, see func(string, ...any)) {
		l.AllowN(sec(0), 3)
		r := l.ReserveN(sec(0), 2)
		r.CancelAt(sec(0))
		see("after one cancel %v", l.TokensAt(sec(0)))
		r.CancelAt(sec(0))
		see("after two %v", l.TokensAt(sec(0)))
	})
	// Nothing marks a reservation cancelled, so the second cancel gives
	// the tokens back again, and more (the first cancel moved the end of
	// the queue back before r): 4 tokens, capped at the burst of 3.
	assert.Equal(t, []string{"after one cancel 0", "after two 3"}, seen)
}

func TestCancelOfAnInfReservationAfterTheLimitDrops(t *testing.T) {
	seen := both(t, Inf, 4, func(l bucketAPI, see func(string, ...any)) {
		r := l.ReserveN(sec(5), 3) // under Inf: nothing counted, no rate recorded
		l.SetLimitAt(sec(5), 1)
		l.AllowN(sec(5), 4)
		q := l.ReserveN(sec(5), 1) // queued: acts at 6s
		see("q waits %v, tokens %v", q.DelayFrom(sec(5)), l.TokensAt(sec(5)))
		r.CancelAt(sec(5))
		see("after cancelling r: tokens %v", l.TokensAt(sec(5)))
	})
	// r recorded no rate, so the later reservation q counts for nothing
	// against it: all 3 tokens come back, though r never took any.
	assert.Equal(t, []string{"q waits 1s, tokens -1", "after cancelling r: tokens 2"}, seen)
}

func TestCancelThatGivesBackExactlyNothing(t *testing.T) {
	seen := both(t, 1, 1, func(l bucketAPI, see func(string, ...any)) {
		l.AllowN(sec(10), 1)
		a := l.ReserveN(sec(10), 1) // acts at 11s
		l.ReserveN(sec(10), 1)      // queued behind a: acts at 12s
		// a's one token is exactly what the later reservation counted on,
		// so nothing comes back, and nothing else changes either: not even
		// the bucket's clock, although the cancel is dated 9s.
		a.CancelAt(sec(9))
		see("tokens at 13s %v", l.TokensAt(sec(13)))
	})
	assert.Equal(t, []string{"tokens at 13s 1"}, seen)
}

func TestEveryAndInf(t *testing.T) {
	assert.Equal(t, Limit(rate.Every(250*time.Millisecond)), Every(250*time.Millisecond))
	assert.Equal(t, Limit(4), Every(250*time.Millisecond))
	assert.Equal(t, Inf, Every(0))
	assert.Equal(t, Inf, Every(-time.Second))
	assert.Equal(t, Limit(rate.Inf), Inf)
	assert.Equal(t, rate.InfDuration, InfDuration)
	assert.Equal(t, math.MaxFloat64, float64(Inf))
}

func TestZeroLimiterAllowsNothing(t *testing.T) {
	var l Limiter
	var lib rate.Limiter
	assert.False(t, l.Allow())
	assert.Equal(t, lib.Allow(), l.Allow())
	assert.Equal(t, lib.Tokens(), l.Tokens())
}

// TestSetBurstBelowTheTokensCutsThemAtOnce: lowering the burst below what
// the bucket holds takes the excess away at once, and raising it again
// does not bring it back.
func TestSetBurstBelowTheTokensCutsThemAtOnce(t *testing.T) {
	seen := both(t, 1, 5, func(l bucketAPI, see func(string, ...any)) {
		l.SetBurstAt(sec(0), 2)
		see("burst 5 -> 2: tokens %v", l.TokensAt(sec(0)))
		see("take 3: %v", l.AllowN(sec(0), 3))
		l.SetBurstAt(sec(0), 5)
		see("burst back to 5: tokens %v", l.TokensAt(sec(0)))
	})
	assert.Equal(t, []string{"burst 5 -> 2: tokens 2", "take 3: false", "burst back to 5: tokens 2"}, seen)
}

// TestWaitOfExactly2To63Nanoseconds is where the package departs from
// x/time/rate. At Every(2^62 ns), two tokens take exactly 2^63 ns to earn,
// one more than the longest time.Duration. The library's check for "too
// long for a Duration" lets exactly 2^63 through, and the conversion then
// gives the most negative Duration: a wait that never ends reads as "act
// now". Here it is InfDuration.
func TestWaitOfExactly2To63Nanoseconds(t *testing.T) {
	r := Every(1 << 62)
	require.Equal(t, InfDuration, r.timeToEarn(2), "2 tokens at Every(2^62ns)")

	l := NewLimiter(r, 2)
	require.True(t, l.AllowN(t0, 2), "a full bucket of 2")
	assert.False(t, l.AllowN(t0, 2), "two tokens are 2^63ns away, longer than any Duration: AllowN must refuse")
	res := l.ReserveN(t0, 2)
	assert.True(t, res.OK())
	assert.Equal(t, InfDuration, res.DelayFrom(t0), "the reservation never comes due: not act now")

	synctest.Test(t, func(t *testing.T) {
		l := NewLimiter(r, 2)
		l.AllowN(time.Now(), 2)
		ctx, cancel := context.WithTimeout(t.Context(), time.Hour)
		defer cancel()
		assert.ErrorIs(t, l.WaitN(ctx, 2), ErrWouldExceedDeadline)
	})

	// In the middleware, the time an empty bucket takes to fill up is how
	// long a client must be idle to be forgotten; at 2^63ns negative, every
	// client would be forgotten on every request, with its limit.
	m, err := NewMiddleware(Config{Rate: r, Burst: 2})
	require.NoError(t, err)
	var got []bool
	for _, at := range []time.Time{t0, t0, sec(3600), sec(7200)} {
		ok, _ := m.Allow("a", at)
		got = append(got, ok)
	}
	assert.Equal(t, []bool{true, true, false, false}, got, "burst 2, then nothing for 146 years")
	assert.Zero(t, m.Stats().Forgotten)
}
