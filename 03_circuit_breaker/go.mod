module reliability/03_circuit_breaker

go 1.26.0

require (
	github.com/sony/gobreaker/v2 v2.4.0
	github.com/stretchr/testify v1.12.1
	go.uber.org/goleak v1.3.0
	reliability/flaky v0.0.0
)

require go.yaml.in/yaml/v3 v3.0.5 // indirect

replace reliability/flaky => ../flaky
