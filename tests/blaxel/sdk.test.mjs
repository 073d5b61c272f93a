// tests/blaxel/sdk.test.mjs - proves the fake faithful: the official
// `@blaxel/core` SDK (0.3.21, package-lock.json) drives it through every
// operation a wsp provider uses, with the SDK's own expectations, and the
// results are checked (real output of real commands, real bytes of real
// files). Requests the SDK sent are checked against the specs in specs/,
// and the process must have talked to nothing but the fake.
//
// Run: node --test tests/blaxel/sdk.test.mjs (ctest does; `npm ci` first).
import { strayTraffic } from '../common/fake/no-stray-traffic.mjs';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFake, eventually, alive, allFrozen, pidStates } from './harness.mjs';
import { openapi } from './spec-check.mjs';

const control = openapi('controlplane/controlplane.yml');
const sandboxApi = openapi('sandbox-api/openapi.yml');
// What 0.3.21 has that the stored specs do not (specs/PROVENANCE.md).
const NEWER = ['stdin', 'spec.runtime.generation'];

let fake, blaxel, home;
const open = [];

before(async () => {
  fake = await startFake();
  // remote-providers.md §0: the settings that point the SDK at the fake,
  // from a directory without .env or blaxel.toml and an empty HOME (the
  // SDK reads all three when it is imported).
  home = mkdtempSync(join(tmpdir(), 'wsp-blaxel-home-'));
  process.chdir(home);
  Object.assign(process.env, {
    BL_API_URL: fake.url + '/v0', BL_WORKSPACE: 'test', BL_API_KEY: 'test', BL_DISABLE_H2: 'true', DO_NOT_TRACK: '1', HOME: home,
  });
  for (const k of ['BL_ENV', 'BL_RUN_URL', 'BL_REGION', 'BL_CLIENT_CREDENTIALS']) delete process.env[k];
  try {
    blaxel = await import('@blaxel/core');
  } catch (e) {
    console.error('tests/blaxel: @blaxel/core is not installed; run `npm ci` in tests/blaxel first (' + e.message + ')');
    process.exit(1);
  }
});

after(async () => {
  for (const sb of open) await sb.delete().catch(() => {});
  const st = await fake.stop();
  rmSync(home, { recursive: true, force: true });
  assert.equal(st.code, 0, 'the fake exits cleanly when its stdin closes');
  assert.deepEqual(strayTraffic(), [], 'no DNS lookup or connection other than 127.0.0.1');
});

const name = (what) => `wsp-${what}-${randomBytes(3).toString('hex')}`;

async function create(opts = {}) {
  const sb = await blaxel.SandboxInstance.create({ name: name('t'), region: 'us-pdx-1', ...opts });
  open.push(sb);
  return sb;
}

async function requests(pred, since = 0) {
  const r = await fake.admin('GET', `requests?since=${since}`);
  return r.json.requests.filter(pred);
}

const mark = async () => (await fake.admin('GET', 'requests')).json.last;

