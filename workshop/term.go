package main

import (
	"fmt"
	"os"
	"regexp"
	"strings"
)

// colorWanted reports whether stdout gets ANSI colours: only on a
// terminal, never when NO_COLOR is set to anything (no-color.org) or the
// terminal says it is dumb. Piped output stays plain text.
func colorWanted(f *os.File, getenv func(string) string) bool {
	if getenv("NO_COLOR") != "" || getenv("TERM") == "dumb" {
		return false
	}
	return isTerminal(f) && enableColors(f)
}

const (
	ansiBold   = "1"
	ansiDim    = "2"
	ansiRed    = "31"
	ansiGreen  = "32"
	ansiYellow = "33"
	ansiCyan   = "36"
)

// paint wraps s in an ANSI colour when colours are on.
func (a *app) paint(code, s string) string {
	if !a.color || s == "" {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

// mark is ✓ or ✗ for a verdict.
func (a *app) mark(v Verdict) string {
	if v.Done() {
		return a.paint(ansiGreen, "✓")
	}
	return a.paint(ansiRed, "✗")
}

// barWidth is the progress bar's width in columns.
const barWidth = 30

// bar draws the progress bar: [█████░░░░░] 3/14 done.
func (a *app) bar(done, total int) string {
	filled := 0
	if total > 0 {
		filled = done * barWidth / total
	}
	return fmt.Sprintf("[%s%s] %d/%d done",
		a.paint(ansiGreen, strings.Repeat("█", filled)), strings.Repeat("░", barWidth-filled), done, total)
}

// confirm asks a yes/no question on stdout and reads the answer from
// stdin; anything but y or yes, including no answer at all, is no.
func (a *app) confirm(question string) bool {
	fmt.Fprintf(a.stdout, "%s [y/N] ", question)
	line, err := a.stdin.ReadString('\n')
	if err != nil && strings.TrimSpace(line) == "" {
		fmt.Fprintln(a.stdout)
		a.note("no answer on standard input, taken as no; --yes skips the question")
		return false
	}
	answer := strings.ToLower(strings.TrimSpace(line))
	return answer == "y" || answer == "yes"
}

// wrapText breaks s into lines of at most width columns at spaces,
// keeping its own line breaks, and starts every line after the first
// with indent. A word wider than a line is cut, so that every line fits.
func wrapText(s string, width int, indent string) string {
	width = max(width, 8)
	var out []string
	for _, para := range strings.Split(s, "\n") {
		line := ""
		for _, word := range strings.Fields(para) {
			for columns(word) > width && !strings.Contains(word, "\x1b") {
				r := []rune(word)
				room := width
				if line != "" {
					room = width - columns(line) - 1
				}
				if room < width/2 {
					out = append(out, line)
					line, room = "", width
				}
				line = strings.TrimPrefix(line+" "+string(r[:room]), " ")
				out = append(out, line)
				line, word = "", string(r[room:])
			}
			switch {
			case line == "":
				line = word
			case columns(line)+1+columns(word) > width:
				out = append(out, line)
				line = word
			default:
				line += " " + word
			}
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n"+indent)
}

// fitLines wraps each line of s that is wider than width at spaces,
// keeping the line's own indentation on the lines it continues on; lines
// that fit are left as they are (a hint may hold a code line).
func fitLines(s string, width int) string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		if columns(line) <= width {
			out = append(out, line)
			continue
		}
		indent := line[:len(line)-len(strings.TrimLeft(line, " \t"))]
		out = append(out, indent+wrapText(line, width-len(indent), indent))
	}
	return strings.Join(out, "\n")
}

// indentLines prefixes every line of s.
func indentLines(s, prefix string) string {
	return prefix + strings.ReplaceAll(s, "\n", "\n"+prefix)
}

// tailLines keeps the last n lines of s.
func tailLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// maxColumns is the width every line the runner prints fits in: a
// projector, a split terminal, an 80-column console.
const maxColumns = 80

// ansiRE matches the colour sequences paint adds.
var ansiRE = regexp.MustCompile("\x1b\\[[0-9;]*m")

// columns is how many columns s takes on a terminal: its characters,
// without colour sequences, a tab reaching the next multiple of eight.
// Every other character the runner prints (✓, ✗, █, ←, …) takes one.
func columns(s string) int {
	n := 0
	for _, r := range ansiRE.ReplaceAllString(s, "") {
		if r == '\t' {
			n = n/8*8 + 8
			continue
		}
		n++
	}
	return n
}
