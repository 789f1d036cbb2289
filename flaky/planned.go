package flaky

import "time"

// PlannedLatencies returns the latencies that the first n calls to a
// Service made with c are given, in the order the calls arrive, without
// making a call or waiting: what a run with this seed will do, for a demo
// to draw it. It draws from the same source, in the same way, as Call
// does. An invalid Config gives nil and the error New gives.
func (c Config) PlannedLatencies(n int) ([]time.Duration, error) {
	s, err := New(c)
	if err != nil {
		return nil, err
	}
	out := make([]time.Duration, max(n, 0))
	for i := range out {
		_, out[i], _ = s.arrive()
	}
	return out, nil
}