test('create with options: the body remote-providers.md §3.2 shows, headers, status over time', async () => {
  const n = name('create');
  const port = 20000 + Math.floor(Math.random() * 20000);
  const sb = await create({
    name: n, image: 'blaxel/base-image:latest', memory: 2048, ttl: '1h', envs: [{ name: 'A', value: '1' }],
    labels: { suite: 'sdk' }, ports: [{ name: 'web', target: port, protocol: 'HTTP' }],
  });
  assert.equal(sb.metadata.name, n);
  assert.equal(sb.metadata.url, `${fake.url}/sbx/${n}`);
  assert.equal(sb.status, 'DEPLOYING', 'a create answers before the sandbox is deployed');
  const [req] = await requests((e) => e.method === 'POST' && e.path === '/v0/sandboxes' && e.body.includes(n));
  const body = JSON.parse(req.body);
  assert.deepEqual(body, {
    metadata: { name: n, labels: { suite: 'sdk' } },
    spec: { region: 'us-pdx-1', runtime: {
      image: 'blaxel/base-image:latest', memory: 2048, ports: [{ name: 'web', target: port, protocol: 'HTTP' }],
      envs: [{ name: 'A', value: '1' }], generation: 'mk3', ttl: '1h',
    } },
  });
  assert.deepEqual(control.problems('Sandbox', body, NEWER), []);
  assert.equal(req.headers['x-blaxel-authorization'], 'Bearer test');
  assert.equal(req.headers['x-blaxel-workspace'], 'test');
  assert.equal(req.headers['blaxel-version'], '2026-04-28');
  assert.match(req.headers['user-agent'], /^blaxel\/sdk\/typescript\/0\.3\.21 /);

  const again = await eventually(async () => {
    const s = await blaxel.SandboxInstance.get(n);
    return s.status === 'DEPLOYED' && s;
  }, 'the sandbox to be DEPLOYED');
  assert.equal(again.sandbox.state, 'RUNNING');
  assert.ok(again.expiresIn > 3590 && again.expiresIn <= 3600, `expiresIn ${again.expiresIn}`);
  assert.deepEqual(again.metadata.labels, { suite: 'sdk' });
  const raw = await fake.call('GET', `/v0/sandboxes/${n}`);
  assert.deepEqual(control.problems('Sandbox', raw.json, NEWER), []);

  // The sandbox's envs reach its commands, which run as root in /blaxel.
  const r = await sb.process.exec({ command: 'echo "$A"; pwd; id -u', waitForCompletion: true });
  assert.equal(r.stdout, '1\n/blaxel\n0\n');

  // A second create of the name is the API's 409, thrown as its body.
  await assert.rejects(blaxel.SandboxInstance.create({ name: n, region: 'us-pdx-1' }), (e) => {
    assert.equal(e.code, 'SANDBOX_ALREADY_EXISTS');
    assert.equal(e.status_code, 409);
    return true;
  });
  assert.equal((await blaxel.SandboxInstance.createIfNotExists({ name: n, region: 'us-pdx-1' })).metadata.name, n);
});

test('get, list and delete', async () => {
  const sb = await create({ labels: { suite: 'list' } });
  const page = await blaxel.SandboxInstance.list();
  assert.ok(page.data.some((s) => s.metadata.name === sb.metadata.name));
  assert.equal(page.hasMore, false);
  const [l] = await requests((e) => e.method === 'GET' && e.path === '/v0/sandboxes');
  assert.equal(l.headers['blaxel-version'], '2026-04-28');
  const raw = await fake.call('GET', '/v0/sandboxes?limit=1');
  assert.equal(raw.json.data.length, 1);
  assert.equal(raw.json.meta.hasMore, true);
  assert.deepEqual(control.problems('SandboxList', raw.json), []);
  const rest = await (await blaxel.SandboxInstance.list({ limit: 1 })).nextPage();
  assert.equal(rest.data.length, 1);
  // q: a substring of names and label keys and values, any case (the spec's PaginationQuery)
  const byLabel = await fake.call('GET', '/v0/sandboxes?q=%20LIS%20');
  assert.ok(byLabel.json.data.some((s) => s.metadata.name === sb.metadata.name));
  assert.deepEqual(control.problems('SandboxList', byLabel.json), []);
  assert.equal((await fake.call('GET', '/v0/sandboxes?q=no-such-label')).json.data.length, 0);

  const deleted = await sb.delete();
  assert.equal(deleted.status, 'DELETING');
  await assert.rejects(blaxel.SandboxInstance.get(sb.metadata.name), (e) => {
    assert.equal(e.code, 404);
    assert.equal(e.error, 'Not Found');
    return true;
  });
  await assert.rejects(sb.fs.ls('/blaxel'), /status 404/);
});

