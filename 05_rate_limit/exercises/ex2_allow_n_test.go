package exercises

import "testing"

func TestEx2StartsFull(t *testing.T) {
	guard(t)
	b := &Bucket{Rate: 1, Burst: 3}
	if !b.AllowN(at(0), 3) {
		if allowNUntouched() {
			notStarted(t, "AllowN refuses everything, even n = 0; want a new bucket with Burst 3 to allow 3 tokens at once: it starts full")
		}
		t.Fatalf("a new bucket with Burst 3 should allow 3 tokens at once: it starts full (was it filled only after the first call, or is the check tokens > n instead of tokens >= n?)")
	}
	if b.AllowN(at(0), 1) {
		t.Errorf("after taking all 3 tokens, a 4th at the same moment should be refused")
	}
	// At an ordinary rate, a bucket that is never filled on purpose looks
	// full anyway: its first refill counts from the zero time, centuries
	// ago. At a rate of 0 nothing refills it.
	z := &Bucket{Rate: 0, Burst: 3}
	if !z.AllowN(at(0), 3) {
		t.Fatalf("a new bucket with Rate 0 and Burst 3 should allow 3 tokens at once: it starts full, whatever its rate (is it left to the first refill to fill it? That refill counts from the zero time, which fills the bucket at any ordinary rate by luck; fill it when the bucket is new)")
	}
	for _, s := range []float64{0, 3600} {
		if z.AllowN(at(s), 1) {
			t.Fatalf("Rate 0, Burst 3: after taking all 3 tokens, AllowN(%vs, 1) was allowed: a rate of 0 earns nothing", s)
		}
	}
}

func TestEx2TakesAllOrNothing(t *testing.T) {
	guard(t)
	b := &Bucket{Rate: 1, Burst: 5}
	if !b.AllowN(at(0), 3) {
		if allowNUntouched() {
			notStarted(t, "AllowN refuses everything, even n = 0; want a full bucket of 5 to allow 3, and then to refuse 3 more while 2 are left")
		}
		t.Fatalf("a full bucket of 5 should allow 3")
	}
	if b.AllowN(at(0), 3) {
		t.Fatalf("with 2 tokens left, AllowN(3) should be refused")
	}
	if !b.AllowN(at(0), 2) {
		t.Fatalf("the refused AllowN(3) must not have taken anything: 2 tokens should still be there (does a refusal spend tokens?)")
	}
	if b.AllowN(at(0), 1) {
		t.Errorf("all 5 tokens are spent: AllowN(1) should be refused")
	}
}

func TestEx2RefillsAtTheRate(t *testing.T) {
	guard(t)
	b := &Bucket{Rate: 2, Burst: 2}
	steps := []struct {
		at   float64
		n    int
		want bool
		why  string
	}{
		{0, 2, true, "a full bucket of 2"},
		{0.499, 1, false, "499ms at 2 per second earns 0.998 tokens: not yet one"},
		{0.5, 1, true, "500ms at 2 per second earns one token"},
		{0.5, 1, false, "the token earned by 500ms has been spent (is the refill counted from an old time? keep the time of the last refill)"},
		{1.0, 2, false, "from 0.5s to 1s the bucket earns one token, not two (is the refill counted from an old time? keep the time of the last refill)"},
		{1.0, 1, true, "one token earned from 0.5s to 1s"},
		{3.0, 2, true, "2s earns 4 tokens, capped at the burst of 2"},
		{3.0, 1, false, "the bucket never holds more than its burst: the earned tokens beyond 2 are lost"},
	}
	for _, s := range steps {
		if got := b.AllowN(at(s.at), s.n); got != s.want {
			if allowNUntouched() {
				notStarted(t, "AllowN refuses everything, even n = 0; want Rate 2, Burst 2 to allow 2 at 0s and then one token every 500ms")
			}
			t.Fatalf("Rate 2, Burst 2: AllowN(%vs, %d) = %v, want %v: %s", s.at, s.n, got, s.want, s.why)
		}
	}
}

