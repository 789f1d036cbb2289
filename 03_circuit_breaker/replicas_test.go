package main

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runReplicasDemo runs the -replicas mode for real: it needs the embedded
// Redis server, which lives outside any synctest bubble, and it moves that
// server's clock itself, so it is as deterministic as the bubble.
func runReplicasDemo(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut strings.Builder
	code = run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestReplicasSharedBreakerSparesTheService(t *testing.T) {
	code, out, errOut := runReplicasDemo(t, "-replicas", "3", "-json")
	require.Equal(t, 0, code, "stderr: %s", errOut)
	var runs []map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &runs))
	require.Len(t, runs, 2)
	for _, r := range runs {
		for _, field := range []string{"run", "replicas", "outage_calls"} {
			assert.Contains(t, r, field)
		}
		assert.Equal(t, 3.0, r["replicas"])
	}
	assert.Equal(t, "per-replica", runs[0]["run"])
	assert.Equal(t, "shared", runs[1]["run"])
	per, shared := runs[0]["outage_calls"].(float64), runs[1]["outage_calls"].(float64)
	// Seed 1: each replica trips its own breaker with three failures and
	// sends its own trials; the shared breaker trips once for all.
	assert.Equal(t, 18.0, per)
	assert.Equal(t, 7.0, shared)
}

func TestReplicasDemoReplaysAndFits(t *testing.T) {
	for _, args := range [][]string{
		{"-replicas", "3"},
		{"-replicas", "5", "-calls", "60", "-outage", "5s", "-timeout", "3s", "-seed", "9"},
		{"-replicas", "2", "-calls", "1", "-outage", "0s"},
	} {
		code, first, errOut := runReplicasDemo(t, args...)
		require.Equal(t, 0, code, "%v: stderr: %s", args, errOut)
		_, second, _ := runReplicasDemo(t, args...)
		assert.Equal(t, first, second, "%v: the same seed must replay the same run", args)
		for line := range strings.SplitSeq(first, "\n") {
			assert.LessOrEqual(t, utf8.RuneCountInString(line), 80, "%v: line too long: %q", args, line)
		}
	}
	_, out, _ := runReplicasDemo(t, "-replicas", "3")
	for _, want := range []string{
		"Phase 1: a breaker per replica", "Phase 2: one shared breaker",
		"replica 3   .....xxx---x--x--x---...................",
		"outage calls ... 18 with a breaker per replica, 7 shared",
	} {
		assert.Contains(t, out, want)
	}
}

func TestReplicasBadFlags(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-json"}, "-json needs -replicas"},
		{[]string{"-replicas", "1"}, "-replicas is 1, want 2 to 5"},
		{[]string{"-replicas", "6"}, "-replicas is 6, want 2 to 5"},
		{[]string{"-replicas", "3", "-calls", "61"}, "at most 60 with -replicas"},
		{[]string{"-replicas", "3", "-json", "-step"}, "-json and -step do not go together"},
	} {
		code, _, errOut := runReplicasDemo(t, c.args...)
		assert.Equal(t, 2, code, "%v", c.args)
		assert.Contains(t, errOut, c.want, "%v", c.args)
	}
}