test('process.exec waited: output, cwd, env, exit codes, a missing cwd, timeouts with and without keepAlive', async () => {
  const sb = await create();
  const r = await sb.process.exec({ command: 'echo out; echo err >&2; echo "$B"; pwd', workingDir: '/tmp', env: { B: '2' }, timeout: 5, waitForCompletion: true });
  assert.equal(r.status, 'completed');
  assert.equal(r.exitCode, 0);
  assert.equal(r.stdout, 'out\n2\n/tmp\n');
  assert.equal(r.stderr, 'err\n');
  assert.match(r.pid, /^\d+$/);
  assert.deepEqual(sandboxApi.problems('ProcessResponse', r), []);
  const [req] = await requests((e) => e.sandboxId === sb.metadata.name && e.method === 'POST' && e.path === `/sbx/${sb.metadata.name}/process`);
  assert.deepEqual(JSON.parse(req.body), { command: 'echo out; echo err >&2; echo "$B"; pwd', workingDir: '/tmp', env: { B: '2' }, timeout: 5, waitForCompletion: true });
  assert.equal(req.headers['x-blaxel-authorization'], 'Bearer test');

  const bad = await sb.process.exec({ command: 'echo partial; exit 3', waitForCompletion: true });
  assert.deepEqual([bad.status, bad.exitCode, bad.stdout], ['failed', 3, 'partial\n']);

  await assert.rejects(sb.process.exec({ command: 'true', workingDir: '/no/such', waitForCompletion: true }), (e) => {
    assert.equal(e.status, 422);
    assert.match(e.message, /could not execute command 'true' because folder '\/no\/such' does not exist/);
    return true;
  });

  // The timeout answers 422 and leaves the process running...
  await assert.rejects(sb.process.exec({ command: 'sleep 1.5; echo late > /tmp/late', name: 'slow', timeout: 1, waitForCompletion: true }),
    (e) => e.status === 422 && /process timed out after 1 seconds/.test(e.message));
  assert.equal((await sb.process.get('slow')).status, 'running');
  await eventually(async () => (await sb.process.get('slow')).status === 'completed', 'the timed-out process to finish');
  assert.equal(await sb.fs.read('/tmp/late'), 'late\n');
  // ...unless keepAlive: then it is killed.
  await assert.rejects(sb.process.exec({ command: 'sleep 30', name: 'kept', keepAlive: true, timeout: 1, waitForCompletion: true }),
    (e) => e.status === 422);
  await eventually(async () => (await sb.process.get('kept')).status === 'killed', 'the keepAlive process to be killed');
});

test('process.exec streamed: onStdout/onStderr as the NDJSON arrives, the result from its JSON string', async () => {
  const sb = await create();
  const out = [], err = [];
  const r = await sb.process.exec({
    command: 'echo one; sleep 0.2; echo two >&2; sleep 0.2; echo three; exit 4', waitForCompletion: true,
    onStdout: (d) => out.push(d), onStderr: (d) => err.push(d),
  });
  assert.deepEqual(out, ['one\n', 'three\n']);
  assert.deepEqual(err, ['two\n']);
  assert.equal(r.status, 'failed');
  assert.equal(r.exitCode, 4);
  assert.equal(r.stdout, 'one\nthree\n');
  const [req] = await requests((e) => e.sandboxId === sb.metadata.name && e.path.endsWith('/process') && e.method === 'POST');
  assert.equal(req.headers.accept, 'text/event-stream');
});

