module reliability/06_composed_mini

go 1.26.0

require (
	github.com/failsafe-go/failsafe-go v0.9.8
	github.com/stretchr/testify v1.12.1
	go.uber.org/goleak v1.3.0
	reliability/01_retry v0.0.0
	reliability/02_timeout v0.0.0
	reliability/03_circuit_breaker v0.0.0
	reliability/04_bulkhead v0.0.0
	reliability/flaky v0.0.0
)

require (
	github.com/bits-and-blooms/bitset v1.24.4 // indirect
	github.com/cenkalti/backoff/v5 v5.0.3 // indirect
	github.com/sony/gobreaker/v2 v2.4.0 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
	golang.org/x/sync v0.23.0 // indirect
)

replace (
	reliability/01_retry => ../01_retry
	reliability/02_timeout => ../02_timeout
	reliability/03_circuit_breaker => ../03_circuit_breaker
	reliability/04_bulkhead => ../04_bulkhead
	reliability/flaky => ../flaky
)
