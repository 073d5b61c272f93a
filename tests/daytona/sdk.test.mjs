// tests/daytona/sdk.test.mjs - proves the fake faithful: the official
// `@daytonaio/sdk` (0.218.0, package-lock.json) drives it through every
// operation a wsp provider uses, with the SDK's own expectations, and the
// results are checked (real output of real commands, real bytes of real
// files). Requests the SDK sent are checked against the specs in specs/,
// and the process must have talked to nothing but the fake.
//
// Run: node --test tests/daytona/sdk.test.mjs (ctest does; `npm ci` first).
import { strayTraffic } from '../common/fake/no-stray-traffic.mjs';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, createHash } from 'node:crypto';
import { mkdtempSync, rmSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFake, eventually, alive } from './harness.mjs';
import { openapi } from './spec-check.mjs';

let sdk;
try {
  sdk = await import('@daytonaio/sdk');
} catch (e) {
  console.error('tests/daytona: the Daytona SDK is not installed; run `npm ci` in tests/daytona first (' + e.message + ')');
  process.exit(1);
}
const { Daytona, DaytonaNotFoundError, DaytonaTimeoutError, DaytonaRateLimitError, DaytonaBadRequestError } = sdk;

const api = openapi('api/openapi.yaml');
const toolbox = openapi('toolbox-client/openapi.yaml');
let fake, daytona, cwd;
const oldCwd = process.cwd();
const open = [];

before(async () => {
  fake = await startFake();
  // remote-providers.md §0: the settings that point the SDK at the fake, run
  // from a directory with no .env files (the SDK reads them).
  cwd = mkdtempSync(join(tmpdir(), 'wsp-daytona-sdk-'));
  process.chdir(cwd);
  process.env.DAYTONA_API_URL = fake.apiUrl;
  process.env.DAYTONA_API_KEY = 'dtn_test';
  process.env.DAYTONA_USE_DEPRECATED_POLLING = 'true';
  for (const k of ['DAYTONA_SERVER_URL', 'DAYTONA_TARGET', 'DAYTONA_JWT_TOKEN', 'DAYTONA_ORGANIZATION_ID']) delete process.env[k];
  daytona = new Daytona();
});

after(async () => {
  for (const sb of open) await sb.delete().catch(() => {});
  process.chdir(oldCwd);
  rmSync(cwd, { recursive: true, force: true });
  const st = await fake.stop();
  assert.equal(st.code, 0, 'the fake exits cleanly when its stdin closes');
  assert.deepEqual(strayTraffic(), [], 'no DNS lookup or connection other than 127.0.0.1');
});

async function create(params = {}, opts) {
  const sb = await daytona.create(params, opts);
  open.push(sb);
  return sb;
}

const bodyOf = (e) => JSON.parse(e.body);
/** The proxy's refusal of a toolbox call to a sandbox that is not started (stopped, paused). */
const notStarted = (sb) => assert.rejects(sb.process.executeCommand('true'), (e) => {
  assert.ok(e instanceof DaytonaBadRequestError);
  assert.equal(e.message, 'bad request: no IP address found. Is the Sandbox started?');
  return true;
});
const hostPidsOf = async (id) => (await fake.admin('GET', 'sandboxes')).json.sandboxes.find((s) => s.id === id)
  ?.sessions.flatMap((s) => s.hostPids) ?? [];

