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
	codeberg.org/go-fonts/liberation v0.5.0 // indirect
	codeberg.org/go-latex/latex v0.2.0 // indirect
	codeberg.org/go-pdf/fpdf v0.11.1 // indirect
	git.sr.ht/~sbinet/gg v0.7.0 // indirect
	github.com/ajstarks/svgo v0.0.0-20211024235047-1546f124cd8b // indirect
	github.com/bits-and-blooms/bitset v1.24.4 // indirect
	github.com/cenkalti/backoff/v5 v5.0.3 // indirect
	github.com/golang/freetype v0.0.0-20170609003504-e2365dfdc4a0 // indirect
	github.com/sony/gobreaker/v2 v2.4.0 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
	golang.org/x/image v0.30.0 // indirect
	golang.org/x/sync v0.23.0 // indirect
	golang.org/x/text v0.28.0 // indirect
	gonum.org/v1/plot v0.17.0 // indirect
)

replace (
	reliability/01_retry => ../01_retry
	reliability/02_timeout => ../02_timeout
	reliability/03_circuit_breaker => ../03_circuit_breaker
	reliability/04_bulkhead => ../04_bulkhead
	reliability/flaky => ../flaky
)
