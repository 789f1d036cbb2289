package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"reliability/05_rate_limit/ratelimit"
	"reliability/05_rate_limit/redislimit"
	"reliability/flaky/narrate"
	"reliability/flaky/redisenv"
)

// The -replicas demo's flags and its usage lines, kept beside the demo.
const replicasUsage = `  -replicas N  instead: N replicas (2 to 8) behind one load balancer, each
               with its own middleware; a limit per process, then one
               shared in Redis (embedded, or REDIS_URL), then the store
               stops mid-run. Reads only -seed, -step, -json and -svg
  -json        with -replicas: print the runs as JSON, no narration
`

// replicaFlags adds -replicas and -json to fs.
func replicaFlags(fs *flag.FlagSet, replicas *int, asJSON *bool) {
	fs.IntVar(replicas, "replicas", 0, "")
	fs.BoolVar(asJSON, "json", false, "")
}

// checkReplicaFlags rejects a flag the chosen mode would ignore.
func checkReplicaFlags(fs *flag.FlagSet, replicas int, asJSON, step bool) error {
	if replicas == 0 {
		if asJSON {
			return errors.New("-json goes with -replicas")
		}
		return nil
	}
	if replicas < 2 || replicas > 8 {
		return fmt.Errorf("-replicas is %d, want 2 to 8", replicas)
	}
	var bad []string
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "replicas", "json", "seed", "step", "svg":
		default:
			bad = append(bad, "-"+f.Name)
		}
	})
	if len(bad) > 0 {
		return fmt.Errorf("%s not used with -replicas", strings.Join(bad, ", "))
	}
	if asJSON && step {
		return errors.New("-step and -json do not go together")
	}
	return nil
}

// The -replicas scenario: one heavy client offers five times its limit,
// one light client stays under it, for runLength; the store stops at
// stopAt in the runs that show a failure policy.
const (
	limitPerS  = 10
	burst      = 2
	heavyPerS  = 40
	lightPerS  = 2
	runLength  = 8 * time.Second
	stopAt     = 4 * time.Second
	heavyAddr  = "203.0.113.10"
	lightAddr  = "203.0.113.20"
	storeCalls = 200 * time.Millisecond // the Guard's timeout
)

// replicaRun is one run's numbers, printed or encoded as JSON.
type replicaRun struct {
	Run          string  `json:"run"`
	Replicas     int     `json:"replicas"`
	LimitPerS    float64 `json:"limit_per_s"`
	OfferedPerS  float64 `json:"offered_per_s"`
	AdmittedPerS float64 `json:"admitted_per_s"`
	// Per second of the run, what the heavy client got admitted.
	PerSecond []int `json:"admitted_each_second"`
	// The store-down runs only.
	Policy          string   `json:"policy,omitempty"`
	StoreDownFromS  float64  `json:"store_down_from_s,omitempty"`
	AdmittedPerSUp  *float64 `json:"admitted_per_s_store_up,omitempty"`
	AdmittedPerSOut *float64 `json:"admitted_per_s_store_down,omitempty"`
	LightRefused    int      `json:"light_client_refused"`
	Unavailable     int      `json:"answered_503"`
	FailedOpen      int64    `json:"failed_open"`

	// When each of the heavy client's requests arrived, and when each
	// of those admitted did: what the figures draw.
	offeredAt, admittedAt []time.Duration
}

// request is one arrival at the load balancer.
type request struct {
	at   time.Duration
	addr string
}

// replicaTraffic draws both clients' requests from the seed: Poisson
// arrivals at heavyPerS and lightPerS.
func replicaTraffic(seed uint64) []request {
	rng := rand.New(rand.NewPCG(seed, 0x0503))
	var heavy, light []request
	for at := time.Duration(0); ; {
		at += time.Duration(rng.ExpFloat64() / heavyPerS * float64(time.Second))
		if at >= runLength {
			break
		}
		heavy = append(heavy, request{at.Truncate(time.Microsecond), heavyAddr})
	}
	for at := time.Duration(0); ; {
		at += time.Duration(rng.ExpFloat64() / lightPerS * float64(time.Second))
		if at >= runLength {
			break
		}
		light = append(light, request{at.Truncate(time.Microsecond), lightAddr})
	}
	// Merge by time; the heavy client first on a tie.
	out := make([]request, 0, len(heavy)+len(light))
	for len(heavy) > 0 || len(light) > 0 {
		if len(light) == 0 || (len(heavy) > 0 && heavy[0].at <= light[0].at) {
			out, heavy = append(out, heavy[0]), heavy[1:]
		} else {
			out, light = append(out, light[0]), light[1:]
		}
	}
	return out
}

