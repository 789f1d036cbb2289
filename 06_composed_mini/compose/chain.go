package compose

import "context"

// Call is one call to a dependency, the shape every layer takes and
// returns: it gets the caller's context and reports success with a nil
// error. A flaky.Service's Call method has this shape, and so does a
// function that sends an HTTP request with the context.
type Call func(ctx context.Context) error

// Layer wraps a Call in one pattern and returns the wrapped Call. A layer
// holds its pattern's state (a breaker, a retry budget) in the closure, so
// the same Layer value put around several calls shares that state, like a
// breaker shared by every call to one dependency.
type Layer func(next Call) Call

// Chain returns svc wrapped in layers, the first layer outermost: a call
// goes through layers[0], then layers[1], and so on, and reaches svc last.
// Nil layers are skipped, so an optional layer can be left out with a nil.
// With no layers, Chain returns svc itself.
func Chain(svc Call, layers ...Layer) Call {
	call := svc
	for i := len(layers) - 1; i >= 0; i-- {
		if layers[i] != nil {
			call = layers[i](call)
		}
	}
	return call
}

// Stack returns the layers as one Layer, the first outermost, as Chain
// would apply them. It lets a whole chain be passed around, and put
// around a different service for each call, as a single value.
func Stack(layers ...Layer) Layer {
	return func(next Call) Call { return Chain(next, layers...) }
}
