package main

// The -replicas mode: several replicas of one service call one dependency
// through an outage, first each with a breaker of its own, then all through
// one breaker shared in Redis (package sharedbreaker). It runs on the
// embedded Redis server, whose clock only the demo moves, so a seed replays
// the run exactly and a run takes milliseconds of real time.

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"reliability/03_circuit_breaker/breaker"
	"reliability/03_circuit_breaker/sharedbreaker"
	"reliability/flaky/narrate"
	"reliability/flaky/redisenv"
)

// maxReplicaCalls keeps a replica's timeline within 80 columns.
const (
	maxReplicas     = 5
	maxReplicaCalls = 60
	randomFailures  = 0.05
)

var errServiceDown = errors.New("service down")

// replicaScenario is one replayable -replicas run.
type replicaScenario struct {
	seed     uint64
	replicas int
	calls    int // per replica, one per beat
	outage   time.Duration
	timeout  time.Duration
	svg      string // the directory to draw the figures in; empty for none
}

// replicaRun is what one run did.
type replicaRun struct {
	Run         string `json:"run"`
	Replicas    int    `json:"replicas"`
	Calls       int    `json:"calls"`        // calls the replicas were asked to make
	Reached     int    `json:"reached"`      // calls that reached the service
	OutageCalls int    `json:"outage_calls"` // of those, calls while it was down
	Refused     int    `json:"refused"`      // calls a breaker answered at once
	Opened      int    `json:"opened"`       // times a breaker opened
	FirstOpen   string `json:"first_open"`   // when the first breaker opened

	timelines []string
	reachedAt []time.Duration // when each call reached the service
	changes   []stateChange   // the breakers' changes of state, in order
}

// stateChange is a breaker turning to state at instant at.
type stateChange struct {
	at time.Duration
	to breaker.State
}

// event is one call: replica r's call number i, at instant at.
type event struct {
	at   time.Duration
	r, i int
}

// schedule draws when each call comes: in beat i, at a random instant of
// its own, so the replicas' calls interleave differently for every seed.
func (s replicaScenario) schedule() []event {
	rng := rand.New(rand.NewPCG(s.seed, 3))
	var evs []event
	for i := range s.calls {
		for r := range s.replicas {
			jitter := time.Duration(rng.IntN(int(beat/time.Millisecond))) * time.Millisecond
			evs = append(evs, event{at: time.Duration(i)*beat + jitter, r: r, i: i})
		}
	}
	slices.SortStableFunc(evs, func(a, b event) int { return int(a.at - b.at) })
	return evs
}

// run replays the schedule once. shared says whether the replicas share one
// breaker (one key in Redis) or each have their own (a key each).
func (s replicaScenario) run(name string, shared bool) (replicaRun, error) {
	srv, err := redisenv.StartEmbedded()
	if err != nil {
		return replicaRun{}, err
	}
	defer srv.Close()

	out := replicaRun{Run: name, Replicas: s.replicas, Calls: s.replicas * s.calls}
	var opened []time.Duration
	var now time.Duration // the embedded server's clock, since the run began
	settings := sharedbreaker.Settings{
		Name:                   "service",
		MaxConsecutiveFailures: tripAfter - 1,
		MaxRequests:            trials,
		Timeout:                s.timeout,
		OnStateChange: func(_ string, _, to breaker.State) {
			out.changes = append(out.changes, stateChange{now, to})
			if to == breaker.StateOpen {
				opened = append(opened, now)
			}
		},
	}
	replicas := make([]*sharedbreaker.Breaker, s.replicas)
	// The store is in this process and never fails here, so a slow answer
	// only means a busy machine: wait for it rather than fall back, which
	// would change the run.
	opts := srv.Options()
	opts.ReadTimeout, opts.WriteTimeout = 5*time.Second, 5*time.Second
	for r := range replicas {
		c := redis.NewClient(opts)
		defer c.Close()
		key := "breaker:service"
		if !shared {
			key = fmt.Sprintf("breaker:service:replica-%d", r+1)
		}
		replicas[r] = sharedbreaker.New(c, srv.Key(key), settings)
	}

	marks := make([][]byte, s.replicas)
	for r := range marks {
		marks[r] = []byte(strings.Repeat(" ", s.calls))
	}
	rng := rand.New(rand.NewPCG(s.seed, 5))
	ctx := context.Background()
	for _, ev := range s.schedule() {
		if err := srv.Advance(ev.at - now); err != nil {
			return out, err
		}
		now = ev.at
		err := replicas[ev.r].Execute(ctx, func() error {
			out.Reached++
			out.reachedAt = append(out.reachedAt, now)
			if now >= outageStart && now < outageStart+s.outage {
				out.OutageCalls++
				return errServiceDown
			}
			if rng.Float64() < randomFailures {
				return errServiceDown
			}
			return nil
		})
		mark := byte('.')
		switch {
		case errors.Is(err, breaker.ErrOpenState), errors.Is(err, breaker.ErrTooManyRequests):
			mark = '-'
			out.Refused++
		case err != nil:
			mark = 'x'
		}
		marks[ev.r][ev.i] = mark
	}
	for r, b := range replicas {
		if fb := b.Stats().Fallback; fb > 0 {
			return out, fmt.Errorf("replica %d: %d calls fell back to the local breaker", r+1, fb)
		}
	}
	out.Opened = len(opened)
	out.FirstOpen = "never"
	if len(opened) > 0 {
		out.FirstOpen = opened[0].String()
	}
	for r := range marks {
		out.timelines = append(out.timelines, fmt.Sprintf("replica %-3d %s", r+1, marks[r]))
	}
	return out, nil
}