// store is the Redis the shared runs use, and the clock they read. On the
// embedded server the demo moves the server's clock to each request's
// time, so TIME inside the script is the demo's time. A real server's
// clock cannot be moved: there the hand-rolled GCRA is given the demo's
// time (AllowAt), and the library twin, which only reads the server's
// clock, is left out.
type store struct {
	srv    *redisenv.Server
	client *redis.Client
	start  time.Time // the demo's time zero on the server's clock
}

func openStore() (*store, error) {
	srv, err := redisenv.Start()
	if err != nil {
		return nil, err
	}
	return &store{srv: srv, client: srv.Client(), start: srv.Now()}, nil
}

func (s *store) close() {
	s.client.Close()
	s.srv.Close()
}

// rebase makes the server's present the demo's time zero, for a new run.
func (s *store) rebase() { s.start = s.srv.Now() }

// moveTo sets the embedded server's clock to the demo's time at.
func (s *store) moveTo(at time.Duration) {
	if s.srv.Embedded() {
		if d := s.start.Add(at).Sub(s.srv.Now()); d > 0 {
			_ = s.srv.Advance(d)
		}
	}
}

// clocked adapts a GCRA to the demo's clock on a real server.
type clocked struct {
	g   *redislimit.GCRA
	now func() time.Time
}

func (c clocked) Allow(ctx context.Context, key string) (redislimit.Decision, error) {
	return c.g.AllowAt(ctx, key, c.now())
}

