package main

import (
	"errors"
	"flag"
	"io"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestParseFlagsDefaults(t *testing.T) {
	o, err := parseFlags(nil, io.Discard)
	require.NoError(t, err)
	assert.Equal(t, options{seed: 4, attempts: 4, base: 20 * time.Millisecond, cap: 200 * time.Millisecond, requests: 8, failRate: 0.3}, o)
}

func TestParseFlagsRejectsBadValues(t *testing.T) {
	for args, want := range map[string]string{
		"-attempts -1":        "invalid -attempts -1",
		"-attempts 0":         "invalid -attempts 0",
		"-base 0s":            "invalid -base 0s",
		"-base 50ms -cap 5ms": "invalid -cap 5ms",
		"-cap 1m":             "invalid -cap 1m0s",
		"-requests 0":         "invalid -requests 0",
		"-fail-rate 1.5":      "invalid -fail-rate 1.5",
		"-fail-rate NaN":      "invalid -fail-rate NaN",
		"-json":               "-json only applies to -sim",
		"extra":               `unexpected argument "extra"`,
	} {
		_, err := parseFlags(strings.Fields(args), io.Discard)
		require.Error(t, err, args)
		assert.Contains(t, err.Error(), want, args)
	}
}

func TestParseFlagsSyntaxErrorIsReportedOnce(t *testing.T) {
	var stderr strings.Builder
	_, err := parseFlags([]string{"-base", "soon"}, &stderr)
	require.ErrorIs(t, err, errReported)
	assert.Contains(t, stderr.String(), `invalid value "soon" for flag -base`)
	_, err = parseFlags([]string{"-h"}, &stderr)
	require.True(t, errors.Is(err, flag.ErrHelp))
}

// TestDemoRuns runs the whole demo in virtual time and checks the story it
// tells: retries rescue the requests, the library matches, Permanent saves
// calls.
func TestDemoRuns(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		o, err := parseFlags(nil, io.Discard)
		require.NoError(t, err)
		var out strings.Builder
		require.NoError(t, runDemo(&out, o))
		s := out.String()
		assert.Contains(t, s, "→ 4 of 8 requests failed")
		assert.Contains(t, s, "succeeded with retries ........... 8 (no jitter), 8 (full jitter), 8 (library)")
		assert.Contains(t, s, "calls saved by retry.Permanent ... 3 (1 call instead of 4)")
		assert.Contains(t, s, "library matched hand-rolled ...... yes")
		assert.Contains(t, s, "most retries arriving in the same millisecond: 20 without jitter")
	})
}

func TestSimulationRuns(t *testing.T) {
	var out strings.Builder
	require.NoError(t, runSimulation(&out, options{seed: 0, json: true, simClients: []int{5}}))
	assert.True(t, strings.HasPrefix(out.String(), "["), "JSON rows expected, got %.40q", out.String())
	assert.Equal(t, 5, strings.Count(out.String(), `"clients": 5`), "one row per strategy")

	out.Reset()
	require.NoError(t, runSimulation(&out, options{seed: 0, simClients: []int{5}}))
	assert.Contains(t, out.String(), "Jitter simulation (seed 1)", "a zero seed is reported as the seed actually used")
	assert.Contains(t, out.String(), "Total calls")
}
