// tests/daytona/wire.test.mjs - the fake byte by byte and its own
// machinery: the log follow's WebSocket (handshake, the server's unmasked
// binary frames with their 3-byte markers, markers straddling frames,
// pings, masked and unmasked client frames, close codes) written with a
// client on node:net, the runner's chunked follow, the output formats by
// SDK version, the multipart answers, each fault of the admin API, the
// request log, auth and error bodies, and the fake's lifetime (it exits
// with its parent's pipe or a signal, kills every process and leaves no
// files), as root and as an unprivileged user.
//
// Run: node --test tests/daytona/wire.test.mjs (ctest does).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { startFake, eventually, alive, endFake, newSandbox, sessionExec, AUTH, UNPRIVILEGED } from './harness.mjs';
import { wsOpen, expectedAccept, clientFrame } from './ws-client.mjs';

let fake;
// Stops take 500 ms here, not the fake's default 50: a check that a second
// stop meets "state change in progress" must not race the transition on a
// loaded machine (it did, twice, under ctest -j2 with builds running).
before(async () => { fake = await startFake({ args: ['--stop-ms', '500'] }); });
after(async () => { await fake.stop(); });

const V = { 'X-Daytona-SDK-Version': '0.218.0' };
const hex = (s) => Buffer.from(s).toString('hex');
const OUT = '010101', ERR = '020202';

/** A sandbox with a session `s`; `run(cmd, extra)` executes in it and returns the command id. */
async function withSession(extra = {}) {
  const sb = await newSandbox(fake, extra);
  assert.equal((await fake.call('POST', sb.tb('/process/session'), { sessionId: 's' })).status, 201);
  sb.run = async (command, opts = {}) => {
    const r = await sessionExec(fake, sb, 's', command, opts);
    assert.ok(r.status === 200 || r.status === 202, `exec: ${r.status} ${r.body}`);
    return r.json.cmdId;
  };
  sb.logs = (cid, q = '?follow=true') => sb.tb(`/process/session/s/command/${cid}/logs${q}`);
  return sb;
}

