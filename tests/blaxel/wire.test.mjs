// tests/blaxel/wire.test.mjs - the fake byte by byte and its own
// machinery: the NDJSON of a streamed exec and the prefixed lines of
// logs/stream (remote-providers.md §3.3), keepalives, lines split across
// chunks, both path encodings of /filesystem (§3.4), timeouts, each fault
// of the admin API observed with raw requests, the request log, auth
// errors, and the fake's lifetime (it exits with its parent's pipe or a
// signal, kills every command and leaves no files), as root and as an
// unprivileged user.
//
// Run: node --test tests/blaxel/wire.test.mjs (ctest does).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { startFake, rawStream, eventually, alive, endFake, allFrozen, pidStates, AUTH, UNPRIVILEGED } from './harness.mjs';

let fake;
before(async () => { fake = await startFake({ args: ['--exec-keepalive-ms', '300', '--log-keepalive-ms', '400', '--deploy-ms', '0'] }); });
after(async () => { await fake.stop(); });

let count = 0;
async function newSandbox(f = fake, extra = {}) {
  const name = `wire-${process.pid}-${++count}`;
  const r = await f.call('POST', '/v0/sandboxes', JSON.stringify({ metadata: { name }, spec: { runtime: { image: 'blaxel/base-image:latest' }, ...extra } }));
  assert.equal(r.status, 200);
  return { name, base: `/sbx/${name}` };
}

const exec = (f, sb, req) => f.call('POST', `${sb.base}/process`, JSON.stringify(req));
const streamed = (f, sb, command, extra = {}) => rawStream(f.port, {
  method: 'POST', path: `${sb.base}/process`, body: JSON.stringify({ command, waitForCompletion: true, ...extra }),
  headers: { ...AUTH, 'Content-Type': 'application/json', Accept: 'text/event-stream' },
});
const logs = (f, sb, id) => rawStream(f.port, { path: `${sb.base}/process/${id}/logs/stream`, headers: AUTH });

test('a streamed exec sends live output in events of whole lines up to 4096 bytes, a longer line whole', async () => {
  // The sandbox-api sends each 4096-byte read of the output as one event,
  // not a line per event; the fake does so in whole lines.
  const sb = await newSandbox();
  const s = streamed(fake, sb, "yes 0123456789abcde | head -c 65536; printf '%05000d\\n' 0");
  await s.done;
  const events = s.body.toString().split('\n').filter((l) => l).map((l) => JSON.parse(l)).filter((e) => e.type === 'stdout');
  const data = events.map((e) => e.data).filter((d) => d !== '[keepalive]\n');
  assert.equal(data.join(''), '0123456789abcde\n'.repeat(4096) + '0'.repeat(5000) + '\n');
  for (const d of data) {
    assert.ok(d.endsWith('\n'), 'an event ends a line');
    assert.ok(d.length <= 4096 || (d.length === 5001 && d.indexOf('\n') === 5000), `event of ${d.length} bytes`);
  }
  // 4096 lines: a line per event would be 4096 events
  assert.ok(data.length * 4 < 4096, `${data.length} events`);
});

test('a streamed exec is NDJSON: stdout and stderr events, the result as a JSON string, keepalives', async () => {
  const sb = await newSandbox();
  const s = streamed(fake, sb, 'echo out; sleep 0.1; echo err >&2; sleep 0.5; exit 3');
  const done = await s.done;
  assert.ok(done.ended);
  assert.equal(s.status, 200);
  assert.match(s.head, /\r\ncontent-type: application\/x-ndjson\r\n/i);
  const lines = s.body.toString().split('\n');
  assert.equal(lines.pop(), '', 'every event ends with a newline');
  const result = JSON.parse(lines.pop());
  assert.equal(result.type, 'result');
  assert.equal(typeof result.data, 'string');
  const r = JSON.parse(result.data);
  assert.deepEqual([r.status, r.exitCode, r.stdout, r.stderr, r.logs], ['failed', 3, 'out\n', 'err\n', 'out\nerr\n']);
  // Keepalives may come anywhere: on a loaded machine the 0.1 s between
  // the two echoes can outlast the keepalive interval (it failed so under
  // ctest -j2), so the events are compared without them.
  const keepalive = (l) => l === '{"type":"keepalive"}' || l === '{"type":"stdout","data":"[keepalive]\\n"}';
  assert.deepEqual(lines.filter((l) => !keepalive(l)), ['{"type":"stdout","data":"out\\n"}', '{"type":"stderr","data":"err\\n"}'], lines.join('|'));
  assert.ok(lines.includes('{"type":"keepalive"}'), lines.join('|'));
  // The sandbox-api's log keepalive lands in this stream as stdout, as in its source.
  const long = streamed(fake, sb, 'sleep 1');
  await long.done;
  assert.ok(long.body.toString().includes('{"type":"stdout","data":"[keepalive]\\n"}'));
  // A command that cannot start is an error event in a 200.
  const bad = streamed(fake, sb, 'true', { workingDir: '/nowhere' });
  await bad.done;
  assert.equal(bad.status, 200);
  assert.equal(bad.body.toString(), '{"type":"error","data":"failed to start process: could not execute command \'true\' because folder \'/nowhere\' does not exist"}\n');
});