test('create from a snapshot with options: the body Daytona documents, polled until started', async () => {
  const since = await fake.lastSeq();
  const tag = 'snap-' + randomBytes(4).toString('hex');
  const sb = await create({
    snapshot: 'my-snap', name: tag, envVars: { A: 'one' }, labels: { suite: tag }, autoStopInterval: 15,
    autoArchiveInterval: 60, autoDeleteInterval: -1, public: false, networkBlockAll: false,
    networkAllowList: '10.0.0.0/8', user: 'daytona',
  }, { timeout: 30 });
  assert.equal(sb.state, 'started');
  assert.equal(sb.name, tag);
  assert.equal(sb.snapshot, 'my-snap');
  assert.deepEqual(sb.env, { A: 'one' });
  assert.equal(sb.user, 'daytona');
  const reqs = await fake.requests(() => true, since);
  const post = reqs.find((e) => e.method === 'POST' && e.path === '/api/sandbox');
  assert.deepEqual(bodyOf(post), {
    name: tag, snapshot: 'my-snap', user: 'daytona', env: { A: 'one' }, labels: { suite: tag, 'code-toolbox-language': 'python' },
    public: false, autoStopInterval: 15, autoArchiveInterval: 60, autoDeleteInterval: -1, networkBlockAll: false,
    networkAllowList: '10.0.0.0/8',
  });
  assert.deepEqual(api.problems('CreateSandbox', bodyOf(post)), []);
  // The package's ES module build names itself @daytona/sdk (its CommonJS
  // build reads package.json and sends sdk-typescript-legacy).
  for (const e of reqs) {
    assert.equal(e.headers.authorization, 'Bearer dtn_test');
    assert.equal(e.headers['x-daytona-source'], 'sdk-typescript');
    assert.equal(e.headers['x-daytona-sdk-version'], '0.218.0');
    assert.equal(e.headers['user-agent'], 'sdk-typescript/0.218.0');
  }
  // The answer came before the sandbox was up: the SDK polled it.
  const polls = reqs.filter((e) => e.method === 'GET' && e.path === `/api/sandbox/${sb.id}`);
  assert.ok(polls.length >= 1, 'the SDK polled the state');
  const raw = await fake.call('GET', `/api/sandbox/${sb.id}`);
  assert.deepEqual(api.problems('Sandbox', raw.json), []);
  assert.equal(raw.json.toolboxProxyUrl, `${fake.url}/toolbox`);
  // The sandbox's env reaches its commands.
  assert.equal((await sb.process.executeCommand('echo "$A" $(id -un)')).result, 'one daytona\n');
});

test('create from an image with resources: pending_build, then started', async () => {
  const since = await fake.lastSeq();
  const sb = await create({ image: 'python:3.12', resources: { cpu: 2, memory: 4, disk: 8 } });
  assert.equal(sb.state, 'started');
  assert.deepEqual([sb.cpu, sb.memory, sb.disk], [2, 4, 8]);
  const [post] = await fake.requests((e) => e.method === 'POST' && e.path === '/api/sandbox', since);
  assert.deepEqual(bodyOf(post), {
    buildInfo: { dockerfileContent: 'FROM python:3.12\n' }, env: {}, labels: { 'code-toolbox-language': 'python' },
    cpu: 2, memory: 4, disk: 8,
  });
  assert.deepEqual(api.problems('CreateSandbox', bodyOf(post)), []);
  const dto = (await fake.call('GET', `/api/sandbox/${sb.id}`)).json;
  assert.equal(dto.buildInfo.dockerfileContent, 'FROM python:3.12\n');
  // A snapshot with resources is refused, as the API does.
  await assert.rejects(daytona.create({ snapshot: 's', resources: { cpu: 1 } }), (e) => {
    assert.ok(e instanceof DaytonaBadRequestError);
    assert.equal(e.message, 'Cannot specify Sandbox resources when using a snapshot');
    return true;
  });
});

test('get by id and by name; an unknown one is DaytonaNotFoundError', async () => {
  const name = 'byname-' + randomBytes(4).toString('hex');
  const sb = await create({ name });
  const a = await daytona.get(sb.id);
  const b = await daytona.get(name);
  assert.equal(a.id, sb.id);
  assert.equal(b.id, sb.id);
  assert.equal(b.state, 'started');
  await assert.rejects(daytona.get('no-such-sandbox'), (e) => {
    assert.ok(e instanceof DaytonaNotFoundError);
    assert.equal(e.statusCode, 404);
    assert.equal(e.message, 'Sandbox with ID or name no-such-sandbox not found');
    return true;
  });
  const raw = await fake.call('GET', '/api/sandbox/no-such-sandbox');
  assert.deepEqual(Object.keys(raw.json), ['path', 'timestamp', 'statusCode', 'error', 'message']);
  assert.equal(raw.json.error, 'Not Found');
});