// runReplicas is the -replicas demo.
func runReplicas(seed uint64, replicas int, step, asJSON bool, svg string, stdout io.Writer) error {
	redis.SetLogger(quietRedis{}) // go-redis logs every refused dial itself
	st, err := openStore()
	if err != nil {
		return err
	}
	defer st.close()

	out := stdout
	if asJSON {
		out = io.Discard
	}
	n := narrate.New(out, step)
	reqs := replicaTraffic(seed)
	var runs []replicaRun
	limit := redislimit.PerSecond(limitPerS, burst)

	n.Phase("a limit in each process", fmt.Sprintf(
		"%d replicas sit behind a round-robin load balancer. Each runs lesson "+
			"05's middleware, which holds every client to %d requests per "+
			"second, bursts of %d. The heavy client offers %d per second, the "+
			"light one %d, for %v. Each replica sees one in %d of heavy's "+
			"requests and counts only those.",
		replicas, limitPerS, burst, heavyPerS, lightPerS, runLength, replicas))
	var now time.Duration
	clock := func() time.Time { return redisenv.Epoch.Add(now) }
	local, err := sendThrough(reqs, replicas, &now, func(*time.Duration) {}, func() (*ratelimit.Middleware, error) {
		return ratelimit.NewMiddleware(ratelimit.Config{Rate: limitPerS, Burst: burst,
			Key: ratelimit.RemoteIP, Now: clock})
	}, "per-process", -1, nil)
	if err != nil {
		return err
	}
	runs = append(runs, local)
	n.Printf("  heavy admitted: %.1f per second, %.2fx the limit of %d",
		local.AdmittedPerS, local.AdmittedPerS/limitPerS, limitPerS)

	clockNote := "the time taken from the server. Then the library twin, " +
		"go-redis/redis_rate, on the same store."
	if !st.srv.Embedded() {
		clockNote = "the time passed in by the demo, since a real server's " +
			"clock cannot be moved to replay the run."
	}
	n.Phase("one limit shared in Redis", fmt.Sprintf(
		"The same requests, the same replicas; now each middleware asks one "+
			"store (%s) with one Lua script per request: GCRA, one number "+
			"per client, %s", storeName(st.srv), clockNote))
	advance := func(at *time.Duration) { st.moveTo(*at) }
	// Every replica gets its own Guard, as separate processes would.
	var guards []*redislimit.Guard
	guarded := func(lim redislimit.Limiter, p redislimit.Policy, logger *slog.Logger) func() (*ratelimit.Middleware, error) {
		guards = nil
		return func() (*ratelimit.Middleware, error) {
			guard, err := redislimit.NewGuard(redislimit.GuardConfig{Limiter: lim, OnStoreDown: p,
				Timeout: storeCalls, Logger: logger})
			if err != nil {
				return nil, err
			}
			guards = append(guards, guard)
			return ratelimit.NewMiddleware(ratelimit.Config{Shared: guard, Key: ratelimit.RemoteIP})
		}
	}
	newGCRA := func(c *redis.Client, prefix string) (redislimit.Limiter, error) {
		st.rebase()
		g, err := redislimit.NewGCRA(c, st.srv.Key(prefix), limit)
		if err != nil || st.srv.Embedded() {
			return g, err
		}
		return clocked{g, clock}, nil
	}
	quietLog := slog.New(slog.DiscardHandler)
	gcra, err := newGCRA(st.client, "gcra:")
	if err != nil {
		return err
	}
	shared, err := sendThrough(reqs, replicas, &now, advance, guarded(gcra, redislimit.FailOpen, quietLog), "shared-gcra", -1, nil)
	if err != nil {
		return err
	}
	runs = append(runs, shared)
	n.Printf("  GCRA:       heavy admitted %.1f per second, %.2fx the limit",
		shared.AdmittedPerS, shared.AdmittedPerS/limitPerS)
	if st.srv.Embedded() {
		st.rebase()
		lib, err := redislimit.NewLibrary(st.client, st.srv.Key("lib:"), limit)
		if err != nil {
			return err
		}
		libRun, err := sendThrough(reqs, replicas, &now, advance, guarded(lib, redislimit.FailOpen, quietLog), "shared-redis_rate", -1, nil)
		if err != nil {
			return err
		}
		runs = append(runs, libRun)
		n.Printf("  redis_rate: heavy admitted %.1f per second, %.2fx the limit",
			libRun.AdmittedPerS, libRun.AdmittedPerS/limitPerS)
	} else {
		n.Printf("  redis_rate: left out; it reads only the server's clock, which")
		n.Printf("  a real server will not let the demo move")
	}

	for _, p := range []redislimit.Policy{redislimit.FailOpen, redislimit.FailClosed} {
		what := "admits every request and counts it"
		if p == redislimit.FailClosed {
			what = "refuses every request with 503 until the store is back"
		}
		n.Phase("the store stops: "+p.String(), fmt.Sprintf(
			"The shared limit again, and at %v the store goes away (its "+
				"connections cut, new ones refused). Every store call is "+
				"bounded by %v. The replicas were told what to do when "+
				"the store is down: %s, which %s. Each replica logs the "+
				"outage once.",
			stopAt, storeCalls, p, what))
		// A client of its own, with a pool larger than the dials that
		// will fail: after PoolSize failed dials go-redis answers from
		// its last error and probes the server in the background, once a
		// second, which would outlive the run.
		o := st.srv.Options()
		o.PoolSize = 1000
		c := redis.NewClient(o)
		lim, err := newGCRA(c, "down-"+p.String()+":")
		if err != nil {
			c.Close()
			return err
		}
		logger := slog.New(&demoLog{n: n, now: &now})
		r, err := sendThrough(reqs, replicas, &now, advance, guarded(lim, p, logger), "store-down-"+p.String(), stopAt, st.srv.Stop)
		st.srv.Resume()
		c.Close()
		if err != nil {
			return err
		}
		r.Policy = p.String()
		for _, g := range guards {
			r.FailedOpen += g.Stats().FailedOpen
		}
		runs = append(runs, r)
		n.Printf("  heavy admitted per second: %.1f with the store, %.1f without",
			*r.AdmittedPerSUp, *r.AdmittedPerSOut)
		n.Printf("  light refused: %d; answered 503: %d; admitted unlimited: %d",
			r.LightRefused, r.Unavailable, r.FailedOpen)
	}

	n.Phase("second by second", "What the heavy client got admitted in "+
		"each second of each run, all replicas together.")
	header := []string{"second"}
	for _, r := range runs {
		header = append(header, shortName(r.Run))
	}
	var rows [][]string
	for sec := range int(runLength / time.Second) {
		row := []string{fmt.Sprint(sec)}
		for _, r := range runs {
			row = append(row, fmt.Sprint(r.PerSecond[sec]))
		}
		rows = append(rows, row)
	}
	n.Table(header, rows)

	summary := [][2]string{{"store", st.srv.Name()}}
	for _, r := range runs {
		summary = append(summary, [2]string{r.Run, fmt.Sprintf("%.1f/s admitted (%.2fx)", r.AdmittedPerS, r.AdmittedPerS/limitPerS)})
	}
	n.Summary(summary)

	if svg != "" {
		if err := writeFigures(out, svg, replicaFigures(replicas, runs)); err != nil {
			return err
		}
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(runs)
	}
	return nil
}

