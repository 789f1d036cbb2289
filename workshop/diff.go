package main

import (
	"fmt"
	"strings"
)

// diffOp is one line of a line diff: ' ' kept, '-' only in the old text,
// '+' only in the new.
type diffOp struct {
	kind byte
	line string
}

// maxDiffCells bounds the longest-common-subsequence table. Exercise
// files are a few hundred lines; beyond this the diff is coarser (the
// changed middle shown as removed, then added) but still correct.
const maxDiffCells = 4 << 20

// lineDiff returns a shortest edit turning a into b, from a longest
// common subsequence of lines.
func lineDiff(a, b []string) []diffOp {
	// Common ends cost nothing and shrink the table.
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	var ops []diffOp
	for _, l := range a[:pre] {
		ops = append(ops, diffOp{' ', l})
	}
	ma, mb := a[pre:len(a)-suf], b[pre:len(b)-suf]
	if (len(ma)+1)*(len(mb)+1) > maxDiffCells {
		for _, l := range ma {
			ops = append(ops, diffOp{'-', l})
		}
		for _, l := range mb {
			ops = append(ops, diffOp{'+', l})
		}
	} else {
		ops = append(ops, lcsDiff(ma, mb)...)
	}
	for _, l := range a[len(a)-suf:] {
		ops = append(ops, diffOp{' ', l})
	}
	return ops
}

func lcsDiff(a, b []string) []diffOp {
	// lcs[i][j] is the length of a longest common subsequence of a[i:]
	// and b[j:].
	w := len(b) + 1
	lcs := make([]int, (len(a)+1)*w)
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i*w+j] = lcs[(i+1)*w+j+1] + 1
			} else {
				lcs[i*w+j] = max(lcs[(i+1)*w+j], lcs[i*w+j+1])
			}
		}
	}
	var ops []diffOp
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			ops = append(ops, diffOp{' ', a[i]})
			i, j = i+1, j+1
		case lcs[(i+1)*w+j] >= lcs[i*w+j+1]:
			ops = append(ops, diffOp{'-', a[i]})
			i++
		default:
			ops = append(ops, diffOp{'+', b[j]})
			j++
		}
	}
	for ; i < len(a); i++ {
		ops = append(ops, diffOp{'-', a[i]})
	}
	for ; j < len(b); j++ {
		ops = append(ops, diffOp{'+', b[j]})
	}
	return ops
}

// splitLines splits text into lines without their line endings.
func splitLines(text string) []string {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	if text == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(text, "\n"), "\n")
}

// unifiedDiff renders the changes from old to new as a unified diff with
// context lines of context, or "" when the texts are the same.
func unifiedDiff(oldName, newName, old, new string, context int) string {
	ops := lineDiff(splitLines(old), splitLines(new))
	hs := hunksOf(ops, context)
	if len(hs) == 0 {
		return ""
	}
	oldAt, newAt := linesBefore(ops)
	var b strings.Builder
	fmt.Fprintf(&b, "--- %s\n+++ %s\n", oldName, newName)
	for _, h := range hs {
		fmt.Fprintf(&b, "@@ -%s +%s @@\n", hunkRange(oldAt[h.start], oldAt[h.stop]), hunkRange(newAt[h.start], newAt[h.stop]))
		writeOps(&b, ops[h.start:h.stop])
	}
	return b.String()
}

// hunk is a run of diff ops worth showing: ops[start:stop], whose first
// change is ops[first].
type hunk struct{ start, first, stop int }

// hunksOf groups the changes in ops into hunks, each with context kept
// lines before and after it; changes at most 2·context kept lines apart
// share a hunk. It returns nil when nothing changed.
func hunksOf(ops []diffOp, context int) []hunk {
	var hs []hunk
	for i := 0; i < len(ops); {
		if ops[i].kind == ' ' {
			i++
			continue
		}
		start, end := max(0, i-context), i+1
		for j := i; j < len(ops); j++ {
			if ops[j].kind != ' ' {
				end = j + 1
			} else if j-end+1 > 2*context {
				break
			}
		}
		stop := min(len(ops), end+context)
		hs = append(hs, hunk{start: start, first: i, stop: stop})
		i = stop
	}
	return hs
}

// linesBefore returns, for every i from 0 to len(ops), how many lines of
// the old text and of the new one come before ops[i].
func linesBefore(ops []diffOp) (oldAt, newAt []int) {
	oldAt, newAt = make([]int, len(ops)+1), make([]int, len(ops)+1)
	for i, op := range ops {
		oldAt[i+1], newAt[i+1] = oldAt[i], newAt[i]
		if op.kind != '+' {
			oldAt[i+1]++
		}
		if op.kind != '-' {
			newAt[i+1]++
		}
	}
	return oldAt, newAt
}

// writeOps writes ops as diff lines: the kind, then the line.
func writeOps(b *strings.Builder, ops []diffOp) {
	for _, op := range ops {
		b.WriteByte(op.kind)
		b.WriteString(op.line)
		b.WriteByte('\n')
	}
}

// hunkRange is a unified diff's "first,count" for lines [from, to).
func hunkRange(from, to int) string {
	if to == from {
		return fmt.Sprintf("%d,0", from)
	}
	return fmt.Sprintf("%d,%d", from+1, to-from)
}

// countChanged counts the lines a diff removes or adds.
func countChanged(old, new string) int {
	n := 0
	for _, op := range lineDiff(splitLines(old), splitLines(new)) {
		if op.kind != ' ' {
			n++
		}
	}
	return n
}

// codeLines returns the lines of a Go file that are code: every line but
// top-level comments (a stub's task, a solution's summary of it), with
// runs of blank lines left behind by a removed comment kept to one. nums
// holds each kept line's number in src.
func codeLines(src string) (lines []string, nums []int) {
	for i, l := range splitLines(src) {
		if strings.HasPrefix(l, "//") {
			continue
		}
		if strings.TrimSpace(l) == "" && len(lines) > 0 && strings.TrimSpace(lines[len(lines)-1]) == "" {
			continue
		}
		lines = append(lines, l)
		nums = append(nums, i+1)
	}
	return lines, nums
}

// codeDiff renders the changes from old to new in their code, leaving
// out top-level comments (see codeLines), with context lines of context.
// Each hunk starts with the line numbers of its first change in either
// file, since a hunk's lines need not be consecutive in the file. It returns
// "" when the code is the same.
func codeDiff(old, new string, context int) string {
	a, aNums := codeLines(old)
	b, bNums := codeLines(new)
	ops := lineDiff(a, b)
	hs := hunksOf(ops, context)
	if len(hs) == 0 {
		return ""
	}
	oldAt, newAt := linesBefore(ops)
	lineNo := func(nums []int, i int) int {
		switch {
		case i < len(nums):
			return nums[i]
		case len(nums) > 0:
			return nums[len(nums)-1] + 1
		}
		return 1
	}
	var sb strings.Builder
	for _, h := range hs {
		fmt.Fprintf(&sb, "@@ your line %d, the solution's line %d @@\n", lineNo(aNums, oldAt[h.first]), lineNo(bNums, newAt[h.first]))
		writeOps(&sb, ops[h.start:h.stop])
	}
	return sb.String()
}
