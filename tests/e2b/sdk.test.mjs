// tests/e2b/sdk.test.mjs - proves the fake faithful: the official `e2b`
// SDK (2.51.0, package-lock.json) drives it through every operation wsp
// uses, with the SDK's own expectations, and the results are checked
// (real output of real commands, real bytes of real files). Requests the
// SDK sent are checked against the specs in specs/, and the process must
// have talked to nothing but the fake.
//
// Run: node --test tests/e2b/sdk.test.mjs (ctest does; `npm ci` first).
import { strayTraffic } from '../common/fake/no-stray-traffic.mjs';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startFake, eventually, alive } from './harness.mjs';
import { openapi, proto } from './spec-check.mjs';

let e2b;
try {
  e2b = await import('e2b');
} catch (e) {
  console.error('tests/e2b: the e2b SDK is not installed; run `npm ci` in tests/e2b first (' + e.message + ')');
  process.exit(1);
}
const { Sandbox, CommandExitError, FileNotFoundError, SandboxNotFoundError, TimeoutError } = e2b;

let fake;
const open = [];
const api = openapi('openapi.yml');
const envdApi = openapi('envd/envd.yaml');
const processProto = proto('envd/process/process.proto');
const fsProto = proto('envd/filesystem/filesystem.proto');

before(async () => {
  fake = await startFake();
  // remote-providers.md §0: the settings that point the SDK at the fake.
  process.env.E2B_API_URL = fake.url;
  process.env.E2B_SANDBOX_URL = fake.url;
  process.env.E2B_API_KEY = 'e2b_test';
  delete process.env.E2B_DOMAIN;
  delete process.env.E2B_DEBUG;
});

after(async () => {
  for (const sb of open) await sb.kill().catch(() => {});
  const st = await fake.stop();
  assert.equal(st.code, 0, 'the fake exits cleanly when its stdin closes');
  assert.deepEqual(strayTraffic(), [], 'no DNS lookup or connection other than 127.0.0.1');
});

async function create(opts = {}) {
  const sb = await Sandbox.create('base', { timeoutMs: 120000, ...opts });
  open.push(sb);
  return sb;
}

async function requests(pred) {
  const r = await fake.admin('GET', 'requests');
  return r.json.requests.filter(pred);
}

test('create with options: the request E2B documents, the answer the SDK needs', async () => {
  const meta = { suite: 'create-' + randomBytes(4).toString('hex') };
  const sb = await create({
    metadata: meta, envs: { A: 'one' }, timeoutMs: 90000, allowInternetAccess: false, secure: true,
    network: { allowOut: ['10.0.0.1/32'], denyOut: ['0.0.0.0/0'], allowPublicTraffic: false },
    lifecycle: { onTimeout: 'pause', autoResume: false },
  });
  assert.match(sb.sandboxId, /^[a-z0-9]{20}$/);
  assert.match(sb.trafficAccessToken, /^ta_/);
  const [req] = await requests((e) => e.method === 'POST' && e.path === '/v2/sandboxes' && e.body.includes(meta.suite));
  const body = JSON.parse(req.body);
  assert.deepEqual(body, {
    templateID: 'base', metadata: meta, envVars: { A: 'one' }, timeout: 90, allow_internet_access: false,
    network: { allowOut: ['10.0.0.1/32'], denyOut: ['0.0.0.0/0'], allowPublicTraffic: false },
    autoPause: true, autoResume: { enabled: false },
  });
  assert.equal(req.chunked, true, 'the SDK sends create bodies chunked');
  assert.equal(req.headers['x-api-key'], 'e2b_test');
  assert.equal(req.headers['user-agent'], 'e2b-js-sdk/2.51.0');
  assert.deepEqual(api.problems('NewSandbox', body), []);

  const info = await sb.getInfo();
  assert.equal(info.sandboxId, sb.sandboxId);
  assert.equal(info.templateId, 'base');
  assert.deepEqual(info.metadata, meta);
  assert.equal(info.state, 'running');
  assert.equal(info.allowInternetAccess, false);
  assert.equal(info.network.allowPublicTraffic, false);
  assert.deepEqual(info.lifecycle, { onTimeout: 'pause', autoResume: false });
  assert.ok(info.endAt - info.startedAt >= 89000 && info.endAt - info.startedAt <= 91000);

  // The sandbox's default envs reach every command.
  const r = await sb.commands.run('echo "$A"');
  assert.equal(r.stdout, 'one\n');

  // envd refuses a call without the access token the create answer carried.
  const raw = await fake.request({
    method: 'POST', path: '/process.Process/List', body: '{}',
    headers: { 'E2b-Sandbox-Id': sb.sandboxId, 'Content-Type': 'application/json' },
  });
  assert.equal(raw.status, 401);
  assert.deepEqual(JSON.parse(raw.body), { code: 401, message: 'unauthorized access, please provide a valid access token or method signing if supported' });
  // Every envd call the SDK made carried it.
  const envd = await requests((e) => e.sandboxId === sb.sandboxId && e.plane === 'envd');
  assert.ok(envd.length > 0);
  for (const e of envd) {
    if (e.headers['x-access-token'] === undefined) continue; // the raw call above
    assert.equal(e.headers['e2b-sandbox-port'], '49983');
  }
});

