package narrate

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestPhaseTableSummary(t *testing.T) {
	var b strings.Builder
	n := New(&b, true)
	n.SetInput(strings.NewReader("\n\n"))
	n.Phase("first", "step mode pauses here too")
	n.Table([]string{"attempt", "delay"}, [][]string{{"1", "0s"}, {"10", "150ms"}})
	n.Phase("second", "")
	n.Summary([][2]string{{"calls", "3"}, {"calls saved", "12"}})
	out := b.String()

	assert.Equal(t, 2, strings.Count(out, "[press Enter"), "step mode pauses in every phase, the first included")
	assert.Less(t, strings.Index(out, "step mode pauses here too"), strings.Index(out, "[press Enter"),
		"the pause comes after the phase is announced, before it runs")
	assert.Contains(t, out, "── Phase 1: first ─")
	assert.Contains(t, out, "── Phase 2: second ─")
	assert.Contains(t, out, "  attempt  delay\n  1        0s\n  10       150ms\n")
	assert.Contains(t, out, "  calls ......... 3\n  calls saved ... 12\n")
}

func TestLogger(t *testing.T) {
	var b strings.Builder
	n := New(&b, false)
	n.Logger().With("breaker", "svc").Info("state change", "from", "closed", "to", "open")
	assert.Regexp(t, `^\s+\d+\.\d{3}s\s+INFO\s+state change breaker=svc from=closed to=open\n$`, b.String())
}

func TestWrap(t *testing.T) {
	assert.Equal(t, "aaa bbb\nccc\n\nddd", wrap("aaa bbb ccc\n\nddd", 7))
}
