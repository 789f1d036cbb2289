package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReplicasDemo runs go run ./05_rate_limit -replicas 3, as text and
// as JSON with the same seed, on the embedded server (or REDIS_URL's).
func TestReplicasDemo(t *testing.T) {
	var out, errOut strings.Builder
	require.Equal(t, 0, run([]string{"-replicas", "3"}, &out, &errOut), "stderr: %s", errOut.String())
	text := out.String()
	assertFits(t, "-replicas 3", text)
	for _, want := range []string{
		"Phase 1: a limit in each process",
		"Phase 2: one limit shared in Redis",
		"Phase 3: the store stops: fail-open",
		"Phase 4: the store stops: fail-closed",
		"WARN rate limit store unavailable  policy=fail-open",
		"WARN rate limit store unavailable  policy=fail-closed",
	} {
		assert.Contains(t, text, want)
	}

	out.Reset()
	require.Equal(t, 0, run([]string{"-replicas", "3", "-json"}, &out, &errOut), "stderr: %s", errOut.String())
	var runs []replicaRun
	require.NoError(t, json.Unmarshal([]byte(out.String()), &runs), "-json prints one JSON list:\n%s", out.String())
	byName := map[string]replicaRun{}
	for _, r := range runs {
		assert.Equal(t, 3, r.Replicas, r.Run)
		assert.EqualValues(t, limitPerS, r.LimitPerS, r.Run)
		byName[r.Run] = r
		// The text and the JSON come from the same seed: the same numbers.
		assert.Contains(t, text, r.Run+" ", "the summary names every run")
	}
	local, shared := byName["per-process"], byName["shared-gcra"]
	assert.InDelta(t, 3*limitPerS, local.AdmittedPerS, 0.15*3*limitPerS, "a limit per process admits about 3x")
	assert.InDelta(t, limitPerS, shared.AdmittedPerS, 0.05*limitPerS, "the shared limit admits 1x, within 5%%")
	if lib, ok := byName["shared-redis_rate"]; ok {
		assert.InDelta(t, limitPerS, lib.AdmittedPerS, 0.05*limitPerS, "redis_rate too")
	}
	open, closed := byName["store-down-fail-open"], byName["store-down-fail-closed"]
	require.NotNil(t, open.AdmittedPerSOut)
	require.NotNil(t, closed.AdmittedPerSOut)
	assert.InDelta(t, limitPerS, *open.AdmittedPerSUp, 0.1*limitPerS, "before the stop the limit holds")
	assert.InDelta(t, heavyPerS, *open.AdmittedPerSOut, 0.2*heavyPerS, "fail-open: everything offered passes")
	assert.Positive(t, open.FailedOpen)
	assert.Zero(t, open.Unavailable)
	assert.Zero(t, *closed.AdmittedPerSOut, "fail-closed: nothing passes")
	assert.Positive(t, closed.Unavailable)
}

func TestReplicasFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-replicas", "1"},
		{"-replicas", "9"},
		{"-replicas", "3", "-rate", "1"},
		{"-replicas", "3", "-seconds", "10"},
		{"-json"},
		{"-replicas", "3", "-json", "-step"},
	} {
		var out, errOut strings.Builder
		assert.Equal(t, 2, run(args, &out, &errOut), "%v must be refused", args)
		assert.NotEmpty(t, errOut.String(), "%v: say why", args)
	}
	var out, errOut strings.Builder
	require.Equal(t, 0, run([]string{"-h"}, &out, &errOut))
	for _, flag := range []string{"-replicas", "-json"} {
		assert.Contains(t, errOut.String(), flag, "-h should explain %s", flag)
	}
}