test('create with defaults: no timeout sent, the server applies 300 s', async () => {
  const before = (await fake.admin('GET', 'requests')).json.last;
  const sb = await Sandbox.create();
  open.push(sb);
  const [req] = (await fake.admin('GET', `requests?since=${before}`)).json.requests.filter((e) => e.path === '/v2/sandboxes');
  assert.deepEqual(JSON.parse(req.body), { templateID: 'base' });
  const info = await sb.getInfo();
  assert.ok(Math.abs(info.endAt - info.startedAt - 300000) < 2000);
  const raw = await fake.request({ path: `/sandboxes/${sb.sandboxId}`, headers: { 'X-API-KEY': 'k' } });
  assert.deepEqual(api.problems('SandboxDetail', JSON.parse(raw.body)), []);
});

test('commands.run in the foreground: output, cwd, envs, users, exit codes', async () => {
  const sb = await create();
  const out = [], err = [];
  const r = await sb.commands.run('echo hi; echo oops >&2; echo "$B"', {
    envs: { B: 'two' }, timeoutMs: 30000, onStdout: (d) => out.push(d), onStderr: (d) => err.push(d),
  });
  assert.deepEqual(r, { exitCode: 0, error: undefined, stdout: 'hi\ntwo\n', stderr: 'oops\n' });
  assert.equal(out.join(''), 'hi\ntwo\n');
  assert.equal(err.join(''), 'oops\n');

  assert.equal((await sb.commands.run('pwd')).stdout, '/home/user\n');
  assert.equal((await sb.commands.run('pwd', { cwd: '/tmp' })).stdout, '/tmp\n');
  assert.equal((await sb.commands.run('id -un; echo $HOME')).stdout, 'user\n/home/user\n');
  assert.equal((await sb.commands.run('id -u; echo $HOME', { user: 'root' })).stdout, '0\n/root\n');

  await assert.rejects(sb.commands.run('echo partial; echo bad >&2; exit 3'), (e) => {
    assert.ok(e instanceof CommandExitError);
    assert.equal(e.exitCode, 3);
    assert.equal(e.stdout, 'partial\n');
    assert.equal(e.stderr, 'bad\n');
    assert.equal(e.error, 'exit status 3');
    return true;
  });
  await assert.rejects(sb.commands.run('true', { cwd: '/no/such/dir' }), /cwd '\/no\/such\/dir' does not exist/);

  // Headers and body as §1.2 says, and proto-valid responses.
  const starts = await requests((e) => e.sandboxId === sb.sandboxId && e.path === '/process.Process/Start');
  const root = starts.find((e) => e.headers.authorization);
  assert.equal(root.headers.authorization, 'Basic cm9vdDo=');
  const first = starts[0];
  assert.equal(first.headers['content-type'], 'application/connect+json');
  assert.equal(first.headers['connect-protocol-version'], '1');
  assert.equal(first.headers['connect-timeout-ms'], '30000');
  assert.equal(first.headers['keepalive-ping-interval'], '50');
  assert.deepEqual(first.envelopes, [{ flags: 0, message: {
    process: { cmd: '/bin/bash', args: ['-l', '-c', 'echo hi; echo oops >&2; echo "$B"'], envs: { B: 'two' } }, stdin: false,
  } }]);
  for (const e of starts) assert.deepEqual(processProto.problems('StartRequest', e.envelopes[0].message), []);
  assert.equal(starts[1].headers['connect-timeout-ms'], '60000', 'timeoutMs unset sends 60 s');
});

