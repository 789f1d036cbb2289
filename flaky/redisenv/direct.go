package redisenv

import "github.com/redis/go-redis/v9"

// DirectOptions are Options that reach the server itself, not through the
// proxy: for benchmarks, where the proxy's extra hop would be counted as
// the store's cost. Stop, Stall and Resume do not affect such clients.
func (s *Server) DirectOptions() *redis.Options {
	o := s.Options()
	o.Addr = s.opts.Addr
	return o
}
