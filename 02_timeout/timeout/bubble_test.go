package timeout

import (
	"runtime"
	"slices"
	"strings"
)

// Inside a synctest bubble, goleak.Find is the wrong tool for "nothing is
// left": when it sees a goroutine it sleeps and looks again, and in a bubble
// that sleep moves the fake clock, so a goroutine that outlives the call by
// less than goleak's patience is never reported. The tests instead let the
// bubble settle with synctest.Wait, which moves no clock, and then list the
// bubble's goroutines.

// bubbleGoroutines returns the stacks of the goroutines in the caller's
// synctest bubble, keyed by their header line ("goroutine 7 [...]:" minus
// the status, which changes). It panics outside a bubble.
func bubbleGoroutines() map[string]string {
	buf := make([]byte, 1<<16)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	blocks := strings.Split(string(buf), "\n\n")
	// The first block is the caller's own goroutine; its header names the
	// bubble, as in "goroutine 21 [running, synctest bubble 1]:".
	self, _, _ := strings.Cut(blocks[0], "\n")
	_, bubble, ok := strings.Cut(self, ", synctest bubble ")
	if !ok {
		panic("bubbleGoroutines called outside a synctest bubble")
	}
	stacks := make(map[string]string)
	for _, b := range blocks {
		header, _, _ := strings.Cut(b, "\n")
		if !strings.HasSuffix(header, ", synctest bubble "+bubble) {
			continue
		}
		id, _, _ := strings.Cut(header, " [")
		stacks[id] = b
	}
	return stacks
}

// newGoroutines returns the stacks of the goroutines in the caller's bubble
// that are not in before, sorted. Call synctest.Wait first, so that
// goroutines that were about to exit have done so.
func newGoroutines(before map[string]string) []string {
	var extra []string
	for id, stack := range bubbleGoroutines() {
		if _, ok := before[id]; !ok {
			extra = append(extra, stack)
		}
	}
	slices.Sort(extra)
	return extra
}
