package sim

import (
	"errors"
	"math"
	"reflect"
	"testing"
	"time"
)

// resultsByStrategy indexes the results for one client count by strategy
// name.
func resultsByStrategy(t *testing.T, rs []Result, clients int) map[string]Result {
	t.Helper()
	m := make(map[string]Result)
	for _, r := range rs {
		if r.Clients == clients {
			m[r.Strategy] = r
		}
	}
	for _, s := range Strategies() {
		if _, ok := m[s.Name]; !ok {
			t.Fatalf("no result for strategy %q at %d clients in %v", s.Name, clients, rs)
		}
	}
	return m
}

func TestRunIsDeterministicForASeed(t *testing.T) {
	cfg := Config{Clients: []int{5, 20}, Runs: 3, Seed: 42}
	first, err := Run(cfg)
	if err != nil {
		t.Fatalf("Run(%+v) failed: %v", cfg, err)
	}
	second, err := Run(cfg)
	if err != nil {
		t.Fatalf("Run(%+v) failed the second time: %v", cfg, err)
	}
	if !reflect.DeepEqual(first, second) {
		t.Errorf("two runs with seed 42 differ:\nfirst:  %v\nsecond: %v", first, second)
	}

	cfg.Seed = 43
	other, err := Run(cfg)
	if err != nil {
		t.Fatalf("Run(%+v) failed: %v", cfg, err)
	}
	if reflect.DeepEqual(first, other) {
		t.Errorf("seeds 42 and 43 gave identical results %v; the seed is not reaching the random source", first)
	}
}

