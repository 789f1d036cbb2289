package compose

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
)

// tag is a layer that records when a call passes through it.
func tag(name string, trace *[]string) Layer {
	return func(next Call) Call {
		return func(ctx context.Context) error {
			*trace = append(*trace, name)
			return next(ctx)
		}
	}
}

func TestChainFirstLayerIsOutermost(t *testing.T) {
	var trace []string
	svc := func(context.Context) error { trace = append(trace, "service"); return nil }

	call := Chain(svc, tag("retry", &trace), nil, tag("timeout", &trace), tag("breaker", &trace))
	assert.NoError(t, call(t.Context()))
	assert.Equal(t, []string{"retry", "timeout", "breaker", "service"}, trace,
		"a call goes through the layers in the order they are listed; nil is skipped")

	trace = nil
	stacked := Chain(svc, Stack(tag("retry", &trace), tag("timeout", &trace)), tag("breaker", &trace))
	assert.NoError(t, stacked(t.Context()))
	assert.Equal(t, []string{"retry", "timeout", "breaker", "service"}, trace, "Stack is Chain as one layer")

	trace = nil
	assert.NoError(t, Chain(svc)(t.Context()))
	assert.Equal(t, []string{"service"}, trace, "no layers: the service itself")
}
