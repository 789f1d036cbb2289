// The repository root is a module of its own, with no code, listed in
// go.work like the others: go doc looks packages up through the module
// it is run in, so this is what lets `go doc reliability/01_retry/retry`
// work from the root as it does from inside any lesson.
module reliability

go 1.26.0
