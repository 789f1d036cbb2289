module reliability/04_bulkhead

go 1.26.0

require (
	go.uber.org/goleak v1.3.0
	golang.org/x/sync v0.23.0
)

require github.com/stretchr/testify v1.12.1 // indirect

replace reliability/flaky => ../flaky