test('commands.run timeouts: timeoutMs 0 sends no deadline, a deadline kills the command', async () => {
  const sb = await create();
  const before = (await fake.admin('GET', 'requests')).json.last;
  assert.equal((await sb.commands.run('echo ok', { timeoutMs: 0 })).stdout, 'ok\n');
  const [start] = (await fake.admin('GET', `requests?since=${before}`)).json.requests.filter((e) => e.path === '/process.Process/Start');
  assert.equal(start.headers['connect-timeout-ms'], undefined);

  await assert.rejects(sb.commands.run('touch /tmp/started; sleep 30; touch /tmp/finished', { timeoutMs: 1500 }),
    (e) => e instanceof TimeoutError && /deadline_exceeded|context deadline exceeded/.test(e.message));
  assert.equal(await sb.files.exists('/tmp/started'), true);
  // The command was killed, not left running: nothing of it is listed.
  await eventually(async () => (await sb.commands.list()).length === 0, 'the timed-out command to be gone');
  assert.equal(await sb.files.exists('/tmp/finished'), false);
});

test('background commands: stdin, list, connect to new output only, closeStdin, kill', async () => {
  const sb = await create();
  const seen = [];
  let wake;
  const h = await sb.commands.run('cat', {
    background: true, stdin: true, timeoutMs: 0,
    onStdout: (d) => { seen.push(d); wake?.(); },
  });
  assert.equal(typeof h.pid, 'number');
  const got = (text) => new Promise((resolve) => {
    const check = () => (seen.join('').includes(text) ? resolve() : (wake = check));
    check();
  });
  await sb.commands.sendStdin(h.pid, 'hello\n');
  await got('hello\n');

  const list = await sb.commands.list();
  assert.deepEqual(list, [{ pid: h.pid, args: ['-l', '-c', 'cat'], envs: {}, cmd: '/bin/bash' }]);

  const later = [];
  let wake2;
  const h2 = await sb.commands.connect(h.pid, { timeoutMs: 0, onStdout: (d) => { later.push(d); wake2?.(); } });
  assert.equal(h2.pid, h.pid);
  await sb.commands.sendStdin(h.pid, 'again\n');
  await new Promise((resolve) => {
    const check = () => (later.join('').includes('again\n') ? resolve() : (wake2 = check));
    check();
  });
  assert.equal(later.join(''), 'again\n', 'connect replays nothing printed before it attached');

  await sb.commands.closeStdin(h.pid);
  const res = await h.wait();
  assert.equal(res.exitCode, 0);
  assert.equal(res.stdout, 'hello\nagain\n');
  assert.equal((await h2.wait()).exitCode, 0);
  assert.deepEqual(await sb.commands.list(), []);

  const sendInput = (await requests((e) => e.sandboxId === sb.sandboxId && e.path === '/process.Process/SendInput'))[0];
  assert.deepEqual(JSON.parse(sendInput.body), { process: { pid: h.pid }, input: { stdin: 'aGVsbG8K' } });
  assert.equal(sendInput.headers['content-type'], 'application/json');

  const k = await sb.commands.run('sleep 1000', { background: true, timeoutMs: 0 });
  // its host pids once the sandbox's spawner forked it (the start event may come first)
  const hostPids = await eventually(async () => {
    const p = (await fake.admin('GET', 'sandboxes')).json.sandboxes
      .find((s) => s.sandboxID === sb.sandboxId).processes.find((x) => x.pid === k.pid);
    return p.hostPids.length >= 1 && p.hostPids;
  }, 'the command to be forked');
  assert.equal(await sb.commands.kill(k.pid), true);
  await assert.rejects(k.wait(), (e) => {
    assert.ok(e instanceof CommandExitError);
    assert.equal(e.exitCode, -1);
    assert.equal(e.error, 'signal: killed');
    return true;
  });
  for (const pid of hostPids) assert.equal(alive(pid), false, `host pid ${pid} of the killed command is gone`);
  assert.equal(await sb.commands.kill(k.pid), false, 'killing a finished command finds nothing');
  const [sig] = await requests((e) => e.sandboxId === sb.sandboxId && e.path === '/process.Process/SendSignal');
  assert.deepEqual(JSON.parse(sig.body), { process: { pid: k.pid }, signal: 'SIGNAL_SIGKILL' });
});