func TestEx2RefillsOnEveryCall(t *testing.T) {
	guard(t)
	b := &Bucket{Rate: 1, Burst: 10}
	steps := []struct {
		at   float64
		n    int
		want bool
		why  string
	}{
		{0, 5, true, "a full bucket of 10"},
		{3, 1, true, "5 tokens are left"},
		{3, 7, true, "5 left at 0s, 3 earned by 3s, 1 taken: 7 are there (was the refill skipped because enough tokens were already there? it belongs in every call, or the time in between is lost)"},
		{3, 1, false, "all 10 are spent"},
	}
	for _, s := range steps {
		if got := b.AllowN(at(s.at), s.n); got != s.want {
			if allowNUntouched() {
				notStarted(t, "AllowN refuses everything, even n = 0; want Rate 1, Burst 10 to allow 5 at 0s, then 1 and 7 at 3s")
			}
			t.Fatalf("Rate 1, Burst 10: AllowN(%vs, %d) = %v, want %v: %s", s.at, s.n, got, s.want, s.why)
		}
	}
}

func TestEx2RefusalMovesTheClockToo(t *testing.T) {
	guard(t)
	b := &Bucket{Rate: 1, Burst: 2}
	steps := []struct {
		at   float64
		want bool
		why  string
	}{
		{0, true, "a full bucket of 2"},
		{0, true, "one token is left"},
		{0.5, false, "half a token earned"},
		{1, true, "one token earned from 0s to 1s"},
		{1.5, false, "half a token earned since 1s; did the refused call at 0.5s keep its refill but not move the bucket's clock, so that 0s to 0.5s was earned twice? Keep the tokens and their time together"},
	}
	for _, s := range steps {
		if got := b.AllowN(at(s.at), 1); got != s.want {
			if allowNUntouched() {
				notStarted(t, "AllowN refuses everything, even n = 0; want Rate 1, Burst 2 to allow 2 at 0s, refuse at 0.5s, allow at 1s and refuse at 1.5s")
			}

			t.Fatalf("Rate 1, Burst 2: AllowN(%vs, 1) = %v, want %v: %s", s.at, got, s.want, s.why)
		}
	}
}

func TestEx2NeverMoreThanBurst(t *testing.T) {
	guard(t)
	b := &Bucket{Rate: 1000, Burst: 3}
	if b.AllowN(at(0), 4) {
		t.Fatalf("Burst 3: AllowN(4) should be refused, the bucket can never hold 4")
	}
	if b.AllowN(at(3600), 4) {
		t.Fatalf("Burst 3, an hour at 1000 per second: AllowN(4) should still be refused: the bucket holds at most its burst")
	}
	if !b.AllowN(at(3600), 3) {
		if allowNUntouched() {
			notStarted(t, "AllowN refuses everything, even n = 0; want Burst 3 to refuse AllowN(4) at any time and allow AllowN(3) after an hour")
		}
		t.Errorf("Burst 3, after an hour: AllowN(3) should be allowed")
	}
}

func TestEx2ZeroTokensAlwaysAllowed(t *testing.T) {
	guard(t)
	b := &Bucket{Rate: 1, Burst: 1}
	if !b.AllowN(at(0), 1) {
		if allowNUntouched() {
			notStarted(t, "AllowN refuses everything, even n = 0; want a full bucket of 1 to allow 1, and AllowN(0) or a negative n always to be allowed, taking nothing")
		}
		t.Fatalf("a full bucket of 1 should allow 1")
	}
	if !b.AllowN(at(0), 0) {
		t.Fatalf("AllowN(0) asks for nothing: it should be allowed even from an empty bucket")
	}
	if b.AllowN(at(0), 1) {
		t.Fatalf("the bucket is empty: AllowN(1) should be refused")
	}
	if !b.AllowN(at(0), -3) {
		t.Fatalf("AllowN(-3) asks for nothing: it should be allowed")
	}
	if b.AllowN(at(0), 1) {
		t.Fatalf("the bucket was empty before AllowN(-3) and no time has passed, but AllowN(1) was allowed: a negative n must take nothing and give nothing (is only n == 0 treated as nothing? n < 1 is)")
	}
	var zero Bucket
	if !zero.AllowN(at(0), 0) || zero.AllowN(at(0), 1) {
		t.Errorf("the zero Bucket (Burst 0) should allow AllowN(0) and refuse AllowN(1)")
	}
}

