package main

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// demo runs the demo with args in virtual time and returns its exit
// status, standard output and standard error.
func demo(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var code int
	var out, errOut strings.Builder
	synctest.Test(t, func(t *testing.T) {
		code = run(args, strings.NewReader(stdin), &out, &errOut)
	})
	return code, out.String(), errOut.String()
}

// fits fails the test for every line wider than 80 columns.
func fits(t *testing.T, what, text string) {
	t.Helper()
	for i, line := range strings.Split(text, "\n") {
		assert.False(t, strings.Contains(line, "\t"), "%s line %d has a tab: %q", what, i+1, line)
		assert.LessOrEqual(t, utf8.RuneCountInString(line), 80, "%s line %d is too wide: %q", what, i+1, line)
	}
}

func TestDemoTellsTheStory(t *testing.T) {
	code, out, errOut := demo(t, "")
	require.Equal(t, 0, code, errOut)
	assert.Empty(t, errOut, "virtual time is never late")
	fits(t, "the demo", out)
	for _, want := range []string{
		"Phase 1: six callers, one schedule", "Phase 2: the load on the service",
		"Phase 3: the breaker's timeline", "Phase 4: a bulkhead", "Phase 5: side by side",
		"\n  outage              #########################\n",
		"25 requests in the outage: retry sent 75 calls (3.0 per request)",
		"INFO  breaker run=chain req=5 from=closed to=open",
		"INFO  breaker run=failsafe-go req=5 from=closed to=open",
		// The table the README quotes.
		"\n  run            success  calls  outage  p50_ms  p99_ms  fast  recover_ms  peak\n" +
			"  bare           32.5%    40     25      240     240     0     0           2\n" +
			"  retry          37.5%    93     75      725.3   734.4   0     0           4\n" +
			"  retry+timeout  37.5%    93     75      125.3   134.4   0     0           1\n" +
			"  chain          32.5%    21     5       0       129.1   26    400         1\n" +
			"  failsafe-go    32.5%    21     5       0       129.1   26    400         1\n" +
			"  bulkhead       37.5%    57     39      1       732.2   12    0           2\n",
		"outage calls, retry -> chain .... 75 -> 5 (93% fewer)",
		"chain = failsafe-go ............. yes",
		// The equal success rates, explained on the next line.
		"  success, bare -> chain .......... 32.5% -> 32.5%\n" +
			"  (the chain's retries won back 2 requests; its open breaker refused 2)\n",
	} {
		assert.Contains(t, out, want)
	}
}

func TestDemoIsReplayable(t *testing.T) {
	_, first, _ := demo(t, "", "-seed", "7")
	_, again, _ := demo(t, "", "-seed", "7")
	assert.Equal(t, first, again, "the same seed replays the same run")
	_, other, _ := demo(t, "", "-seed", "8")
	assert.NotEqual(t, first, other, "another seed, other sick calls")
}

// acceptedOutages are every -outage value the demo accepts.
var acceptedOutages = []string{"3.5s", "4s", "4.5s", "5s"}

// TestJSONShowsTheCut: for every accepted outage, and not only at the
// default, the breaker cuts the calls sent into the outage by 90% or more
// against retry alone, with a call to spare: the claim does not hang on
// a single call.
func TestJSONShowsTheCut(t *testing.T) {
	for _, outage := range append([]string{""}, acceptedOutages...) {
		name, args := outage, []string{"-json", "-outage", outage}
		if outage == "" {
			name, args = "default", []string{"-json"}
		}
		t.Run(name, func(t *testing.T) {
			code, out, errOut := demo(t, "", args...)
			require.Equal(t, 0, code, errOut)
			assert.Empty(t, errOut, "virtual time is never late")
			fits(t, "-json", out)

			var runs []map[string]any
			require.NoError(t, json.Unmarshal([]byte(out), &runs))
			byName := map[string]map[string]any{}
			for _, r := range runs {
				keys := make([]string, 0, len(r))
				for k := range r {
					keys = append(keys, k)
				}
				assert.ElementsMatch(t, columns, keys, "the JSON fields are the table's columns")
				byName[r["run"].(string)] = r
			}
			require.Len(t, byName, 6)

			d := 5 * time.Second
			if outage != "" {
				var err error
				d, err = time.ParseDuration(outage)
				require.NoError(t, err)
			}
			requests := scenario{outage: d}.outageRequests()
			retry := byName["retry"]["outage"].(float64)
			require.Equal(t, 3*float64(requests), retry, "retry sends every outage request three times")
			for _, chain := range []string{"chain", "failsafe-go"} {
				got := byName[chain]["outage"].(float64)
				assert.GreaterOrEqual(t, 1-got/retry, 0.9,
					"%s: %v outage calls against retry's %v: the breaker must cut them by 90%% or more", chain, got, retry)
				assert.GreaterOrEqual(t, 1-(got+1)/retry, 0.9,
					"%s: %v outage calls against retry's %v: one call more would break the 90%% claim", chain, got, retry)
			}
			assert.Equal(t, byName["chain"]["calls"], byName["failsafe-go"]["calls"])
			assert.Equal(t, 2.0, byName["bulkhead"]["peak"], "the bulkhead caps the calls in flight")
		})
	}
}

