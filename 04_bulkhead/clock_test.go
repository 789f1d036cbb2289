package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestParseHeader(t *testing.T) {
	for _, c := range []struct {
		line   string
		id     int64
		status string
	}{
		{"goroutine 42 [select]:", 42, "select"},
		{"goroutine 7 [select (durable), synctest bubble 1]:", 7, "select (durable), synctest bubble 1"},
		{"goroutine 9 gp=0xc000003c00 m=nil [select, 2 minutes]:", 9, "select, 2 minutes"},
		{"goroutine 1 [running]:", 1, "running"},
	} {
		id, status, ok := parseHeader(c.line)
		assert.True(t, ok, c.line)
		assert.Equal(t, c.id, id, c.line)
		assert.Equal(t, c.status, status, c.line)
	}
	for _, line := range []string{"", "main.main()", "goroutine x [select]:", "goroutine 5 select"} {
		_, _, ok := parseHeader(line)
		assert.False(t, ok, "%q is no goroutine header", line)
	}
}

func TestAllParked(t *testing.T) {
	dump := func(headers ...string) []byte {
		var b []byte
		for i, h := range headers {
			if i > 0 {
				b = append(b, "\n\n"...)
			}
			b = append(b, h+"\nmain.f(...)\n\t/x.go:1 +0x1"...)
		}
		return b
	}
	ids := map[int64]bool{7: true, 8: true}
	assert.True(t, allParked(dump("goroutine 1 [running]:", "goroutine 7 [select]:", "goroutine 8 [select (durable), synctest bubble 1]:"), ids),
		"the others' goroutines do not count")
	assert.True(t, allParked(dump("goroutine 7 [select, 3 minutes]:", "goroutine 8 [select (scan)]:"), ids))
	for _, second := range []string{"goroutine 8 [runnable]:", "goroutine 8 [running]:", "goroutine 8 [sync.Mutex.Lock]:", "goroutine 8 [selectfoo]:"} {
		assert.False(t, allParked(dump("goroutine 7 [select]:", second), ids), "%s is not parked", second)
	}
	assert.False(t, allParked(dump("goroutine 7 [select]:"), ids), "a goroutine missing from the dump is not known to be parked")
}

func TestGoroutineID(t *testing.T) {
	ids := make(chan int64, 2)
	go func() { ids <- goroutineID() }()
	go func() { ids <- goroutineID() }()
	a, b := <-ids, <-ids
	assert.NotEqual(t, a, b)
	assert.Positive(t, a)
}
