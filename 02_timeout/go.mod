module reliability/02_timeout

go 1.26.0

require (
	go.uber.org/goleak v1.3.0
	reliability/flaky v0.0.0
)

replace reliability/flaky => ../flaky
