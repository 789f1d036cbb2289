package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestColourOnlyOnATerminalAndNeverWithNO_COLOR(t *testing.T) {
	env := func(kv ...string) func(string) string {
		return func(k string) string {
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1]
				}
			}
			return ""
		}
	}
	f, err := os.Create(filepath.Join(t.TempDir(), "out"))
	require.NoError(t, err)
	defer f.Close()
	assert.False(t, colorWanted(f, env()), "a file is not a terminal")

	r, w, err := os.Pipe()
	require.NoError(t, err)
	defer r.Close()
	defer w.Close()
	assert.False(t, colorWanted(w, env()), "a pipe is not a terminal")

	if tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0); err == nil {
		defer tty.Close()
		assert.True(t, colorWanted(tty, env()), "a terminal gets colours")
		assert.False(t, colorWanted(tty, env("NO_COLOR", "1")), "NO_COLOR turns them off")
		assert.False(t, colorWanted(tty, env("TERM", "dumb")))
	}
}

func TestPaintAndBar(t *testing.T) {
	plain := &app{}
	assert.Equal(t, "✓", plain.mark(Verdict{Status: statusPass}))
	assert.Equal(t, "✗", plain.mark(Verdict{Status: statusFail}))
	assert.Equal(t, "["+strings.Repeat("█", 10)+strings.Repeat("░", 20)+"] 1/3 done", plain.bar(1, 3))
	assert.Equal(t, "["+strings.Repeat("░", 30)+"] 0/0 done", plain.bar(0, 0))

	colour := &app{color: true}
	assert.Equal(t, "\x1b[32m✓\x1b[0m", colour.mark(Verdict{Status: statusPass}))
}

func TestColumns(t *testing.T) {
	assert.Equal(t, 3, columns("✓ a"))
	assert.Equal(t, 3, columns("\x1b[32m✓ a\x1b[0m"), "colour takes no room")
	assert.Equal(t, 9, columns("\tx"), "a tab reaches the next multiple of eight")
	assert.Equal(t, 25, columns("ab\tcdefghij\tx"))
}

func TestWrapText(t *testing.T) {
	assert.Equal(t, "one two\n  three\n  four", wrapText("one two three\nfour", 8, "  "))
	assert.Equal(t, "averyver\n  yverylon\n  gword", wrapText("averyveryverylongword", 8, "  "), "a word wider than a line is cut")
	assert.Equal(t, "a bcd\n  0123456789\n  abc", wrapText("a bcd 0123456789abc", 10, "  "), "a cut word starts a line when little room is left")
	assert.Equal(t, "a 01234567\n  89abcdefgh", wrapText("a 0123456789abcdefgh", 10, "  "), "and goes on the line when there is room")
}
