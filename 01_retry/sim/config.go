package sim

import (
	"errors"
	"fmt"
	"time"
)

// ErrInvalidConfig is wrapped by the error Run returns for a Config it
// cannot simulate. Match it with errors.Is.
var ErrInvalidConfig = errors.New("sim: invalid config")

// Limits on a Config. They keep Run's cost bounded and its virtual clock
// far from overflowing: without backoff the number of calls grows with the
// square of the number of clients, and the virtual time of a run grows
// with Cap.
const (
	MaxClients  = 1000
	MaxRuns     = 1000
	MaxDuration = time.Hour
)

// Defaults used for zero Config fields. They are the article's settings,
// except DefaultRuns: the article averages 100 runs per point, but 20
// already keep every curve's shape the same from seed to seed, and the
// whole default experiment (1,000 simulated runs) then takes a fraction of
// a second.
const (
	DefaultSeed          = 1
	DefaultRuns          = 20
	DefaultNetworkDelay  = 10 * time.Millisecond
	DefaultNetworkJitter = 2 * time.Millisecond
	DefaultBase          = 5 * time.Millisecond
	DefaultCap           = 2 * time.Second
)

// Config describes an experiment. The zero Config is the article's
// experiment: 10, 20, …, 100 clients, every strategy, seed 1. A zero field
// takes its default; a negative or out-of-range field makes Run fail with
// an error wrapping ErrInvalidConfig.
type Config struct {
	// Clients lists the numbers of contending clients to simulate, each in
	// [1, MaxClients]. Nil means 10, 20, …, 100.
	Clients []int

	// Strategies lists the strategies to compare, each one of the values
	// returned by Strategies. Nil means all of them.
	Strategies []Strategy

	// Seed selects the random streams. The same Config gives the same
	// results every time. Zero means DefaultSeed.
	Seed uint64

	// Runs is how many independent runs each result averages, in
	// [1, MaxRuns]. Zero means DefaultRuns.
	Runs int

	// NetworkDelay and NetworkJitter are the mean and standard deviation of
	// the time one message spends on the network (a message never takes a
	// negative time). Both at most MaxDuration. Zero means the default.
	NetworkDelay  time.Duration
	NetworkJitter time.Duration

	// Base is the first backoff delay and Cap the largest one, as in
	// retry.Policy's InitialDelay and MaxDelay. Base must not exceed Cap,
	// and Cap must not exceed MaxDuration. Zero means the default.
	Base time.Duration
	Cap  time.Duration
}

// withDefaults returns c with every zero field replaced by its default, or
// an error wrapping ErrInvalidConfig naming the first bad field.
func (c Config) withDefaults() (Config, error) {
	if c.Clients == nil {
		for n := 10; n <= 100; n += 10 {
			c.Clients = append(c.Clients, n)
		}
	}
	if len(c.Clients) == 0 {
		return c, fmt.Errorf("%w: Clients is empty (use nil for the default 10..100)", ErrInvalidConfig)
	}
	for _, n := range c.Clients {
		if n < 1 || n > MaxClients {
			return c, fmt.Errorf("%w: Clients contains %d, want 1..%d", ErrInvalidConfig, n, MaxClients)
		}
	}

	if c.Strategies == nil {
		c.Strategies = Strategies()
	}
	if len(c.Strategies) == 0 {
		return c, fmt.Errorf("%w: Strategies is empty (use nil for all of them)", ErrInvalidConfig)
	}
	for _, s := range c.Strategies {
		if !s.valid() {
			return c, fmt.Errorf("%w: unknown strategy %q (use the values of Strategies)", ErrInvalidConfig, s.Name)
		}
	}

	if c.Seed == 0 {
		c.Seed = DefaultSeed
	}
	if c.Runs == 0 {
		c.Runs = DefaultRuns
	}
	if c.Runs < 1 || c.Runs > MaxRuns {
		return c, fmt.Errorf("%w: Runs is %d, want 1..%d", ErrInvalidConfig, c.Runs, MaxRuns)
	}

	durations := []struct {
		name  string
		value *time.Duration
		def   time.Duration
	}{
		{"NetworkDelay", &c.NetworkDelay, DefaultNetworkDelay},
		{"NetworkJitter", &c.NetworkJitter, DefaultNetworkJitter},
		{"Base", &c.Base, DefaultBase},
		{"Cap", &c.Cap, DefaultCap},
	}
	for _, d := range durations {
		if *d.value == 0 {
			*d.value = d.def
		}
		if *d.value < 0 || *d.value > MaxDuration {
			return c, fmt.Errorf("%w: %s is %v, want 0 (default) up to %v", ErrInvalidConfig, d.name, *d.value, MaxDuration)
		}
	}
	if c.Base > c.Cap {
		return c, fmt.Errorf("%w: Base %v is larger than Cap %v", ErrInvalidConfig, c.Base, c.Cap)
	}
	return c, nil
}