test('list by labels and states, a page at a time', async () => {
  const tag = 'list-' + randomBytes(4).toString('hex');
  const a = await create({ labels: { suite: tag } });
  const b = await create({ labels: { suite: tag } });
  const c = await create({ labels: { suite: tag, n: '3 & more' } });
  await c.stop();
  const since = await fake.lastSeq();
  const seen = [];
  for await (const s of daytona.list({ labels: { suite: tag }, states: ['started', 'stopped'], limit: 2 })) seen.push(s);
  assert.deepEqual(seen.map((s) => s.id).sort(), [a.id, b.id, c.id].sort());
  assert.equal(seen.find((s) => s.id === c.id).state, 'stopped');
  const pages = await fake.requests((e) => e.method === 'GET' && e.path === '/api/sandbox', since);
  assert.equal(pages.length, 2, 'two pages of two and one');
  assert.match(pages[0].url, new RegExp(`^/api/sandbox\\?limit=2&labels=${encodeURIComponent(JSON.stringify({ suite: tag })).replace(/[()*!']/g, '.')}&states=started&states=stopped$`));
  assert.deepEqual(pages[0].query.states, ['started', 'stopped']);
  assert.ok(pages[1].query.cursor, 'the second page was asked with the cursor');
  const declared = api.params('/sandbox', 'get');
  for (const p of pages) for (const k of Object.keys(p.query)) assert.ok(declared.includes(k), `query '${k}' is declared`);
  const stopped = [];
  for await (const s of daytona.list({ labels: { suite: tag }, states: ['stopped'] })) stopped.push(s.id);
  assert.deepEqual(stopped, [c.id]);
  const exact = [];
  for await (const s of daytona.list({ labels: { n: '3 & more' } })) exact.push(s.id);
  assert.deepEqual(exact, [c.id], 'label values with & and spaces survive the JSON text');
  const raw = await fake.call('GET', `/api/sandbox?labels=${encodeURIComponent(JSON.stringify({ suite: tag }))}`);
  assert.deepEqual(api.problems('ListSandboxesResponse', raw.json), []);
  for (const s of raw.json.items) assert.deepEqual(api.problems('SandboxListItem', s), []);
});

test('stop and start: processes die, files stay, sessions are forgotten', async () => {
  const sb = await create();
  await sb.fs.uploadFile(Buffer.from('kept'), '/home/daytona/kept.txt');
  await sb.process.createSession('bg');
  await sb.process.executeSessionCommand('bg', { command: 'sleep 1000', runAsync: true });
  const pids = await eventually(async () => ((await hostPidsOf(sb.id)).length >= 3 ? hostPidsOf(sb.id) : null), 'the session to run');
  const since = await fake.lastSeq();
  await sb.stop(10);
  assert.equal(sb.state, 'stopped');
  const [stop] = await fake.requests((e) => e.path === `/api/sandbox/${sb.id}/stop`, since);
  assert.equal(stop.method, 'POST');
  assert.deepEqual(stop.query, { force: 'false' });
  for (const p of pids) assert.equal(alive(p), false, `host pid ${p} of the stopped sandbox is gone`);
  await notStarted(sb);
  await sb.start(10);
  assert.equal(sb.state, 'started');
  assert.equal((await sb.fs.downloadFile('/home/daytona/kept.txt')).toString(), 'kept');
  await assert.rejects(sb.process.getSession('bg'), DaytonaNotFoundError);
  await sb.start(10); // starting a started sandbox changes nothing
  assert.equal(sb.state, 'started');
});

/** A host process's state letter from /proc (T: stopped by a signal). */
const procState = (pid) => {
  const st = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return st.slice(st.lastIndexOf(')') + 2, st.lastIndexOf(')') + 3);
};

test('pause and start: processes frozen with their memory, then running on; sessions kept', async () => {
  const sb = await create();
  await sb.process.createSession('bg');
  // A counter in the shell's memory: only a frozen (not restarted) process keeps it.
  const cmd = await sb.process.executeSessionCommand('bg', { command: 'n=0; while :; do n=$((n+1)); echo "$n" > /tmp/count; sleep 0.05; done', runAsync: true });
  await eventually(async () => sb.fs.downloadFile('/tmp/count').then(() => true, () => false), 'the counter to start');
  const since = await fake.lastSeq();
  await sb.pause(10);
  // Read once frozen: the loop's short-lived `sleep`s come and go before.
  const pids = await hostPidsOf(sb.id);
  assert.ok(pids.length >= 3, 'bwrap, its init and the session shell at least');
  assert.equal(sb.state, 'paused');
  const [pause] = await fake.requests((e) => e.path === `/api/sandbox/${sb.id}/pause`, since);
  assert.equal(pause.method, 'POST');
  assert.deepEqual(pause.query, {});
  assert.deepEqual(api.params('/sandbox/{sandboxIdOrName}/pause', 'post'), []);
  for (const p of pids) assert.equal(procState(p), 'T', `host pid ${p} of the paused sandbox is stopped, not gone`);
  await notStarted(sb);
  const raw = await fake.call('GET', `/api/sandbox/${sb.id}`);
  assert.deepEqual(api.problems('Sandbox', raw.json), []);
  await sb.pause(10); // pausing a paused sandbox changes nothing
  assert.equal(sb.state, 'paused');
  await sb.start(10);
  assert.equal(sb.state, 'started');
  const states = (await fake.requests((e) => e.path === `/api/sandbox/${sb.id}/start`, since));
  assert.equal(states.length, 1);
  for (const p of pids.slice(0, 3)) assert.equal(alive(p), true, `host pid ${p} runs on after the resume`);
  // The same command, counting on from where it was: its session survived.
  const info = await sb.process.getSessionCommand('bg', cmd.cmdId);
  assert.equal(info.exitCode, undefined);
  const a = Number((await sb.fs.downloadFile('/tmp/count')).toString());
  await eventually(async () => Number((await sb.fs.downloadFile('/tmp/count')).toString()) > a + 2, 'the counter to go on');
  await sb.stop(10); // a stop from started after a resume, as ever
  assert.equal(sb.state, 'stopped');
});

