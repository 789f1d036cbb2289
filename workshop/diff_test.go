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