test('files: write and read (text, bytes, streams, 3 MiB), many at once, one filesystem with commands', async () => {
  const sb = await create();
  const info = await sb.files.write('/home/user/a.txt', 'abc');
  assert.deepEqual(info, { path: '/home/user/a.txt', name: 'a.txt', type: 'file', metadata: undefined });
  assert.equal(await sb.files.read('/home/user/a.txt'), 'abc');
  assert.equal((await sb.commands.run('cat /home/user/a.txt')).stdout, 'abc');

  const big = randomBytes(3 << 20);
  await sb.files.write('/home/user/big.bin', big);
  assert.ok(Buffer.from(await sb.files.read('/home/user/big.bin', { format: 'bytes' })).equals(big));
  const sha = (await sb.commands.run('sha256sum /home/user/big.bin')).stdout.split(' ')[0];
  const { createHash } = await import('node:crypto');
  assert.equal(sha, createHash('sha256').update(big).digest('hex'), 'the command reads the same bytes');

  const streamed = randomBytes(3 << 20);
  await sb.files.write('/tmp/sub/dir/streamed.bin', new Blob([streamed]).stream());
  const rs = await sb.files.read('/tmp/sub/dir/streamed.bin', { format: 'stream' });
  const chunks = [];
  for await (const c of rs) chunks.push(Buffer.from(c));
  assert.ok(Buffer.concat(chunks).equals(streamed));
  const [octet] = await requests((e) => e.sandboxId === sb.sandboxId && e.method === 'POST' && e.query.path === '/tmp/sub/dir/streamed.bin');
  assert.equal(octet.headers['content-type'], 'application/octet-stream');
  assert.equal(octet.chunked, true);

  await sb.commands.run('printf made-by-command > /home/user/cmd.txt');
  assert.equal(await sb.files.read('/home/user/cmd.txt'), 'made-by-command');
  assert.equal((await sb.files.read('/home/user/cmd.txt', { format: 'bytes' })).length, 15);

  const many = await sb.files.write([
    { path: '/home/user/m/one.txt', data: 'first' },
    { path: '/tmp/two.txt', data: new TextEncoder().encode('second') },
  ]);
  assert.deepEqual(many.map((f) => f.path), ['/home/user/m/one.txt', '/tmp/two.txt']);
  assert.equal(await sb.files.read('/home/user/m/one.txt'), 'first');
  assert.equal(await sb.files.read('/tmp/two.txt'), 'second');
  const [multi] = await requests((e) => e.sandboxId === sb.sandboxId && e.method === 'POST' && e.path === '/files' && e.body.includes('second'));
  assert.equal(multi.query.path, undefined, 'many files: no path query');
  assert.match(multi.headers['content-type'], /^multipart\/form-data; boundary=/);
  assert.match(multi.body, /name="file"; filename="\/home\/user\/m\/one.txt"/);
  const uploadAnswer = await fake.request({
    method: 'POST', path: '/files?path=%2Ftmp%2Fspec.txt', body: 'x',
    headers: { 'E2b-Sandbox-Id': sb.sandboxId, 'X-Access-Token': sb.envdAccessToken ?? '', 'Content-Type': 'application/octet-stream' },
  });
  for (const e of JSON.parse(uploadAnswer.body)) assert.deepEqual(envdApi.problems('EntryInfo', e), []);

  await assert.rejects(sb.files.read('/home/user/missing.txt'), (e) => {
    assert.ok(e instanceof FileNotFoundError);
    assert.match(e.message, /path '\/home\/user\/missing.txt' does not exist/);
    return true;
  });
  const missing = await fake.request({ path: '/files?path=%2Fnope', headers: { 'E2b-Sandbox-Id': sb.sandboxId, 'X-Access-Token': sb.envdAccessToken ?? '' } });
  assert.equal(missing.status, 404);
  assert.deepEqual(JSON.parse(missing.body), { code: 404, message: "path '/nope' does not exist" });
  assert.deepEqual(envdApi.problems('Error', JSON.parse(missing.body)), []);
});

