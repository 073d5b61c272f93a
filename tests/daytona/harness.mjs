// tests/daytona/harness.mjs - starts and stops the fake for a test, and
// speaks raw HTTP to it (the API, the toolbox, the admin API).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, chmodSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import http from 'node:http';

const here = dirname(fileURLToPath(import.meta.url));
export const FAKE = join(here, 'fake-daytona.mjs');
export const UNPRIVILEGED = join(here, '..', 'security', 'run-unprivileged.sh');
export const AUTH = { Authorization: 'Bearer dtn_test' };

/**
 * Starts the fake with its own TMPDIR (removed by stop(), so nothing is
 * left even if the fake could not clean up) and resolves once it printed
 * its port. `prefix` runs it through another command (run-unprivileged.sh).
 */
export async function startFake({ prefix = [], args = [] } = {}) {
  const tmp = mkdtempSync(join(tmpdir(), 'wsp-daytona-test-'));
  if (prefix.length) chmodSync(tmp, 0o1777);
  const argv = [...prefix, process.execPath, FAKE, ...args];
  const proc = spawn(argv[0], argv.slice(1), {
    stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, TMPDIR: tmp },
  });
  const exited = new Promise((r) => proc.once('exit', (code, signal) => r({ code, signal })));
  const lines = createInterface({ input: proc.stdout });
  const first = await new Promise((resolve, reject) => {
    lines.once('line', resolve);
    proc.once('exit', (code) => reject(new Error(`the fake exited (${code}) before listening`)));
  });
  const m = first.match(/^listening 127\.0\.0\.1:(\d+)$/);
  if (!m) throw new Error(`unexpected first line from the fake: ${first}`);
  const port = Number(m[1]);
  const fake = {
    port, url: `http://127.0.0.1:${port}`, apiUrl: `http://127.0.0.1:${port}/api`, proc, tmp, exited,
    request: (opts) => request(port, opts),
    /** A JSON call to the API or the toolbox with the bearer token. */
    call: (method, path, body, headers = {}) => request(port, {
      method, path, headers: { ...AUTH, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    }).then(withJson),
    admin: (method, path, body) => request(port, { method, path: '/_fake/' + path, body: body === undefined ? undefined : JSON.stringify(body) })
      .then(withJson),
    /** The log entries after `since` that match `pred`. */
    async requests(pred = () => true, since = 0) {
      return (await fake.admin('GET', `requests?since=${since}`)).json.requests.filter(pred);
    },
    async lastSeq() {
      return (await fake.admin('GET', 'requests')).json.last;
    },
    /** Closes the fake's stdin (its signal to exit) and waits for it, then removes TMPDIR. */
    async stop() {
      proc.stdin.end();
      const st = await exited;
      rmSync(tmp, { recursive: true, force: true });
      return st;
    },
    /** What the fake left in its TMPDIR (it should remove its own directory). */
    leftovers: () => readdirSync(tmp),
  };
  return fake;
}

function withJson(r) {
  let json = null;
  if (/json/.test(r.headers['content-type'] ?? '') && r.body.length) json = JSON.parse(r.body);
  return { ...r, json };
}

/** One HTTP/1.1 request, no keep-alive; resolves {status, headers, body, rawHeaders}. */
export function request(port, { method = 'GET', path = '/', headers = {}, body, chunks } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      const parts = [];
      res.on('data', (c) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, rawHeaders: res.rawHeaders, body: Buffer.concat(parts) }));
      res.on('error', reject);
      res.on('aborted', () => reject(new Error('aborted')));
    });
    req.on('error', reject);
    if (chunks) { for (const c of chunks) req.write(c); req.end(); } else req.end(body);
  });
}

/** Polls `fn` until it returns a truthy value; fails after `ms` (a bound, not a pace). */
// 60 s: a bound for a loaded CI machine (2 cores, a sanitizer build beside),
// never a pace: a met condition returns at once.
export async function eventually(fn, what, ms = 60000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** True while a host pid is alive (a zombie counts as gone). */
export function alive(pid) {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** A sandbox made over raw HTTP, started: {id, toolbox(path)}. */
export async function newSandbox(fake, body = {}) {
  const r = await fake.call('POST', '/api/sandbox', body);
  if (r.status !== 200) throw new Error(`create: ${r.status} ${r.body}`);
  const id = r.json.id;
  await eventually(async () => (await fake.call('GET', `/api/sandbox/${id}`)).json.state === 'started', 'the sandbox to start');
  return { id, dto: r.json, tb: (p) => `/toolbox/${id}${p}` };
}

/** Runs a session command synchronously over raw HTTP (SDK 0.218.0 format). */
export async function sessionExec(fake, sb, session, command, extra = {}) {
  const r = await fake.call('POST', sb.tb(`/process/session/${session}/exec`), { command, ...extra }, { 'X-Daytona-SDK-Version': '0.218.0' });
  return r;
}
