package chart

import (
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// sample is a plot using every feature: two lines with markers, a step
// line and two bands.
func sample() Plot {
	return Plot{
		Title:  "Calls against clients",
		XLabel: "clients",
		YLabel: "calls",
		Lines: []Line{
			{Name: "no backoff", X: []float64{10, 20, 30}, Y: []float64{49, 151, 320}},
			{Name: "full jitter", X: []float64{10, 20, 30}, Y: []float64{43, 98, 160}},
			{Name: "per 100 ms", X: []float64{0, 100, 200}, Y: []float64{3, 0, 7}, Step: true},
		},
		Bands: []Band{
			{Name: "open", Spans: []Span{{From: 12, To: 18}}},
			{Name: "half-open", Spans: []Span{{From: 18, To: 19}}},
			{Name: "down", Spans: []Span{{From: 11, To: 25}}, Strip: true},
		},
	}
}

// wellFormed fails the test unless svg parses as XML from start to end.
func wellFormed(t *testing.T, svg []byte) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(string(svg)))
	for {
		_, err := d.Token()
		if errors.Is(err, io.EOF) {
			return
		}
		require.NoError(t, err, "the SVG must be well-formed XML")
	}
}

func TestPlotIsDeterministicAndComplete(t *testing.T) {
	a, err := sample().SVG()
	require.NoError(t, err)
	b, err := sample().SVG()
	require.NoError(t, err)
	assert.Equal(t, a, b, "the same figure must give the same bytes, or committed figures could never be checked")
	wellFormed(t, a)

	svg := string(a)
	for _, text := range []string{"Calls against clients", ">clients<", ">calls<", "no backoff", "full jitter", "per 100 ms", "open", "half-open"} {
		assert.Contains(t, svg, text, "title, axis labels and every legend entry are drawn")
	}
	assert.Contains(t, svg, `fill:#FFFFFF`, "the background is solid white, readable on a dark page")
	assert.Contains(t, svg, "stroke-dasharray", "lines differ by dash pattern, not only colour")
	assert.Contains(t, svg, "Arial", "a reader without Liberation Sans gets a metric-compatible font")
	assert.NotContains(t, svg, "font-family:Liberation Sans;", "every font name has its fallbacks")
}

func TestBarsAreDeterministic(t *testing.T) {
	f := Bars{Title: "Calls into the outage", YLabel: "calls", Categories: []string{"retry", "retry+breaker"}, Values: []float64{120, 7}}
	a, err := f.SVG()
	require.NoError(t, err)
	b, err := f.SVG()
	require.NoError(t, err)
	assert.Equal(t, a, b)
	wellFormed(t, a)
	for _, text := range []string{"Calls into the outage", "retry+breaker", ">120<", ">7<"} {
		assert.Contains(t, string(a), text, "title, categories and the value on each bar are drawn")
	}
}

func TestInvalidFiguresAreRefused(t *testing.T) {
	for name, f := range map[string]Figure{
		"no title":        Plot{Lines: sample().Lines},
		"no lines":        Plot{Title: "t"},
		"unequal lengths": Plot{Title: "t", Lines: []Line{{Name: "a", X: []float64{1, 2}, Y: []float64{1}}}},
		"empty line":      Plot{Title: "t", Lines: []Line{{Name: "a"}}},
		"no bars":         Bars{Title: "t"},
		"values missing":  Bars{Title: "t", Categories: []string{"a", "b"}, Values: []float64{1}},
	} {
		_, err := f.SVG()
		assert.ErrorIs(t, err, ErrInvalid, name)
	}
}

func TestStaleFindsEditedMissingAndOrphanFigures(t *testing.T) {
	dir := t.TempDir()
	figs := []Named{{"calls", sample()}}
	var said strings.Builder
	require.NoError(t, Write(&said, dir, figs))
	assert.Equal(t, "wrote "+filepath.Join(dir, "calls.svg")+"\n", said.String(), "Write names each file it wrote")
	require.NoError(t, Stale(dir, figs, "make charts"), "a figure just written is up to date")

	path := filepath.Join(dir, "calls.svg")
	svg, err := os.ReadFile(path)
	require.NoError(t, err)
	edited := strings.Replace(string(svg), "full jitter", "full jitterr", 1)
	require.NoError(t, os.WriteFile(path, []byte(edited), 0o644))
	err = Stale(dir, figs, "make charts")
	require.Error(t, err, "an edited figure must be reported")
	assert.Contains(t, err.Error(), "calls.svg is stale")
	assert.Contains(t, err.Error(), "run make charts", "the message says how to fix it")

	require.NoError(t, os.Remove(path))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "old.svg"), svg, 0o644))
	err = Stale(dir, figs, "make charts")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "calls.svg is missing")
	assert.Contains(t, err.Error(), "old.svg is drawn by nothing")
}

func TestStaleDirComparesWrittenFigures(t *testing.T) {
	committed, fresh := t.TempDir(), t.TempDir()
	figs := []Named{{"calls", sample()}}
	require.NoError(t, Write(io.Discard, committed, figs))
	require.NoError(t, Write(io.Discard, fresh, figs))
	require.NoError(t, StaleDir(committed, fresh, "make charts"))

	changed := sample()
	changed.Title = "Calls, redrawn"
	require.NoError(t, Write(io.Discard, fresh, []Named{{"calls", changed}}))
	err := StaleDir(committed, fresh, "make charts")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "calls.svg is stale")

	err = StaleDir(committed, t.TempDir(), "make charts")
	require.Error(t, err, "a demo that drew nothing is not up to date")
	assert.Contains(t, err.Error(), "no figure was drawn")
}

func TestWriteReportsTheFigureItCannotDraw(t *testing.T) {
	err := Write(io.Discard, t.TempDir(), []Named{{"empty", Plot{Title: "t"}}})
	assert.ErrorIs(t, err, ErrInvalid)
	assert.Contains(t, err.Error(), "figure empty")
}