test('background process: name, stdin, streamLogs, logs, get, list, closeStdin', async () => {
  const sb = await create();
  const started = await sb.process.exec({ command: 'cat; echo bye >&2', name: 'job1', waitForCompletion: false, stdin: true, keepAlive: false });
  assert.equal(started.status, 'running');
  assert.equal(started.name, 'job1');
  assert.equal(started.stdin, true);
  const lines = [], errs = [];
  let wake;
  const stream = sb.process.streamLogs('job1', { onStdout: (l) => { lines.push(l); wake?.(); }, onStderr: (l) => errs.push(l) });
  await sb.process.writeStdin('job1', 'hello\n');
  await new Promise((resolve) => { const check = () => (lines.includes('hello') ? resolve() : (wake = check)); check(); });
  await sb.process.writeStdin(started.pid, 'again\n');
  const list = await sb.process.list();
  assert.ok(list.some((p) => p.name === 'job1' && p.status === 'running'));
  for (const p of list) assert.deepEqual(sandboxApi.problems('ProcessResponse', p, NEWER).filter((x) => !/completedAt/.test(x)), []);
  await sb.process.closeStdin('job1');
  await stream.wait();
  assert.deepEqual(lines, ['hello', 'again'], 'lines handed over without their newline');
  assert.deepEqual(errs, ['bye']);
  assert.equal(await sb.process.logs('job1', 'all'), 'hello\nagain\nbye\n');
  assert.equal(await sb.process.logs('job1', 'stdout'), 'hello\nagain\n');
  const done = await sb.process.get('job1');
  assert.deepEqual([done.status, done.exitCode], ['completed', 0]);
  const [stdin] = await requests((e) => e.sandboxId === sb.metadata.name && e.method === 'POST' && e.path.endsWith('/process/job1/stdin'));
  assert.equal(stdin.headers['content-type'], 'application/octet-stream');
  assert.equal(stdin.body, 'hello\n');
  const [close] = await requests((e) => e.sandboxId === sb.metadata.name && e.method === 'DELETE' && e.path.endsWith('/stdin'));
  assert.ok(close);
  await assert.rejects(sb.process.writeStdin('job1', 'late\n'), (e) => e.status === 409);
  // A process started later keeps its name: job1 now means the newest.
  const second = await sb.process.exec({ command: 'echo second', name: 'job1', waitForCompletion: true });
  assert.notEqual(second.pid, started.pid);
  assert.equal((await sb.process.get('job1')).pid, second.pid);
});

test('stop sends SIGTERM, kill SIGKILL to the whole command', async () => {
  const sb = await create();
  await sb.process.exec({ command: "trap 'echo got-term; exit 7' TERM; echo ready; while :; do sleep 0.1; done", name: 'term', waitForCompletion: false });
  await eventually(async () => (await sb.process.logs('term')).includes('ready'), 'the trap to be set');
  assert.deepEqual(await sb.process.stop('term'), { message: 'Process stopped successfully' });
  await eventually(async () => (await sb.process.get('term')).completedAt !== '', 'the stopped process to end');
  const t = await sb.process.get('term');
  assert.deepEqual([t.status, t.exitCode], ['stopped', 7]);
  assert.match(await sb.process.logs('term'), /got-term/);
  await assert.rejects(sb.process.stop('term'), (e) => e.status === 404 && /is not running/.test(e.message));

  await sb.process.exec({ command: 'sleep 1000 & sleep 1000', name: 'victim', waitForCompletion: false });
  const hostPids = await eventually(async () => {
    const s = (await fake.admin('GET', 'sandboxes')).json.sandboxes.find((x) => x.name === sb.metadata.name);
    const p = s.processes.find((x) => x.name === 'victim');
    return p.hostPids.length >= 3 && p.hostPids; // sh and its two sleeps (in the spawner's namespace)
  }, 'the process tree to be up');
  assert.deepEqual(await sb.process.kill('victim'), { message: 'Process killed successfully' });
  await eventually(async () => (await sb.process.get('victim')).completedAt !== '', 'the killed process to end');
  const k = await sb.process.get('victim');
  assert.deepEqual([k.status, k.exitCode], ['killed', -1]);
  for (const pid of hostPids) assert.equal(alive(pid), false, `host pid ${pid} is gone`);
  await assert.rejects(sb.process.kill('victim'), (e) => e.status === 404 && /no such process/.test(e.message));
  await assert.rejects(sb.process.get('nobody'), (e) => e.status === 404 && /process not found/.test(e.message));
});

