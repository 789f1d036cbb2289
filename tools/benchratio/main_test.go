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
BenchmarkRetry/success/handrolled-2     20000     50.0 ns/op     0 B/op     0 allocs/op
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
