package narrate

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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

// What the package, New and Phase say about step mode is what Phase does
// (TestPhaseTableSummary): it pauses in every phase, the first included.
// A demo's -h and README are written from these comments.
func TestDocsDescribeStepModeAsItIs(t *testing.T) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "narrate.go", nil, parser.ParseComments)
	require.NoError(t, err)
	docs := map[string]string{"package": f.Doc.Text()}
	for _, d := range f.Decls {
		if fn, ok := d.(*ast.FuncDecl); ok && (fn.Name.Name == "New" || fn.Name.Name == "Phase") {
			docs[fn.Name.Name] = fn.Doc.Text()
		}
	}
	require.Len(t, docs, 3)
	for name, doc := range docs {
		doc = strings.Join(strings.Fields(doc), " ")
		assert.Contains(t, doc, "every phase, the first included", "%s's doc", name)
		for _, wrong := range []string{"but the first", "after the first", "between phases"} {
			assert.NotContains(t, doc, wrong, "%s's doc: Phase pauses in the first phase too", name)
		}
	}
}