test('logs/stream is prefixed lines, the backlog first, [keepalive] while it runs, closed at exit', async () => {
  const sb = await newSandbox();
  const r = await exec(fake, sb, { command: 'echo line1; echo oops >&2; sleep 1; echo line2', name: 'two', waitForCompletion: false });
  assert.equal(r.json.status, 'running');
  await eventually(async () => (await fake.call('GET', `${sb.base}/process/two/logs`)).json.stderr === 'oops\n', 'the first lines');
  const s = logs(fake, sb, 'two');
  assert.ok((await s.done).ended);
  assert.match(s.head, /\r\ncontent-type: text\/plain; charset=utf-8\r\n/i);
  const text = s.body.toString();
  // remote-providers.md §3.3: the bytes of two lines.
  assert.equal(s.body.subarray(0, 25).toString('hex'), '7374646f75743a6c696e65310a7374646572723a6f6f70730a');
  assert.match(text, /^stdout:line1\nstderr:oops\n(\[keepalive\]\n)+stdout:line2\n$/);
  // A finished process: the whole backlog, then the end.
  const again = logs(fake, sb, 'two');
  await again.done;
  assert.equal(again.body.toString(), 'stdout:line1\nstderr:oops\nstdout:line2\n');
  // An unknown process: headers went out first, so a 200 carrying the error.
  const none = logs(fake, sb, 'ghost');
  await none.done;
  assert.equal(none.status, 200);
  assert.equal(none.body.toString(), '{"error":"process with Identifier ghost not found"}');
});

test('the commands of one sandbox share its PID and network namespaces; another sandbox sees neither', async () => {
  const sb = await newSandbox();
  const other = await newSandbox();
  await exec(fake, sb, { command: 'exec sleep 4545', name: 'sleeper', waitForCompletion: false });
  const count = "n=0; for p in /proc/[0-9]*; do [ \"$(tr '\\0' ' ' <$p/cmdline 2>/dev/null)\" = 'sleep 4545 ' ] && n=$((n+1)); done; echo $n";
  await eventually(async () => (await exec(fake, sb, { command: count, waitForCompletion: true })).json.stdout === '1\n', 'the sleeper seen by another command');
  assert.equal((await exec(fake, other, { command: count, waitForCompletion: true })).json.stdout, '0\n');
  // the same namespaces for every command of a sandbox, others for another
  const ns = (box) => exec(fake, box, { command: 'readlink /proc/self/ns/net /proc/self/ns/pid', waitForCompletion: true }).then((r) => r.json.stdout);
  assert.equal(await ns(sb), await ns(sb));
  assert.notEqual(await ns(sb), await ns(other));
});

test('fault split: lines cut across HTTP chunks, reassembled by a line reader', async () => {
  const sb = await newSandbox();
  await exec(fake, sb, { command: 'printf "alpha\\nbravo-charlie\\n"; echo delta >&2', name: 'split', waitForCompletion: true });
  await fake.admin('POST', 'faults', { kind: 'split', chunkBytes: 5, path: '/process/split/logs/stream' });
  const s = logs(fake, sb, 'split');
  await s.done;
  assert.ok(s.chunks.length >= 8);
  assert.ok(s.chunks.every((c) => c.length <= 5));
  assert.ok(s.chunks.some((c) => !c.toString().endsWith('\n')), 'chunks do not line up with lines');
  // What a client does (the SDK's streamLogs): join, split on newlines.
  let buf = '';
  const lines = [];
  for (const c of s.chunks) {
    buf += c.toString();
    const parts = buf.split('\n');
    buf = parts.pop();
    lines.push(...parts);
  }
  assert.deepEqual(lines, ['stdout:alpha', 'stdout:bravo-charlie', 'stderr:delta']);
});

