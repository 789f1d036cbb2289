package ratelimit

import (
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
)

// Many goroutines at the same instant share exactly the burst: no token is
// handed out twice. (go test -race checks the locking as well.)
func TestConcurrentAllowNSharesTheBurst(t *testing.T) {
	for range 50 {
		lim := NewLimiter(1, 25)
		var admitted atomic.Int64
		var wg sync.WaitGroup
		for range 100 {
			wg.Go(func() {
				if lim.AllowN(t0, 1) {
					admitted.Add(1)
				}
				lim.TokensAt(t0)
			})
		}
		wg.Wait()
		assert.Equal(t, int64(25), admitted.Load())
	}
}

// The middleware's table, hit from many goroutines with new and known
// keys at once, admits each client's burst exactly once.
func TestConcurrentMiddlewareAdmitsEachBurstOnce(t *testing.T) {
	m, err := NewMiddleware(Config{Rate: 1, Burst: 3, MaxClients: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var admitted [10]atomic.Int64
	var wg sync.WaitGroup
	for g := range 40 {
		wg.Go(func() {
			for i := range 10 {
				key := string(rune('a' + (g+i)%10))
				if ok, _ := m.Allow(key, t0); ok {
					admitted[(g+i)%10].Add(1)
				}
			}
		})
	}
	wg.Wait()
	for i := range admitted {
		assert.Equal(t, int64(3), admitted[i].Load(), "client %c", 'a'+i)
	}
}