test('files: list with depth, makeDir, getInfo, exists, rename, remove', async () => {
  const sb = await create();
  await sb.files.write('/home/user/p/q/deep.txt', '12345');
  await sb.files.write('/home/user/p/top.txt', 'x');
  const one = await sb.files.list('/home/user/p');
  assert.deepEqual(one.map((e) => [e.name, e.type, e.path]), [['q', 'dir', '/home/user/p/q'], ['top.txt', 'file', '/home/user/p/top.txt']]);
  const two = await sb.files.list('/home/user/p', { depth: 2 });
  assert.deepEqual(two.map((e) => e.path), ['/home/user/p/q', '/home/user/p/q/deep.txt', '/home/user/p/top.txt']);
  const deep = two[1];
  assert.equal(deep.size, 5);
  assert.equal(deep.permissions, '-rw-r--r--');
  assert.equal(deep.mode, 0o644);
  assert.equal(deep.owner, 'user');
  assert.ok(deep.modifiedTime instanceof Date && Math.abs(deep.modifiedTime - Date.now()) < 60000);

  assert.equal(await sb.files.makeDir('/home/user/newdir/sub'), true);
  assert.equal(await sb.files.makeDir('/home/user/newdir/sub'), false, 'an existing directory: false');
  assert.equal((await sb.commands.run('test -d /home/user/newdir/sub && echo yes')).stdout, 'yes\n');

  const fi = await sb.files.getInfo('/home/user/p/top.txt');
  assert.equal(fi.type, 'file');
  assert.equal(fi.size, 1);
  assert.equal((await sb.files.getInfo('/tmp')).permissions, 'dtrwxrwxrwx');
  assert.equal(await sb.files.exists('/home/user/p'), true);
  assert.equal(await sb.files.exists('/home/user/nothing'), false);
  await assert.rejects(sb.files.getInfo('/home/user/nothing'), FileNotFoundError);
  // under a file: Go's ENOTDIR, no NotFound; a rename onto a directory: Go's os.Rename refuses it
  await assert.rejects(sb.files.getInfo('/home/user/p/top.txt/under'), /lstat \/home\/user\/p\/top.txt\/under: not a directory/);
  await assert.rejects(sb.files.rename('/home/user/p/top.txt', '/home/user/p/q'), /rename \/home\/user\/p\/top.txt \/home\/user\/p\/q: file exists/);

  const moved = await sb.files.rename('/home/user/p/top.txt', '/tmp/moved/top.txt');
  assert.equal(moved.path, '/tmp/moved/top.txt');
  assert.equal(await sb.files.exists('/home/user/p/top.txt'), false);
  assert.equal(await sb.files.read('/tmp/moved/top.txt'), 'x');

  await sb.commands.run('ln -s /home/user/p/q /home/user/link');
  const link = await sb.files.getInfo('/home/user/link');
  assert.equal(link.type, 'dir');
  assert.equal(link.symlinkTarget, '/home/user/p/q');

  await sb.files.remove('/home/user/p');
  assert.equal(await sb.files.exists('/home/user/p'), false);
  assert.equal((await sb.commands.run('ls /home/user/p 2>&1 || echo gone')).stdout.trim().endsWith('gone'), true);
  await sb.files.remove('/home/user/p'); // removing nothing is no error, as in envd

  // A link a command planted cannot lead the file API out of the sandbox.
  await sb.commands.run('ln -s / /home/user/escape');
  await assert.rejects(sb.files.read('/home/user/escape/etc/shadow'), FileNotFoundError);

  const calls = await requests((e) => e.sandboxId === sb.sandboxId && e.path.startsWith('/filesystem.Filesystem/'));
  const names = { Stat: 'StatRequest', ListDir: 'ListDirRequest', MakeDir: 'MakeDirRequest', Move: 'MoveRequest', Remove: 'RemoveRequest' };
  for (const c of calls) {
    assert.equal(c.headers['content-type'], 'application/json');
    assert.deepEqual(fsProto.problems(names[c.path.split('/')[2]], JSON.parse(c.body)), []);
  }
  const listDir = calls.find((c) => c.path.endsWith('/ListDir'));
  assert.deepEqual(JSON.parse(listDir.body), { path: '/home/user/p', depth: 1 });
  const answer = await fake.request({
    method: 'POST', path: '/filesystem.Filesystem/ListDir', body: JSON.stringify({ path: '/home/user', depth: 3 }),
    headers: { 'E2b-Sandbox-Id': sb.sandboxId, 'X-Access-Token': sb.envdAccessToken ?? '', 'Content-Type': 'application/json' },
  });
  assert.deepEqual(fsProto.problems('ListDirResponse', JSON.parse(answer.body)), []);
});

