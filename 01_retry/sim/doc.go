// Package sim replays the experiment behind Marc Brooker's article
// "Exponential Backoff And Jitter" (AWS Architecture Blog, March 2015,
// https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/),
// whose simulator is published as github.com/aws-samples/aws-arch-backoff-simulator.
// It answers one question with numbers: when many clients fight over one
// resource and retry, how much does the way they wait matter?
//
// # The experiment
//
// N clients each want to update the same row once, using optimistic
// concurrency control. An attempt is a read-modify-write: the client reads
// the row's version, then sends a write that only succeeds if the version
// is still the one it read. If another client's write was committed between
// this client's read and its write — the two attempts overlapped — the write
// is rejected and the client backs off and starts a new attempt with a fresh
// read. Every message (read, read reply, write, write reply) spends a random
// time on the network: the absolute value of a normal variable, 10 ms mean
// and 2 ms standard deviation by default.
//
// Five ways of waiting after a rejected write are compared; see Strategies.
// All of them except "no backoff" take their delays from retry.Policy.Delay
// in reliability/01_retry/retry, the code the lesson teaches, with a 5 ms
// base, a 2 s cap and a multiplier of 2 as in the article.
//
// Two details differ from the article's simulator, on purpose. There the
// first retry already waits up to 2·base (it raises 2 to the number of
// failures so far), while retry.Policy.Delay starts at base; so full and
// equal jitter make about 10% more calls here (the first retries of all N
// clients are squeezed into 5 ms instead of 10 ms). And its decorrelated
// jitter caps the draw, min(cap, random in [base, 3·previous]), where
// this lesson caps the range; at 100 clients that leaves the calls as they
// were and finishes about 0.3 s sooner (4.3 s against 4.6 s with the
// article's formula, seed 4). The comparison between strategies is
// unchanged.
//
// Two numbers are reported for each strategy and N: the total number of
// writes the server received (the work contention costs the resource), and
// the completion time, when the last client received its successful reply
// (what contention costs the clients).
//
// # Why a discrete-event simulation
//
// Nothing here sleeps or starts a goroutine. Each run keeps a priority
// queue of future events ordered by virtual time and processes them one by
// one, so a run that covers a minute of virtual time takes a millisecond of
// real time, and a given seed always produces the same numbers. Each point
// is the mean of several runs with different random streams, because a
// single run of a contended system is noisy.
//
// # What to expect
//
// Exponential backoff without jitter is the clear loser: the clients that
// collided wait exactly as long as each other and collide again, one round
// after another, each round lasting longer. Adding randomness spreads the
// retries out. Full and equal jitter make the fewest calls; decorrelated
// jitter makes a few more but finishes about as soon as full jitter. Not
// backing off at all finishes first here, because nothing else competes for
// the server, but sends the most calls: in a real system that load is what
// keeps an overloaded dependency down. (In this model a rejected write
// costs the server nothing but a version check, so the extra load never
// slows anyone down; a real server pays for every call.)
package sim
