package exercises

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"reliability/03_circuit_breaker/breaker"
)

func TestEx5ClientMistakesAreNotFailures(t *testing.T) {
	started(t, "IsSuccessful")
	cases := []struct {
		err  error
		want bool
		why  string
	}{
		{nil, true, "no error is a success"},
		{&HTTPError{StatusCode: 404}, true, "404 is the caller asking for something that is not there"},
		{&HTTPError{StatusCode: 400}, true, "400 is the caller's bad request"},
		{&HTTPError{StatusCode: 499}, true, "499 is still 4xx, the caller's side"},
		{fmt.Errorf("get price: %w", &HTTPError{StatusCode: 409}), true, "a wrapped 409 is still the caller's mistake: use errors.As, not a type assertion"},
		{fmt.Errorf("get price: %w", fmt.Errorf("attempt 2: %w", &HTTPError{StatusCode: 404})), true, "a 404 wrapped twice is still the caller's mistake: errors.As looks through the whole chain, one errors.Unwrap does not"},
		{&HTTPError{StatusCode: 408}, true, "408 Request Timeout is a 4xx other than 429: the task counts it as the caller's side, like every 4xx but 429"},
		{&HTTPError{StatusCode: 418}, true, "418 is a 4xx other than 429"},
		{&HTTPError{StatusCode: 429}, false, "429 is the dependency saying it is overloaded"},
		{fmt.Errorf("get price: %w", &HTTPError{StatusCode: 429}), false, "a wrapped 429 is still the dependency saying it is overloaded"},
		{&HTTPError{StatusCode: 500}, false, "500 is the dependency failing"},
		{&HTTPError{StatusCode: 503}, false, "503 is the dependency failing"},
		{&HTTPError{StatusCode: 302}, false, "a 3xx counted as success: a redirect the client did not follow is not the 2xx answer it needed"},
		{&HTTPError{StatusCode: 304}, false, "a 3xx counted as success: the client expected a 2xx answer"},
		{&HTTPError{StatusCode: 101}, false, "a 1xx is not the answer the client expected either"},
		{context.DeadlineExceeded, false, "a timeout means the dependency was too slow"},
		{fmt.Errorf("get price: %w", context.DeadlineExceeded), false, "a wrapped timeout is still a failure"},
		{context.Canceled, false, "a canceled call is no success (IsExcluded sets it aside before IsSuccessful is asked)"},
		{errDown, false, "any other error is a failure"},
	}
	for _, c := range cases {
		got, panicked := classifySafely(IsSuccessful, c.err)
		switch {
		case panicked != "":
			t.Errorf("IsSuccessful(%v) panicked: %s (errors.As needs a pointer to a variable of the type to find: var target *HTTPError; errors.As(err, &target))", c.err, panicked)
		case got != c.want:
			t.Errorf("IsSuccessful(%v) should be %v (%s), got %v", c.err, c.want, c.why, got)
		}
	}
}

// classifySafely calls classify and turns a panic into an error message.
func classifySafely(classify func(error) bool, err error) (got bool, panicked string) {
	defer func() {
		if v := recover(); v != nil {
			panicked = fmt.Sprint(v)
		}
	}()
	return classify(err), ""
}

func TestEx5CanceledCallsAreExcluded(t *testing.T) {
	started(t, "IsExcluded")
	cases := []struct {
		err  error
		want bool
		why  string // what this case adds to the rule, if anything
	}{
		{context.Canceled, true, ""},
		{fmt.Errorf("get price: %w", context.Canceled), true, ""},
		{fmt.Errorf("get price: %w", fmt.Errorf("attempt 2: %w", context.Canceled)), true, ""},
		{context.DeadlineExceeded, false, ""},
		{fmt.Errorf("get price: %w", context.DeadlineExceeded), false, ""},
		{&HTTPError{StatusCode: 503}, false, ""},
		{&HTTPError{StatusCode: 404}, false, "a 4xx other than 429 is a success (IsSuccessful), not an exclusion"},
		{&HTTPError{StatusCode: 429}, false, "a 429 is the dependency saying it is overloaded: a failure, not an exclusion"},
		{fmt.Errorf("get price: %w", &HTTPError{StatusCode: 429}), false, "a 429 is the dependency saying it is overloaded: a failure, not an exclusion"},
		{errors.New("upstream: context canceled"), false, ""},
		{errDown, false, ""},
		{nil, false, ""},
	}
	for _, c := range cases {
		got, panicked := classifySafely(IsExcluded, c.err)
		if panicked != "" {
			t.Errorf("IsExcluded(%v) panicked: %s", c.err, panicked)
			continue
		}
		if got != c.want {
			why := "only a caller who gave up (context.Canceled, possibly wrapped: use errors.Is, not the error's text) is set aside; a timeout is the dependency's failure"
			if c.why != "" {
				why = c.why + "; " + why
			}
			t.Errorf("IsExcluded(%v) should be %v, got %v: %s", c.err, c.want, got, why)
		}
	}
}

func TestEx5BreakerIgnoresClientMistakesAndImpatientCallers(t *testing.T) {
	started(t, "IsSuccessful", "IsExcluded")
	b := breaker.New(breaker.Settings{IsSuccessful: IsSuccessful, IsExcluded: IsExcluded})
	notFound := &HTTPError{StatusCode: 404}
	for range 10 {
		_ = b.Execute(func() error { return notFound })
		_ = b.Execute(func() error { return context.Canceled })
	}
	if got := b.State(); got != breaker.StateClosed {
		t.Fatalf("10 answers of 404 and 10 canceled calls are nobody's fault but the caller's: the breaker should stay closed, got %v", got)
	}
	want := breaker.Counts{Requests: 20, TotalSuccesses: 10, TotalExclusions: 10, ConsecutiveSuccesses: 10}
	if got := b.Counts(); got != want {
		t.Fatalf("the 404s should count as successes and the cancellations as exclusions: want %+v, got %+v", want, got)
	}
	for range 6 {
		_ = b.Execute(func() error { return &HTTPError{StatusCode: 503} })
	}
	if err := b.Execute(succeed); !errors.Is(err, breaker.ErrOpenState) {
		t.Fatalf("6 answers of 503 in a row are the dependency's fault and should open the breaker, got %v", err)
	}
}