test('filesystem: mkdir, write/read text, ls, writeBinary/readBinary 3 MiB byte-identical, 6 MiB in parts, rm', async () => {
  const sb = await create();
  const n = sb.metadata.name;
  const since = await mark();
  assert.deepEqual(await sb.fs.mkdir('/tmp/dir'), { message: 'Directory created successfully', path: '/tmp/dir' });
  assert.deepEqual(await sb.fs.write('/tmp/dir/a.txt', 'abc'), { message: 'File created/updated successfully', path: '/tmp/dir/a.txt' });
  assert.equal(await sb.fs.read('/tmp/dir/a.txt'), 'abc');
  assert.equal((await sb.process.exec({ command: 'cat /tmp/dir/a.txt', waitForCompletion: true })).stdout, 'abc');
  await sb.fs.mkdir('/tmp/dir/sub');
  const ls = await sb.fs.ls('/tmp/dir');
  assert.deepEqual(ls.subdirectories, [{ path: '/tmp/dir/sub', name: 'sub' }]);
  assert.equal(ls.files.length, 1);
  const f = ls.files[0];
  assert.deepEqual([f.path, f.name, f.size, f.permissions, f.owner], ['/tmp/dir/a.txt', 'a.txt', 3, '644', 'root']);
  assert.ok(Math.abs(Date.parse(f.lastModified) - Date.now()) < 60000);
  assert.deepEqual(sandboxApi.problems('Directory', ls), []);
  for (const x of ls.files) assert.deepEqual(sandboxApi.problems('File', x), []);
  await assert.rejects(sb.fs.ls('/tmp/dir/a.txt'), /Directory not found/);

  const calls = await requests((e) => e.sandboxId === n, since);
  assert.equal(calls[0].url, `/sbx/${n}/filesystem/%2Ftmp%2Fdir`);
  assert.deepEqual(JSON.parse(calls[0].body), { isDirectory: true, permissions: '0755' });
  assert.deepEqual(JSON.parse(calls[1].body), { content: 'abc' });

  const big = randomBytes(3 << 20);
  const before = await mark();
  await sb.fs.writeBinary('/tmp/dir/b.bin', big);
  const [put] = await requests((e) => e.sandboxId === n && e.method === 'PUT', before);
  assert.equal(put.url, `/sbx/${n}/filesystem//tmp/dir/b.bin`, 'the raw double slash');
  assert.match(put.headers['content-type'], /^multipart\/form-data; boundary=/);
  const back = Buffer.from(await (await sb.fs.readBinary('/tmp/dir/b.bin')).arrayBuffer());
  assert.ok(back.equals(big), 'the 3 MiB come back byte for byte');
  const [get] = await requests((e) => e.sandboxId === n && e.method === 'GET' && e.path.endsWith('b.bin'), before);
  assert.equal(get.headers.accept, 'application/octet-stream');
  const sha = (await sb.process.exec({ command: 'sha256sum /tmp/dir/b.bin', waitForCompletion: true })).stdout.split(' ')[0];
  assert.equal(sha, createHash('sha256').update(big).digest('hex'), 'commands see the same bytes');

  const large = randomBytes(6 << 20);
  const beforeLarge = await mark();
  assert.deepEqual(await sb.fs.writeBinary('/tmp/large.bin', large), { message: 'Multipart upload completed successfully', path: '/tmp/large.bin' });
  const parts = await requests((e) => e.sandboxId === n && e.path.includes('/filesystem-multipart/'), beforeLarge);
  assert.deepEqual(parts.map((e) => `${e.method} ${e.path.replace(/[0-9a-f-]{36}/, 'ID')}`).sort(), [
    `POST /sbx/${n}/filesystem-multipart/ID/complete`, `POST /sbx/${n}/filesystem-multipart/initiate/%2Ftmp%2Flarge.bin`,
    `PUT /sbx/${n}/filesystem-multipart/ID/part`, `PUT /sbx/${n}/filesystem-multipart/ID/part`,
  ]);
  const largeBack = Buffer.from(await (await sb.fs.readBinary('/tmp/large.bin')).arrayBuffer());
  assert.ok(largeBack.equals(large), 'the 6 MiB come back byte for byte');

  assert.deepEqual(await sb.fs.rm('/tmp/dir', true), { message: 'Directory deleted successfully', path: '/tmp/dir' });
  const [rm] = await requests((e) => e.sandboxId === n && e.method === 'DELETE', before);
  assert.equal(rm.url, `/sbx/${n}/filesystem/%2Ftmp%2Fdir?recursive=true`);
  assert.equal((await sb.process.exec({ command: 'test -e /tmp/dir || echo gone', waitForCompletion: true })).stdout, 'gone\n');
  await assert.rejects(sb.fs.read('/tmp/dir/a.txt'), (e) => e.status === 404 && /no such file or directory/.test(e.message));
  await assert.rejects(sb.fs.write('/usr/x', 'no'), (e) => e.status === 422 && /read-only file system/.test(e.message));
});

