package sharedbreaker

import "github.com/redis/go-redis/v9"

// stepScript is the whole breaker on the server's side: it loads the
// breaker from one hash, moves it on by the server's clock, applies one
// operation and saves it. Redis runs a script alone, start to finish, so
// two replicas can never both take the last half-open trial slot or both
// read the counts before either writes them back.
//
// The clock is the server's TIME, in microseconds, unless ARGV[1] gives
// one (the package's tests do, to replay a trace on a real server). Every
// replica therefore judges "has the Timeout passed?" by the same clock,
// however far their own clocks have drifted.
//
// Numbers are written back with %.0f: Lua's default formatting would turn
// a microsecond timestamp into 1.767e+15 and lose it.
//
//	KEYS[1]  the breaker's hash
//	ARGV[1]  now in microseconds, or -1 for the server's TIME
//	ARGV[2]  Interval in microseconds (0: never clear while closed)
//	ARGV[3]  Timeout in microseconds
//	ARGV[4]  MaxRequests
//	ARGV[5]  MaxConsecutiveFailures
//	ARGV[6]  the key's idle lifetime in milliseconds
//	ARGV[7]  operation: "peek", "admit" or "record"
//	ARGV[8]  record: the generation that admitted the call
//	ARGV[9]  record: "s" success, "f" failure, "x" excluded
//
// It returns {verdict, generation, state, from, requests, successes,
// failures, exclusions, consecutive successes, consecutive failures}:
// verdict is 0 (admitted or recorded), 1 (refused: open), 2 (refused: no
// trial slot left), 3 (recorded nothing: an older generation's result);
// from is the state this step left, or -1 if the state did not change.
var stepScript = redis.NewScript(`
local key = KEYS[1]
local now = tonumber(ARGV[1])
if now < 0 then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000000 + tonumber(t[2])
end
local interval = tonumber(ARGV[2])
local timeout = tonumber(ARGV[3])
local maxreq = tonumber(ARGV[4])
local maxfail = tonumber(ARGV[5])
local CLOSED, HALF, OPEN = 0, 1, 2

local names = {'state', 'gen', 'req', 'succ', 'fail', 'excl',
  'csucc', 'cfail', 'expiry'}
local raw = redis.call('HMGET', key, unpack(names))
local b = {}
for i, name in ipairs(names) do b[name] = tonumber(raw[i]) or 0 end
local from = -1

-- newgen clears the counts and sets when the new generation ends.
local function newgen()
  b.gen = b.gen + 1
  b.req, b.succ, b.fail, b.excl, b.csucc, b.cfail = 0, 0, 0, 0, 0, 0
  b.expiry = 0
  if b.state == CLOSED and interval > 0 then
    b.expiry = now + interval
  elseif b.state == OPEN then
    b.expiry = now + timeout
  end
end

local function setstate(s)
  if b.state == s then return end
  if from < 0 then from = b.state end
  b.state = s
  newgen()
end

if raw[2] == false then
  -- A breaker nobody has used yet, or whose key expired: closed. Its
  -- generations start at the clock, so a result admitted before the key
  -- vanished can never match a generation of the new one.
  b.state, b.gen = CLOSED, now
  newgen()
elseif b.state == CLOSED then
  if b.expiry > 0 and now > b.expiry then newgen() end
elseif b.state == OPEN then
  if now > b.expiry then setstate(HALF) end
end

local op = ARGV[7]
local verdict = 0
if op == 'admit' then
  if b.state == OPEN then
    verdict = 1
  elseif b.state == HALF and b.req - b.excl >= maxreq then
    verdict = 2
  else
    b.req = b.req + 1
  end
elseif op == 'record' then
  local outcome = ARGV[9]
  if tonumber(ARGV[8]) ~= b.gen then
    verdict = 3
  elseif outcome == 'x' then
    b.excl = b.excl + 1
  elseif outcome == 's' then
    b.succ, b.csucc, b.cfail = b.succ + 1, b.csucc + 1, 0
    if b.state == HALF and b.csucc >= maxreq then setstate(CLOSED) end
  else
    b.fail, b.cfail, b.csucc = b.fail + 1, b.cfail + 1, 0
    if b.state == HALF or b.cfail > maxfail then setstate(OPEN) end
  end
end

local args = {}
for _, name in ipairs(names) do
  table.insert(args, name)
  table.insert(args, string.format('%.0f', b[name]))
end
redis.call('HSET', key, unpack(args))
redis.call('PEXPIRE', key, ARGV[6])
return {verdict, string.format('%.0f', b.gen), b.state, from,
  b.req, b.succ, b.fail, b.excl, b.csucc, b.cfail}
`)
