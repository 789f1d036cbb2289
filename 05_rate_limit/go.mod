module reliability/05_rate_limit

go 1.26.0

require (
	go.uber.org/goleak v1.3.0
	golang.org/x/time v0.16.0
)

require (
	github.com/stretchr/testify v1.12.1
	go.yaml.in/yaml/v3 v3.0.5 // indirect
	reliability/flaky v0.0.0
)

replace reliability/flaky => ../flaky
