// tests/e2b/harness.mjs - starts and stops the fake for a test, and speaks
// raw HTTP to it (the admin API, envd's Connect streams byte by byte).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, chmodSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import http from 'node:http';

const here = dirname(fileURLToPath(import.meta.url));
export const FAKE = join(here, 'fake-e2b.mjs');
export const UNPRIVILEGED = join(here, '..', 'security', 'run-unprivileged.sh');

/**
 * Starts the fake with its own TMPDIR (removed by stop(), so nothing is
 * left even if the fake could not clean up) and resolves once it printed
 * its port. `prefix` runs it through another command (run-unprivileged.sh).
 */
export async function startFake({ prefix = [], args = [] } = {}) {
  const tmp = mkdtempSync(join(tmpdir(), 'wsp-e2b-test-'));
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
    port, url: `http://127.0.0.1:${port}`, proc, tmp, exited,
    request: (opts) => request(port, opts),
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
  return fake;
}

/** One HTTP/1.1 request, no keep-alive; resolves {status, headers, body}. */
export function request(port, { method = 'GET', path = '/', headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** One Connect envelope around a JSON message. */
export function envelopeOf(msg, flags = 0) {
  const payload = Buffer.from(JSON.stringify(msg));
  const head = Buffer.alloc(5);
  head[0] = flags;
  head.writeUInt32BE(payload.length, 1);
  return Buffer.concat([head, payload]);
}

/** Splits a response body into complete envelopes; `rest` is what is left over. */
export function parseFrames(buf) {
  const frames = [];
  let off = 0;
  while (buf.length - off >= 5) {
    const len = buf.readUInt32BE(off + 1);
    if (buf.length - off - 5 < len) break;
    const raw = buf.subarray(off, off + 5 + len);
    frames.push({ flags: buf[off], raw, json: JSON.parse(buf.subarray(off + 5, off + 5 + len).toString('utf8')) });
    off += 5 + len;
  }
  return { frames, rest: buf.subarray(off) };
}

/**
 * A raw streaming call (Start, Connect): frames arrive in `frames`;
 * `until(pred)` resolves with the first frame matching; `done` resolves
 * {ended, error} when the response ends or the connection breaks.
 */
export function openStream(port, path, { headers = {}, message }) {
  const st = { frames: [], bytes: Buffer.alloc(0), waiters: [] };
  const body = envelopeOf(message);
  const notify = () => {
    for (const w of [...st.waiters]) {
      const f = st.frames.find(w.pred);
      if (f) { st.waiters.splice(st.waiters.indexOf(w), 1); w.resolve(f); }
    }
  };
  st.done = new Promise((resolve) => {
    const req = http.request({
      host: '127.0.0.1', port, method: 'POST', path, agent: false,
      headers: { 'Content-Type': 'application/connect+json', 'Connect-Protocol-Version': '1', 'Content-Length': body.length, ...headers },
    }, (res) => {
      st.status = res.statusCode;
      st.headers = res.headers;
      let buf = Buffer.alloc(0);
      res.on('data', (c) => {
        st.bytes = Buffer.concat([st.bytes, c]);
        buf = Buffer.concat([buf, c]);
        const { frames, rest } = parseFrames(buf);
        buf = rest;
        st.frames.push(...frames);
        notify();
      });
      res.on('end', () => resolve({ ended: true, error: null }));
      res.on('error', (error) => resolve({ ended: false, error }));
      res.on('aborted', () => resolve({ ended: false, error: new Error('aborted') }));
    });
    req.on('error', (error) => resolve({ ended: false, error }));
    st.req = req;
    req.end(body);
  });
  st.until = (pred) => new Promise((resolve, reject) => {
    const f = st.frames.find(pred);
    if (f) return resolve(f);
    st.waiters.push({ pred, resolve });
    st.done.then(() => {
      const g = st.frames.find(pred);
      if (g) resolve(g); else reject(new Error('the stream ended without the frame awaited'));
    });
  });
  st.abort = () => st.req.destroy();
  return st;
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

/** True while a host pid is alive (not yet reaped or a zombie counts as gone). */
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
