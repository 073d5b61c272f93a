// tests/e2b/wire.test.mjs - the fake byte by byte and its own machinery:
// the Connect stream format (remote-providers.md §1.3), keepalives,
// deadlines, each fault of the admin API observed with raw requests, the
// request log, auth errors, the sandbox's spawner (commands of a user
// share a PID namespace, a signal reaches a command's process group, the
// spawner's death ends the commands with its reason, no capabilities, no
// network, output held back and resumed), and the fake's lifetime (it
// exits with its parent's pipe or a signal, kills every command and
// leaves no files), as root and as an unprivileged user.
//
// Run: node --test tests/e2b/wire.test.mjs (ctest does).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { startFake, openStream, eventually, alive, endFake, UNPRIVILEGED } from './harness.mjs';
import { Spawner } from '../common/fake/spawner.mjs';
import { createLayout, USERS } from './fake/layout.mjs';

let fake;
before(async () => { fake = await startFake(); });
after(async () => { await fake.stop(); });

const KEY = { 'X-API-KEY': 'e2b_test' };

async function newSandbox(f = fake, body = { templateID: 'base' }) {
  const r = await f.request({ method: 'POST', path: '/v2/sandboxes', headers: { ...KEY, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  assert.equal(r.status, 201);
  const sb = JSON.parse(r.body);
  sb.headers = { 'E2b-Sandbox-Id': sb.sandboxID, 'E2b-Sandbox-Port': '49983' };
  if (sb.envdAccessToken) sb.headers['X-Access-Token'] = sb.envdAccessToken;
  return sb;
}

const start = (sb, cmd, headers = {}, f = fake) => openStream(f.port, '/process.Process/Start', {
  headers: { ...sb.headers, ...headers },
  message: { process: { cmd: '/bin/bash', args: ['-l', '-c', cmd] }, stdin: false },
});

async function unary(sb, path, msg, f = fake) {
  const r = await f.request({ method: 'POST', path, headers: { ...sb.headers, 'Content-Type': 'application/json' }, body: JSON.stringify(msg) });
  return { status: r.status, json: JSON.parse(r.body) };
}

test('a Start stream is the bytes of remote-providers.md §1.3', async () => {
  const sb = await newSandbox();
  const s = start(sb, 'echo hi');
  const done = await s.done;
  assert.ok(done.ended);
  assert.equal(s.status, 200);
  assert.equal(s.headers['content-type'], 'application/connect+json');
  const hex = s.bytes.toString('hex');
  const pid = s.frames[0].json.event.start.pid;
  const expect = Buffer.concat([
    Buffer.from([0, 0, 0, 0, 0x1c + String(pid).length]), Buffer.from(`{"event":{"start":{"pid":${pid}}}}`),
    Buffer.from([0, 0, 0, 0, 0x24]), Buffer.from('{"event":{"data":{"stdout":"aGkK"}}}'),
    Buffer.from([0, 0, 0, 0, 0x3a]), Buffer.from('{"event":{"end":{"exited":true,"status":"exit status 0"}}}'),
    Buffer.from([2, 0, 0, 0, 2]), Buffer.from('{}'),
  ]);
  assert.equal(hex, expect.toString('hex'));
});

test('keepalive events at Keepalive-Ping-Interval; Connect-Timeout-Ms ends in deadline_exceeded and kills', async () => {
  const sb = await newSandbox();
  const s = start(sb, 'sleep 30', { 'Keepalive-Ping-Interval': '1', 'Connect-Timeout-Ms': '2500' });
  await s.until((f) => f.json.event?.keepalive);
  const done = await s.done;
  assert.ok(done.ended);
  const last = s.frames.at(-1);
  assert.equal(last.flags, 2);
  assert.deepEqual(last.json, { error: { code: 'deadline_exceeded', message: 'context deadline exceeded' } });
  await eventually(async () => (await unary(sb, '/process.Process/List', {})).json.processes === undefined, 'the command to be killed');
});

test('Connect attaches to a running command, sees no earlier output, and ends with it', async () => {
  const sb = await newSandbox();
  const s = openStream(fake.port, '/process.Process/Start', {
    headers: sb.headers, message: { process: { cmd: '/bin/cat' }, stdin: true },
  });
  const pid = (await s.until((f) => f.json.event?.start)).json.event.start.pid;
  const send = (text) => unary(sb, '/process.Process/SendInput', { process: { pid }, input: { stdin: Buffer.from(text).toString('base64') } });
  assert.deepEqual(await send('before\n'), { status: 200, json: {} });
  await s.until((f) => f.json.event?.data);
  const c = openStream(fake.port, '/process.Process/Connect', { headers: sb.headers, message: { process: { pid } } });
  await c.until((f) => f.json.event?.start);
  await send('after\n');
  await c.until((f) => f.json.event?.data);
  assert.deepEqual(await unary(sb, '/process.Process/CloseStdin', { process: { pid } }), { status: 200, json: {} });
  await c.done;
  const out = c.frames.filter((f) => f.json.event?.data).map((f) => Buffer.from(f.json.event.data.stdout, 'base64').toString()).join('');
  assert.equal(out, 'after\n');
  assert.deepEqual(c.frames.at(-2).json, { event: { end: { exited: true, status: 'exit status 0' } } });
  const gone = await unary(sb, '/process.Process/SendInput', { process: { pid }, input: { stdin: '' } });
  assert.deepEqual(gone, { status: 404, json: { code: 'not_found', message: `process with pid ${pid} not found` } });
  const none = openStream(fake.port, '/process.Process/Connect', { headers: sb.headers, message: { process: { pid } } });
  await none.done;
  assert.equal(none.status, 200);
  assert.deepEqual(none.frames.map((f) => [f.flags, f.json]), [[2, { error: { code: 'not_found', message: `process with pid ${pid} not found` } }]]);
});

test('SIGTERM reaches the command; an unknown signal is unimplemented', async () => {
  const sb = await newSandbox();
  const s = start(sb, "trap 'echo got-term; exit 7' TERM; echo ready; while :; do sleep 0.1; done");
  const pid = (await s.until((f) => f.json.event?.start)).json.event.start.pid;
  await s.until((f) => f.json.event?.data);
  assert.equal((await unary(sb, '/process.Process/SendSignal', { process: { pid }, signal: 'SIGNAL_UNSPECIFIED' })).status, 501);
  assert.deepEqual(await unary(sb, '/process.Process/SendSignal', { process: { pid }, signal: 'SIGNAL_SIGTERM' }), { status: 200, json: {} });
  await s.done;
  // envd stops forwarding output once it signalled; the end carries the exit.
  assert.deepEqual(s.frames.at(-2).json, { event: { end: { exitCode: 7, exited: true, status: 'exit status 7', error: 'exit status 7' } } });
});

// A command's whole output and its end event, run as `user` (or root).
async function run(sb, cmd, user) {
  const s = start(sb, cmd, user ? { Authorization: `Basic ${Buffer.from(`${user}:`).toString('base64')}` } : {});
  await s.done;
  const out = s.frames.filter((f) => f.json.event?.data?.stdout).map((f) => Buffer.from(f.json.event.data.stdout, 'base64')).join('');
  return { out, end: s.frames.find((f) => f.json.event?.end)?.json.event.end };
}
// How many processes of the sandbox's namespace run `sleep ARG`.
const sleepers = (arg) => `n=0; for p in /proc/[0-9]*; do [ "$(tr '\\0' ' ' <$p/cmdline 2>/dev/null)" = "sleep ${arg} " ] && n=$((n+1)); done; echo $n`;

test('the commands of one sandbox user share a PID namespace; other users and sandboxes do not see it', async () => {
  const sb = await newSandbox();
  const other = await newSandbox();
  const s = start(sb, 'exec sleep 4242');
  await s.until((f) => f.json.event?.start);
  await eventually(async () => (await run(sb, sleepers(4242))).out === '1\n', 'the first command seen by the second');
  assert.equal((await run(other, sleepers(4242))).out, '0\n');
  assert.equal((await run(sb, sleepers(4242), 'root')).out, '0\n');
  // the spawner and bubblewrap's init are in it too, nothing of the host
  assert.equal((await run(sb, 'cat /proc/1/comm /proc/2/comm')).out, 'bwrap\n4\n'); // exec'd as /proc/self/fd/4
  s.abort();
  await s.done;
});

test('a signal goes to the command\'s process group: killing a command kills what it started', async () => {
  const sb = await newSandbox();
  const s = start(sb, 'sleep 4343 & sleep 4343 & echo started; wait');
  const pid = (await s.until((f) => f.json.event?.start)).json.event.start.pid;
  await s.until((f) => f.json.event?.data);
  assert.equal((await run(sb, sleepers(4343))).out, '2\n');
  assert.deepEqual(await unary(sb, '/process.Process/SendSignal', { process: { pid }, signal: 'SIGNAL_SIGKILL' }), { status: 200, json: {} });
  await s.done;
  assert.deepEqual(s.frames.at(-2).json, { event: { end: { exitCode: -1, status: 'signal: killed', error: 'signal: killed' } } });
  await eventually(async () => (await run(sb, sleepers(4343))).out === '0\n', 'both sleeps to be killed');
  // a command a signal the fake did not send ended: 128+N, as bwrap said
  assert.deepEqual((await run(sb, 'kill -9 $$')).end, { exitCode: 137, exited: true, status: 'exit status 137', error: 'exit status 137' });
});

test('the spawner\'s death ends every command with the reason; the next command gets a new one', async () => {
  const sb = await newSandbox();
  const s = start(sb, 'echo up; sleep 1000');
  await s.until((f) => f.json.event?.data);
  const view = () => fake.admin('GET', 'sandboxes').then((r) => r.json.sandboxes.find((x) => x.sandboxID === sb.sandboxID));
  const { spawnerPid, bwrapPid } = (await view()).spawners.user;
  assert.ok(alive(spawnerPid) && alive(bwrapPid));
  process.kill(spawnerPid, 'SIGKILL');
  await s.done;
  const end = s.frames.find((f) => f.json.event?.end).json.event.end;
  assert.equal(end.status, 'signal: killed');
  assert.match(end.error, /^signal: killed \(the sandbox's process spawner ended \(exit 137\)\)$/);
  await eventually(() => !alive(bwrapPid), 'its bubblewrap to end');
  assert.equal((await unary(sb, '/process.Process/List', {})).json.processes, undefined);
  assert.equal((await run(sb, 'echo again')).out, 'again\n');
  assert.notEqual((await view()).spawners.user.spawnerPid, spawnerPid);
});

test('a command has no capabilities and no network, as user and as root', async () => {
  const sb = await newSandbox();
  for (const user of ['user', 'root']) {
    assert.equal((await run(sb, 'grep -E "^Cap(Eff|Prm|Bnd|Amb):" /proc/self/status', user)).out,
      'CapPrm:\t0000000000000000\nCapEff:\t0000000000000000\nCapBnd:\t0000000000000000\nCapAmb:\t0000000000000000\n');
    assert.equal((await run(sb, 'grep -c NoNewPrivs:.1 /proc/self/status', user)).out, '1\n');
    // only a loopback of its own: the fake's port is not reachable
    const r = await run(sb, `tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '; echo >/dev/tcp/127.0.0.1/${fake.port} && echo reached`, user);
    assert.equal(r.out, 'lo\n');
    assert.equal(r.end.exitCode, 1);
  }
});

test('the spawner itself: output held back while unread is read on after the command exited', { timeout: 60000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wsp-spawner-'));
  const sp = new Spawner({ mounts: createLayout(dir, 'spawner-test'), user: USERS.user, hostname: 'spawner-test', hide: [] });
  try {
    // 40000 bytes fill node's unread readable (the spawner is told to
    // pause); the last 100 wait in the pipe while the command exits (had
    // the pause come later, nothing waits and the test shows nothing)
    const c = sp.spawn({ argv: ['/bin/sh', '-c', 'head -c 40000 /dev/zero; sleep 0.3; head -c 100 /dev/zero; exit 3'], env: { PATH: '/usr/bin:/bin' }, cwd: '/tmp', stdin: false });
    const code = await new Promise((r) => c.once('exit', r));
    assert.equal(code, 3);
    let n = 0;
    c.stdout.on('data', (d) => { n += d.length; });
    c.stderr.resume();
    await new Promise((r) => c.once('close', r));
    assert.equal(n, 40100);
  } finally {
    await sp.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('auth: the control plane needs an API key, envd its access token', async () => {
  const r = await fake.request({ method: 'GET', path: '/v2/sandboxes' });
  assert.equal(r.status, 401);
  assert.deepEqual(JSON.parse(r.body), { code: 401, message: 'authorization header is missing' });
  const sb = await newSandbox();
  const bad = await fake.request({ path: '/files?path=x', headers: { ...sb.headers, 'X-Access-Token': 'wrong' } });
  assert.equal(bad.status, 401);
  assert.deepEqual(JSON.parse(bad.body), { code: 401, message: 'access token present in header but does not match' });
  const health = await fake.request({ path: '/health', headers: { 'E2b-Sandbox-Id': sb.sandboxID } });
  assert.equal(health.status, 204, '/health needs no token');
  // v1 create without `secure` issues no token, and envd checks none.
  const v1 = await fake.request({ method: 'POST', path: '/sandboxes', headers: KEY, body: '{"templateID":"base"}' });
  assert.equal(v1.status, 201);
  const plain = JSON.parse(v1.body);
  assert.equal(plain.envdAccessToken, undefined);
  const list = await fake.request({ method: 'POST', path: '/process.Process/List', body: '{}', headers: { 'E2b-Sandbox-Id': plain.sandboxID, 'Content-Type': 'application/json' } });
  assert.deepEqual([list.status, JSON.parse(list.body)], [200, {}]);
  // Preview ports ask for the traffic token when public traffic is off.
  const priv = await newSandbox(fake, { templateID: 'base', network: { allowPublicTraffic: false } });
  const port = await fake.request({ path: '/', headers: { 'E2b-Sandbox-Id': priv.sandboxID, 'E2b-Sandbox-Port': '3000' } });
  assert.equal(port.status, 403);
  const ok = await fake.request({ path: '/', headers: { 'E2b-Sandbox-Id': priv.sandboxID, 'E2b-Sandbox-Port': '3000', 'E2b-Traffic-Access-Token': priv.trafficAccessToken } });
  assert.deepEqual(JSON.parse(ok.body), { sandboxId: priv.sandboxID, message: 'The sandbox is running but port is not open', port: 3000, code: 502 });
});

test('fault: 429 with Retry-After on the next N control-plane calls', async () => {
  const armed = await fake.admin('POST', 'faults', { kind: 'rate_limit', count: 2, retryAfter: 3 });
  assert.equal(armed.status, 201);
  for (let i = 0; i < 2; i++) {
    const r = await fake.request({ path: '/v2/sandboxes', headers: KEY });
    assert.equal(r.status, 429);
    assert.equal(r.headers['retry-after'], '3');
    assert.deepEqual(JSON.parse(r.body), { code: 429, message: 'Rate limit exceeded, please try again later' });
  }
  assert.equal((await fake.request({ path: '/v2/sandboxes', headers: KEY })).status, 200);
  assert.deepEqual((await fake.admin('GET', 'faults')).json, { faults: [] });
});

test('fault: a 5xx on a chosen envd path, once', async () => {
  const sb = await newSandbox();
  await fake.admin('POST', 'faults', { kind: 'error', status: 503, plane: 'envd', path: '/files', message: 'edge overloaded' });
  const r = await fake.request({ path: '/files?path=%2Fetc%2Fhostname', headers: sb.headers });
  assert.equal(r.status, 503);
  assert.deepEqual(JSON.parse(r.body), { sandboxId: sb.sandboxID, message: 'edge overloaded', code: 503 });
  const again = await fake.request({ path: '/files?path=%2Fetc%2Fhostname', headers: sb.headers });
  assert.equal(again.status, 200);
  assert.equal(again.body.toString(), `e2b-${sb.sandboxID.slice(0, 8)}\n`);
  const bad = await fake.admin('POST', 'faults', { kind: 'nonsense' });
  assert.equal(bad.status, 400);
  assert.match(bad.json.message, /unknown fault kind 'nonsense'/);
});

test('fault: a connection reset after K envelopes, and mid-download', async () => {
  const sb = await newSandbox();
  await fake.admin('POST', 'faults', { kind: 'reset', afterEnvelopes: 2, path: '/process.Process/Start' });
  const s = start(sb, 'echo one; sleep 0.3; echo two; sleep 0.3; echo three');
  const done = await s.done;
  assert.equal(done.ended, false, 'the response never ends properly');
  assert.equal(s.frames.length, 2);
  assert.ok(s.frames.every((f) => f.flags === 0));
  // The command itself is not touched by a broken connection.
  await eventually(async () => (await unary(sb, '/process.Process/List', {})).json.processes === undefined, 'the command to finish');

  await fake.request({ method: 'POST', path: '/files?path=big', headers: { ...sb.headers, 'Content-Type': 'application/octet-stream' }, body: Buffer.alloc(100000, 7) });
  await fake.admin('POST', 'faults', { kind: 'reset', afterBytes: 1000 });
  await assert.rejects(fake.request({ path: '/files?path=big', headers: sb.headers }), /socket hang up|ECONNRESET|aborted/);

  // With rst, a TCP reset: the peer sees ECONNRESET (and may lose unread bytes).
  await fake.admin('POST', 'faults', { kind: 'reset', rst: true, afterEnvelopes: 1 });
  const r = start(sb, 'sleep 0.5; echo late');
  const res = await r.done;
  assert.equal(res.ended, false);
  assert.ok(r.frames.length <= 1);
});

test('fault: a stalled stream sends nothing more but stays open', async () => {
  const sb = await newSandbox();
  await fake.admin('POST', 'faults', { kind: 'stall', afterEnvelopes: 1 });
  const s = start(sb, 'echo a; echo b; touch /tmp/done');
  await s.until((f) => f.json.event?.start);
  const r = await eventually(async () => (await fake.request({ path: '/files?path=%2Ftmp%2Fdone', headers: sb.headers })).status === 200, 'the command to finish');
  assert.ok(r);
  await eventually(async () => (await unary(sb, '/process.Process/List', {})).json.processes === undefined, 'the command to be reaped');
  assert.equal(s.frames.length, 1, 'nothing after the first envelope');
  let finished = false;
  s.done.then(() => { finished = true; });
  await new Promise((res) => setImmediate(res));
  assert.equal(finished, false, 'the connection is still open');
  s.abort();
  await s.done;
});

test('fault: the sandbox killed mid-command', async () => {
  const sb = await newSandbox();
  await fake.admin('POST', 'faults', { kind: 'kill_sandbox', sandboxId: sb.sandboxID, afterEnvelopes: 2 });
  const s = start(sb, 'echo started; sleep 1000');
  const pid = (await s.until((f) => f.json.event?.start)).json.event.start.pid;
  const hostPids = (await fake.admin('GET', 'sandboxes')).json.sandboxes.find((x) => x.sandboxID === sb.sandboxID)?.processes.find((p) => p.pid === pid)?.hostPids ?? [];
  const done = await s.done;
  assert.equal(done.ended, false, 'the stream is cut, not ended');
  assert.equal(s.frames.length, 2);
  for (const p of hostPids) await eventually(() => !alive(p), `host pid ${p} to be killed`);
  const info = await fake.request({ path: `/sandboxes/${sb.sandboxID}`, headers: KEY });
  assert.equal(info.status, 404);
  assert.deepEqual(JSON.parse(info.body), { code: 404, message: `sandbox "${sb.sandboxID}" doesn't exist or you don't have access to it` });
  const health = await fake.request({ path: '/health', headers: sb.headers });
  assert.equal(health.status, 502);
  assert.deepEqual(JSON.parse(health.body), { sandboxId: sb.sandboxID, message: 'The sandbox was not found', code: 502 });
  assert.equal((await fake.request({ method: 'DELETE', path: `/sandboxes/${sb.sandboxID}`, headers: KEY })).status, 404);
});

// envd's own words (packages/envd/internal/services/filesystem): Go's
// lstat under a file fails ENOTDIR, which is no NotFound; Go's os.Rename
// refuses an existing directory as the destination, an empty one too.
test('Filesystem: a path under a file, a move onto a directory', async () => {
  const sb = await newSandbox();
  await (start(sb, 'mkdir -p /home/user/d/e /home/user/empty && echo x > /home/user/f.txt')).done;
  const fs = (m, msg) => unary(sb, `/filesystem.Filesystem/${m}`, msg);
  assert.deepEqual(await fs('Stat', { path: '/home/user/f.txt/x' }),
    { status: 500, json: { code: 'internal', message: 'error getting file info: lstat /home/user/f.txt/x: not a directory' } });
  assert.deepEqual(await fs('MakeDir', { path: '/home/user/f.txt/x' }),
    { status: 500, json: { code: 'internal', message: 'error getting file info: stat /home/user/f.txt/x: not a directory' } });
  assert.deepEqual(await fs('ListDir', { path: '/home/user/f.txt/x' }),
    { status: 500, json: { code: 'internal', message: 'error resolving symlink: lstat /home/user/f.txt/x: not a directory' } });
  assert.deepEqual(await fs('ListDir', { path: '/home/user/f.txt' }),
    { status: 400, json: { code: 'invalid_argument', message: 'path is not a directory: /home/user/f.txt' } });
  for (const [from, to] of [['f.txt', 'd'], ['f.txt', 'empty'], ['d', 'empty']]) {
    const a = `/home/user/${from}`, b = `/home/user/${to}`;
    assert.deepEqual(await fs('Move', { source: a, destination: b }),
      { status: 500, json: { code: 'internal', message: `error renaming: rename ${a} ${b}: file exists` } });
  }
  assert.deepEqual(await fs('Move', { source: '/home/user/d', destination: '/home/user/f.txt' }),
    { status: 500, json: { code: 'internal', message: 'error renaming: rename /home/user/d /home/user/f.txt: not a directory' } });
  assert.deepEqual(await fs('Move', { source: '/home/user/d', destination: '/home/user/f.txt/in' }),
    { status: 500, json: { code: 'internal', message: 'path is a file: /home/user/f.txt' } });
  assert.deepEqual(await fs('Move', { source: '/home/user/nothing', destination: '/home/user/d' }),
    { status: 404, json: { code: 'not_found', message: 'source file not found: rename /home/user/nothing /home/user/d: no such file or directory' } });
  // nothing moved; a file over a file is a rename
  assert.equal((await fs('Stat', { path: '/home/user/d/e' })).status, 200);
  assert.equal((await fs('Move', { source: '/home/user/f.txt', destination: '/home/user/g.txt' })).status, 200);
});

test('the request log: method, path, query, headers, body, decoded envelopes', async () => {
  const last = (await fake.admin('GET', 'requests')).json.last;
  const sb = await newSandbox();
  await (start(sb, 'true')).done;
  const { requests } = (await fake.admin('GET', `requests?since=${last}`)).json;
  const [create, st] = requests;
  assert.equal(create.method, 'POST');
  assert.equal(create.plane, 'control');
  assert.equal(create.headers['x-api-key'], 'e2b_test');
  assert.deepEqual(JSON.parse(create.body), { templateID: 'base' });
  assert.equal(st.plane, 'envd');
  assert.equal(st.sandboxId, sb.sandboxID);
  assert.equal(st.bodyEncoding, 'base64');
  assert.deepEqual(st.envelopes, [{ flags: 0, message: { process: { cmd: '/bin/bash', args: ['-l', '-c', 'true'] }, stdin: false } }]);
  assert.equal((await fake.admin('DELETE', 'requests')).status, 204);
  assert.deepEqual((await fake.admin('GET', 'requests')).json.requests, []);
});

test('admin: expire now follows the sandbox lifecycle', async () => {
  const sb = await newSandbox(fake, { templateID: 'base', autoPause: true });
  assert.equal((await fake.admin('POST', `sandboxes/${sb.sandboxID}/expire`)).status, 204);
  const info = JSON.parse((await fake.request({ path: `/sandboxes/${sb.sandboxID}`, headers: KEY })).body);
  assert.equal(info.state, 'paused');
  const resumed = await fake.request({ method: 'POST', path: `/v2/sandboxes/${sb.sandboxID}/connect`, headers: KEY, body: '{}' });
  assert.equal(resumed.status, 201);
  const again = await fake.request({ method: 'POST', path: `/v2/sandboxes/${sb.sandboxID}/connect`, headers: KEY, body: '{}' });
  assert.equal(again.status, 200);
});

async function lifetime(t, prefix, how) {
  const f = await startFake({ prefix });
  const sb = await newSandbox(f);
  const s = start(sb, 'echo up $(id -u); sleep 1000', {}, f);
  await s.until((x) => x.json.event?.data);
  const out = s.frames.filter((x) => x.json.event?.data).map((x) => Buffer.from(x.json.event.data.stdout, 'base64').toString()).join('');
  const { sandboxes } = (await f.admin('GET', 'sandboxes')).json;
  // the command, and the sandbox's bubblewrap, its init and the spawner
  const { bwrapPid, nsInit, spawnerPid } = sandboxes[0].spawners.user;
  const hostPids = [...sandboxes[0].processes[0].hostPids, bwrapPid, nsInit, spawnerPid];
  assert.ok(hostPids.length >= 4 && hostPids.every((p) => p > 0 && alive(p)), 'the command and the spawner');
  assert.ok(existsSync(sandboxes[0].dir));
  await endFake(f, how, hostPids);
  await f.stop();
  return out;
}

test('the fake exits when its stdin closes, killing every command and removing its files', async (t) => {
  assert.equal(await lifetime(t, [], 'stdin'), 'up 1000\n');
});

test('the fake exits on SIGTERM and SIGINT the same way', async (t) => {
  await lifetime(t, [], 'SIGTERM');
  await lifetime(t, [], 'SIGINT');
});

test('as an unprivileged user (uid 65534): bwrap works, commands run, cleanup is complete', async (t) => {
  if (process.getuid() !== 0) { t.skip('needs root to switch to uid 65534'); return; }
  // The runner's own exit code is the fake's; it cleans its HOME itself.
  const out = await lifetime(t, ['sh', UNPRIVILEGED], 'stdin');
  assert.equal(out, 'up 1000\n', 'the command runs as the sandbox user inside');
});

test('the stray-traffic guard of the SDK tests sees lookups and connections that are not 127.0.0.1', () => {
  const script = `
    const { strayTraffic } = await import('../common/fake/no-stray-traffic.mjs');
    const net = await import('node:net');
    const dns = await import('node:dns');
    await new Promise((r) => dns.lookup('wsp-guard-check.invalid', () => r()));
    await fetch('http://127.0.0.1:59999/').catch(() => {});
    await fetch('http://localhost:59999/').catch(() => {});
    const s = net.connect({ host: '192.0.2.1', port: 59999 });
    s.on('error', () => {});
    s.destroy();
    console.log(JSON.stringify(strayTraffic()));`;
  const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: new URL('.', import.meta.url).pathname, encoding: 'utf8' }));
  assert.ok(out.includes('dns.lookup(wsp-guard-check.invalid)'), out.join());
  assert.ok(out.includes('connect(localhost:59999)'), out.join());
  assert.ok(out.includes('connect(192.0.2.1:59999)'), out.join());
  assert.ok(!out.some((x) => /127\.0\.0\.1/.test(x)), out.join());
});