// What wsp's sandbox_fs sends (plugins/sandbox-blaxel/fs.c, fs_io.c), each
// through the SDK call that sends the same: mkdir of nested directories,
// the binary write to a temporary name then `mv` in the sandbox (the SDK
// has no move; it runs cp the same way), stat as the parent's listing,
// the raw read, the SDK's cp, and the refusals wsp maps to its codes.
test('filesystem as wsp drives it: nested mkdir, binary write renamed by mv, stat by the listing, cp, rm refusals, escaped paths', async () => {
  const sb = await create();
  const n = sb.metadata.name;
  const since = await mark();
  await sb.fs.mkdir('/blaxel/w/deep/er');
  const data = randomBytes(1 << 20);
  const tmp = '/blaxel/w/.wsp-upload-0123456789abcdef';
  await sb.fs.writeBinary(tmp, data);
  const mv = await sb.process.exec({ command: `mv -f -- '${tmp}' '/blaxel/w/data.bin'`, waitForCompletion: true });
  assert.equal(mv.exitCode, 0);

  const ls = await sb.fs.ls('/blaxel/w');
  assert.deepEqual(ls.subdirectories.map((d) => d.name), ['deep']);
  assert.deepEqual(ls.files.map((f) => [f.name, f.size, f.permissions]), [['data.bin', 1 << 20, '644']]);
  assert.ok(Math.abs(Date.parse(ls.files[0].lastModified) - Date.now()) < 60000);
  const back = Buffer.from(await (await sb.fs.readBinary('/blaxel/w/data.bin')).arrayBuffer());
  assert.ok(back.equals(data), 'renamed whole');
  await assert.rejects(sb.fs.ls('/blaxel/w/data.bin/under'), /not a directory/);

  assert.deepEqual(await sb.fs.cp('/blaxel/w/data.bin', '/blaxel/w/deep/copy.bin'),
    { message: 'Files copied', source: '/blaxel/w/data.bin', destination: '/blaxel/w/deep/copy.bin' });
  const copy = Buffer.from(await (await sb.fs.readBinary('/blaxel/w/deep/copy.bin')).arrayBuffer());
  assert.ok(copy.equals(data), 'copied whole');

  // the generated client escapes every slash of a path, so the server
  // reads whatever it sends from the root, leading slash or not; only a
  // raw single slash is relative (wire.test.mjs): wsp sends absolute paths
  assert.deepEqual((await sb.fs.ls('blaxel/w/deep')).files.map((f) => f.name), ['copy.bin']);
  await assert.rejects(sb.fs.rm('/blaxel/w/deep'), (e) => e.status === 422 && /directory not empty/.test(e.message));
  assert.deepEqual(await sb.fs.rm('/blaxel/w/data.bin'), { message: 'File deleted successfully', path: '/blaxel/w/data.bin' });
  await assert.rejects(sb.fs.rm('/blaxel/w/data.bin'), (e) => e.status === 404);
  assert.deepEqual((await sb.fs.ls('/blaxel/w')).files, []);

  const calls = await requests((e) => e.sandboxId === n, since);
  const line = (e) => `${e.method} ${e.url.replace(`/sbx/${n}`, '')}`;
  const sent = calls.map(line);
  assert.ok(sent.includes('PUT /filesystem/%2Fblaxel%2Fw%2Fdeep%2Fer'), 'mkdir: the escaped form');
  assert.ok(sent.includes(`PUT /filesystem/${tmp}`), 'binary write: the raw form, /filesystem//blaxel/...');
  assert.ok(sent.includes('GET /filesystem/%2Fblaxel%2Fw'), 'the listing');
  assert.ok(sent.includes('GET /filesystem/blaxel%2Fw%2Fdeep'), 'no leading slash, escaped all the same');
  assert.ok(sent.includes('DELETE /filesystem/%2Fblaxel%2Fw%2Fdata.bin?recursive=false'));
  assert.ok(calls.some((e) => e.method === 'GET' && /^\/sbx\/[^/]+\/process\/[^/]+$/.test(e.path)), 'cp waited on the process');
  for (const e of calls.filter((c) => c.method === 'PUT' && c.url.includes('%2F'))) {
    assert.deepEqual(sandboxApi.problems('FileRequest', JSON.parse(e.body)), []);
  }
});