test('stop from paused, then archive: processes die, archiving, then archived', async () => {
  const sb = await create();
  await sb.process.createSession('bg');
  await sb.process.executeSessionCommand('bg', { command: 'sleep 1000', runAsync: true });
  const pids = await eventually(async () => ((await hostPidsOf(sb.id)).length >= 3 ? hostPidsOf(sb.id) : null), 'the session to run');
  await sb.pause(10);
  await sb.stop(10);
  assert.equal(sb.state, 'stopped');
  for (const p of pids) assert.equal(alive(p), false, `host pid ${p} is gone after the stop`);
  const since = await fake.lastSeq();
  await sb.archive();
  const [arch] = await fake.requests((e) => e.path === `/api/sandbox/${sb.id}/archive`, since);
  assert.equal(arch.method, 'POST');
  assert.ok(['archiving', 'archived'].includes(sb.state));
  await eventually(async () => (await daytona.get(sb.id)).state === 'archived', 'the sandbox to be archived');
  await sb.start(10);
  assert.equal(sb.state, 'started');
});

test('volumes: sent in the create body as the spec says, answered back', async () => {
  const since = await fake.lastSeq();
  const volumes = [{ volumeId: 'team-datasets', mountPath: '/data' }, { volumeId: '3fa85f64-5717-4562-b3fc-2c963f66afa6', mountPath: '/cache', subpath: 'builds/ci' }];
  const sb = await create({ volumes });
  const [post] = await fake.requests((e) => e.method === 'POST' && e.path === '/api/sandbox', since);
  assert.deepEqual(bodyOf(post).volumes, volumes);
  assert.deepEqual(api.problems('CreateSandbox', bodyOf(post)), []);
  for (const v of bodyOf(post).volumes) assert.deepEqual(api.problems('SandboxVolume', v), []);
  assert.deepEqual((await fake.call('GET', `/api/sandbox/${sb.id}`)).json.volumes, volumes);
  const bad = await fake.call('POST', '/api/sandbox', { volumes: [{ volumeId: 7 }] });
  assert.equal(bad.status, 400);
  assert.match(bad.json.message, /volumes\.0\.volumeId must be a string, volumes\.0\.mountPath must be a string/);
});

test('delete: destroying, then gone', async () => {
  const sb = await create();
  const dir = (await fake.admin('GET', 'sandboxes')).json.sandboxes.find((s) => s.id === sb.id).dir;
  assert.ok(existsSync(dir));
  await sb.delete();
  open.splice(open.indexOf(sb), 1);
  assert.ok(['destroying', 'destroyed'].includes(sb.state));
  await eventually(async () => daytona.get(sb.id).then(() => false, (e) => e instanceof DaytonaNotFoundError), 'the sandbox to be gone');
  assert.equal(existsSync(dir), false, 'its files are removed');
});

