package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestUnifiedDiff(t *testing.T) {
	old := "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\nl\n"
	new := "a\nB\nc\nd\ne\nf\ng\nh\ni\nj\nk\nl\nm\n"
	want := `--- yours
+++ solution
@@ -1,5 +1,5 @@
 a
-b
+B
 c
 d
 e
@@ -10,3 +10,4 @@
 j
 k
 l
+m
`
	assert.Equal(t, want, unifiedDiff("yours", "solution", old, new, 3), "changes 7 lines apart are two hunks")
	assert.Equal(t, 3, countChanged(old, new))

	assert.Empty(t, unifiedDiff("x", "y", "same\n", "same\n", 3))
	assert.Equal(t, "--- x\n+++ y\n@@ -0,0 +1,1 @@\n+new\n", unifiedDiff("x", "y", "", "new\n", 3), "a missing file diffs as empty")

	// Close changes share one hunk.
	d := unifiedDiff("x", "y", "1\n2\n3\n4\n5\n", "1\nX\n3\nY\n5\n", 1)
	assert.Equal(t, 1, strings.Count(d, "@@ -"), d)
}

// TestCodeDiffLeavesOutTheTask: a stub's long doc comment (the task) and
// the solution's short one do not show; the code that differs does, with
// the lines where it starts in either file.
func TestCodeDiffLeavesOutTheTask(t *testing.T) {
	task := strings.Repeat("// the task, at length\n//\n", 10)
	stub := "package exercises\n\nimport \"time\"\n\n// Exercise 1: wait.\n//\n" + task +
		"func Wait(d time.Duration) time.Duration {\n\treturn 0\n}\n"
	sol := "package exercises\n\nimport (\n\t\"math\"\n\t\"time\"\n)\n\n// Wait returns d, at least 1.\n" +
		"func Wait(d time.Duration) time.Duration {\n\t// Why: a zero wait spins.\n\treturn time.Duration(math.Max(float64(d), 1))\n}\n"
	want := `@@ your line 3, the solution's line 3 @@
 package exercises
 
-import "time"
+import (
+	"math"
+	"time"
+)
 
 func Wait(d time.Duration) time.Duration {
-	return 0
+	// Why: a zero wait spins.
+	return time.Duration(math.Max(float64(d), 1))
 }
`
	assert.Equal(t, want, codeDiff(stub, sol, 3), "comments inside the code stay: they say why")
	assert.Empty(t, codeDiff(stub, "// Other words.\n"+stub, 3), "comments alone are no difference")

	far := "package p\n\nfunc A() int {\n\treturn 0\n}\n" + strings.Repeat("\nvar x = 1\n", 6) + "\nfunc B() int {\n\treturn 0\n}\n"
	d := codeDiff(far, strings.ReplaceAll(far, "return 0", "return 1"), 1)
	assert.Equal(t, 2, strings.Count(d, "@@ your line"), d)
	assert.Contains(t, d, "@@ your line 4, the solution's line 4 @@\n")
	assert.Contains(t, d, "@@ your line 20, the solution's line 20 @@\n")
}