test('archive and unarchive: files kept, processes gone, the data plane refused meanwhile', async () => {
  const sb = await create();
  await sb.fs.write('/blaxel/keep.txt', 'kept');
  await sb.process.exec({ command: 'sleep 1000', name: 'lost', waitForCompletion: false });
  await sb.archive({ interval: 100 });
  assert.equal(sb.status, 'ARCHIVED');
  const [arch] = await requests((e) => e.path === `/v0/sandboxes/${sb.metadata.name}/archive`);
  assert.deepEqual([arch.method, arch.bodyLength], ['POST', 0]);
  await assert.rejects(sb.fs.read('/blaxel/keep.txt'), (e) => e.status === 503);
  await sb.unarchive({ interval: 100 });
  assert.equal(sb.status, 'DEPLOYED');
  assert.equal(await sb.fs.read('/blaxel/keep.txt'), 'kept');
  assert.equal((await sb.process.get('lost')).status, 'killed');
});

test('standby after idle, resumed by the next data-plane request with processes intact', async () => {
  try {
    const sb = await create();
    await sb.process.exec({ command: 'i=0; while :; do i=$((i+1)); echo $i > /tmp/n; sleep 0.05; done', name: 'counter', waitForCompletion: false });
    // Idle time counts only once the counter has written: a slow start must
    // not put the sandbox on standby before /tmp/n exists.
    await eventually(async () => sb.fs.read('/tmp/n').then(() => true, () => false), 'the counter to write');
    await fake.admin('POST', 'config', { standbyMs: 300 });
    await sb.fs.read('/tmp/n'); // re-arms the idle timer with the short period
    await eventually(async () => (await blaxel.SandboxInstance.get(sb.metadata.name)).sandbox.state === 'STANDBY', 'standby');
    const frozen = await eventually(async () => {
      const s = (await fake.admin('GET', 'sandboxes')).json.sandboxes.find((x) => x.name === sb.metadata.name);
      return s.processes.find((p) => p.name === 'counter').hostPids;
    }, 'the counter to be listed');
    await eventually(async () => allFrozen(frozen), `every process stopped (${pidStates(frozen)})`);
    // The next request resumes the sandbox and is served; the counter runs on.
    const n1 = Number(await sb.fs.read('/tmp/n'));
    assert.equal((await blaxel.SandboxInstance.get(sb.metadata.name)).sandbox.state, 'RUNNING');
    await eventually(async () => Number(await sb.fs.read('/tmp/n')) > n1 + 2, 'the counter to go on');
    assert.equal((await sb.process.get('counter')).status, 'running');
  } finally {
    await fake.admin('POST', 'config', { standbyMs: 15000 });
  }
});