test('lifecycle: setTimeout, pause, isRunning, connect resumes with processes, kill', async () => {
  const sb = await create();
  await sb.setTimeout(60000);
  let info = await sb.getInfo();
  assert.ok(Math.abs(info.endAt - Date.now() - 60000) < 3000);
  const [to] = await requests((e) => e.path === `/sandboxes/${sb.sandboxId}/timeout`);
  assert.deepEqual(JSON.parse(to.body), { timeout: 60 });
  assert.deepEqual(api.problems('SandboxTimeoutRequest', JSON.parse(to.body)), []);

  const bg = await sb.commands.run('sleep 1000', { background: true, timeoutMs: 0 });
  assert.equal(await sb.isRunning(), true);
  assert.equal(await sb.pause(), true);
  assert.equal(await Sandbox.pause(sb.sandboxId), false, 'pausing a paused sandbox: false (409)');
  info = await sb.getInfo();
  assert.equal(info.state, 'paused');
  assert.equal(await sb.isRunning(), false, '/health answers 502 while paused');
  await assert.rejects(bg.wait(), 'the open stream is dropped by the pause');

  const again = await Sandbox.connect(sb.sandboxId, { timeoutMs: 90000 });
  assert.equal(again.sandboxId, sb.sandboxId);
  assert.equal((await again.getInfo()).state, 'running');
  assert.deepEqual((await again.commands.list()).map((p) => p.pid), [bg.pid], 'the process survived the pause');
  const [conn] = await requests((e) => e.path === `/v2/sandboxes/${sb.sandboxId}/connect`);
  assert.deepEqual(JSON.parse(conn.body), { timeout: 90 });
  assert.deepEqual(api.problems('ConnectSandbox', JSON.parse(conn.body)), []);
  // Connecting to a running sandbox answers it as it is.
  assert.equal((await Sandbox.connect(sb.sandboxId)).sandboxId, sb.sandboxId);

  assert.equal(sb.getHost(3000), `3000-${sb.sandboxId}.e2b.app`);

  await sb.kill();
  assert.equal(await sb.isRunning(), false);
  await assert.rejects(sb.getInfo(), SandboxNotFoundError);
  assert.equal(await Sandbox.kill(sb.sandboxId), false);
  await assert.rejects(Sandbox.connect(sb.sandboxId), SandboxNotFoundError);
  const gone = await fake.request({ path: `/sandboxes/${sb.sandboxId}`, headers: { 'X-API-KEY': 'k' } });
  assert.equal(gone.status, 404);
  assert.deepEqual(api.problems('Error', JSON.parse(gone.body)), []);
});

test('Sandbox.list: metadata and state filters, pages through X-Next-Token', async () => {
  const tag = 'list-' + randomBytes(4).toString('hex');
  const a = await create({ metadata: { suite: tag, n: '1' } });
  const b = await create({ metadata: { suite: tag, n: '2' } });
  const c = await create({ metadata: { suite: tag, n: '3 & more' } });
  await c.pause();

  const pager = Sandbox.list({ query: { metadata: { suite: tag }, state: ['running', 'paused'] }, limit: 2 });
  const first = await pager.nextItems();
  assert.equal(first.length, 2);
  assert.equal(pager.hasNext, true);
  const second = await pager.nextItems();
  assert.equal(second.length, 1);
  assert.equal(pager.hasNext, false);
  const ids = [...first, ...second].map((s) => s.sandboxId).sort();
  assert.deepEqual(ids, [a.sandboxId, b.sandboxId, c.sandboxId].sort());
  for (const s of [...first, ...second]) assert.equal(s.metadata.suite, tag);

  const paused = await Sandbox.list({ query: { metadata: { suite: tag }, state: ['paused'] } }).nextItems();
  assert.deepEqual(paused.map((s) => [s.sandboxId, s.state]), [[c.sandboxId, 'paused']]);
  const exact = await Sandbox.list({ query: { metadata: { suite: tag, n: '3 & more' } } }).nextItems();
  assert.deepEqual(exact.map((s) => s.sandboxId), [c.sandboxId], 'values with & and spaces survive the double encoding');

  const lists = await requests((e) => e.method === 'GET' && e.path === '/v2/sandboxes' && e.url.includes(tag));
  assert.match(lists[0].url, new RegExp(`metadata=suite%3D${tag}&state=running,paused&limit=2$`));
  assert.ok(lists[1].query.nextToken, 'the second page was asked with nextToken');
  const declared = api.queryParams('/v2/sandboxes', 'get');
  for (const l of lists) for (const k of Object.keys(l.query)) assert.ok(declared.includes(k), `query '${k}' is declared`);
  const raw = await fake.request({ path: `/v2/sandboxes?metadata=suite%3D${tag}`, headers: { 'X-API-KEY': 'k' } });
  for (const s of JSON.parse(raw.body)) assert.deepEqual(api.problems('ListedSandbox', s), []);
  assert.equal(raw.headers['x-total-running'], '2');
});