// storeName names the store in a sentence.
func storeName(s *redisenv.Server) string {
	if s.Embedded() {
		return "an embedded Redis"
	}
	return "the Redis at " + s.Name()
}

// shortName fits a run's name in a table column.
func shortName(run string) string {
	switch run {
	case "per-process":
		return "per-proc"
	case "shared-gcra":
		return "GCRA"
	case "shared-redis_rate":
		return "redis_rate"
	case "store-down-fail-open":
		return "down:open"
	case "store-down-fail-closed":
		return "down:closed"
	}
	return run
}

// sendThrough sends reqs round-robin to replicas middlewares made by
// newMW, moving the clock (now, and advance for the store) to each
// request's time. With stop >= 0 the store stops at that time.
func sendThrough(reqs []request, replicas int, now *time.Duration, advance func(*time.Duration),
	newMW func() (*ratelimit.Middleware, error), name string, stop time.Duration, stopStore func()) (replicaRun, error) {
	var handlers []http.Handler
	for range replicas {
		m, err := newMW()
		if err != nil {
			return replicaRun{}, err
		}
		handlers = append(handlers, m.Wrap(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})))
	}
	r := replicaRun{Run: name, Replicas: replicas, LimitPerS: limitPerS,
		PerSecond: make([]int, int(runLength/time.Second))}
	var offered, admitted, admittedUp, admittedDown int
	stopped := false
	for i, q := range reqs {
		*now = q.at
		advance(now)
		if stop >= 0 && !stopped && q.at >= stop {
			stopStore()
			stopped = true
		}
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.RemoteAddr = q.addr + ":40000"
		rec := httptest.NewRecorder()
		handlers[i%replicas].ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusOK, http.StatusTooManyRequests, http.StatusServiceUnavailable:
		default:
			return r, fmt.Errorf("%s: unexpected status %d", name, rec.Code)
		}
		if rec.Code == http.StatusServiceUnavailable {
			r.Unavailable++
		}
		if q.addr == lightAddr {
			if rec.Code != http.StatusOK {
				r.LightRefused++
			}
			continue
		}
		offered++
		r.offeredAt = append(r.offeredAt, q.at)
		if rec.Code != http.StatusOK {
			continue
		}
		admitted++
		r.admittedAt = append(r.admittedAt, q.at)
		r.PerSecond[q.at/time.Second]++
		if q.at < stop {
			admittedUp++
		} else {
			admittedDown++
		}
	}
	secs := runLength.Seconds()
	r.OfferedPerS = round1(float64(offered) / secs)
	r.AdmittedPerS = round1(float64(admitted) / secs)
	if stop >= 0 {
		up := round1(float64(admittedUp) / stop.Seconds())
		down := round1(float64(admittedDown) / (runLength - stop).Seconds())
		r.StoreDownFromS, r.AdmittedPerSUp, r.AdmittedPerSOut = stop.Seconds(), &up, &down
	}
	return r, nil
}

func round1(f float64) float64 { return math.Round(f*10) / 10 }

// demoLog prints the Guard's log lines at the demo's time, without the
// store's error text, whose port numbers change from run to run.
type demoLog struct {
	n   *narrate.Narrator
	now *time.Duration
}

func (h *demoLog) Enabled(context.Context, slog.Level) bool { return true }

func (h *demoLog) Handle(_ context.Context, r slog.Record) error {
	var attrs []string
	r.Attrs(func(a slog.Attr) bool {
		if a.Key != "err" {
			attrs = append(attrs, a.Key+"="+a.Value.String())
		}
		return true
	})
	h.n.Printf("  %6.3fs  %s %s  %s", h.now.Seconds(), r.Level, r.Message, strings.Join(attrs, " "))
	return nil
}

func (h *demoLog) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *demoLog) WithGroup(string) slog.Handler      { return h }

type quietRedis struct{}

func (quietRedis) Printf(context.Context, string, ...any) {}
