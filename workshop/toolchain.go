package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"runtime"
	"sort"
	"strings"
	"sync/atomic"
)

// toolchain is what the runner knows about the go command it drives.
type toolchain struct {
	// env holds the go env values that can change a test's outcome; they
	// are part of every cache key.
	env  map[string]string
	race atomic.Bool // go test gets -race
}

// goEnvKeys are the settings that can change what a test run reports.
var goEnvKeys = []string{"GOVERSION", "GOOS", "GOARCH", "CGO_ENABLED", "CC", "GOFLAGS", "GOEXPERIMENT", "GOAMD64", "GOARM64"}

// toolchain probes the go command once per invocation (about 20 ms) and
// decides whether tests run with -race.
func (a *app) toolchain(ctx context.Context) (*toolchain, error) {
	a.mu.Lock()
	tc := a.tool
	a.mu.Unlock()
	if tc != nil {
		return tc, nil
	}
	out, err := exec.CommandContext(ctx, a.goCmd, append([]string{"env", "-json"}, goEnvKeys...)...).Output()
	if err != nil {
		return nil, fmt.Errorf("the go command does not run (%v); is Go installed and on your PATH?", err)
	}
	tc = &toolchain{env: map[string]string{}}
	if err := json.Unmarshal(out, &tc.env); err != nil {
		return nil, fmt.Errorf("reading go env: %v", err)
	}
	tc.race.Store(a.raceWanted(tc.env))
	a.mu.Lock()
	a.tool = tc
	a.mu.Unlock()
	return tc, nil
}

// raceWanted decides on -race. The race detector needs cgo, and cgo a C
// compiler; without one the go command quietly sets CGO_ENABLED=0 and
// every -race build fails, so the runner says once why it goes without.
func (a *app) raceWanted(env map[string]string) bool {
	switch strings.ToLower(a.race) {
	case "off", "0", "false", "no":
		a.note("tests run without -race (WORKSHOP_RACE=%s)", a.race)
		return false
	case "on", "1", "true", "yes":
		return true
	}
	if env["CGO_ENABLED"] == "1" {
		if cc := strings.Fields(env["CC"]); len(cc) > 0 {
			if _, err := exec.LookPath(cc[0]); err == nil {
				return true
			}
		}
	}
	a.note("tests run without -race: the race detector needs cgo and a C compiler (%s)", installCC())
	return false
}

// noRace turns -race off after a run showed it cannot work here, for
// instance on a platform the race detector does not support.
func (a *app) noRace(tc *toolchain, why string) {
	tc.race.Store(false)
	a.note("tests run without -race: %s", why)
}

func installCC() string {
	if runtime.GOOS == "windows" {
		return "install a mingw-w64 gcc and put it on PATH"
	}
	return "install gcc or clang"
}

// fingerprint is the toolchain's part of a cache key.
func (tc *toolchain) fingerprint() string {
	keys := make([]string, 0, len(tc.env))
	for k := range tc.env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s=%q\n", k, tc.env[k])
	}
	fmt.Fprintf(&b, "race=%v\n", tc.race.Load())
	return b.String()
}