test('setAutostopInterval: POST …/autostop/N, the interval in the record; refreshActivity', async () => {
  const sb = await create();
  const since = await fake.lastSeq();
  await sb.setAutostopInterval(30);
  assert.equal(sb.autoStopInterval, 30);
  const [req] = await fake.requests((e) => e.path === `/api/sandbox/${sb.id}/autostop/30`, since);
  assert.equal(req.method, 'POST');
  assert.equal((await daytona.get(sb.id)).autoStopInterval, 30);
  await sb.setAutostopInterval(0);
  assert.equal((await daytona.get(sb.id)).autoStopInterval, 0);
  // refreshActivity: the keep-alive a provider may send instead of toolbox calls.
  // API calls are no activity; the last one was the start, before t0.
  const t0 = Date.now();
  assert.ok(Date.parse((await daytona.get(sb.id)).lastActivityAt) < t0);
  await sb.refreshActivity();
  const [ping] = await fake.requests((e) => e.path === `/api/sandbox/${sb.id}/last-activity`, since);
  assert.equal(ping.method, 'POST');
  assert.ok(Date.parse((await daytona.get(sb.id)).lastActivityAt) >= t0);
});

test('process.executeCommand: cwd, env, exit codes, combined output, timeout kills', async () => {
  const sb = await create();
  const since = await fake.lastSeq();
  const r = await sb.process.executeCommand('echo out; echo err >&2; echo "$B"; pwd; exit 3', '/tmp', { B: 'two' }, 5);
  assert.deepEqual(r, { exitCode: 3, result: 'out\nerr\ntwo\n/tmp\n', artifacts: { stdout: 'out\nerr\ntwo\n/tmp\n' } });
  const [req] = await fake.requests((e) => e.path === `/toolbox/${sb.id}/process/execute`, since);
  assert.deepEqual(bodyOf(req), { command: 'echo out; echo err >&2; echo "$B"; pwd; exit 3', timeout: 5, cwd: '/tmp', envs: { B: 'two' } });
  assert.deepEqual(toolbox.problems('ExecuteRequest', bodyOf(req)), []);
  assert.equal(req.headers.authorization, 'Bearer dtn_test');
  assert.equal(req.headers['x-daytona-sdk-version'], '0.218.0');
  assert.equal((await sb.process.executeCommand('pwd')).result, '/home/daytona\n');
  const bad = await sb.process.executeCommand('true', '/no/such/dir');
  assert.deepEqual([bad.exitCode, bad.result], [-1, 'chdir /no/such/dir: no such file or directory']);
  await assert.rejects(sb.process.executeCommand('touch /tmp/started; sleep 30; touch /tmp/finished', undefined, undefined, 1), (e) => {
    assert.ok(e instanceof DaytonaTimeoutError);
    assert.equal(e.statusCode, 408);
    assert.equal(e.message, 'request timeout: command execution timeout');
    return true;
  });
  const ls = await sb.process.executeCommand('ls /tmp');
  assert.equal(ls.result, 'started\n', 'the timed-out command was killed before it finished');
});

