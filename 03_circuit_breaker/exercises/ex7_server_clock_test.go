package exercises

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"reliability/flaky/redisenv"
)

// The tests of exercise 7 run on the embedded Redis server, whose clock
// stands still until the test moves it. Three replicas share it: one whose
// own clock runs two seconds ahead, one two seconds behind, one right.

// skewedReplica is a replica and how far its clock is off.
type skewedReplica struct {
	name  string
	skew  time.Duration
	spell *OpenSpell
}

func newSkewedReplicas(t *testing.T) (redisenv.Store, []skewedReplica) {
	t.Helper()
	srv, err := redisenv.StartEmbeddedStore()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	rig := &lockRig{srv: srv}
	var rs []skewedReplica
	for _, r := range []struct {
		name string
		skew time.Duration
	}{{"ahead", 2 * time.Second}, {"behind", -2 * time.Second}, {"right", 0}} {
		skew := r.skew
		rs = append(rs, skewedReplica{r.name, skew, &OpenSpell{
			Client: rig.client(t, nil),
			Key:    srv.Key("open"),
			Clock:  func() time.Time { return srv.Now().Add(skew) },
		}})
	}
	return srv, rs
}

func (r skewedReplica) String() string {
	switch {
	case r.skew > 0:
		return fmt.Sprintf("the replica whose clock runs %v ahead", r.skew)
	case r.skew < 0:
		return fmt.Sprintf("the replica whose clock runs %v behind", -r.skew)
	}
	return "the replica whose clock is right"
}

func openSpell(t *testing.T, r skewedReplica, d time.Duration) {
	t.Helper()
	err := r.spell.Open(context.Background(), d)
	if errors.Is(err, errNotImplemented) {
		t.Fatalf("not started: Open still answers like its stub. Want: the breaker open for %v on every replica.", d)
	}
	if err != nil {
		t.Fatalf("Open by %v returned %v", r, err)
	}
}

func isOpen(t *testing.T, r skewedReplica) bool {
	t.Helper()
	open, err := r.spell.IsOpen(context.Background())
	if errors.Is(err, errNotImplemented) {
		t.Fatalf("not started: IsOpen still answers like its stub. Want: true while an open spell runs, false otherwise.")
	}
	if err != nil {
		t.Fatalf("IsOpen on %v returned the error %v; want false or true (a breaker never opened is closed, not an error)", r, err)
	}
	return open
}

func TestEx7NeverOpenedIsClosed(t *testing.T) {
	_, rs := newSkewedReplicas(t)
	for _, r := range rs {
		if isOpen(t, r) {
			t.Errorf("%v says the breaker is open, but nobody opened it", r)
		}
	}
}

// checkSpell opens the breaker from opener for d and checks every replica's
// answer right after Open, just before d has passed on the server and just
// after. Where the replicas agree on a wrong answer, it looks once more to
// name the likely mistake.
func checkSpell(t *testing.T, opener int) {
	srv, rs := newSkewedReplicas(t)
	const d = 1500 * time.Millisecond
	openSpell(t, rs[opener], d)
	by := fmt.Sprintf("opened by %v for %v", rs[opener], d)
	advance := func(d time.Duration) {
		t.Helper()
		if err := srv.Advance(d); err != nil {
			t.Fatal(err)
		}
	}
	answers := func() (open, closed []skewedReplica) {
		for _, r := range rs {
			if isOpen(t, r) {
				open = append(open, r)
			} else {
				closed = append(closed, r)
			}
		}
		return open, closed
	}
	disagree := func(wrong []skewedReplica, got string, after time.Duration) {
		for _, r := range wrong {
			t.Errorf("%s: %v says %s after %v, unlike the others; replicas disagree because a deadline came from a replica's own clock: time the spell by the server's clock",
				by, r, got, after)
		}
	}

	if open, _ := answers(); len(open) == 0 {
		t.Fatalf("%s: every replica says closed right after Open; the spell ended before it began: a deadline from the opener's own clock, which runs behind? Time the spell by the server's clock", by)
	}
	advance(d - time.Millisecond)
	switch open, closed := answers(); {
	case len(open) == 0:
		t.Errorf("%s: every replica says closed after %v; the spell is too short (whole seconds? EX truncates %v to %v)",
			by, d-time.Millisecond, d, d.Truncate(time.Second))
	case len(closed) > 0:
		disagree(closed, "closed", d-time.Millisecond)
	}
	advance(2 * time.Millisecond)
	open, closed := answers()
	switch {
	case len(closed) == 0:
		advance(time.Minute)
		if open, _ := answers(); len(open) == 0 {
			t.Errorf("%s: every replica still says open after %v, and closed a minute later; the spell ended late: a deadline from the opener's own clock, which runs ahead? Time the spell by the server's clock",
				by, d+time.Millisecond)
		} else {
			t.Errorf("%s: every replica still says open a minute after %v have passed; the spell never ends (no expiry?)", by, d)
		}
	case len(open) > 0:
		disagree(open, "open", d+time.Millisecond)
	}
}

func TestEx7OpenedByAReplicaAhead(t *testing.T)  { checkSpell(t, 0) }
func TestEx7OpenedByAReplicaBehind(t *testing.T) { checkSpell(t, 1) }
func TestEx7OpenedByAReplicaOnTime(t *testing.T) { checkSpell(t, 2) }