// axis is the time scale above the timelines: a mark every second.
func axis(calls int) string {
	var b strings.Builder
	b.WriteString(strings.Repeat(" ", 12))
	perSecond := int(time.Second / beat)
	for i := 0; i < calls; i += perSecond {
		label := fmt.Sprintf("%ds", i/perSecond)
		b.WriteString(label)
		if i+perSecond < calls {
			b.WriteString(strings.Repeat(" ", perSecond-len(label)))
		}
	}
	return b.String()
}

// runReplicas is the -replicas mode.
func runReplicas(s replicaScenario, asJSON, step bool, stdout, stderr io.Writer) int {
	perReplica, err := s.run("per-replica", false)
	if err == nil {
		var shared replicaRun
		shared, err = s.run("shared", true)
		if err == nil && s.svg != "" {
			err = writeFigures(stderr, s.svg, s, perReplica, shared)
		}
		if err == nil {
			if asJSON {
				enc := json.NewEncoder(stdout)
				enc.SetIndent("", "  ")
				if err := enc.Encode([]replicaRun{perReplica, shared}); err != nil {
					fmt.Fprintf(stderr, "03_circuit_breaker: %v\n", err)
					return 1
				}
				return 0
			}
			printReplicas(narrate.New(stdout, step), s, perReplica, shared)
			return 0
		}
	}
	fmt.Fprintf(stderr, "03_circuit_breaker: %v\n", err)
	return 1
}

func printReplicas(n *narrate.Narrator, s replicaScenario, perReplica, shared replicaRun) {
	intro := fmt.Sprintf(
		"%d replicas of one service each make %d %s, one every %v at a random "+
			"instant of the beat, to one dependency. %s It fails %.0f%% of calls "+
			"at random when it is up. Every breaker opens after %d "+
			"failures in a row, stays open %v, then lets %d trial calls through. "+
			"The breakers live in an embedded Redis whose clock the demo moves, so "+
			"seed %d replays this run exactly.",
		s.replicas, s.calls, plural(s.calls, "call", "calls"), beat,
		outageText(scenario{calls: s.calls, outageStart: outageStart, outage: s.outage}),
		randomFailures*100, tripAfter, s.timeout, trials, s.seed)
	legend := "  . success   x failed at the service   - refused by the breaker"

	n.Phase("a breaker per replica", intro+" First, each replica has a breaker of its own "+
		"(a key of its own in Redis): each must see its own failures before it opens, "+
		"and each sends its own trial calls.")
	printReplicaRun(n, s, perReplica, legend)

	n.Phase("one shared breaker", "The same calls, but every replica uses one breaker "+
		"(one key in Redis, changed by one Lua script at a time): the first failures "+
		"trip it for all, and one replica's trial calls speak for all.")
	printReplicaRun(n, s, shared, legend)

	n.Phase("side by side", "\"outage calls\" reached the dependency while it was down.")
	row := func(r replicaRun) []string {
		return []string{r.Run, fmt.Sprint(r.Replicas), fmt.Sprint(r.OutageCalls),
			fmt.Sprint(r.Refused), fmt.Sprint(r.Opened), r.FirstOpen}
	}
	n.Table([]string{"run", "replicas", "outage calls", "refused", "opened", "first open"},
		[][]string{row(perReplica), row(shared)})
	n.Summary([][2]string{
		{"outage calls", fmt.Sprintf("%d with a breaker per replica, %d shared",
			perReplica.OutageCalls, shared.OutageCalls)},
		{"replay", fmt.Sprintf("exact: go run ./03_circuit_breaker -replicas %d -seed %d",
			s.replicas, s.seed)},
	})
}

func printReplicaRun(n *narrate.Narrator, s replicaScenario, r replicaRun, legend string) {
	n.Printf("%s", axis(s.calls))
	for _, line := range r.timelines {
		n.Printf("%s", line)
	}
	n.Printf("%s", legend)
	n.Printf("\n  Of %[2]d calls, %[1]d reached the service while it was down and %[3]d were\n  refused at once.",
		r.OutageCalls, r.Calls, r.Refused)
}

// validateReplicas checks the flags of the -replicas mode.
func validateReplicas(fs *flag.FlagSet, replicas, calls int, asJSON, step bool) error {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	switch {
	case set["replicas"] && (replicas < 2 || replicas > maxReplicas):
		return fmt.Errorf("-replicas is %d, want 2 to %d", replicas, maxReplicas)
	case !set["replicas"] && asJSON:
		return errors.New("-json needs -replicas: only the replicas mode prints JSON")
	case !set["replicas"]:
		return nil
	case calls > maxReplicaCalls:
		return fmt.Errorf("-calls is %d, want at most %d with -replicas (one column a call)", calls, maxReplicaCalls)
	case asJSON && step:
		return errors.New("-json and -step do not go together: JSON has no phases to pause at")
	}
	return nil
}
