package sharedbreaker

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"reliability/flaky/redisenv"
)

func TestStoreLockIsExclusiveAndOwned(t *testing.T) {
	srv := redisenv.New(t)
	a := NewRedisStore(patientClient(t, srv), srv.Key("store")+":", time.Minute)
	b := NewRedisStore(patientClient(t, srv), srv.Key("store")+":", time.Minute)

	require.NoError(t, a.Lock("m"))
	assert.ErrorIs(t, b.Lock("m"), ErrLocked, "a held lock must refuse a second holder")
	assert.ErrorIs(t, b.Unlock("m"), ErrNotLockOwner, "a store must not release a lock it does not hold")
	require.NoError(t, a.Unlock("m"))
	require.NoError(t, b.Lock("m"), "a released lock must be free")
	require.NoError(t, b.Unlock("m"))
}

func TestStoreLockExpiresAndTheLateHolderDeletesNothing(t *testing.T) {
	srv := redisenv.New(t)
	if !srv.Embedded() {
		t.Skip("needs the embedded server's clock to let the lock expire")
	}
	a := NewRedisStore(patientClient(t, srv), srv.Key("expiry")+":", time.Second)
	b := NewRedisStore(patientClient(t, srv), srv.Key("expiry")+":", time.Second)

	require.NoError(t, a.Lock("m"))
	require.NoError(t, srv.Advance(time.Second))
	// a's holder crashed, or its work outlived the lock: the lock expires
	// and b takes it.
	require.NoError(t, b.Lock("m"), "an expired lock must be free")
	assert.ErrorIs(t, a.Unlock("m"), ErrNotLockOwner, "the late holder must learn that its lock expired")
	assert.ErrorIs(t, a.Lock("m"), ErrLocked, "the late holder's unlock must not have deleted b's lock")
	require.NoError(t, b.Unlock("m"))
}

func TestStoreDataRoundTrips(t *testing.T) {
	srv := redisenv.New(t)
	s := NewRedisStore(patientClient(t, srv), srv.Key("data")+":", 0)
	got, err := s.GetData("state")
	require.NoError(t, err)
	assert.Nil(t, got, "no data yet must read as nil, which gobreaker takes for 'no shared state'")
	require.NoError(t, s.SetData("state", []byte(`{"state":2}`)))
	got, err = s.GetData("state")
	require.NoError(t, err)
	assert.Equal(t, `{"state":2}`, string(got))
}
