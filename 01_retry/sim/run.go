package sim

import (
	"math"
	"math/rand/v2"
	"time"
)

// Result is the outcome of one strategy at one number of clients, averaged
// over Config.Runs runs.
type Result struct {
	// Strategy is the Strategy's Name.
	Strategy string `json:"strategy"`

	// Clients is the number of contending clients.
	Clients int `json:"clients"`

	// Calls is the mean number of writes the server received, rounded to
	// the nearest whole call. It is at least Clients: every client writes
	// successfully exactly once.
	Calls int `json:"calls"`

	// CompletionMS is the mean virtual time, in milliseconds rounded to
	// 0.1 ms, at which the last client received its successful reply.
	CompletionMS float64 `json:"completion_ms"`
}

// Completion returns r.CompletionMS as a time.Duration.
func (r Result) Completion() time.Duration {
	return time.Duration(r.CompletionMS * float64(time.Millisecond))
}

// Run simulates every strategy in cfg.Strategies at every client count in
// cfg.Clients and returns one Result per pair, ordered by client count (in
// the order given) and then by strategy. It runs in virtual time, needs no
// context because it never waits, and returns the same results for the
// same cfg. If cfg is invalid it returns nil and an error wrapping
// ErrInvalidConfig.
func Run(cfg Config) ([]Result, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	results := make([]Result, 0, len(cfg.Clients)*len(cfg.Strategies))
	for _, n := range cfg.Clients {
		for _, s := range cfg.Strategies {
			var calls int
			var elapsed time.Duration
			for run := range cfg.Runs {
				c, t := simulate(cfg, s, n, runRand(cfg.Seed, n, run))
				calls += c
				elapsed += t
			}
			results = append(results, Result{
				Strategy:     s.Name,
				Clients:      n,
				Calls:        int(math.Round(float64(calls) / float64(cfg.Runs))),
				CompletionMS: math.Round(float64(elapsed)/float64(cfg.Runs)/float64(time.Millisecond)*10) / 10,
			})
		}
	}
	return results, nil
}

// runRand returns the random source of one run. Every strategy gets the
// same stream for the same (seed, clients, run), so until the first
// rejected write every strategy sees exactly the same network delays: the
// strategies start from the same opening, and the differences in the
// results come from how they wait rather than from the luck of the draw.
func runRand(seed uint64, clients, run int) *rand.Rand {
	return rand.New(rand.NewPCG(seed, uint64(clients)<<32|uint64(run)))
}