func TestRunOrdersResultsByClientsThenStrategy(t *testing.T) {
	full, none := Strategies()[2], Strategies()[0]
	rs, err := Run(Config{Clients: []int{3, 1}, Strategies: []Strategy{full, none}, Runs: 2})
	if err != nil {
		t.Fatalf("Run failed: %v", err)
	}
	var got [][2]any
	for _, r := range rs {
		got = append(got, [2]any{r.Clients, r.Strategy})
	}
	want := [][2]any{{3, "full-jitter"}, {3, "no-backoff"}, {1, "full-jitter"}, {1, "no-backoff"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("results in order %v, want %v (client counts as given, strategies as given)", got, want)
	}
}

func TestEveryClientWritesAtLeastOnce(t *testing.T) {
	rs, err := Run(Config{Clients: []int{1, 2, 15}, Runs: 4})
	if err != nil {
		t.Fatalf("Run failed: %v", err)
	}
	for _, r := range rs {
		if r.Calls < r.Clients {
			t.Errorf("%s at %d clients made %d calls; every client must write successfully once, so at least %d",
				r.Strategy, r.Clients, r.Calls, r.Clients)
		}
		if r.CompletionMS <= 0 {
			t.Errorf("%s at %d clients completed at %v ms, want a positive time", r.Strategy, r.Clients, r.CompletionMS)
		}
	}
}

func TestASingleClientNeverConflicts(t *testing.T) {
	rs, err := Run(Config{Clients: []int{1}, Runs: 10})
	if err != nil {
		t.Fatalf("Run failed: %v", err)
	}
	for _, r := range rs {
		if r.Calls != 1 {
			t.Errorf("%s with one client made %d calls, want 1: nobody else can overlap its attempt", r.Strategy, r.Calls)
		}
		// One attempt is four messages of about 10 ms each (2 ms standard
		// deviation), so about 40 ms; the mean of 10 runs is far inside
		// these bounds, which only a wrong model can leave.
		if r.CompletionMS < 30 || r.CompletionMS > 50 {
			t.Errorf("%s with one client completed at %.1f ms, want about 40 ms (four network delays of about 10 ms)",
				r.Strategy, r.CompletionMS)
		}
	}
}

// TestReproducesTheArticlesShape checks, at 100 clients and with the
// default settings, the claims the lesson makes from the article's charts.
// The article reports (calls / completion time): no backoff 2,421 / 2.0 s,
// exponential 1,855 / 63 s, full jitter 795 / 4.9 s, equal jitter
// 813 / 6.5 s, decorrelated jitter 1,001 / 4.6 s. Exact numbers depend on
// the seed; the shape must not, so every claim below was checked to hold
// for seeds 1 to 100 before being written down for the default seed.
func TestReproducesTheArticlesShape(t *testing.T) {
	rs, err := Run(Config{Clients: []int{100}})
	if err != nil {
		t.Fatalf("Run failed: %v", err)
	}
	m := resultsByStrategy(t, rs, 100)
	none, expo, full, equal, decorr := m["no-backoff"], m["exponential"], m["full-jitter"], m["equal-jitter"], m["decorrelated-jitter"]
	t.Logf("at 100 clients: %v", rs)

	t.Run("exponential without jitter is slowest by far", func(t *testing.T) {
		// "By far": the article has it more than ten times slower than any
		// other strategy; five times leaves room for noise and still fails
		// any model in which synchronised retries do not pile up.
		for _, r := range []Result{none, full, equal, decorr} {
			if expo.CompletionMS < 5*r.CompletionMS {
				t.Errorf("exponential completed at %v, %s at %v; want exponential at least 5 times slower",
					expo.Completion(), r.Strategy, r.Completion())
			}
		}
	})
	t.Run("exponential without jitter makes more calls than any jittered strategy", func(t *testing.T) {
		for _, r := range []Result{full, equal, decorr} {
			if expo.Calls <= r.Calls {
				t.Errorf("exponential made %d calls, %s %d; want exponential to make more", expo.Calls, r.Strategy, r.Calls)
			}
		}
	})
	t.Run("full and equal jitter make the fewest calls", func(t *testing.T) {
		for _, fewest := range []Result{full, equal} {
			for _, r := range []Result{none, expo, decorr} {
				if fewest.Calls >= r.Calls {
					t.Errorf("%s made %d calls, %s %d; want %s to make fewer", fewest.Strategy, fewest.Calls, r.Strategy, r.Calls, fewest.Strategy)
				}
			}
		}
	})
	t.Run("full jitter cuts calls by more than half", func(t *testing.T) {
		for _, r := range []Result{none, expo} {
			if 2*full.Calls >= r.Calls {
				t.Errorf("full jitter made %d calls, %s %d; want fewer than half", full.Calls, r.Strategy, r.Calls)
			}
		}
	})
	t.Run("decorrelated jitter makes more calls than full or equal", func(t *testing.T) {
		for _, r := range []Result{full, equal} {
			if decorr.Calls <= r.Calls {
				t.Errorf("decorrelated jitter made %d calls, %s %d; want decorrelated to make more", decorr.Calls, r.Strategy, r.Calls)
			}
		}
	})
	t.Run("decorrelated jitter finishes about as fast as full jitter", func(t *testing.T) {
		// The article has decorrelated jitter 6% faster than full jitter;
		// here it is 4% to 20% faster (the ratio of the two 20-run means
		// over seeds 1 to 100 lies between 0.80 and 0.96). A 25% band
		// holds for all of them, yet still tells "about as fast" apart from
		// equal jitter, about 30% slower than full jitter, and from
		// exponential backoff, more than ten times slower.
		ratio := decorr.CompletionMS / full.CompletionMS
		if math.Abs(ratio-1) > 0.25 {
			t.Errorf("decorrelated jitter completed at %v, full jitter at %v (ratio %.2f); want within 25%% of each other",
				decorr.Completion(), full.Completion(), ratio)
		}
	})
}

func TestRunRejectsBadConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
	}{
		{"empty client list", Config{Clients: []int{}}},
		{"zero clients", Config{Clients: []int{10, 0}}},
		{"negative clients", Config{Clients: []int{-1}}},
		{"too many clients", Config{Clients: []int{MaxClients + 1}}},
		{"empty strategy list", Config{Strategies: []Strategy{}}},
		{"hand-made strategy", Config{Strategies: []Strategy{{Name: "linear"}}}},
		{"negative runs", Config{Runs: -1}},
		{"too many runs", Config{Runs: MaxRuns + 1}},
		{"negative network delay", Config{NetworkDelay: -time.Millisecond}},
		{"negative network jitter", Config{NetworkJitter: -time.Millisecond}},
		{"network delay too long", Config{NetworkDelay: MaxDuration + 1}},
		{"negative base", Config{Base: -time.Millisecond}},
		{"negative cap", Config{Cap: -time.Second}},
		{"cap too long", Config{Cap: MaxDuration + 1}},
		{"base above cap", Config{Base: time.Second, Cap: time.Millisecond}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs, err := Run(tt.cfg)
			if !errors.Is(err, ErrInvalidConfig) {
				t.Errorf("Run(%+v) returned error %v, want one wrapping ErrInvalidConfig", tt.cfg, err)
			}
			if rs != nil {
				t.Errorf("Run(%+v) returned results %v alongside an error, want nil", tt.cfg, rs)
			}
		})
	}
}

func TestZeroConfigIsTheArticlesExperiment(t *testing.T) {
	cfg, err := Config{}.withDefaults()
	if err != nil {
		t.Fatalf("the zero Config was rejected: %v", err)
	}
	want := Config{
		Clients:       []int{10, 20, 30, 40, 50, 60, 70, 80, 90, 100},
		Strategies:    Strategies(),
		Seed:          DefaultSeed,
		Runs:          DefaultRuns,
		NetworkDelay:  10 * time.Millisecond,
		NetworkJitter: 2 * time.Millisecond,
		Base:          5 * time.Millisecond,
		Cap:           2 * time.Second,
	}
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("zero Config became\n%+v\nwant\n%+v", cfg, want)
	}
}