test('a finished command\'s WebSocket follow is the bytes of remote-providers.md §2.3', async () => {
  const sb = await withSession();
  const cid = await sb.run("printf 'line1\\n'");
  const key = 'dGhlIHNhbXBsZSBub25jZQ==';
  const ws = await wsOpen(fake.port, sb.logs(cid), {
    key, headers: { ...AUTH, ...V, 'Sec-WebSocket-Extensions': 'permessage-deflate; client_max_window_bits' },
  });
  // No extension accepted (compression declined), no subprotocol asked, none given.
  assert.equal(ws.head, 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
    `Sec-WebSocket-Accept: ${expectedAccept(key)}\r\n\r\n`);
  assert.equal(expectedAccept(key), 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  await ws.ended;
  assert.equal(ws.bytes.toString('hex'), '8209' + OUT + hex('line1\n') + '880203e8');
});

test('markers straddle frames: reads of 1024 bytes, one binary message each', async () => {
  const sb = await withSession();
  // 3 + 1018 + 1 = 1022 bytes, so the next line's marker starts at 1022 and ends in the second read.
  const cid = await sb.run("printf 'a%.0s' $(seq 1018); echo; echo line2");
  const ws = await wsOpen(fake.port, sb.logs(cid), { headers: { ...AUTH, ...V } });
  await ws.ended;
  const [f1, f2, close] = ws.frames;
  assert.equal(ws.frames.length, 3);
  for (const f of ws.frames) assert.equal(f.masked, false, 'server frames are not masked');
  assert.deepEqual([f1.fin, f1.opcode, f1.payload.length], [true, 2, 1024]);
  assert.equal(f1.raw.subarray(0, 4).toString('hex'), '827e0400', 'a 16-bit length');
  assert.equal(f1.payload.subarray(0, 3).toString('hex'), OUT);
  assert.equal(f1.payload.subarray(1022).toString('hex'), '0101', 'two bytes of the marker end the first frame');
  assert.equal(f2.payload.toString('hex'), '01' + hex('line2\n'), 'its third byte starts the second');
  assert.equal(close.raw.toString('hex'), '880203e8');
});

test('a live follow: frames as output comes, a ping answered, close 1000 when the command ends', async () => {
  const sb = await withSession();
  // No echo of the input: it would race the command's answer to the log.
  const cid = await sb.run('read x; echo "got $x"', { runAsync: true, suppressInputEcho: true });
  const ws = await wsOpen(fake.port, sb.logs(cid), { headers: { ...AUTH, ...V } });
  assert.equal(ws.status, 101);
  ws.send(9, Buffer.from('are-you-there'));
  const pong = await ws.until((f) => f.opcode === 10);
  assert.deepEqual([pong.masked, pong.payload.toString()], [false, 'are-you-there']);
  assert.equal((await fake.call('POST', sb.tb(`/process/session/s/command/${cid}/input`), { data: 'hi' })).status, 204);
  const close = await ws.until((f) => f.opcode === 8);
  assert.equal(close.payload.toString('hex'), '03e8');
  await ws.ended;
  assert.equal(ws.data().toString('hex'), OUT + hex('got hi\n'));
  const st = await fake.call('GET', sb.tb(`/process/session/s/command/${cid}`));
  assert.deepEqual(st.json, { id: cid, command: 'read x; echo "got $x"', exitCode: 0 });
});

test('client frames: an unmasked one is a protocol error, a close is echoed, a deleted session closes normally', async () => {
  const sb = await withSession();
  const cid = await sb.run('sleep 1000', { runAsync: true });
  const a = await wsOpen(fake.port, sb.logs(cid), { headers: { ...AUTH, ...V } });
  a.send(2, Buffer.from('x'), { mask: false });
  const c1 = await a.until((f) => f.opcode === 8);
  assert.equal(c1.payload.readUInt16BE(0), 1002);
  assert.equal(c1.payload.subarray(2).toString(), 'incorrect mask flag');
  await a.ended;

  const b = await wsOpen(fake.port, sb.logs(cid), { headers: { ...AUTH, ...V } });
  b.socket.write(clientFrame(8, Buffer.from([0x0f, 0xa0])));
  const c2 = await b.until((f) => f.opcode === 8);
  assert.equal(c2.payload.toString('hex'), '0fa0', 'the client\'s code 4000 comes back');
  await b.ended;

  const c = await wsOpen(fake.port, sb.logs(cid), { headers: { ...AUTH, ...V } });
  assert.equal((await fake.call('DELETE', sb.tb('/process/session/s'))).status, 204);
  const c3 = await c.until((f) => f.opcode === 8);
  assert.equal(c3.payload.toString('hex'), '03e8');
  await c.ended;
});

test('the handshake: refusals as the daemon words them, the SDK-version subprotocol echoed', async () => {
  const sb = await withSession();
  const cid = await sb.run('true');
  const noKey = await wsOpen(fake.port, sb.logs(cid), { headers: AUTH, omit: ['Sec-WebSocket-Key'] });
  assert.equal(noKey.status, 400);
  await noKey.ended;
  assert.equal(noKey.body.toString(), "websocket: not a websocket handshake: 'Sec-WebSocket-Key' header must be Base64 encoded value of 16-byte length\n");
  const v8 = await wsOpen(fake.port, sb.logs(cid), { headers: { ...AUTH, 'Sec-WebSocket-Version': '8' } });
  assert.equal(v8.status, 400);
  assert.equal(v8.headers['sec-websocket-version'], '13');
  await v8.ended;
  const unknown = await wsOpen(fake.port, sb.tb('/process/session/s/command/nope/logs?follow=true'), { headers: AUTH });
  assert.equal(unknown.status, 404);
  await unknown.ended;
  const body = JSON.parse(unknown.body.toString().replace(/^[\s\S]*?\r\n\r\n/, ''));
  assert.deepEqual({ ...body, timestamp: 'T' }, { statusCode: 404, message: 'not found: command not found', code: 'NOT_FOUND', timestamp: 'T', path: '/process/session/s/command/nope/logs', method: 'GET' });
  const proto = await wsOpen(fake.port, sb.logs(cid), { headers: { ...AUTH, 'Sec-WebSocket-Protocol': 'other, X-Daytona-SDK-Version~0.218.0' } });
  assert.equal(proto.headers['sec-websocket-protocol'], 'X-Daytona-SDK-Version~0.218.0');
  await proto.ended;
  assert.equal(proto.data().toString('hex'), '', 'true prints nothing');
  const other = await wsOpen(fake.port, sb.logs(cid), { headers: { ...AUTH, 'Sec-WebSocket-Protocol': 'other' } });
  assert.equal(other.headers['sec-websocket-protocol'], undefined);
  await other.ended;
});

test('a follow without an upgrade: the runner\'s chunked body, markers stripped, ending with the command', async () => {
  const sb = await withSession();
  const cid = await sb.run('echo a; read x; echo "c$x" >&2', { runAsync: true, suppressInputEcho: true });
  const body = fake.request({ path: sb.logs(cid), headers: { ...AUTH, ...V } });
  await eventually(async () => (await fake.call('GET', sb.logs(cid, ''), undefined, V)).json.stdout === 'a\n', 'the first line');
  await fake.call('POST', sb.tb(`/process/session/s/command/${cid}/input`), { data: 'd' });
  const r = await body;
  assert.equal(r.status, 200);
  assert.equal(r.headers['content-type'], 'application/octet-stream');
  assert.equal(r.headers['transfer-encoding'], 'chunked');
  assert.equal(r.body.toString(), 'a\ncd\n');
});

test('output formats by X-Daytona-SDK-Version: demuxed JSON, raw text (< 0.167.0), combined (none)', async () => {
  const sb = await withSession();
  const cmd = 'echo o; echo e >&2';
  const either = (a, b) => (x) => x === a || x === b;
  const raw = either(`\x01\x01\x01o\n\x02\x02\x02e\n`, `\x02\x02\x02e\n\x01\x01\x01o\n`);
  const plain = either('o\ne\n', 'e\no\n');

  const now = await sessionExec(fake, sb, 's', cmd);
  assert.ok(raw(now.json.output));
  assert.deepEqual([now.json.stdout, now.json.stderr, now.json.exitCode], ['o\n', 'e\n', 0]);
  const logs = await fake.call('GET', sb.logs(now.json.cmdId, ''), undefined, V);
  assert.equal(logs.headers['content-type'], 'application/json; charset=utf-8');
  assert.deepEqual([logs.json.stdout, logs.json.stderr], ['o\n', 'e\n']);
  assert.ok(raw(logs.json.output));

  const old = { 'X-Daytona-SDK-Version': '0.143.0' };
  const split = await fake.call('POST', sb.tb('/process/session/s/exec'), { command: cmd }, old);
  assert.ok(raw(split.json.output));
  assert.deepEqual([split.json.stdout, split.json.stderr], [null, null]);
  const splitLogs = await fake.call('GET', sb.logs(split.json.cmdId, ''), undefined, old);
  assert.equal(splitLogs.headers['content-type'], 'text/plain; charset=utf-8');
  assert.ok(raw(splitLogs.body.toString()));

  const none = await fake.call('POST', sb.tb('/process/session/s/exec'), { command: cmd });
  assert.ok(plain(none.json.output));
  assert.deepEqual(Object.keys(none.json), ['cmdId', 'output', 'stdout', 'stderr', 'exitCode']);
  assert.ok(plain((await fake.call('GET', sb.logs(none.json.cmdId, ''))).body.toString()));
  assert.ok(raw((await fake.call('GET', sb.logs(none.json.cmdId, ''), undefined, { 'X-Daytona-Split-Output': 'true' })).body.toString()));
  assert.ok(plain((await fake.call('GET', sb.logs(none.json.cmdId, ''), undefined, { 'X-Daytona-SDK-Version': '0.26.9' })).body.toString()));
  const dev = await fake.call('GET', sb.logs(none.json.cmdId, ''), undefined, { 'X-Daytona-SDK-Version': '0.0.0-dev' });
  assert.equal(dev.json.stdout, 'o\n');

  // A follow of an old client has no markers either.
  const ws = await wsOpen(fake.port, sb.logs(none.json.cmdId), { headers: AUTH });
  await ws.ended;
  assert.ok(plain(ws.data().toString()));
});

test('multipart: uploads chunked or not, the download answer part by part', async () => {
  const sb = await newSandbox(fake);
  const boundary = 'wsp-test-boundary';
  const form = (parts) => Buffer.concat([...parts.map(([name, value, filename]) => Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"${filename ? `; filename="${filename}"` : ''}\r\n\r\n`),
    Buffer.from(value), Buffer.from('\r\n')])), Buffer.from(`--${boundary}--\r\n`)]);
  const headers = { ...AUTH, 'Content-Type': `multipart/form-data; boundary=${boundary}` };
  const body = form([['files[0].path', '/home/daytona/a.txt'], ['files[0].file', 'abc', 'a.txt'], ['files[1].path', 'rel/b.bin'], ['files[1].file', Buffer.from([0, 1, 2, 255]), 'b.bin']]);
  const whole = await fake.request({ method: 'POST', path: sb.tb('/files/bulk-upload'), headers, body });
  assert.equal(whole.status, 200);
  assert.equal(whole.body.toString(), '{"files":[{"path":"/home/daytona/a.txt","bytes":3},{"path":"rel/b.bin","bytes":4}]}');
  const chunked = await fake.request({ method: 'POST', path: sb.tb('/files/bulk-upload'), headers, chunks: [body.subarray(0, 50), body.subarray(50)] });
  assert.equal(chunked.status, 200);
  const [logged] = (await fake.requests((e) => e.path.endsWith('/bulk-upload'))).slice(-1);
  assert.equal(logged.chunked, true);
  const noPath = await fake.request({ method: 'POST', path: sb.tb('/files/bulk-upload'), headers, body: form([['files[0].file', 'x', 'x']]) });
  assert.deepEqual([noPath.status, noPath.body.toString()], [400, '{"errors":["file[0]: missing .path metadata"],"files":null}']);
  const notForm = await fake.call('POST', sb.tb('/files/bulk-upload'), { x: 1 });
  assert.deepEqual([notForm.status, notForm.json], [400, { errors: ['invalid multipart form'] }]);

  const r = await fake.call('POST', sb.tb('/files/bulk-download'), { paths: ['/home/daytona/a.txt', '/nope', 'rel/b.bin', '/tmp'] }, { Accept: 'multipart/form-data' });
  assert.equal(r.status, 200);
  assert.equal(r.headers['content-type'], 'multipart/form-data; boundary=DAYTONA-FILE-BOUNDARY');
  assert.equal(r.headers['transfer-encoding'], 'chunked');
  const text = r.body.toString('latin1').replace(/"timestamp":"[^"]+"/g, '"timestamp":"T"');
  const err = (path, status, code, message) => `{"statusCode":${status},"message":"${message}","code":"${code}","timestamp":"T","path":"${path}","method":"POST"}`;
  assert.equal(text,
    '--DAYTONA-FILE-BOUNDARY\r\n' +
    'Content-Disposition: form-data; name="file"; filename="/home/daytona/a.txt"; filename*=utf-8\'\'%2Fhome%2Fdaytona%2Fa.txt\r\n' +
    'Content-Length: 3\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nabc' +
    '\r\n--DAYTONA-FILE-BOUNDARY\r\n' +
    'Content-Disposition: form-data; name="error"; filename="/nope"; filename*=utf-8\'\'%2Fnope\r\n' +
    'Content-Type: application/json; charset=utf-8\r\n\r\n' + err('/nope', 404, 'FILE_NOT_FOUND', 'file not found: /nope') +
    '\r\n--DAYTONA-FILE-BOUNDARY\r\n' +
    'Content-Disposition: form-data; name="file"; filename="rel/b.bin"; filename*=utf-8\'\'rel%2Fb.bin\r\n' +
    'Content-Length: 4\r\nContent-Type: application/octet-stream\r\n\r\n\x00\x01\x02\xff' +
    '\r\n--DAYTONA-FILE-BOUNDARY\r\n' +
    'Content-Disposition: form-data; name="error"; filename="/tmp"; filename*=utf-8\'\'%2Ftmp\r\n' +
    'Content-Type: application/json; charset=utf-8\r\n\r\n' + err('/tmp', 400, 'INVALID_FILE_PATH', 'invalid file path: path points to a directory: /tmp') +
    '\r\n--DAYTONA-FILE-BOUNDARY--\r\n');
  const empty = await fake.call('POST', sb.tb('/files/bulk-download'), { paths: [] });
  assert.deepEqual([empty.status, empty.body.toString()], [400, '{"error":"request body must be {\\"paths\\": [ ... ]} and non-empty"}']);
});