test('sessions: sync and async commands, input, logs (snapshot and live over the WebSocket), exit codes, delete', async () => {
  const sb = await create();
  await sb.process.createSession('s1');
  const sync = await sb.process.executeSessionCommand('s1', { command: 'cd /tmp; export K=v; echo out; echo err >&2' });
  assert.equal(sync.exitCode, 0);
  assert.equal(sync.stdout, 'out\n');
  assert.equal(sync.stderr, 'err\n');
  // stdout and stderr have a labeler each, appending to the one log: their lines may come in either order.
  assert.ok(['\x01\x01\x01out\n\x02\x02\x02err\n', '\x02\x02\x02err\n\x01\x01\x01out\n'].includes(sync.output), JSON.stringify(sync.output));
  assert.deepEqual(toolbox.problems('SessionExecuteResponse', sync), []);
  // The session's shell keeps its directory and variables.
  assert.equal((await sb.process.executeSessionCommand('s1', { command: 'pwd; echo $K' })).stdout, '/tmp\nv\n');
  const failed = await sb.process.executeSessionCommand('s1', { command: 'false' });
  assert.equal(failed.exitCode, 1);

  const since = await fake.lastSeq();
  const bg = await sb.process.executeSessionCommand('s1', { command: 'read line; echo "got $line"; echo bye >&2', runAsync: true });
  assert.match(bg.cmdId, /^[0-9a-f-]{36}$/);
  assert.equal(bg.exitCode, null);
  const running = await sb.process.getSessionCommand('s1', bg.cmdId);
  assert.deepEqual(running, { id: bg.cmdId, command: 'read line; echo "got $line"; echo bye >&2' });
  const out = [], err = [];
  const live = sb.process.getSessionCommandLogs('s1', bg.cmdId, (t) => out.push(t), (t) => err.push(t));
  await sb.process.sendSessionCommandInput('s1', bg.cmdId, 'hello');
  await live; // resolves when the server closes the socket, once the command ended
  // The echo of the input and the command's answer race to the log, as in the daemon.
  assert.ok(['hello\ngot hello\n', 'got hello\nhello\n'].includes(out.join('')), JSON.stringify(out));
  assert.equal(err.join(''), 'bye\n');
  const done = await sb.process.getSessionCommand('s1', bg.cmdId);
  assert.equal(done.exitCode, 0);
  assert.deepEqual(toolbox.problems('Command', done), []);
  const snap = await sb.process.getSessionCommandLogs('s1', bg.cmdId);
  assert.equal(snap.stdout, out.join(''), 'the snapshot holds what the follow delivered');
  assert.equal(snap.stderr, 'bye\n');
  assert.deepEqual(snap.output.split('\n').filter(Boolean).sort(), ['\x01\x01\x01got hello', '\x01\x01\x01hello', '\x02\x02\x02bye']);
  const reqs = await fake.requests((e) => e.sandboxId === sb.id, since);
  const exec = reqs.find((e) => e.path.endsWith('/exec'));
  assert.deepEqual(bodyOf(exec), { command: 'read line; echo "got $line"; echo bye >&2', runAsync: true });
  const input = reqs.find((e) => e.path.endsWith('/input'));
  assert.deepEqual(bodyOf(input), { data: 'hello' });
  const ws = reqs.find((e) => e.upgrade);
  assert.equal(ws.path, `/toolbox/${sb.id}/process/session/s1/command/${bg.cmdId}/logs`);
  assert.deepEqual(ws.query, { follow: 'true' });
  assert.equal(ws.headers['sec-websocket-version'], '13');
  assert.equal(ws.headers.authorization, 'Bearer dtn_test');
  assert.match(ws.headers['sec-websocket-extensions'], /permessage-deflate/, 'the client offers compression, which the fake declines');

  // A live follow of a long command; deleting the session kills it and closes the socket normally.
  const long = await sb.process.executeSessionCommand('s1', { command: 'echo started; sleep 1000', runAsync: true });
  const got = [];
  let wake;
  const follow = sb.process.getSessionCommandLogs('s1', long.cmdId, (t) => { got.push(t); wake?.(); }, () => {});
  await new Promise((resolve) => { const check = () => (got.join('').includes('started\n') ? resolve() : (wake = check)); check(); });
  const pids = await hostPidsOf(sb.id);
  assert.ok(pids.length >= 2);
  await sb.process.deleteSession('s1');
  await follow;
  for (const p of pids) assert.equal(alive(p), false, `host pid ${p} of the deleted session is gone`);
  await assert.rejects(sb.process.getSessionCommand('s1', long.cmdId), DaytonaNotFoundError);
  const sessions = await sb.process.listSessions();
  assert.deepEqual(sessions, []);
});

test('the routes wsp uses beside the SDK\'s own: the working directory, and a file downloaded raw through the toolbox client', async () => {
  const sb = await create();
  // wsp's sandbox files are relative to it: where commands start
  assert.equal(await sb.getWorkDir(), '/home/daytona');
  assert.equal((await sb.process.executeCommand('pwd')).result, '/home/daytona\n');
  const big = randomBytes(1 << 20);
  await sb.fs.uploadFile(big, '/home/daytona/raw/r.bin');
  // wsp reads with GET /files/download (raw bytes, no multipart); the
  // SDK's own toolbox client has the call (its signed file URLs use it)
  const since = await fake.lastSeq();
  const got = await sb.fs.apiClient.downloadFile('/home/daytona/raw/r.bin', { responseType: 'arraybuffer' });
  assert.equal(Buffer.compare(Buffer.from(got.data), big), 0);
  assert.equal(got.headers['content-type'], 'application/octet-stream');
  const [req] = await fake.requests((e) => e.path.endsWith('/files/download'), since);
  assert.equal(req.query.path, '/home/daytona/raw/r.bin');
  // a part, as wsp asks it: one Range, answered 206 (Go's http.ServeFile)
  const part = await sb.fs.apiClient.downloadFile('/home/daytona/raw/r.bin', { responseType: 'arraybuffer', headers: { Range: 'bytes=1000-1999' } });
  assert.equal(part.status, 206);
  assert.equal(part.headers['content-range'], `bytes 1000-1999/${1 << 20}`);
  assert.equal(Buffer.compare(Buffer.from(part.data), big.subarray(1000, 2000)), 0);
  await assert.rejects(sb.fs.apiClient.downloadFile('/home/daytona/raw/none.bin'), DaytonaNotFoundError);
});