test('a 429 with Retry-After is retried by the SDK, as E2B documents', async () => {
  const before = (await fake.admin('GET', 'requests')).json.last;
  await fake.admin('POST', 'faults', { kind: 'rate_limit', count: 2, retryAfter: 1, path: '/v2/sandboxes', method: 'GET' });
  const items = await Sandbox.list({ query: { metadata: { suite: 'nothing-here' } } }).nextItems();
  assert.deepEqual(items, []);
  const calls = (await fake.admin('GET', `requests?since=${before}`)).json.requests.filter((e) => e.path === '/v2/sandboxes');
  assert.equal(calls.length, 3, 'two refused, the third served');
  // Without Retry-After the SDK gives up at once with RateLimitError.
  await fake.admin('POST', 'faults', { kind: 'error', status: 429, plane: 'control', path: '/v2/sandboxes', method: 'GET' });
  await assert.rejects(Sandbox.list().nextItems(), e2b.RateLimitError);
});

test('expiry: a sandbox past its timeout is killed, or paused with autoPause', async () => {
  const killed = await Sandbox.create('base', { timeoutMs: 1000 });
  const paused = await Sandbox.create('base', { timeoutMs: 1000, lifecycle: { onTimeout: 'pause' } });
  open.push(paused);
  await eventually(async () => (await Sandbox.getInfo(killed.sandboxId).then(() => false, (e) => e instanceof SandboxNotFoundError)), 'the sandbox to expire');
  assert.equal(await killed.isRunning(), false);
  await eventually(async () => (await paused.getInfo()).state === 'paused', 'the autoPause sandbox to pause');
  await Sandbox.connect(paused.sandboxId, { timeoutMs: 60000 });
  assert.equal((await paused.commands.run('echo back')).stdout, 'back\n');
});

test('proto3 JSON of every Start frame the SDK received', async () => {
  const sb = await create();
  await sb.commands.run('echo out; echo err >&2; exit 0');
  const body = JSON.stringify({ process: { cmd: '/bin/sh', args: ['-c', 'echo x; exit 4'] } });
  const frame = Buffer.concat([Buffer.from([0, 0, 0, 0, 0]), Buffer.from(body)]);
  frame.writeUInt32BE(body.length, 1);
  const res = await fake.request({
    method: 'POST', path: '/process.Process/Start', body: frame,
    headers: { 'E2b-Sandbox-Id': sb.sandboxId, 'X-Access-Token': sb.envdAccessToken ?? '', 'Content-Type': 'application/connect+json' },
  });
  const { parseFrames } = await import('./harness.mjs');
  const { frames, rest } = parseFrames(res.body);
  assert.equal(rest.length, 0);
  const last = frames.pop();
  assert.equal(last.flags, 2);
  assert.deepEqual(last.json, {});
  for (const f of frames) {
    assert.equal(f.flags, 0);
    assert.deepEqual(processProto.problems('StartResponse', f.json), []);
  }
  assert.deepEqual(frames.at(-1).json, { event: { end: { exitCode: 4, exited: true, status: 'exit status 4', error: 'exit status 4' } } });
});
