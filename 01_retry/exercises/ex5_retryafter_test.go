package exercises

import (
	"testing"
	"time"
)

type retryAfterCase struct {
	value  string
	want   time.Duration
	wantOK bool
	why    string
}

func checkRetryAfter(t *testing.T, cases []retryAfterCase) {
	t.Helper()
	for _, c := range cases {
		got, ok := ParseRetryAfter(c.value, now)
		if got != c.want || ok != c.wantOK {
			t.Errorf("ParseRetryAfter(%q) = (%v, %v), want (%v, %v): %s", c.value, got, ok, c.want, c.wantOK, c.why)
		}
	}
}

func TestEx5ParseRetryAfterSeconds(t *testing.T) {
	started(t, "ParseRetryAfter")
	checkRetryAfter(t, []retryAfterCase{
		{"120", 2 * time.Minute, true, "delay-seconds: wait 120 seconds"},
		{"0", 0, true, "0 seconds: retry now"},
		{"007", 7 * time.Second, true, "leading zeros are still digits"},
		{"9223372036", 9223372036 * time.Second, true, "the largest number of seconds a time.Duration holds"},
	})
}

func TestEx5ParseRetryAfterRejectsMalformedSeconds(t *testing.T) {
	started(t, "ParseRetryAfter")
	checkRetryAfter(t, []retryAfterCase{
		{"", 0, false, "an empty value says nothing"},
		{"-5", 0, false, "a negative number is not delay-seconds (a negative wait would retry at once)"},
		{"+5", 0, false, "delay-seconds is digits only: a sign, even +, is malformed (strconv.Atoi accepts it)"},
		{"1.5", 0, false, "delay-seconds is a whole number"},
		{"1e3", 0, false, "delay-seconds is digits only"},
		{"5s", 0, false, "delay-seconds has no unit (time.ParseDuration is the wrong parser)"},
		{"soon", 0, false, "garbage is malformed"},
		{"9223372037", 0, false, "one second too many for a time.Duration: too large, not an overflow into a wrong wait"},
		{"18446744074", 0, false, "too large: multiplying first wraps around to a small positive wait (compare before multiplying)"},
		{"99999999999", 0, false, "about 3,000 years: too large for a time.Duration"},
		{"99999999999999999999", 0, false, "beyond int64: too large"},
		{"120", 2 * time.Minute, true, "delay-seconds: wait 120 seconds"},
	})
}

func TestEx5ParseRetryAfterDates(t *testing.T) {
	started(t, "ParseRetryAfter")
	// now is a quarter of a second past the full second here: the wait is
	// exactly the date minus now, not rounded to whole seconds.
	late := now.Add(250 * time.Millisecond)
	for _, c := range []retryAfterCase{
		{"Wed, 21 Oct 2015 07:28:30 GMT", 29750 * time.Millisecond, true, "the date is 29.75s after now"},
		{"Wed Oct 21 07:28:01 2015", 750 * time.Millisecond, true, "the date is 0.75s after now"},
		{"Wed, 21 Oct 2015 07:28:00 GMT", 0, true, "the date is 0.25s before now: 0"},
	} {
		if got, ok := ParseRetryAfter(c.value, late); got != c.want || ok != c.wantOK {
			t.Errorf("ParseRetryAfter(%q, now = 07:28:00.25) = (%v, %v), want (%v, %v): %s; the wait is date minus now, exactly (was now cut to whole seconds, or the wait rounded?)",
				c.value, got, ok, c.want, c.wantOK, c.why)
		}
	}

	checkRetryAfter(t, []retryAfterCase{
		{"Wed, 21 Oct 2015 07:28:30 GMT", 30 * time.Second, true, "an HTTP-date 30s after now (measured from the now argument, not the clock)"},
		{"Wednesday, 21-Oct-15 07:29:00 GMT", time.Minute, true, "the obsolete RFC 850 form is still a valid HTTP-date (http.ParseTime reads it)"},
		{"Wed Oct 21 07:28:45 2015", 45 * time.Second, true, "the obsolete asctime form is still a valid HTTP-date (http.ParseTime reads it)"},
		{"Wed, 21 Oct 2015 07:00:00 GMT", 0, true, "an HTTP-date in the past means retry now: 0, never a negative wait"},
		{"Wed, 21 Oct 2015 07:28:00 GMT", 0, true, "an HTTP-date equal to now: 0"},
		{"Wed, 21 Oct 2015 25:28:00 GMT", 0, false, "hour 25 is no date"},
		{"21 Oct 2015", 0, false, "not one of the three HTTP-date formats"},
	})
}
