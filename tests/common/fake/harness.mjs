// tests/common/fake/harness.mjs - what the E2B, Daytona and Blaxel fakes'
// tests share: starting a fake as its own process and stopping it, plain
// HTTP requests to it, polling with a bound, and host pids' liveness. Each
// fake's harness.mjs adds its vendor's calls (credentials, streams).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, chmodSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import http from 'node:http';
import assert from 'node:assert/strict';

/**
 * Starts the fake `script` with its own TMPDIR (`wsp-NAME-test-*`, removed
 * by stop(), so nothing is left even if the fake could not clean up) and
 * resolves once it printed its port. `prefix` runs it through another
 * command (run-unprivileged.sh).
 */
export async function launchFake(script, name, { prefix = [], args = [] } = {}) {
  const tmp = mkdtempSync(join(tmpdir(), `wsp-${name}-test-`));
  if (prefix.length) chmodSync(tmp, 0o1777);
  const argv = [...prefix, process.execPath, script, ...args];
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
  return {
    port, url: `http://127.0.0.1:${port}`, proc, tmp, exited,
    request: (opts) => request(port, opts),
    /** A call to the admin API (/_fake/PATH), its JSON answer parsed. */
    admin: (method, path, body) => request(port, { method, path: '/_fake/' + path, body: body === undefined ? undefined : JSON.stringify(body) })
      .then((r) => ({ ...r, json: r.body.length ? JSON.parse(r.body) : null })),
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
}

/**
 * One HTTP/1.1 request, no keep-alive, the body given whole or as `chunks`
 * written one by one; resolves {status, headers, rawHeaders, body}.
 */
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

/**
 * Ends the fake `f` the way `how` says ('stdin' closes its stdin, anything
 * else is the signal sent) and asserts that it ended cleanly: exit status
 * 0, every host pid of `hostPids` gone, nothing left in its TMPDIR. The
 * caller still calls f.stop().
 */
export async function endFake(f, how, hostPids) {
  if (how === 'stdin') f.proc.stdin.end();
  else f.proc.kill(how);
  const st = await f.exited;
  assert.equal(st.code, 0);
  // The kernel finishes a SIGKILLed namespace a moment after the fake's
  // exit on a loaded machine: gone within seconds, not at the same instant.
  for (const p of hostPids) await eventually(() => !alive(p), `host pid ${p} to be gone once the fake exited`, 5000);
  assert.deepEqual(f.leftovers(), [], 'the fake removed its temporary directory');
}
