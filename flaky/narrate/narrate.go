// Package narrate prints the demos' timelines: numbered phases, aligned
// tables, a closing summary and compact log lines, readable on a projector.
//
// A demo creates one Narrator and writes everything through it. With step
// mode on, every phase, the first included, waits for Enter once it has
// been announced, so an instructor can talk through what a phase will
// show before it runs.
package narrate

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"text/tabwriter"
	"time"
)

// width is the width of banners; it fits a projector at a readable size.
const width = 72

// Narrator writes a demo's output. It is safe for concurrent use; lines
// from different goroutines never interleave.
type Narrator struct {
	mu    sync.Mutex
	w     io.Writer
	step  bool
	in    *bufio.Reader
	phase int
	start time.Time
}

// New returns a Narrator writing to w. If step is true, Phase waits for a
// line on standard input in every phase, the first included (see Phase).
func New(w io.Writer, step bool) *Narrator {
	return &Narrator{w: w, step: step, in: bufio.NewReader(os.Stdin), start: time.Now()}
}

// SetInput replaces standard input as the source Phase reads Enter from.
func (n *Narrator) SetInput(r io.Reader) { n.in = bufio.NewReader(r) }

// Phase starts a numbered phase: it prints a banner with the title and
// then the intro text, wrapped. In step mode it then waits for Enter
// before returning: every phase, the first included, is announced and
// explained before anything in it happens.
func (n *Narrator) Phase(title, intro string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.phase++
	head := fmt.Sprintf("── Phase %d: %s ", n.phase, title)
	fmt.Fprintf(n.w, "\n%s%s\n", head, strings.Repeat("─", max(3, width-len([]rune(head)))))
	if intro != "" {
		fmt.Fprintln(n.w, wrap(intro, width))
	}
	if n.step {
		fmt.Fprint(n.w, "[press Enter to run this phase] ")
		_, _ = n.in.ReadString('\n')
	}
	fmt.Fprintln(n.w)
}

// Printf prints a formatted line (a newline is added if missing).
func (n *Narrator) Printf(format string, args ...any) {
	n.mu.Lock()
	defer n.mu.Unlock()
	s := fmt.Sprintf(format, args...)
	if !strings.HasSuffix(s, "\n") {
		s += "\n"
	}
	fmt.Fprint(n.w, s)
}

// Table prints rows under header in aligned columns.
func (n *Narrator) Table(header []string, rows [][]string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	tw := tabwriter.NewWriter(n.w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  "+strings.Join(header, "\t"))
	for _, r := range rows {
		fmt.Fprintln(tw, "  "+strings.Join(r, "\t"))
	}
	_ = tw.Flush()
}

// Summary prints label/value pairs under a SUMMARY banner, values aligned.
func (n *Narrator) Summary(rows [][2]string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	fmt.Fprintf(n.w, "\n══ SUMMARY %s\n", strings.Repeat("═", width-11))
	w := 0
	for _, r := range rows {
		w = max(w, len([]rune(r[0])))
	}
	for _, r := range rows {
		pad := w - len([]rune(r[0]))
		fmt.Fprintf(n.w, "  %s %s %s\n", r[0], strings.Repeat(".", pad+3), r[1])
	}
}

// Logger returns a slog.Logger that writes one compact line per record:
// the time since New (not the wall clock, which means nothing in a
// demo), the message and its attributes.
func (n *Narrator) Logger() *slog.Logger {
	return slog.New(&handler{n: n})
}

// Elapsed returns the time since the Narrator was created.
func (n *Narrator) Elapsed() time.Duration { return time.Since(n.start) }

type handler struct {
	n     *Narrator
	attrs []slog.Attr
}

func (h *handler) Enabled(context.Context, slog.Level) bool { return true }

func (h *handler) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	fmt.Fprintf(&b, "  %7.3fs  %-5s %s", r.Time.Sub(h.n.start).Seconds(), r.Level, r.Message)
	add := func(a slog.Attr) bool {
		fmt.Fprintf(&b, " %s=%v", a.Key, a.Value)
		return true
	}
	for _, a := range h.attrs {
		add(a)
	}
	r.Attrs(add)
	h.n.Printf("%s", b.String())
	return nil
}

func (h *handler) WithAttrs(as []slog.Attr) slog.Handler {
	return &handler{n: h.n, attrs: append(h.attrs[:len(h.attrs):len(h.attrs)], as...)}
}

// WithGroup is not needed by the demos; groups are flattened.
func (h *handler) WithGroup(string) slog.Handler { return h }

// wrap breaks text into lines of at most w runes, keeping words whole and
// honouring the line breaks already in the text.
func wrap(text string, w int) string {
	var out []string
	for _, para := range strings.Split(text, "\n") {
		line := ""
		for _, word := range strings.Fields(para) {
			if line != "" && len([]rune(line))+1+len([]rune(word)) > w {
				out = append(out, line)
				line = word
				continue
			}
			if line != "" {
				line += " "
			}
			line += word
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}
