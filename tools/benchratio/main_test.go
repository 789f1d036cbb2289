package main

import (
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestPairsAndRatio(t *testing.T) {
	in := `goos: linux
BenchmarkRetry/success/handrolled-2     20000     40.0 ns/op     0 B/op     0 allocs/op
BenchmarkRetry/success/handrolled-2     20000     60.0 ns/op     0 B/op     0 allocs/op
BenchmarkRetry/success/library-2        20000    200.0 ns/op   240 B/op     9 allocs/op
BenchmarkExecute/serial/handrolled      1000      10.0 ns/op
BenchmarkOther-2                        1000      10.0 ns/op
PASS
`
	pairs, err := read(strings.NewReader(in), io.Discard)
	require.NoError(t, err)
	require.Len(t, pairs, 2)
	var out strings.Builder
	report(&out, pairs)
	assert.Regexp(t, `BenchmarkRetry/success\s+50\.0\s+200\.0\s+0\.25x\s+0\s+9`, out.String())
	assert.Regexp(t, `BenchmarkExecute/serial\s+\(unpaired\)`, out.String())
}

func TestSameNameInTwoPackages(t *testing.T) {
	in := `pkg: reliability/01_retry/retry
BenchmarkX/handrolled  10  10.0 ns/op
BenchmarkX/library     10  20.0 ns/op
pkg: reliability/03_circuit_breaker/breaker
BenchmarkX/handrolled  10  30.0 ns/op
BenchmarkX/library     10  30.0 ns/op
`
	pairs, err := read(strings.NewReader(in), io.Discard)
	require.NoError(t, err)
	require.Len(t, pairs, 2)
	assert.InDelta(t, 0.5, pairs["retry.BenchmarkX"].hand.nsPerOp/pairs["retry.BenchmarkX"].lib.nsPerOp, 1e-9)
	assert.InDelta(t, 1.0, pairs["breaker.BenchmarkX"].hand.nsPerOp/pairs["breaker.BenchmarkX"].lib.nsPerOp, 1e-9)
}
