module reliability/solutions

go 1.26

require reliability/01_retry v0.0.0

require github.com/cenkalti/backoff/v5 v5.0.3 // indirect

replace (
	reliability/01_retry => ../01_retry
	reliability/flaky => ../flaky
)
