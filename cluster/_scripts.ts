// The Lua scripts: the few steps that must be atomic in Redis. Everything
// else is one stream command. The engine keeps the leases (an entry read by
// a consumer stays in the group's pending list until acknowledged), counts
// deliveries (XAUTOCLAIM and XCLAIM add one), and gives a stalled entry to
// another consumer (XAUTOCLAIM of entries idle past the visibility timeout):
// nothing here keeps a lease or a count of its own.

import { Script } from "./_redis.ts";

/**
 * A pool's tasks, added to the stream in one call (one XADD each would be
 * one command each to encode, send and answer).
 *
 * KEYS: tasks. ARGV: pool id, module, maxRetries, maxMessageBytes, then one
 * payload per task. Returns the entries' ids, in order.
 */
export const ADD = new Script(`
local ids = {}
for i = 5, #ARGV do
  ids[#ids + 1] = redis.call('XADD', KEYS[1], '*', 'r', ARGV[1], 'm', ARGV[2],
    'n', ARGV[3], 'b', ARGV[4], 'p', ARGV[i])
end
return ids
`);

/**
 * A worker's answers to one pool: each task still pending (XACK says so)
 * is acknowledged, deleted, and its answer added to the pool's stream, which
 * expires if the pool is gone. An answer to a task that another worker
 * answered first, or that the pool stopped, is dropped: one answer per
 * task, whoever ran it.
 *
 * KEYS: tasks, answers. ARGV: group, ttl (ms), then entry id and answer
 * pairs. Returns how many answers were added.
 */
export const FINISH = new Script(`
local added = 0
for i = 3, #ARGV, 2 do
  if redis.call('XACK', KEYS[1], ARGV[1], ARGV[i]) == 1 then
    redis.call('XDEL', KEYS[1], ARGV[i])
    redis.call('XADD', KEYS[2], '*', 'a', ARGV[i + 1])
    added = added + 1
  end
end
if added > 0 then redis.call('PEXPIRE', KEYS[2], ARGV[2]) end
return added
`);

/**
 * Entries idle past the visibility timeout (their worker is gone or
 * stalled), claimed for this worker, with their delivery counts. One call
 * looks at part of the pending list, from `cursor`; the next call goes on
 * from the cursor it returns ("0-0": from the start again).
 *
 * KEYS: tasks. ARGV: group, consumer, min idle (ms), count, cursor. Returns
 * `{next cursor, {id, fields, deliveries}...}`.
 */
export const RECLAIM = new Script(`
if redis.call('EXISTS', KEYS[1]) == 0 then return {'0-0', {}} end
local claimed = redis.call('XAUTOCLAIM', KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[5], 'COUNT', ARGV[4])
local out = {}
for _, entry in ipairs(claimed[2]) do
  local p = redis.call('XPENDING', KEYS[1], ARGV[1], entry[1], entry[1], 1)
  if #p > 0 then out[#out + 1] = {entry[1], entry[2], p[1][4]} end
end
return {claimed[1], out}
`);

/**
 * A task whose local worker crashed under it, delivered again to this
 * worker: its delivery count goes up by one. Returns the new count, or -1
 * if the entry is no longer pending (answered elsewhere, or stopped).
 *
 * KEYS: tasks. ARGV: group, consumer, entry id.
 */
export const REDELIVER = new Script(`
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local claimed = redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[3])
if #claimed == 0 or claimed[1] == false then return -1 end
local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[3], ARGV[3], 1)
if #p == 0 then return -1 end
return p[1][4]
`);

/**
 * Keeps this worker's running tasks from looking stalled: XCLAIM with
 * JUSTID resets an entry's idle time without counting a delivery. Only the
 * entries this consumer still owns are touched, so a task that another
 * worker reclaimed is not taken back.
 *
 * KEYS: tasks. ARGV: group, consumer, entry ids.
 */
export const RENEW = new Script(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local renewed = 0
for i = 3, #ARGV do
  local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[i], ARGV[i], 1, ARGV[2])
  if #p > 0 then
    redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[i], 'JUSTID')
    renewed = renewed + 1
  end
end
return renewed
`);

/**
 * A pool stops a running task (it was aborted or timed out): its entry is
 * acknowledged and deleted, so that no worker runs it again and the
 * worker's answer is dropped, and the workers are told to stop it.
 *
 * KEYS: tasks, stops (channel). ARGV: group, entry id, message.
 */
export const STOP = new Script(`
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
  redis.call('XDEL', KEYS[1], ARGV[2])
end
redis.call('PUBLISH', KEYS[2], ARGV[3])
return 1
`);

/**
 * After the pool's connection came back: which of its tasks' entries are
 * gone from the stream (Redis restarted without its data), and the answers
 * written since the last one it read, in one atomic look, so that a task
 * answered in between is not taken for lost.
 *
 * KEYS: tasks, answers. ARGV: the last answer's id, then entry ids.
 * Returns `{gone ids, answers}`.
 */
export const SNAPSHOT = new Script(`
local gone = {}
for i = 2, #ARGV do
  if #redis.call('XRANGE', KEYS[1], ARGV[i], ARGV[i]) == 0 then
    gone[#gone + 1] = ARGV[i]
  end
end
return {gone, redis.call('XRANGE', KEYS[2], '(' .. ARGV[1], '+')}
`);

/**
 * A worker leaves: its consumer is deleted if it has nothing pending, and
 * the stream of tasks too if it is then empty and no consumer is left, so
 * that a queue whose workers have all left leaves no key.
 *
 * KEYS: tasks. ARGV: group, consumer. Returns 2 if the stream was deleted.
 */
export const LEAVE = new Script(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local ok, groups = pcall(redis.call, 'XINFO', 'GROUPS', KEYS[1])
if not ok then return 0 end
local p = redis.pcall('XPENDING', KEYS[1], ARGV[1], '-', '+', 1, ARGV[2])
if type(p) == 'table' and #p > 0 then return 0 end
redis.pcall('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], ARGV[2])
if redis.call('XLEN', KEYS[1]) > 0 then return 1 end
groups = redis.call('XINFO', 'GROUPS', KEYS[1])
for _, g in ipairs(groups) do
  for i = 1, #g, 2 do
    if (g[i] == 'consumers' or g[i] == 'pending') and g[i + 1] > 0 then
      return 1
    end
  end
end
redis.call('DEL', KEYS[1])
return 2
`);
