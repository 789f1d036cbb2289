package breaker

// Counts holds the numbers of requests and their outcomes in the current
// generation: the current state, or the current Interval while closed.
// The breaker clears them on every change of state and at the end of each
// closed-state Interval, and results of requests admitted before the
// clearing are ignored, so the counts always describe one stretch of time.
//
// The fields and their order match gobreaker.Counts, so one converts to the
// other with a plain conversion.
type Counts struct {
	// Requests is the number of calls admitted, including calls still
	// running and calls whose result was excluded.
	Requests uint32
	// TotalSuccesses and TotalFailures count the results classified by
	// Settings.IsSuccessful.
	TotalSuccesses uint32
	TotalFailures  uint32
	// TotalExclusions counts the results Settings.IsExcluded set aside.
	TotalExclusions uint32
	// ConsecutiveSuccesses and ConsecutiveFailures are the lengths of the
	// current streak; a result of the other kind resets a streak to zero,
	// an excluded result leaves both alone.
	ConsecutiveSuccesses uint32
	ConsecutiveFailures  uint32
}

func (c *Counts) onRequest() { c.Requests++ }

func (c *Counts) onSuccess() {
	c.TotalSuccesses++
	c.ConsecutiveSuccesses++
	c.ConsecutiveFailures = 0
}

func (c *Counts) onFailure() {
	c.TotalFailures++
	c.ConsecutiveFailures++
	c.ConsecutiveSuccesses = 0
}

func (c *Counts) onExclusion() { c.TotalExclusions++ }

// counted is the number of admitted calls whose result was not excluded.
// An excluded call gives its half-open trial slot back, because it told
// the breaker nothing about the dependency's health. The guard mirrors
// gobreaker's and only matters if Requests wrapped around.
func (c *Counts) counted() uint32 {
	if c.Requests < c.TotalExclusions {
		return 0
	}
	return c.Requests - c.TotalExclusions
}
