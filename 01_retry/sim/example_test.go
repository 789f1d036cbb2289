package sim_test

import (
	"fmt"
	"log"
	"os"

	"reliability/01_retry/sim"
)

// Run the experiment for a few client counts and compare two strategies.
func ExampleRun() {
	rs, err := sim.Run(sim.Config{Clients: []int{50}, Runs: 5, Seed: 7})
	if err != nil {
		log.Fatal(err)
	}
	calls := map[string]int{}
	for _, r := range rs {
		if r.Clients == 50 {
			calls[r.Strategy] = r.Calls
		}
	}
	fmt.Println("full jitter needs fewer calls than exponential backoff:", calls["full-jitter"] < calls["exponential"])
	// Output:
	// full jitter needs fewer calls than exponential backoff: true
}

// The chart for the article's own numbers at 100 clients.
func ExampleWriteChart() {
	article := []sim.Result{
		{Strategy: "no-backoff", Clients: 100, Calls: 2421, CompletionMS: 2000},
		{Strategy: "exponential", Clients: 100, Calls: 1855, CompletionMS: 63000},
		{Strategy: "full-jitter", Clients: 100, Calls: 795, CompletionMS: 4900},
		{Strategy: "equal-jitter", Clients: 100, Calls: 813, CompletionMS: 6500},
		{Strategy: "decorrelated-jitter", Clients: 100, Calls: 1001, CompletionMS: 4600},
	}
	if err := sim.WriteChart(os.Stdout, article); err != nil {
		log.Fatal(err)
	}
	// Output:
	// Total calls at 100 clients (fewer is better)
	//   no-backoff           ████████████████████████████████████████ 2,421
	//   exponential          ██████████████████████████████▋          1,855
	//   full-jitter          █████████████▏                           795
	//   equal-jitter         █████████████▍                           813
	//   decorrelated-jitter  ████████████████▌                        1,001
	//
	// Completion time at 100 clients (sooner is better)
	//   no-backoff           █▎                                       2.0 s
	//   exponential          ████████████████████████████████████████ 63.0 s
	//   full-jitter          ███▏                                     4.9 s
	//   equal-jitter         ████▏                                    6.5 s
	//   decorrelated-jitter  ██▉                                      4.6 s
}

// Print the results as JSON, one object per strategy and client count.
func ExampleWriteJSON() {
	rs := []sim.Result{{Strategy: "full-jitter", Clients: 100, Calls: 795, CompletionMS: 4900}}
	if err := sim.WriteJSON(os.Stdout, rs); err != nil {
		log.Fatal(err)
	}
	// Output:
	// [
	//   {
	//     "strategy": "full-jitter",
	//     "clients": 100,
	//     "calls": 795,
	//     "completion_ms": 4900
	//   }
	// ]
}