test('GET /files/download: raw bytes, one Range as Go\'s ServeFile answers it', async () => {
  const sb = await newSandbox(fake);
  const data = Buffer.from('0123456789abcdefghij');
  const boundary = 'wsp-range';
  const body = Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="files[0].path"\r\n\r\n/home/daytona/r.txt\r\n` +
    `--${boundary}\r\nContent-Disposition: form-data; name="files[0].file"; filename="r.txt"\r\n\r\n`), data, Buffer.from(`\r\n--${boundary}--\r\n`)]);
  const up = await fake.request({ method: 'POST', path: sb.tb('/files/bulk-upload'), headers: { ...AUTH, 'Content-Type': `multipart/form-data; boundary=${boundary}` }, body });
  assert.equal(up.status, 200);
  const get = (range) => fake.request({ method: 'GET', path: sb.tb('/files/download?path=%2Fhome%2Fdaytona%2Fr.txt'), headers: range ? { ...AUTH, Range: range } : AUTH });
  const whole = await get();
  assert.deepEqual([whole.status, whole.body.toString(), whole.headers['accept-ranges'], whole.headers['content-range']], [200, data.toString(), 'bytes', undefined]);
  for (const [range, start, end] of [['bytes=3-7', 3, 7], ['bytes=15-', 15, 19], ['bytes=-4', 16, 19], ['bytes=18-99', 18, 19], ['bytes=0-0', 0, 0]]) {
    const r = await get(range);
    assert.equal(r.status, 206, range);
    assert.equal(r.body.toString(), data.subarray(start, end + 1).toString(), range);
    assert.equal(r.headers['content-range'], `bytes ${start}-${end}/20`, range);
    assert.equal(r.headers['content-length'], String(end - start + 1), range);
  }
  const past = await get('bytes=20-');
  assert.deepEqual([past.status, past.headers['content-range'], past.body.toString()], [416, 'bytes */20', 'invalid range: failed to overlap\n']);
  const bad = await get('bytes=7-3');
  assert.deepEqual([bad.status, bad.headers['content-range'], bad.body.toString()], [416, undefined, 'invalid range\n']);
  const other = await get('items=1-2');
  assert.equal(other.status, 416);
  // several ranges: not served, the whole file (Go sends multipart/byteranges)
  assert.equal((await get('bytes=0-1,5-6')).status, 200);
  // ranges adding up to more than the file: ignored, as Go does
  assert.equal((await get('bytes=0-15,2-12')).status, 200);
});

test('fault: 429 with Retry-After for the next N API calls', async () => {
  const armed = await fake.admin('POST', 'faults', { kind: 'rate_limit', count: 2, retryAfter: 3, path: '/api/sandbox', method: 'GET' });
  assert.equal(armed.status, 201);
  for (let i = 0; i < 2; i++) {
    const r = await fake.call('GET', '/api/sandbox');
    assert.equal(r.status, 429);
    assert.equal(r.headers['retry-after'], '3');
    assert.equal(r.headers['x-ratelimit-remaining-authenticated'], '0');
    assert.deepEqual({ ...r.json, timestamp: 'T' }, { path: '/api/sandbox', timestamp: 'T', statusCode: 429, error: 'Too Many Requests', message: 'ThrottlerException: Too Many Requests' });
  }
  assert.equal((await fake.call('GET', '/api/sandbox')).status, 200);
  assert.deepEqual((await fake.admin('GET', 'faults')).json, { faults: [] });
  const bad = await fake.admin('POST', 'faults', { kind: 'nonsense' });
  assert.equal(bad.status, 400);
  assert.match(bad.json.message, /unknown fault kind 'nonsense'/);
});

test('fault: a 5xx on a toolbox path, once, with the daemon\'s body', async () => {
  const sb = await newSandbox(fake);
  await fake.admin('POST', 'faults', { kind: 'error', status: 503, plane: 'toolbox', path: `/toolbox/${sb.id}/files/info`, message: 'runner overloaded' });
  const r = await fake.call('GET', sb.tb('/files/info?path=/tmp'));
  assert.equal(r.status, 503);
  assert.deepEqual({ ...r.json, timestamp: 'T' }, { statusCode: 503, message: 'runner overloaded', code: 'SERVICE_UNAVAILABLE', timestamp: 'T', path: '/files/info', method: 'GET' });
  assert.equal((await fake.call('GET', sb.tb('/files/info?path=/tmp'))).json.isDir, true);
});

test('fault: a WebSocket dropped after K frames, a stalled one', async () => {
  const sb = await withSession();
  const cid = await sb.run('head -c 5000 /dev/zero | tr "\\0" a; echo');
  await fake.admin('POST', 'faults', { kind: 'drop', afterFrames: 2, sandboxId: sb.id });
  const ws = await wsOpen(fake.port, sb.logs(cid), { headers: { ...AUTH, ...V } });
  await ws.ended;
  assert.deepEqual(ws.frames.map((f) => [f.opcode, f.payload.length]), [[2, 1024], [2, 1024]], 'two frames, then the connection breaks with no close frame');

  await fake.admin('POST', 'faults', { kind: 'stall', afterFrames: 1, sandboxId: sb.id });
  const st = await wsOpen(fake.port, sb.logs(cid), { headers: { ...AUTH, ...V } });
  await st.until((f) => f.opcode === 2);
  // It still answers pings (the connection is alive) but sends no more output.
  st.send(9, Buffer.from('p'));
  await st.until((f) => f.opcode === 10);
  assert.equal(st.frames.filter((f) => f.opcode === 2).length, 1);
  st.socket.destroy();
  await st.ended;
});

test('fault: a ping inside a follow; no matching pong within a second drops the connection', async () => {
  const sb = await withSession();
  const cid = await sb.run('echo one; sleep 3; echo two', { runAsync: true });
  await fake.admin('POST', 'faults', { kind: 'ping', afterFrames: 1, sandboxId: sb.id });
  const ws = await wsOpen(fake.port, sb.logs(cid), { headers: { ...AUTH, ...V } });
  const ping = await ws.until((f) => f.opcode === 9);
  ws.send(10, ping.payload); // answered: the follow goes on to its normal close
  await ws.ended;
  assert.deepEqual(ws.frames.filter((f) => f.opcode !== 9).map((f) => f.opcode).slice(-1), [8]);
  assert.equal(ws.data().toString(), '\x01\x01\x01one\n\x01\x01\x01two\n');

  const cid2 = await sb.run('echo one; sleep 3; echo two', { runAsync: true });
  await fake.admin('POST', 'faults', { kind: 'ping', afterFrames: 1, sandboxId: sb.id });
  const t0 = Date.now();
  const mute = await wsOpen(fake.port, sb.logs(cid2), { headers: { ...AUTH, ...V } });
  await mute.until((f) => f.opcode === 9);
  await mute.ended; // no pong: dropped, no close frame, before the command ends
  assert.ok(Date.now() - t0 < 2500, 'dropped about a second after the ping');
  assert.ok(!mute.frames.some((f) => f.opcode === 8));
});

test('fault: the sandbox auto-stopped mid-command, during a follow', async () => {
  const sb = await withSession();
  const cid = await sb.run('echo up; sleep 1000', { runAsync: true });
  await fake.admin('POST', 'faults', { kind: 'autostop', afterFrames: 1, sandboxId: sb.id });
  const pids = await eventually(async () => {
    const s = (await fake.admin('GET', 'sandboxes')).json.sandboxes.find((x) => x.id === sb.id).sessions.flatMap((x) => x.hostPids);
    return s.length >= 3 && s;
  }, 'the command to run');
  const ws = await wsOpen(fake.port, sb.logs(cid), { headers: { ...AUTH, ...V } });
  await ws.ended;
  assert.deepEqual(ws.frames.map((f) => f.opcode), [2], 'the output so far, then a broken connection');
  assert.equal(ws.data().toString('hex'), OUT + hex('up\n'));
  for (const p of pids) await eventually(() => !alive(p), `host pid ${p} to be killed`);
  await eventually(async () => (await fake.call('GET', `/api/sandbox/${sb.id}`)).json.state === 'stopped', 'the sandbox to stop');
  const r = await fake.call('GET', sb.tb('/files/info?path=/tmp'));
  assert.equal(r.status, 400);
  assert.equal(r.json.message, 'bad request: no IP address found. Is the Sandbox started?');
  // The admin route does the same at once.
  const other = await newSandbox(fake);
  assert.equal((await fake.admin('POST', `sandboxes/${other.id}/autostop`)).status, 204);
  assert.equal((await fake.call('GET', `/api/sandbox/${other.id}`)).json.desiredState, 'stopped');
});

test('fault: a slow start, and a download dropped after N bytes', async () => {
  await fake.admin('POST', 'faults', { kind: 'slow_start', ms: 1500 });
  const r = await fake.call('POST', '/api/sandbox', {});
  assert.equal(r.json.state, 'creating');
  assert.equal((await fake.call('GET', `/api/sandbox/${r.json.id}`)).json.state, 'creating', 'still creating right after');
  await eventually(async () => (await fake.call('GET', `/api/sandbox/${r.json.id}`)).json.state === 'started', 'the slow sandbox to start');

  const sb = { id: r.json.id, tb: (p) => `/toolbox/${r.json.id}${p}` };
  await fake.call('POST', sb.tb('/process/execute'), { command: 'head -c 100000 /dev/zero > /tmp/z' });
  await fake.admin('POST', 'faults', { kind: 'drop', afterBytes: 1000, path: sb.tb('/files/bulk-download') });
  await assert.rejects(fake.call('POST', sb.tb('/files/bulk-download'), { paths: ['/tmp/z'] }), /aborted|socket hang up|ECONNRESET/);
  const whole = await fake.call('POST', sb.tb('/files/bulk-download'), { paths: ['/tmp/z'] });
  assert.ok(whole.body.length > 100000);
  // the single-file download the same way
  const raw = sb.tb('/files/download?path=%2Ftmp%2Fz');
  await fake.admin('POST', 'faults', { kind: 'drop', afterBytes: 1000, path: sb.tb('/files/download') });
  await assert.rejects(fake.call('GET', raw), /aborted|socket hang up|ECONNRESET/);
  assert.equal((await fake.call('GET', raw)).body.length, 100000);
});

test('the lifecycle over raw HTTP: archive, the API\'s refusals, the toolbox URL, an ephemeral sandbox', async () => {
  const sb = await newSandbox(fake);
  const p = `/api/sandbox/${sb.id}`;
  const state = async () => (await fake.call('GET', p)).json.state;
  assert.deepEqual((await fake.call('GET', `${p}/toolbox-proxy-url`)).json, { url: `${fake.url}/toolbox` });
  const early = await fake.call('POST', `${p}/archive`);
  assert.deepEqual([early.status, early.json.message], [400, 'Sandbox is not stopped']);
  const stop = await fake.call('POST', `${p}/stop`);
  assert.deepEqual([stop.status, stop.json.state, stop.json.desiredState], [200, 'stopping', 'stopped']);
  const twice = await fake.call('POST', `${p}/stop`);
  assert.deepEqual([twice.status, twice.json.message], [409, 'Sandbox state change in progress']);
  await eventually(async () => (await state()) === 'stopped', 'stopped');
  const stopped = await fake.call('POST', `${p}/stop`);
  assert.deepEqual([stopped.status, stopped.json.message], [400, 'Sandbox is not in a stoppable state']);
  const arch = await fake.call('POST', `${p}/archive`);
  assert.deepEqual([arch.status, arch.json.state], [200, 'archiving']);
  await eventually(async () => (await state()) === 'archived', 'archived');
  const start = await fake.call('POST', `${p}/start`);
  assert.deepEqual([start.status, start.json.state], [200, 'starting']);
  await eventually(async () => (await state()) === 'started', 'started again');
  const auto = await fake.call('POST', `${p}/autostop/-1`);
  assert.deepEqual([auto.status, auto.json.message], [400, 'Auto-stop interval must be non-negative']);
  const eph = await newSandbox(fake, { autoDeleteInterval: 0 });
  const gone = await fake.call('POST', `/api/sandbox/${eph.id}/stop`);
  assert.deepEqual([gone.status, gone.json.state], [200, 'destroying'], 'an ephemeral sandbox is deleted, not stopped');
  await eventually(async () => (await fake.call('GET', `/api/sandbox/${eph.id}`)).status === 404, 'the ephemeral sandbox to be gone');
});

test('the request log: method, path, query (repeated keys as arrays), headers, body', async () => {
  const last = await fake.lastSeq();
  await fake.call('GET', '/api/sandbox?states=started&states=stopped&limit=5', undefined, { 'X-Custom': 'yes' });
  await fake.call('POST', '/api/sandbox/none/stop?force=true', '');
  const [list, stop] = await fake.requests(() => true, last);
  assert.equal(list.method, 'GET');
  assert.equal(list.plane, 'api');
  assert.equal(list.path, '/api/sandbox');
  assert.deepEqual(list.query, { states: ['started', 'stopped'], limit: '5' });
  assert.equal(list.headers['x-custom'], 'yes');
  assert.equal(list.headers.authorization, 'Bearer dtn_test');
  assert.equal(stop.sandboxId, 'none');
  assert.deepEqual(stop.query, { force: 'true' });
  assert.equal((await fake.admin('DELETE', 'requests')).status, 204);
  assert.deepEqual((await fake.admin('GET', 'requests')).json.requests, []);
});

test('auth and error bodies of the API, the proxy and the daemon', async () => {
  const noKey = await fake.request({ path: '/api/sandbox' });
  assert.equal(noKey.status, 401);
  assert.deepEqual({ ...JSON.parse(noKey.body), timestamp: 'T' }, { path: '/api/sandbox', timestamp: 'T', statusCode: 401, error: 'Unauthorized', message: 'Invalid credentials' });
  assert.equal((await fake.call('GET', '/api/nothing')).json.message, 'Cannot GET /api/nothing');
  const sb = await withSession();
  const tbNoKey = await fake.request({ path: sb.tb('/files?path=/tmp') });
  assert.equal(tbNoKey.status, 401);
  assert.deepEqual({ ...JSON.parse(tbNoKey.body), timestamp: 'T' }, {
    statusCode: 401, code: 'UNAUTHORIZED', timestamp: 'T', path: '/files', method: 'GET',
    message: 'unauthorized: missing authentication: provide a preview access token (via header, query parameter, or cookie) or use an API key or JWT',
  });
  const unknown = await fake.call('GET', '/toolbox/nope/files');
  assert.equal(unknown.status, 400);
  assert.equal(unknown.json.code, 'BAD_REQUEST');
  const noRoute = await fake.call('GET', sb.tb('/nothing'));
  assert.deepEqual([noRoute.status, noRoute.body.toString()], [404, '404 page not found']);
  // The daemon's bare statuses and its own oddities, as v0.190.0 answers them.
  const missing = await fake.call('GET', sb.tb('/files/info?path=/nope'));
  assert.deepEqual([missing.status, missing.body.length, missing.headers['content-length']], [404, 0, '0']);
  const empty = await fake.call('POST', sb.tb('/process/session/s/exec'), { command: ' ' });
  assert.deepEqual([empty.status, empty.body.length], [400, 0]);
  const noSession = await fake.call('POST', sb.tb('/process/session/zz/exec'), { command: 'true' });
  assert.deepEqual(noSession.json, { statusCode: 500, message: 'failed to execute command: not found: session not found', timestamp: '0001-01-01T00:00:00Z', path: '' });
  const dup = await fake.call('POST', sb.tb('/process/session'), { sessionId: 's' });
  assert.deepEqual([dup.status, dup.json.code, dup.json.message], [409, 'CONFLICT', 'conflict: session already exists']);
  const envBad = await fake.call('POST', sb.tb('/process/execute'), { command: 'true', envs: { 'A-B': '1' } });
  assert.deepEqual([envBad.status, envBad.json.message], [400, "bad request: invalid environment variable name: 'A-B'"]);
  const done = await sb.run('true');
  const late = await fake.call('POST', sb.tb(`/process/session/s/command/${done}/input`), { data: 'x' });
  assert.deepEqual([late.status, late.json.code, late.json.message], [410, 'GONE', 'gone: command has already completed with exit code 0']);
  // `exit` in a session command ends the session's shell, as in Daytona.
  await sb.run('exit 3', { runAsync: true });
  await eventually(async () => (await fake.call('POST', sb.tb(`/process/session/s/command/${done}/input`), { data: 'x' })).json.message === 'gone: session process has exited', 'the shell to exit');
});

test('the sandbox env reaches its processes, never bwrap on the host nor a command line', async () => {
  const sb = await withSession({ env: { WSP_SECRET: 'hunter2-value', LD_PRELOAD: '/no/such/preload.so' } });
  const cid = await sb.run('echo "[$WSP_SECRET]"; sleep 1000', { runAsync: true });
  const out = await eventually(async () => (await fake.call('GET', sb.logs(cid, ''), undefined, V)).json.stdout, 'the command to print');
  assert.equal(out, '[hunter2-value]\n');
  const { bwrapPid } = (await fake.admin('GET', 'sandboxes')).json.sandboxes.find((x) => x.id === sb.id).spawner;
  const environ = readFileSync(`/proc/${bwrapPid}/environ`, 'utf8').split('\0').filter(Boolean);
  assert.deepEqual(environ.map((e) => e.split('=')[0]), ['PATH'], 'bwrap runs with PATH alone');
  assert.ok(!readFileSync(`/proc/${bwrapPid}/cmdline`, 'utf8').includes('hunter2'), 'no value on its command line');
  const r = await fake.call('POST', sb.tb('/process/execute'), { command: 'echo "$NL" | wc -l', envs: { NL: 'a\nb' } });
  assert.match(r.json.result, /^2$/m, 'a value with a newline arrives whole');
});

test('a sandbox has no network: the fake\'s own port is out of its reach', async () => {
  const sb = await newSandbox(fake);
  const r = await fake.call('POST', sb.tb('/process/execute'), {
    command: `(echo > /dev/tcp/127.0.0.1/${fake.port}) 2>/dev/null && echo reached || echo refused`,
  });
  assert.deepEqual(r.json, { exitCode: 0, result: 'refused\n' });
});

// How many processes of the sandbox's namespace run `sleep ARG`.
const sleepers = (arg) => `n=0; for p in /proc/[0-9]*; do [ "$(tr '\\0' ' ' <$p/cmdline 2>/dev/null)" = "sleep ${arg} " ] && n=$((n+1)); done; echo $n`;
const execute = (sb, command) => fake.call('POST', sb.tb('/process/execute'), { command });

test('the sessions and execute calls of a sandbox share one PID namespace; another sandbox does not see it', async () => {
  const sb = await withSession();
  const other = await newSandbox(fake);
  await sb.run('sleep 4242', { runAsync: true });
  await eventually(async () => (await execute(sb, sleepers(4242))).json.result === '1\n', 'the session\'s sleep seen by an execute call');
  assert.equal((await fake.call('POST', sb.tb('/process/session'), { sessionId: 't' })).status, 201);
  assert.equal((await sessionExec(fake, sb, 't', sleepers(4242))).json.stdout, '1\n', 'and by another session');
  assert.equal((await execute(other, sleepers(4242))).json.result, '0\n');
  // bubblewrap's init and the spawner are in it too (exec'd as /proc/self/fd/4), nothing of the host
  assert.equal((await execute(sb, 'cat /proc/1/comm /proc/2/comm')).json.result, 'bwrap\n4\n');
  const { sandboxes } = (await fake.admin('GET', 'sandboxes')).json;
  const a = sandboxes.find((x) => x.id === sb.id).spawner;
  assert.notEqual(a.bwrapPid, sandboxes.find((x) => x.id === other.id).spawner.bwrapPid, 'a bubblewrap per sandbox');
});

test('a program has no capabilities, no_new_privs and no network, in a session and an execute call', async () => {
  const sb = await withSession();
  const check = `grep -E "^(Cap(Eff|Prm|Bnd|Amb)|NoNewPrivs):" /proc/self/status; tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '`;
  const want = 'CapPrm:\t0000000000000000\nCapEff:\t0000000000000000\nCapBnd:\t0000000000000000\nCapAmb:\t0000000000000000\nNoNewPrivs:\t1\nlo\n';
  assert.equal((await execute(sb, check)).json.result, want);
  assert.equal((await sessionExec(fake, sb, 's', check)).json.stdout, want);
});

