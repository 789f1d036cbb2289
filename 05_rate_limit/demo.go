package main

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"reliability/05_rate_limit/ratelimit"
	"reliability/flaky/narrate"
)

// The flood phase's size: made-up addresses, and the table's limit.
const (
	floodKeys       = 100_000
	floodMaxClients = 5_000
)

func demo(n *narrate.Narrator, s scenario) error {
	arrivals := traffic(s.seed, s.length, s.rate, s.burst)
	sent := [3]int{}
	for _, a := range arrivals {
		sent[a.client]++
	}

	n.Phase("one bucket per client, hand-rolled", fmt.Sprintf(
		"Three clients call a server behind a proxy it trusts, so each is keyed "+
			"by the X-Forwarded-For entry the proxy appended. Each may make %s "+
			"requests per second with bursts of %d. Over %v: steady sends %d "+
			"requests, one every %v; bursty sends %d at once, twice; noisy sends %d "+
			"at random, each with a forged X-Forwarded-For entry, which gains it "+
			"nothing. Over its limit a client gets 429 and a Retry-After: the "+
			"whole seconds until its bucket holds a token again.",
		num(s.rate), s.burst, s.length, sent[steady], secs(1.5/s.rate), s.burst+2, sent[noisy]))
	hand, err := s.perClient(ratelimit.Handrolled)
	if err != nil {
		return err
	}
	printTimeline(n, hand)
	admitted := 0
	for _, c := range hand.total {
		admitted += c.ok
	}
	n.Printf("  the service received %d requests; %d were admitted", hand.serviceCalls, admitted)

	n.Phase("library twin: x/time/rate", "The same middleware and the same "+
		"requests at the same times, with buckets from golang.org/x/time/rate.")
	lib, err := s.perClient(ratelimit.Library)
	if err != nil {
		return err
	}
	var rows [][]string
	for c, name := range clientNames {
		rows = append(rows, []string{name, okRefused(hand.total[c]), okRefused(lib.total[c])})
	}
	n.Table([]string{"client", "hand-rolled", "x/time/rate"}, rows)
	same := reflect.DeepEqual(hand, lib)
	n.Printf("\n  every second's counts and Retry-After values equal: %s", yesNo(same))

	n.Phase("the version you will find online: one bucket for all", fmt.Sprintf(
		"The same requests through the middleware most blog posts show: one "+
			"bucket shared by every client. It gets the three clients' allowances "+
			"together, %s per second with bursts of %d. The noisy client spends "+
			"what everyone shares, and the 429s say nothing about when to come back.",
		num(3*s.rate), 3*s.burst))
	online, err := s.oneForAll()
	if err != nil {
		return err
	}
	printTimeline(n, online)
	n.Printf("  refused, one for all vs per client:")
	for c, name := range clientNames {
		n.Printf("    %-7s %d vs %d of %d", name, online.total[c].refused, hand.total[c].refused, sent[c])
	}
	n.Printf("  429s without a Retry-After: %d (per client: %d)", online.withoutRA, hand.withoutRA)

	n.Phase("a flood of made-up addresses", fmt.Sprintf(
		"An attacker with a block of IPv6 addresses sends %s requests "+
			"within one second, each from a new /64 (the middleware keys IPv6 "+
			"by its /64: a /32 holds 4 billion of them), while noisy keeps "+
			"knocking every 10ms. The middleware keeps at most %s clients and "+
			"never forgets one still limited: a new client takes the place of "+
			"one whose bucket is full again, or shares one overflow bucket "+
			"with every client it has no room for.",
		thousands(floodKeys), thousands(floodMaxClients)))
	fl, err := s.flood(floodKeys, floodMaxClients)
	if err != nil {
		return err
	}
	alone, err := s.flood(0, floodMaxClients)
	if err != nil {
		return err
	}
	n.Printf("  most clients held at once:   %s (limit %s)", thousands(fl.mostHeld), thousands(fl.maxClients))
	n.Printf("  evicted to make room:        %s", thousands(fl.evicted))
	n.Printf("  sent to the overflow bucket: %s", thousands(fl.overflowed))
	n.Printf("  flood admitted:              %s of %s", thousands(fl.floodAdmitted), thousands(fl.keys))
	n.Printf("  noisy admitted:              %d of %d (without the flood: %d)",
		fl.noisyAdmitted, fl.noisyRequests, alone.noisyAdmitted)
	n.Printf("  after everyone fell quiet:   %s held, %s forgotten as idle",
		thousands(fl.heldAfterQuiet), thousands(fl.forgottenOnReturn))

	total := func(r result) string {
		ok, refused := 0, 0
		for _, c := range r.total {
			ok, refused = ok+c.ok, refused+c.refused
		}
		return fmt.Sprintf("%d admitted, %d refused", ok, refused)
	}
	n.Summary([][2]string{
		{"requests", fmt.Sprintf("%d over %v (seed %d)", len(arrivals), s.length, s.seed)},
		{"per client, hand-rolled", total(hand)},
		{"per client, x/time/rate", total(lib)},
		{"same counts, second by second", yesNo(same)},
		{"one for all: steady refused", fmt.Sprintf("%d of %d (per client: %d)",
			online.total[steady].refused, sent[steady], hand.total[steady].refused)},
		{"flood: most clients held", fmt.Sprintf("%s of %s addresses",
			thousands(fl.mostHeld), thousands(floodKeys+1))},
	})
	return nil
}

// printTimeline prints one row per second: each client's admitted/refused
// counts and the Retry-After values sent.
func printTimeline(n *narrate.Narrator, r result) {
	var rows [][]string
	for sec, cells := range r.perSecond {
		row := []string{strconv.Itoa(sec)}
		var ra []int
		for _, c := range cells {
			row = append(row, okRefused(c))
			ra = append(ra, c.retryAfter...)
		}
		row = append(row, retryAfters(ra, cells))
		rows = append(rows, row)
	}
	totals := []string{"all"}
	for _, c := range r.total {
		totals = append(totals, okRefused(c))
	}
	rows = append(rows, append(totals, ""))
	n.Table([]string{"second", "steady", "bursty", "noisy", "Retry-After (s)"}, rows)
	n.Printf("  cells: admitted/refused with 429; Retry-After: the values sent")
}

func okRefused(c cell) string { return fmt.Sprintf("%d/%d", c.ok, c.refused) }

// retryAfters lists the distinct values in ra, or says that 429s were
// sent without one.
func retryAfters(ra []int, cells [3]cell) string {
	refused := 0
	for _, c := range cells {
		refused += c.refused
	}
	if len(ra) == 0 {
		if refused > 0 {
			return "none sent"
		}
		return ""
	}
	seen := map[int]bool{}
	var out []string
	for _, v := range ra {
		if !seen[v] {
			seen[v] = true
			out = append(out, strconv.Itoa(v))
		}
	}
	return strings.Join(sortedInts(out), " ")
}

func sortedInts(s []string) []string {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0; j-- {
			a, _ := strconv.Atoi(s[j-1])
			b, _ := strconv.Atoi(s[j])
			if a <= b {
				break
			}
			s[j-1], s[j] = s[j], s[j-1]
		}
	}
	return s
}

// num formats a rate without trailing zeros.
func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// secs formats a number of seconds as a duration, to the millisecond.
func secs(s float64) time.Duration {
	return time.Duration(s * float64(time.Second)).Round(time.Millisecond)
}

// thousands formats n with commas: 100000 is "100,000".
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