func TestEx2ClockSteppingBackEarnsNothingTwice(t *testing.T) {
	guard(t)
	b := &Bucket{Rate: 1, Burst: 2}
	steps := []struct {
		at   float64
		want bool
		why  string
	}{
		{10, true, "a full bucket of 2"},
		{9, true, "one token is left; an earlier time earns nothing but the token is there"},
		{10, false, "the bucket is empty and no time has passed since 10s, the latest time it saw; did stepping back to 9s move its clock back, so that 9s to 10s was earned twice?"},
		{11, true, "one token earned from 10s to 11s"},
		{11, false, "that token is spent"},
	}
	for _, s := range steps {
		if got := b.AllowN(at(s.at), 1); got != s.want {
			if allowNUntouched() {
				notStarted(t, "AllowN refuses everything, even n = 0; want Rate 1, Burst 2 to allow 1 at 10s and 1 at 9s, refuse at 10s, allow once at 11s")
			}

			t.Fatalf("Rate 1, Burst 2: AllowN(%vs, 1) = %v, want %v: %s", s.at, got, s.want, s.why)
		}
	}
}

func TestEx2WaitsForTheLock(t *testing.T) {
	guard(t)
	b := &Bucket{Rate: 1, Burst: 1}
	asked, release := holdLock(&b.mu)
	done := make(chan bool, 1)
	go func() { done <- b.AllowN(at(0), 1) }()
	select {
	case <-asked:
		release()
		if !<-done {
			t.Errorf("a full bucket of 1 should allow 1")
		}
	case <-done:
		release()
		if allowNUntouched() {
			notStarted(t, "AllowN refuses everything, even n = 0; want AllowN to lock mu before it reads or changes the bucket, and a full bucket of 1 to allow 1")
		}
		t.Errorf("AllowN returned while the test held mu: it must lock mu before it reads or changes the bucket's fields")
	}
}

func TestEx2NoTokenSpentTwice(t *testing.T) {
	guard(t)
	// One token, two callers. The first is paused just after it first
	// unlocks mu, and the second goes then. If the first checked for the
	// token in one critical section and takes it in another, both see it.
	b := &Bucket{Rate: 1, Burst: 1}
	paused, resume := pauseAfterUnlock(&b.mu)
	defer resume()
	first := make(chan bool, 1)
	go func() { first <- b.AllowN(at(0), 1) }()
	select {
	case <-paused:
	case <-first:
		if allowNUntouched() {
			notStarted(t, "AllowN refuses everything, even n = 0; want AllowN to lock mu, refill, check and take, then unlock it: of two callers, one gets the only token")
		}
		t.Fatalf("AllowN returned without ever unlocking mu: it must lock mu (and unlock it) to guard the bucket's fields")
	}
	second := b.AllowN(at(0), 1)
	resume()
	if <-first && second {
		t.Errorf("two callers both got the bucket's only token: refill, check and take must happen in one critical section, or both see the token before either takes it")
	}
	if b.AllowN(at(0), 1) {
		t.Errorf("after two calls for the only token, a third should be refused")
	}
}

func TestEx2ChecksUnderTheLock(t *testing.T) {
	guard(t)
	// One token, two callers who both ask for mu while the test holds it.
	// If they look at the tokens before locking, both see the token.
	b := &Bucket{Rate: 1, Burst: 1}
	asked, release := holdLockFor(&b.mu, 2)
	results := make(chan bool, 2)
	for range 2 {
		go func() { results <- b.AllowN(at(0), 1) }()
	}
	select {
	case <-asked:
		release()
	case <-results:
		release()
		<-results
		if allowNUntouched() {
			notStarted(t, "AllowN refuses everything, even n = 0; want AllowN to lock mu before it reads or changes the bucket: of two callers, one gets the only token")
		}
		t.Fatalf("AllowN returned while the test held mu: it must lock mu before it reads or changes the bucket's fields")
	}
	if first, second := <-results, <-results; first && second {
		t.Errorf("two callers who both waited for mu got the bucket's only token: did they refill and check before locking mu, and lock only to take? Refill, check and take all belong inside the critical section")
	}
}

func TestEx2ManyCallersShareTheBurst(t *testing.T) {
	guard(t)
	b := &Bucket{Rate: 1, Burst: 10}
	allowed := 0
	for _, ok := range together(50, func() bool { return b.AllowN(at(0), 1) }) {
		if ok {
			allowed++
		}
	}
	if allowed != 10 {
		if allowNUntouched() {
			notStarted(t, "AllowN refuses everything, even n = 0; want 50 callers at the same moment on a full bucket of 10 to get exactly 10 tokens")
		}
		t.Errorf("50 callers at the same moment on a full bucket of 10: %d were allowed, want exactly 10", allowed)
	}
}