// Every accepted -outage tells a true story: the hand-rolled chain and
// failsafe-go agree, nothing is wider than 80 columns, and the chain sends
// fewer outage calls than retry, as the summary says.
func TestEveryOutageLength(t *testing.T) {
	summary := regexp.MustCompile(`outage calls, retry -> chain \.+ (\d+) -> (\d+) \((\d+)% fewer\)`)
	for _, outage := range acceptedOutages {
		t.Run(outage, func(t *testing.T) {
			code, out, errOut := demo(t, "", "-outage", outage)
			require.Equal(t, 0, code, errOut)
			fits(t, "-outage "+outage, out)
			assert.Contains(t, out, "chain = failsafe-go ............. yes")
			m := summary.FindStringSubmatch(out)
			require.NotNil(t, m, "the summary should compare retry's outage calls with the chain's")
			retry, _ := strconv.Atoi(m[1])
			chain, _ := strconv.Atoi(m[2])
			percent, _ := strconv.Atoi(m[3])
			assert.Less(t, chain, retry, "the chain must send fewer outage calls than retry")
			assert.GreaterOrEqual(t, percent, 90, "the cut the summary reports")
		})
	}
}

// pauses is the class at a -step demo: at every pause it notes how much
// output there was, waits (in virtual time), then presses Enter. Each Read
// returns a single newline, so narrate's buffered reader asks once per
// pause.
type pauses struct {
	out  *strings.Builder
	wait time.Duration
	at   []int // len(out) at each pause
}

func (p *pauses) Read(b []byte) (int, error) {
	p.at = append(p.at, p.out.Len())
	time.Sleep(p.wait)
	if len(b) == 0 {
		return 0, nil
	}
	b[0] = '\n'
	return 1, nil
}

// stepDemo runs the demo with -step and args, a class that waits wait at
// every pause, and returns its output and where the pauses fell in it.
func stepDemo(t *testing.T, wait time.Duration, args ...string) (string, []int) {
	t.Helper()
	var out, errOut strings.Builder
	class := &pauses{out: &out, wait: wait}
	synctest.Test(t, func(t *testing.T) {
		code := run(append([]string{"-step"}, args...), class, &out, &errOut)
		require.Equal(t, 0, code, errOut.String())
	})
	return out.String(), class.at
}

const prompt = "[press Enter to run this phase] "

// In step mode every phase pauses once, after it is announced and before
// anything in it happens: the class sees the question before the answer.
// Each phase's results come after its pause; what comes before a pause
// (the banner and the intro) does not depend on the run, so it is the
// same for two seeds whose runs differ; and a class that sits at each
// pause for a minute sees the same demo as one without pauses, log
// timestamps included.
func TestStepPausesBeforeEveryPhasesResults(t *testing.T) {
	out, at := stepDemo(t, time.Minute)
	fits(t, "-step", out)
	require.Len(t, at, 5, "one pause per phase")
	assert.Equal(t, 5, strings.Count(out, prompt), "one prompt per phase")

	results := [][]string{
		{"Running the 8s schedule...", "\n  outage              ####", "  . success   x failed"},
		{"\n  retry          1121133333", "25 requests in the outage: retry sent 75 calls"},
		{"INFO  breaker run=chain req=5 from=closed to=open", "INFO  breaker run=failsafe-go req=33"},
		{"The retry caller had 4 calls hanging", "12 requests were refused at once"},
		{"\n  run            success  calls", "\n  chain          32.5%", "══ SUMMARY", "chain = failsafe-go"},
	}
	before := make([]string, 5)
	for k := range 5 {
		banner := strings.Index(out, fmt.Sprintf("── Phase %d: ", k+1))
		next := len(out)
		if k < 4 {
			next = strings.Index(out, fmt.Sprintf("── Phase %d: ", k+2))
		}
		require.True(t, banner >= 0 && banner < at[k] && at[k] < next,
			"phase %d: its pause should come after its banner (at %d) and before the next phase (at %d), not at %d",
			k+1, banner, next, at[k])
		require.True(t, strings.HasSuffix(out[:at[k]], prompt), "phase %d pauses at its prompt", k+1)
		before[k] = out[banner:at[k]]
		for _, want := range results[k] {
			assert.Contains(t, out[at[k]:next], want, "phase %d should print this after its pause", k+1)
			assert.NotContains(t, before[k], want, "phase %d printed this before its pause", k+1)
		}
	}

	_, plain, _ := demo(t, "")
	assert.Equal(t, plain, strings.ReplaceAll(out, prompt, ""),
		"pausing must change nothing but the prompts, log times included")

	// Seed 3's run differs from seed 1's in every phase (its timeline, its
	// breaker log, its bulkhead's refusals, its table), so an intro that
	// quoted a result would differ too.
	other, otherAt := stepDemo(t, 0, "-seed", "3")
	require.Len(t, otherAt, 5)
	_, plainOther, _ := demo(t, "", "-seed", "3")
	require.NotEqual(t, plain, plainOther)
	for k := range 5 {
		banner := strings.Index(other, fmt.Sprintf("── Phase %d: ", k+1))
		require.True(t, banner >= 0 && banner < otherAt[k], "seed 3, phase %d", k+1)
		assert.Equal(t, before[k], other[banner:otherAt[k]],
			"phase %d: what comes before the pause must not depend on the run", k+1)
	}
}

func TestFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-outage", "500ms"}, {"-outage", "1s"}, {"-outage", "3s"}, {"-outage", "5.5s"},
		{"-outage", "3.7s"}, {"-outage", "x"},
		{"-seed", "-1"}, {"-nope"}, {"stray"}, {"-json", "extra"}, {"-json", "-step"},
	} {
		code, out, errOut := demo(t, "", args...)
		assert.Equal(t, 2, code, "%v should be rejected with status 2", args)
		assert.Empty(t, out, "%v should not start the demo", args)
		assert.Contains(t, errOut, "06_composed_mini: ", "%v should say what is wrong", args)
		fits(t, fmt.Sprint(args), errOut)
	}

	code, out, errOut := demo(t, "", "-h")
	require.Equal(t, 0, code)
	assert.Empty(t, out)
	fits(t, "-h", errOut)
	for _, flag := range []string{"-seed N", "-outage D", "-json", "-step", "-h"} {
		assert.Contains(t, errOut, "\n  "+flag, "-h should explain %s", flag)
	}
}

// The demo's claims about its own timing hold in virtual time: a request
// through the chain never takes longer than the worst case the demo
// prints, so requests never overlap.
func TestChainRequestsFitTheBeat(t *testing.T) {
	for seed := range uint64(20) {
		synctest.Test(t, func(t *testing.T) {
			s := scenario{seed: seed, outage: maxOutage}
			callers, err := s.callers()
			require.NoError(t, err)
			s.run(callers)
			for _, c := range callers[2:5] {
				for i, r := range c.results {
					assert.LessOrEqual(t, r.latency, 135*time.Millisecond, "seed %d: %s request %d", seed, c.name, i)
				}
				assert.Equal(t, 1, c.peak, "seed %d: %s: one call at a time", seed, c.name)
			}
		})
	}
}

// The line under the summary explains the chain's success rate against
// the bare caller's as requests its retries won and requests its breaker
// refused. Both parts must be true for every seed and outage: the two add
// up to the difference, and every request the chain lost, it refused.
func TestSuccessLineAddsUp(t *testing.T) {
	for seed := range uint64(10) {
		for _, outage := range []time.Duration{minOutage, maxOutage} {
			synctest.Test(t, func(t *testing.T) {
				s := scenario{seed: seed, outage: outage}
				callers, err := s.callers()
				require.NoError(t, err)
				s.run(callers)
				bare, chain := callers[0], callers[3]
				require.Equal(t, "chain", chain.name)
				won, lost := successDiff(bare, chain)
				assert.InDelta(t, s.summarize(chain).Success-s.summarize(bare).Success,
					100*float64(won-lost)/float64(s.requests()), 0.1, "seed %d, outage %v", seed, outage)
				for i, r := range chain.results {
					if bare.results[i].outcome == succeeded && r.outcome != succeeded {
						assert.Equal(t, fastFail, r.outcome, "seed %d, outage %v: request %d, lost by the chain, "+
							"was not refused", seed, outage, i)
					}
				}
			})
		}
	}
}

// The busy-machine warning fits the terminal, even for a late second.
func TestBusyWarningFits(t *testing.T) {
	msg := busy(1234*time.Millisecond, 18446744073709551615)
	assert.Contains(t, msg, "a timer fired 1.234s late")
	fits(t, "the warning", msg)
	fits(t, "the -json warning", "06_composed_mini: "+msg)
}