test('fs: list, details, folder, move, delete recursive, upload and download (3 MiB byte for byte)', async () => {
  const sb = await create();
  const since = await fake.lastSeq();
  await sb.fs.uploadFile(Buffer.from('12345'), '/home/daytona/p/q/deep.txt');
  const [up] = await fake.requests((e) => e.path.endsWith('/files/bulk-upload'), since);
  assert.equal(up.chunked, true, 'the SDK sends uploads chunked');
  assert.match(up.headers['content-type'], /^multipart\/form-data; boundary=/);
  assert.match(up.body, /name="files\[0\]\.path"\r\n\r\n\/home\/daytona\/p\/q\/deep\.txt\r\n/);
  assert.match(up.body, /name="files\[0\]\.file"; filename="deep\.txt"/);
  assert.equal((await sb.process.executeCommand('cat /home/daytona/p/q/deep.txt')).result, '12345');

  const list = await sb.fs.listFiles('/home/daytona/p');
  assert.deepEqual(list.map((f) => [f.name, f.isDir]), [['q', true]]);
  const d = await sb.fs.getFileDetails('/home/daytona/p/q/deep.txt');
  assert.equal(d.name, 'deep.txt');
  assert.equal(d.size, 5);
  assert.equal(d.isDir, false);
  assert.equal(d.mode, '-rw-r--r--');
  assert.equal(d.permissions, '0644');
  assert.equal(d.owner, '1000');
  assert.ok(Math.abs(Date.parse(d.modifiedAt) - Date.now()) < 60000);
  assert.match(d.modTime, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? \+0000 UTC$/);
  assert.deepEqual(toolbox.problems('FileInfo', d), []);
  assert.equal((await sb.fs.getFileDetails('/tmp')).mode, 'dtrwxrwxrwx');
  await assert.rejects(sb.fs.getFileDetails('/home/daytona/nothing'), DaytonaNotFoundError);

  await sb.fs.createFolder('/home/daytona/newdir/sub', '700');
  assert.equal((await sb.fs.getFileDetails('/home/daytona/newdir/sub')).permissions, '0700');
  assert.equal((await sb.process.executeCommand('test -d /home/daytona/newdir/sub && echo yes')).result, 'yes\n');

  await sb.fs.moveFiles('/home/daytona/p/q/deep.txt', '/tmp/moved.txt');
  assert.equal((await sb.fs.downloadFile('/tmp/moved.txt')).toString(), '12345');
  await assert.rejects(sb.fs.getFileDetails('/home/daytona/p/q/deep.txt'), DaytonaNotFoundError);

  await sb.fs.deleteFile('/home/daytona/p', true);
  await assert.rejects(sb.fs.getFileDetails('/home/daytona/p'), DaytonaNotFoundError);
  await assert.rejects(sb.fs.deleteFile('/home/daytona/newdir', false), DaytonaBadRequestError);

  const big = randomBytes(3 << 20);
  await sb.fs.uploadFile(big, '/home/daytona/big.bin');
  const back = await sb.fs.downloadFile('/home/daytona/big.bin');
  assert.ok(Buffer.from(back).equals(big), 'the 3 MiB file comes back byte for byte');
  const sha = (await sb.process.executeCommand('sha256sum /home/daytona/big.bin')).result.split(' ')[0];
  assert.equal(sha, createHash('sha256').update(big).digest('hex'), 'a command reads the same bytes');
  const [down] = await fake.requests((e) => e.path.endsWith('/files/bulk-download'), since);
  assert.deepEqual(bodyOf(down), { paths: ['/tmp/moved.txt'] });
  assert.match(down.headers.accept, /multipart\/form-data/);
  await assert.rejects(sb.fs.downloadFile('/home/daytona/missing.txt'), (e) => {
    assert.ok(e instanceof DaytonaNotFoundError);
    assert.equal(e.message, 'file not found: /home/daytona/missing.txt');
    assert.equal(e.code, 'FILE_NOT_FOUND');
    return true;
  });

  // A link a command planted cannot lead the file API out of the sandbox.
  await sb.process.executeCommand('ln -s / /home/daytona/escape');
  await assert.rejects(sb.fs.downloadFile('/home/daytona/escape/etc/shadow'), DaytonaNotFoundError);
});