test('sb.fetch through /port/{port}, a private preview and its token', async () => {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const sb = await create({ ports: [{ name: 'web', target: port, protocol: 'HTTP' }] });
  await sb.process.exec({
    command: `node -e "require('http').createServer((q,s)=>s.end('hello '+q.url+' '+(q.headers['x-blaxel-authorization']||'-'))).listen(${port},'127.0.0.1',()=>console.log('up'))"`,
    name: 'web', waitForCompletion: false,
  });
  await eventually(async () => (await sb.process.logs('web')).includes('up'), 'the server to listen');
  const r = await sb.fetch(port, '/health?x=1');
  assert.equal(r.status, 200);
  assert.equal(await r.text(), 'hello /health?x=1 -', 'the API key does not reach the sandbox');
  const [req] = await requests((e) => e.sandboxId === sb.metadata.name && e.path.includes('/port/'));
  assert.equal(req.url, `/sbx/${sb.metadata.name}/port/${port}/health?x=1`);
  const closed = await sb.fetch(port + 1, '/');
  assert.equal(closed.status, 502);

  const preview = await sb.previews.create({ metadata: { name: 'p1' }, spec: { port, public: false } });
  assert.equal(preview.metadata.resourceName, sb.metadata.name);
  assert.equal(preview.spec.url, `${fake.url}/preview/${sb.metadata.name}/p1`);
  const rawPreview = await fake.call('GET', `/v0/sandboxes/${sb.metadata.name}/previews/p1`);
  assert.deepEqual(control.problems('Preview', rawPreview.json), []);
  assert.equal((await fetch(preview.spec.url + '/x')).status, 401, 'a private preview wants a token');
  const token = await preview.tokens.create(new Date(Date.now() + 600000));
  assert.match(token.value, /^[0-9a-f]{48}$/);
  const [tok] = await requests((e) => e.method === 'POST' && e.path.endsWith('/previews/p1/tokens'));
  assert.equal(tok.path, `/v0/sandboxes/${sb.metadata.name}/previews/p1/tokens`, 'the token URL from metadata.resourceName');
  const body = JSON.parse(tok.body);
  assert.match(body.metadata.name, /^token-\d+$/);
  const viaHeader = await fetch(preview.spec.url + '/x', { headers: { 'X-Blaxel-Preview-Token': token.value } });
  assert.equal(await viaHeader.text(), 'hello /x -');
  const viaQuery = await fetch(`${preview.spec.url}/y?bl_preview_token=${token.value}`);
  assert.equal(await viaQuery.text(), 'hello /y -');
  assert.equal((await sb.previews.get('p1')).name, 'p1');
  assert.equal((await preview.tokens.list()).length, 1);
});

test('errors: gateway 503s retried on reads, a 429 from the control plane thrown as its body', async () => {
  const sb = await create();
  await sb.fs.write('/tmp/r.txt', 'ok');
  const since = await mark();
  await fake.admin('POST', 'faults', { kind: 'error', status: 503, count: 2, plane: 'sandbox', sandbox: sb.metadata.name, method: 'GET', path: '/filesystem/*', message: 'waking up' });
  assert.equal(await sb.fs.read('/tmp/r.txt'), 'ok');
  assert.equal((await requests((e) => e.sandboxId === sb.metadata.name && e.method === 'GET', since)).length, 3, 'two refused, the third served');
  await fake.admin('POST', 'faults', { kind: 'rate_limit', retryAfter: 2, method: 'GET' });
  await assert.rejects(blaxel.SandboxInstance.get(sb.metadata.name), (e) => {
    assert.equal(e.code, 429);
    assert.equal(e.error, 'Too Many Requests');
    return true;
  });
});
