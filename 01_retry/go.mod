module reliability/01_retry

go 1.26.0

require (
	github.com/cenkalti/backoff/v5 v5.0.3
	github.com/stretchr/testify v1.12.1
	go.uber.org/goleak v1.3.0
)

require go.yaml.in/yaml/v3 v3.0.5 // indirect

require reliability/flaky v0.0.0

replace reliability/flaky => ../flaky