test('fault reset: the stream cut mid-line after K bytes', async () => {
  const sb = await newSandbox();
  await fake.admin('POST', 'faults', { kind: 'reset', afterBytes: 10, plane: 'sandbox', path: '/process' });
  const s = streamed(fake, sb, 'echo first-line; sleep 0.3; echo second');
  const done = await s.done;
  assert.equal(done.ended, false, 'no last chunk: the answer is broken');
  // The first event is the command's output, or a keepalive when starting it
  // took longer than the keepalive period (a loaded machine): cut after 10 bytes.
  assert.match(s.body.toString(), /^\{"type":"[sk]$/);
  // The process itself is not touched by a broken connection.
  const list = await eventually(async () => {
    const l = (await fake.call('GET', `${sb.base}/process`)).json;
    return l.length === 1 && l[0].status === 'completed' && l;
  }, 'the process to finish');
  assert.equal(list[0].stdout, 'first-line\nsecond\n');

  // A raw download cut the same way.
  await fake.call('PUT', `${sb.base}/filesystem/%2Ftmp%2Fbig`, JSON.stringify({ content: 'x'.repeat(100000) }));
  await fake.admin('POST', 'faults', { kind: 'reset', afterBytes: 1000, rst: true });
  const d = rawStream(fake.port, { path: `${sb.base}/filesystem/%2Ftmp%2Fbig?download=true`, headers: AUTH });
  const dd = await d.done;
  assert.ok(d.body.length <= 1000);
  assert.ok(dd.error || d.body.length < 100000);
});

test('fault stall: nothing more after K bytes, the socket stays open', async () => {
  const sb = await newSandbox();
  await fake.admin('POST', 'faults', { kind: 'stall', afterBytes: 7 });
  await exec(fake, sb, { command: 'echo hello; echo world', name: 'st', waitForCompletion: true });
  const s = logs(fake, sb, 'st');
  await s.until((b) => b.length >= 7);
  let finished = false;
  s.done.then(() => { finished = true; });
  await exec(fake, sb, { command: 'true', waitForCompletion: true }); // the fake is otherwise busy and well
  assert.equal(s.body.toString(), 'stdout:');
  assert.equal(finished, false, 'the connection is still open');
  s.abort();
  await s.done;
});

test('fault standby mid-command: streams cut, processes frozen, the next request resumes them', async () => {
  const sb = await newSandbox();
  await fake.admin('POST', 'faults', { kind: 'standby', afterBytes: 60, sandbox: sb.name });
  const s = streamed(fake, sb, 'i=0; while [ $i -lt 40 ]; do i=$((i+1)); echo $i; sleep 0.05; done', { name: 'count' });
  const done = await s.done;
  assert.equal(done.ended, false);
  assert.equal(s.body.length, 60);
  const view = (await fake.admin('GET', 'sandboxes')).json.sandboxes.find((x) => x.name === sb.name);
  assert.equal(view.state, 'STANDBY');
  const pids = view.processes.find((p) => p.name === 'count').hostPids;
  await eventually(async () => allFrozen(pids), `host pids ${pids} stopped (${pidStates(pids)})`);
  const info = (await fake.call('GET', `/v0/sandboxes/${sb.name}`)).json;
  assert.equal(info.state, 'STANDBY');
  // Resumed by this request; the command runs on to its end.
  const p = await fake.call('GET', `${sb.base}/process/count`);
  assert.equal(p.json.status, 'running');
  assert.equal((await fake.call('GET', `/v0/sandboxes/${sb.name}`)).json.state, 'RUNNING');
  await eventually(async () => (await fake.call('GET', `${sb.base}/process/count`)).json.status === 'completed', 'the command to finish');
  assert.equal((await fake.call('GET', `${sb.base}/process/count/logs`)).json.stdout.split('\n').length, 41);
});

test('both path encodings: %2F absolute, // absolute, one slash relative to /blaxel, ~ is HOME', async () => {
  const sb = await newSandbox();
  const put = (p, content) => fake.call('PUT', `${sb.base}/filesystem/${p}`, JSON.stringify({ content }));
  assert.deepEqual((await put('%2Ftmp%2Fenc.txt', 'one')).json, { message: 'File created/updated successfully', path: '/tmp/enc.txt' });
  assert.equal((await fake.call('GET', `${sb.base}/filesystem//tmp/enc.txt`)).json.content, 'one');
  assert.deepEqual((await put('tmp/rel.txt', 'two')).json, { message: 'File created/updated successfully', path: 'tmp/rel.txt' });
  const rel = await fake.call('GET', `${sb.base}/filesystem/%2Fblaxel%2Ftmp%2Frel.txt`);
  assert.deepEqual([rel.json.content, rel.json.path, rel.json.name], ['two', '/blaxel/tmp/rel.txt', '']);
  assert.equal((await fake.call('GET', `${sb.base}/filesystem/tmp/rel.txt`)).json.path, 'tmp/rel.txt');
  assert.equal((await fake.call('GET', `${sb.base}/filesystem/%2Ftmp%2Frel.txt`)).status, 404, '/tmp/rel.txt is another file');
  await put('~/home.txt', 'three');
  assert.equal((await fake.call('GET', `${sb.base}/filesystem//blaxel/home.txt`)).json.content, 'three');
  const root = await fake.call('GET', `${sb.base}/filesystem/`);
  assert.equal(root.json.path, '/blaxel');
  assert.deepEqual(root.json.subdirectories.map((d) => d.name), ['tmp']);
  // A multipart write: the `file` part, with the permissions field that comes before it.
  const boundary = 'b0undary';
  const form = [`--${boundary}`, 'Content-Disposition: form-data; name="permissions"', '', '0600',
    `--${boundary}`, 'Content-Disposition: form-data; name="file"; filename="x.bin"', 'Content-Type: application/octet-stream', '', 'raw\x00bytes',
    `--${boundary}--`, ''].join('\r\n');
  const up = await fake.call('PUT', `${sb.base}/filesystem//tmp/x.bin`, form, { 'Content-Type': `multipart/form-data; boundary=${boundary}` });
  assert.deepEqual(up.json, { message: 'Binary file uploaded successfully', path: '/tmp/x.bin' });
  const raw = await fake.call('GET', `${sb.base}/filesystem/%2Ftmp%2Fx.bin`, undefined, { Accept: 'application/octet-stream' });
  assert.equal(raw.body.toString('latin1'), 'raw\x00bytes');
  assert.equal(raw.headers['content-disposition'], 'attachment; filename="x.bin"');
  assert.equal((await fake.call('GET', `${sb.base}/filesystem//tmp`)).json.files.find((f) => f.name === 'x.bin').permissions, '600');
  const none = await fake.call('PUT', `${sb.base}/filesystem//tmp/y`, `--${boundary}--\r\n`, { 'Content-Type': `multipart/form-data; boundary=${boundary}` });
  assert.deepEqual([none.status, none.json], [400, { error: "missing 'file' field in multipart form" }]);
  // Deleting: a directory with files needs recursive.
  await put('%2Ftmp%2Fd%2Ff', 'x');
  const refused = await fake.call('DELETE', `${sb.base}/filesystem/%2Ftmp%2Fd`);
  assert.deepEqual([refused.status, refused.json], [422, { error: 'error deleting directory: remove /tmp/d: directory not empty' }]);
  assert.equal((await fake.call('DELETE', `${sb.base}/filesystem/%2Ftmp%2Fd?recursive=true`)).status, 200);
  assert.deepEqual((await fake.call('DELETE', `${sb.base}/filesystem/%2Ftmp%2Fd`)).json, { error: 'file or directory not found' });
  // A link a command planted cannot lead the file API out of the sandbox.
  await exec(fake, sb, { command: 'ln -s / /tmp/escape', waitForCompletion: true });
  const shadow = await fake.call('GET', `${sb.base}/filesystem/%2Ftmp%2Fescape%2Fetc%2Fshadow`);
  assert.equal(shadow.status, 404);
});

test('waited timeouts: 422 and still running, unless keepAlive kills it', async () => {
  const sb = await newSandbox();
  const t = await exec(fake, sb, { command: 'sleep 5', name: 'slow', timeout: 1, waitForCompletion: true });
  assert.deepEqual([t.status, t.json], [422, { error: 'process timed out after 1 seconds' }]);
  assert.equal((await fake.call('GET', `${sb.base}/process/slow`)).json.status, 'running');
  const k = await exec(fake, sb, { command: 'sleep 5', name: 'kept', timeout: 1, keepAlive: true, waitForCompletion: true });
  assert.equal(k.status, 422);
  await eventually(async () => (await fake.call('GET', `${sb.base}/process/kept`)).json.status === 'killed', 'the keepAlive kill');
  const dup = await exec(fake, sb, { command: 'true', name: 'slow' });
  assert.deepEqual([dup.status, dup.json], [400, { error: "process with name 'slow' already exists and is running" }]);
  const missing = await exec(fake, sb, { name: 'x' });
  assert.deepEqual([missing.status, missing.json], [400, { error: "Key: 'ProcessRequest.Command' Error:Field validation for 'Command' failed on the 'required' tag" }]);
  await fake.call('DELETE', `${sb.base}/process/slow/kill`);
});

test('auth: credentials on both planes, the API version checked', async () => {
  const sb = await newSandbox();
  for (const path of ['/v0/sandboxes', `${sb.base}/process`]) {
    const r = await fake.request({ path });
    assert.equal(r.status, 401);
    assert.deepEqual(JSON.parse(r.body), { error: 'Unauthorized', code: 401, message: 'missing credentials: send X-Blaxel-Authorization: Bearer <api key>' });
    const noWs = await fake.request({ path, headers: { 'X-Blaxel-Authorization': 'Bearer k' } });
    assert.equal(noWs.status, 401);
  }
  const viaQuery = await fake.request({ path: '/v0/sandboxes?workspace=w', headers: { Authorization: 'Bearer k' } });
  assert.equal(viaQuery.status, 200);
  assert.ok(Array.isArray(JSON.parse(viaQuery.body)), 'no Blaxel-Version: the bare array of 2026-04-16');
  const bad = await fake.call('GET', '/v0/sandboxes', undefined, { 'Blaxel-Version': '1999-01-01' });
  assert.equal(bad.status, 400);
  assert.equal(bad.json.error, 'invalid_api_version');
  assert.deepEqual((await fake.call('GET', '/v0/sandboxes/nope')).json, { error: 'Not Found', code: 404, message: 'sandbox nope not found' });
  assert.deepEqual((await fake.call('GET', '/sbx/nope/health')).json, { error: 'sandbox nope not found' });
  const unknown = await fake.call('GET', `${sb.base}/nothing`);
  assert.deepEqual([unknown.status, unknown.body.toString()], [404, '404 page not found']);
});

test('a download with a Range: one range served (206), or the whole file with downloadRanges 0', async () => {
  const sb = await newSandbox();
  await fake.call('PUT', `${sb.base}/filesystem/%2Ftmp%2Fr.txt`, JSON.stringify({ content: '0123456789' }));
  const get = (range) => fake.call('GET', `${sb.base}/filesystem/%2Ftmp%2Fr.txt?download=true`, undefined, { Range: range });
  const part = await get('bytes=2-4');
  assert.deepEqual([part.status, part.body.toString(), part.headers['content-range']], [206, '234', 'bytes 2-4/10']);
  const past = await get('bytes=20-');
  assert.deepEqual([past.status, past.headers['content-range']], [416, 'bytes */10']);
  await fake.admin('POST', 'config', { downloadRanges: 0 });
  try {
    const whole = await get('bytes=2-4');
    assert.deepEqual([whole.status, whole.body.toString(), whole.headers['content-range']], [200, '0123456789', undefined]);
  } finally {
    await fake.admin('POST', 'config', { downloadRanges: 1 });
  }
  assert.equal((await fake.admin('POST', 'config', { downloadRanges: 2 })).status, 400);
});

test('faults: 429 with Retry-After on the next N control-plane calls, a 5xx on one data-plane path, bad specs refused', async () => {
  const armed = await fake.admin('POST', 'faults', { kind: 'rate_limit', count: 2, retryAfter: 3 });
  assert.equal(armed.status, 201);
  assert.equal(armed.json.faults[0].remaining, 2);
  for (let i = 0; i < 2; i++) {
    const r = await fake.call('GET', '/v0/sandboxes');
    assert.equal(r.status, 429);
    assert.equal(r.headers['retry-after'], '3');
    assert.deepEqual(r.json, { error: 'Too Many Requests', code: 429, message: 'rate limit exceeded, retry later' });
  }
  assert.equal((await fake.call('GET', '/v0/sandboxes')).status, 200);
  assert.deepEqual((await fake.admin('GET', 'faults')).json, { faults: [] });
  const sb = await newSandbox();
  await fake.admin('POST', 'faults', { kind: 'error', status: 502, plane: 'sandbox', path: '/health', message: 'bad gateway' });
  const r = await fake.call('GET', `${sb.base}/health`);
  assert.deepEqual([r.status, r.json], [502, { error: 'bad gateway' }]);
  assert.equal((await fake.call('GET', `${sb.base}/health`)).json.status, 'ok');
  for (const spec of [{ kind: 'nonsense' }, { kind: 'split' }, { kind: 'reset', chunkBytes: 3 }, { kind: 'error', status: 200 }]) {
    const bad = await fake.admin('POST', 'faults', spec);
    assert.equal(bad.status, 400, JSON.stringify(spec));
  }
  assert.equal((await fake.admin('DELETE', 'faults')).status, 204);
});

test('the request log: plane, sandbox, method, url as sent, headers, body', async () => {
  const last = (await fake.admin('GET', 'requests')).json.last;
  const sb = await newSandbox();
  await fake.call('PUT', `${sb.base}/filesystem//tmp/log.txt`, JSON.stringify({ content: 'logged' }));
  const { requests } = (await fake.admin('GET', `requests?since=${last}`)).json;
  const [create, put] = requests;
  assert.deepEqual([create.plane, create.method, create.path, create.sandboxId], ['control', 'POST', '/v0/sandboxes', null]);
  assert.equal(create.headers['x-blaxel-workspace'], 'test');
  assert.deepEqual([put.plane, put.sandboxId, put.url, put.bodyEncoding], ['sandbox', sb.name, `${sb.base}/filesystem//tmp/log.txt`, 'utf8']);
  assert.deepEqual(JSON.parse(put.body), { content: 'logged' });
  assert.equal((await fake.admin('DELETE', 'requests')).status, 204);
  assert.deepEqual((await fake.admin('GET', 'requests')).json.requests, []);
});

async function lifetime(prefix, how) {
  const f = await startFake({ prefix });
  const sb = await newSandbox(f);
  const s = streamed(f, sb, 'echo up $(id -u); sleep 1000');
  await s.until((b) => b.includes('up'));
  const out = JSON.parse(s.body.toString().split('\n')[0]).data;
  const [view] = (await f.admin('GET', 'sandboxes')).json.sandboxes;
  // the command, and the sandbox's bubblewrap, its init and the spawner
  const { bwrapPid, nsInit, spawnerPid } = view.spawner;
  const hostPids = [...view.processes[0].hostPids, bwrapPid, nsInit, spawnerPid];
  assert.ok(hostPids.length >= 5 && hostPids.every((p) => p > 0 && alive(p)), 'sh, its sleep and the spawner');
  assert.ok(existsSync(view.dir));
  await endFake(f, how, hostPids);
  assert.equal(existsSync(view.dir), false, 'the sandbox directory is removed');
  await f.stop();
  return out;
}

test('the fake exits when its stdin closes, killing every command and removing its files', async () => {
  assert.equal(await lifetime([], 'stdin'), 'up 0\n');
});

test('the fake exits on SIGTERM and SIGINT the same way', async () => {
  await lifetime([], 'SIGTERM');
  await lifetime([], 'SIGINT');
});

test('as an unprivileged user (uid 65534): bwrap works, commands run, cleanup is complete', async (t) => {
  if (process.getuid() !== 0) { t.skip('needs root to switch to uid 65534'); return; }
  assert.equal(await lifetime(['sh', UNPRIVILEGED], 'stdin'), 'up 0\n', 'root inside its own user namespace');
});
