package main

import (
	"fmt"
	"io"

	"reliability/01_retry/sim"
)

// runSimulation prints the jitter experiment: a table of calls and
// completion times for 10…100 clients, then a bar chart, or JSON rows.
func runSimulation(w io.Writer, o options) error {
	seed := o.seed
	if seed == 0 {
		seed = sim.DefaultSeed // what sim.Run does with a zero seed; say so
	}
	results, err := sim.Run(sim.Config{Seed: seed, Clients: o.simClients})
	if err != nil {
		return err
	}
	if o.json {
		return sim.WriteJSON(w, results)
	}
	fmt.Fprintf(w, `Jitter simulation (seed %d)

N clients each write once to a shared resource with optimistic concurrency:
a write succeeds only if no other client's write overlaps it; a loser backs
off and tries again. Base 5ms, cap 2s, network delay about 10ms each way.
"calls" is the total number of writes sent; "completion" is when the last
client succeeded. Averaged over %d runs per point, in virtual time.

`, seed, sim.DefaultRuns)
	if err := sim.WriteTable(w, results); err != nil {
		return err
	}
	fmt.Fprintln(w)
	return sim.WriteChart(w, results)
}
