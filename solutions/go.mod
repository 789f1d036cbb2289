module reliability/solutions

go 1.26.0

require (
	github.com/redis/go-redis/v9 v9.23.0
	reliability/01_retry v0.0.0
	reliability/03_circuit_breaker v0.0.0
	reliability/04_bulkhead v0.0.0
	reliability/05_rate_limit v0.0.0
	reliability/06_composed_mini v0.0.0
	reliability/flaky v0.0.0
)

require (
	github.com/bits-and-blooms/bitset v1.24.4 // indirect
	github.com/cenkalti/backoff/v5 v5.0.3 // indirect
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	github.com/failsafe-go/failsafe-go v0.9.8 // indirect
	github.com/sony/gobreaker/v2 v2.4.0 // indirect
	go.uber.org/atomic v1.12.0 // indirect
	golang.org/x/sync v0.23.0 // indirect
	golang.org/x/sys v0.48.0 // indirect
	golang.org/x/time v0.16.0 // indirect
	reliability/02_timeout v0.0.0 // indirect
)

replace (
	reliability/01_retry => ../01_retry
	reliability/02_timeout => ../02_timeout
	reliability/03_circuit_breaker => ../03_circuit_breaker
	reliability/04_bulkhead => ../04_bulkhead
	reliability/05_rate_limit => ../05_rate_limit
	reliability/06_composed_mini => ../06_composed_mini
	reliability/flaky => ../flaky
)