test('deleting a session kills everything it started, what left its process group too; other sessions run on', async () => {
  const sb = await withSession();
  assert.equal((await fake.call('POST', sb.tb('/process/session'), { sessionId: 'keep' })).status, 201);
  await sessionExec(fake, sb, 'keep', 'sleep 4545', { runAsync: true });
  // a background job (the shell's group) and a child of its own session (setsid)
  await sb.run('sleep 4444 & setsid sleep 4444 & wait', { runAsync: true });
  await eventually(async () => (await execute(sb, sleepers(4444))).json.result === '2\n', 'both sleeps to run');
  await eventually(async () => (await execute(sb, sleepers(4545))).json.result === '1\n', 'the other session\'s sleep to run');
  assert.equal((await fake.call('DELETE', sb.tb('/process/session/s'))).status, 204);
  // SIGKILLed before the delete answered; gone once the kernel finished them
  await eventually(async () => (await execute(sb, sleepers(4444))).json.result === '0\n', 'the session\'s sleeps to be gone');
  assert.equal((await execute(sb, sleepers(4545))).json.result, '1\n', 'the other session\'s run on');
});

test('the spawner\'s death ends the sandbox\'s programs with the reason; the next program gets a new one', async () => {
  const sb = await withSession();
  const view = () => fake.admin('GET', 'sandboxes').then((r) => r.json.sandboxes.find((x) => x.id === sb.id));
  const cid = await sb.run('echo up; sleep 1000', { runAsync: true });
  await eventually(async () => (await fake.call('GET', sb.logs(cid, ''), undefined, V)).json.stdout === 'up\n', 'the command to print');
  const { spawnerPid, bwrapPid } = (await view()).spawner;
  assert.ok(alive(spawnerPid) && alive(bwrapPid));
  const waiting = sessionExec(fake, sb, 's', 'sleep 1000');
  const inFlight = execute(sb, 'echo started > /tmp/started; sleep 1000');
  await eventually(async () => (await fake.call('GET', sb.tb('/process/session/s'))).json.commands.length === 2, 'the sync exec to wait');
  await eventually(async () => (await fake.call('GET', sb.tb('/files/info?path=/tmp/started'))).status === 200, 'the execute call to run');
  process.kill(spawnerPid, 'SIGKILL');
  const reason = /^the sandbox's process spawner ended \(exit 137\)$/;
  const w = await waiting;
  assert.equal(w.status, 500);
  assert.match(w.json.message, /session process ended: the sandbox's process spawner ended \(exit 137\)$/);
  const e = await inFlight;
  assert.deepEqual([e.status, e.json.code], [500, 'INTERNAL_SERVER_ERROR']);
  assert.match(e.json.message, /^internal server error: command execution failed: the sandbox's process spawner ended \(exit 137\)$/);
  const session = (await view()).sessions.find((x) => x.sessionId === 's');
  assert.match(session.lost, reason);
  assert.deepEqual(session.hostPids, []);
  await eventually(() => !alive(bwrapPid), 'its bubblewrap to end');
  const gone = await fake.call('POST', sb.tb(`/process/session/s/command/${cid}/input`), { data: 'x' });
  assert.deepEqual([gone.status, gone.json.message], [410, 'gone: session process has exited']);
  assert.deepEqual((await execute(sb, 'echo again')).json, { exitCode: 0, result: 'again\n' });
  assert.notEqual((await view()).spawner.spawnerPid, spawnerPid);
});

async function lifetime(prefix, how) {
  const f = await startFake({ prefix });
  const sb = await newSandbox(f);
  await f.call('POST', sb.tb('/process/session'), { sessionId: 'life' });
  const cid = (await sessionExec(f, sb, 'life', 'echo up $(id -u); sleep 1000', { runAsync: true })).json.cmdId;
  const out = await eventually(async () => (await f.call('GET', sb.tb(`/process/session/life/command/${cid}/logs`), undefined, V)).json.stdout, 'the command to print');
  const { sandboxes } = (await f.admin('GET', 'sandboxes')).json;
  // the session's shell and what it runs, and the sandbox's bubblewrap, its init and the spawner
  const { bwrapPid, nsInit, spawnerPid } = sandboxes[0].spawner;
  const hostPids = [...sandboxes[0].sessions[0].hostPids, bwrapPid, nsInit, spawnerPid];
  assert.ok(hostPids.length >= 5 && hostPids.every((p) => p > 0 && alive(p)), 'the shell, the command and the spawner');
  assert.ok(existsSync(sandboxes[0].dir));
  await endFake(f, how, hostPids);
  await f.stop();
  return out;
}

test('the fake exits when its stdin closes, killing every process and removing its files', async () => {
  assert.equal(await lifetime([], 'stdin'), 'up 1000\n');
});

test('the fake exits on SIGTERM and SIGINT the same way', async () => {
  await lifetime([], 'SIGTERM');
  await lifetime([], 'SIGINT');
});

test('as an unprivileged user (uid 65534): bwrap works, commands run, cleanup is complete', async (t) => {
  if (process.getuid() !== 0) { t.skip('needs root to switch to uid 65534'); return; }
  const out = await lifetime(['sh', UNPRIVILEGED], 'stdin');
  assert.equal(out, 'up 1000\n', 'the command runs as the sandbox user inside');
});
