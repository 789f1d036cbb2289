package exercises

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"reliability/03_circuit_breaker/breaker"
)

func TestEx5ClientMistakesAreNotFailures(t *testing.T) {
	cases := []struct {
		err  error
		want bool
		why  string
	}{
		{nil, true, "no error is a success"},
		{&HTTPError{StatusCode: 404}, true, "404 is the caller asking for something that is not there"},
		{fmt.Errorf("get price: %w", &HTTPError{StatusCode: 400}), true, "a wrapped 400 is still the caller's mistake"},
		{&HTTPError{StatusCode: 429}, false, "429 is the dependency saying it is overloaded"},
		{&HTTPError{StatusCode: 503}, false, "503 is the dependency failing"},
		{context.DeadlineExceeded, false, "a timeout means the dependency was too slow"},
		{errDown, false, "any other error is a failure"},
	}
	for _, c := range cases {
		if got := IsSuccessful(c.err); got != c.want {
			t.Errorf("IsSuccessful(%v) should be %v (%s), got %v", c.err, c.want, c.why, got)
		}
	}
}

func TestEx5CanceledCallsAreExcluded(t *testing.T) {
	cases := []struct {
		err  error
		want bool
	}{
		{context.Canceled, true},
		{fmt.Errorf("get price: %w", context.Canceled), true},
		{context.DeadlineExceeded, false},
		{&HTTPError{StatusCode: 503}, false},
		{nil, false},
	}
	for _, c := range cases {
		if got := IsExcluded(c.err); got != c.want {
			t.Errorf("IsExcluded(%v) should be %v, got %v", c.err, c.want, got)
		}
	}
}

func TestEx5BreakerIgnoresClientMistakesAndImpatientCallers(t *testing.T) {
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
