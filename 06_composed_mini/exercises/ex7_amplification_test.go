package exercises

import (
	"errors"
	"math"
	"testing"
)

func init() {
	probes["Attempts"] = probe{
		"Attempts(maxAttempts, f) returns the expected attempts per request, 1 + f + ... + " +
			"f^(maxAttempts-1); Offered and Budgeted turn it into a load",
		func() bool {
			a, err := Attempts(2, 0.5)
			o, _ := Offered(1, 2, 0.5)
			b, _ := Budgeted(1, 2, 0.5, 1)
			return a == 0 && o == 0 && b == 0 && (err == nil || errors.Is(err, errNotImplemented))
		},
	}
}

// ex7Mistake names the likely mistake behind Attempts(n, f) = got.
func ex7Mistake(n int, f, got float64) string {
	near := func(x float64) bool { return math.Abs(got-x) < 1e-9 }
	extra := 0.0
	for k := range n + 1 {
		extra += math.Pow(f, float64(k))
	}
	switch {
	case math.IsNaN(got) || math.IsInf(got, 0) && f == 1 && n > 0 && !near(1/(1-f)):
		return " At f = 1, is it the closed form (1-f^n)/(1-f), which is 0/0 there? Add the terms in a loop."
	case near(extra):
		return " Does the sum have one term too many? maxAttempts counts the first attempt too: " +
			"its terms are f^0 to f^(maxAttempts-1)."
	case near(1 + float64(n-1)*f):
		return " A retry is made only if every attempt before it failed: attempt k happens with " +
			"probability f^(k-1), not f."
	case f < 1 && near(1/(1-f)), math.IsInf(got, 1):
		return " 1/(1-f) is the sum without a cap: a request makes at most maxAttempts attempts."
	case near(float64(n) * f):
		return " The first attempt is always made: the sum starts at 1."
	}
	return ""
}

func TestEx7Attempts(t *testing.T) {
	started(t, "Attempts")
	for _, tc := range []struct {
		n    int
		f    float64
		want float64
	}{
		{1, 0.5, 1}, {1, 1, 1}, {3, 0, 1}, {3, 0.5, 1.75}, {3, 0.9, 2.71}, {3, 1, 3}, {5, 0.1, 1.1111}, {4, 1, 4},
	} {
		got, err := Attempts(tc.n, tc.f)
		if err != nil {
			t.Errorf("Attempts(%d, %v) returned %v; want %v", tc.n, tc.f, err, tc.want)
			continue
		}
		if !(math.Abs(got-tc.want) <= 1e-9) { // NaN fails too
			t.Errorf("Attempts(%d, %v) = %v, want %v (1 + f + ... + f^(maxAttempts-1)).%s",
				tc.n, tc.f, got, tc.want, ex7Mistake(tc.n, tc.f, got))
		}
	}
}

func TestEx7Offered(t *testing.T) {
	started(t, "Attempts")
	for _, tc := range []struct {
		rate float64
		n    int
		f    float64
		want float64
	}{{150, 3, 1, 450}, {150, 3, 0.5, 262.5}, {150, 1, 1, 150}, {0, 3, 1, 0}} {
		got, err := Offered(tc.rate, tc.n, tc.f)
		if err != nil || !(math.Abs(got-tc.want) <= 1e-9) {
			t.Errorf("Offered(%v, %d, %v) = %v, %v; want %v: rate times Attempts", tc.rate, tc.n, tc.f, got, err, tc.want)
		}
	}
}

// ex7Load is the load without a budget, as Offered should compute it.
func ex7Load(rate float64, n int, f float64) float64 {
	sum := 0.0
	for k := range n {
		sum += math.Pow(f, float64(k))
	}
	return rate * sum
}

func TestEx7Budgeted(t *testing.T) {
	started(t, "Attempts")
	for _, tc := range []struct {
		rate        float64
		n           int
		f, ratio    float64
		want        float64
		explanation string
	}{
		{150, 3, 1, 0.1, 165, "every attempt fails: the budget caps 450 at 150 * 1.1"},
		{150, 3, 0.05, 0.1, 157.875, "few attempts fail: 150 * 1.0525 is under the cap"},
		{150, 3, 1, 0, 150, "a budget of 0 allows no retries at all"},
		{150, 1, 1, 0.5, 150, "without retries the budget changes nothing"},
	} {
		got, err := Budgeted(tc.rate, tc.n, tc.f, tc.ratio)
		if err != nil {
			t.Errorf("Budgeted(%v, %d, %v, %v) returned %v; want %v", tc.rate, tc.n, tc.f, tc.ratio, err, tc.want)
			continue
		}
		if math.Abs(got-tc.want) < 1e-9 {
			continue
		}
		mistake := ""
		switch {
		case math.Abs(got-tc.rate*tc.ratio) < 1e-9 || math.Abs(got-math.Min(tc.rate*float64(tc.n)*tc.f, tc.rate*tc.ratio)) < 1e-9:
			mistake = " Retries may add ratio of the requests, on top of the first attempts: the cap is " +
				"rate * (1 + ratio), not rate * ratio."
		case math.Abs(got-tc.rate*(1+tc.ratio)) < 1e-9, math.Abs(got-ex7Load(tc.rate, tc.n, tc.f)*(1+tc.ratio)) < 1e-9:
			mistake = " The budget is a cap, not a surcharge: when few attempts fail, the load is " +
				"what Offered says."
		}
		t.Errorf("Budgeted(%v, %d, %v, %v) = %v, want %v (%s).%s",
			tc.rate, tc.n, tc.f, tc.ratio, got, tc.want, tc.explanation, mistake)
	}
}

func TestEx7RejectsNonsense(t *testing.T) {
	started(t, "Attempts")
	for _, tc := range []struct {
		what string
		call func() (float64, error)
	}{
		{"Attempts(0, 0.5)", func() (float64, error) { return Attempts(0, 0.5) }},
		{"Attempts(3, -0.1)", func() (float64, error) { return Attempts(3, -0.1) }},
		{"Attempts(3, 1.5)", func() (float64, error) { return Attempts(3, 1.5) }},
		{"Attempts(3, NaN)", func() (float64, error) { return Attempts(3, math.NaN()) }},
		{"Offered(-1, 3, 0.5)", func() (float64, error) { return Offered(-1, 3, 0.5) }},
		{"Offered(150, 3, 2)", func() (float64, error) { return Offered(150, 3, 2) }},
		{"Budgeted(150, 3, 0.5, -0.1)", func() (float64, error) { return Budgeted(150, 3, 0.5, -0.1) }},
		{"Budgeted(150, 0, 0.5, 0.1)", func() (float64, error) { return Budgeted(150, 0, 0.5, 0.1) }},
	} {
		if _, err := tc.call(); !errors.Is(err, ErrBadArithmetic) {
			t.Errorf("%s returned error %v; want one matching ErrBadArithmetic: f is a probability in "+
				"[0, 1], maxAttempts at least 1, rate and ratio not negative", tc.what, err)
		}
	}
}
