module reliability/04_bulkhead

go 1.26.0

require (
	github.com/stretchr/testify v1.12.1
	go.uber.org/goleak v1.3.0
	golang.org/x/sync v0.23.0
	reliability/flaky v0.0.0
)

require go.yaml.in/yaml/v3 v3.0.5 // indirect

replace reliability/flaky => ../flaky
