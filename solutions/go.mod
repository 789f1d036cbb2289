module reliability/solutions

go 1.26

require (
	reliability/01_retry v0.0.0
	reliability/03_circuit_breaker v0.0.0
)

require (
	github.com/cenkalti/backoff/v5 v5.0.3 // indirect
	github.com/sony/gobreaker/v2 v2.4.0 // indirect
)

replace (
	reliability/01_retry => ../01_retry
	reliability/03_circuit_breaker => ../03_circuit_breaker
	reliability/flaky => ../flaky
)