test('getPreviewLink and getSignedPreviewUrl', async () => {
  const sb = await create();
  const since = await fake.lastSeq();
  const link = await sb.getPreviewLink(3000);
  assert.equal(link.sandboxId, sb.id);
  assert.match(link.url, new RegExp(`^http://3000-${sb.id}\\.`));
  assert.match(link.token, /^[a-z0-9]{32}$/);
  assert.deepEqual(api.problems('PortPreviewUrl', link), []);
  const signed = await sb.getSignedPreviewUrl(3000, 60);
  assert.equal(signed.port, 3000);
  assert.match(signed.token, /^[a-z0-9]{16}$/);
  assert.match(signed.url, new RegExp(`^http://3000-${signed.token}\\.`));
  assert.deepEqual(api.problems('SignedPortPreviewUrl', signed), []);
  const reqs = await fake.requests((e) => e.path.includes('/ports/'), since);
  assert.deepEqual(reqs.map((e) => [e.path, e.query]), [
    [`/api/sandbox/${sb.id}/ports/3000/preview-url`, {}],
    [`/api/sandbox/${sb.id}/ports/3000/signed-preview-url`, { expiresInSeconds: '60' }],
  ]);
  // The preview token opens the toolbox as a bearer token does.
  const r = await fake.request({ path: `/toolbox/${sb.id}/user-home-dir`, headers: { 'X-Daytona-Preview-Token': link.token } });
  assert.deepEqual(JSON.parse(r.body), { dir: '/home/daytona' });
});

test('faults the SDK meets: a 429 is not retried, a dropped GET is', async () => {
  const sb = await create();
  await fake.admin('POST', 'faults', { kind: 'rate_limit', retryAfter: 2, path: `/api/sandbox/${sb.id}`, method: 'GET' });
  await assert.rejects(daytona.get(sb.id), (e) => {
    assert.ok(e instanceof DaytonaRateLimitError);
    assert.equal(e.statusCode, 429);
    assert.equal(e.headers['retry-after'], '2');
    return true;
  });
  const since = await fake.lastSeq();
  await fake.admin('POST', 'faults', { kind: 'drop', path: `/api/sandbox/${sb.id}`, method: 'GET' });
  assert.equal((await daytona.get(sb.id)).id, sb.id);
  const calls = await fake.requests((e) => e.path === `/api/sandbox/${sb.id}`, since);
  assert.equal(calls.length, 2, 'the dropped GET was sent again');
});

test('auto-stop after the interval of inactivity, mid-command', async () => {
  // A fake of its own whose minute lasts 300 ms.
  const quick = await startFake({ args: ['--minute-ms', '300'] });
  try {
    const d = new Daytona({ apiUrl: quick.apiUrl, apiKey: 'dtn_test' });
    const sb = await d.create({ autoStopInterval: 1 });
    await sb.process.createSession('bg');
    // A follow that ended is no activity any more.
    const quickCmd = await sb.process.executeSessionCommand('bg', { command: 'echo done' });
    const seen = [];
    await sb.process.getSessionCommandLogs('bg', quickCmd.cmdId, (t) => seen.push(t), () => {});
    assert.equal(seen.join(''), 'done\n');
    await sb.process.executeSessionCommand('bg', { command: 'echo on; sleep 1000', runAsync: true });
    const pids = await eventually(async () => {
      const s = (await quick.admin('GET', 'sandboxes')).json.sandboxes[0].sessions.flatMap((x) => x.hostPids);
      return s.length >= 3 && s;
    }, 'the command to run');
    await eventually(async () => { await sb.refreshData(); return sb.state === 'stopped'; }, 'the idle sandbox to stop itself');
    for (const p of pids) assert.equal(alive(p), false, `host pid ${p} was killed by the auto-stop`);
    await assert.rejects(sb.process.executeCommand('true'), DaytonaBadRequestError);
    await sb.start();
    await assert.rejects(sb.process.getSession('bg'), DaytonaNotFoundError, 'the restarted daemon knows no session');
    await sb.delete();
  } finally {
    assert.equal((await quick.stop()).code, 0);
  }
});
