// tests/blaxel/harness.mjs - starts and stops the fake for a test, and
// speaks raw HTTP to it (the admin API, streams read byte by byte and
// chunk by chunk). Starting, plain requests, polling and liveness are
// tests/common/fake/harness.mjs's.
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';
import { launchFake, request } from '../common/fake/harness.mjs';

export { request, eventually, alive, endFake } from '../common/fake/harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
export const FAKE = join(here, 'fake-blaxel.mjs');
export const UNPRIVILEGED = join(here, '..', 'security', 'run-unprivileged.sh');
/** One pid's scheduler state letter from /proc, or '-' when it is gone. */
function procState(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat[stat.lastIndexOf(')') + 2];
  } catch {
    return '-';
  }
}

/**
 * True when pid waits in vfork() for a child that is stopped: dash runs a
 * loop's commands through vfork, and a SIGSTOP that lands between the
 * child's birth and its exec leaves the parent in D inside kernel_clone
 * for as long as the child is stopped. It cannot run: it is frozen too.
 */
function vforkParentOfStopped(pid) {
  try {
    if (!readFileSync(`/proc/${pid}/wchan`, 'utf8').includes('clone')) return false;
    const kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    return kids.some((kid) => procState(kid) === 'T');
  } catch {
    return false;
  }
}

/**
 * The scheduler state of each host pid ('T' stopped, 'Z' zombie, '-' gone,
 * 'V' in D waiting on a stopped vfork child). SIGSTOP lands when a process
 * next leaves the kernel, so a pid may be in D a moment before 'T'.
 */
export function pidStates(pids) {
  return pids.map((pid) => {
    const state = procState(pid);
    return state === 'D' && vforkParentOfStopped(pid) ? 'V' : state;
  });
}

/**
 * True once every pid of a frozen sandbox is stopped. A child that exited
 * just as its parent was stopped stays an unreaped zombie until the parent
 * resumes (a `sleep` of a shell loop, often, on a loaded machine), and one
 * reaped before the stop is gone: neither runs, so both count as frozen,
 * as does a vfork parent whose child is stopped ('V').
 */
export function allFrozen(pids) {
  const states = pidStates(pids);
  return states.includes('T') && states.every((s) => s === 'T' || s === 'V' || s === 'Z' || s === '-');
}

export const AUTH = { 'X-Blaxel-Authorization': 'Bearer test', 'X-Blaxel-Workspace': 'test', 'Blaxel-Version': '2026-04-28' };

/** Starts the fake (see launchFake) with call(): Blaxel's credentials sent. */
export async function startFake(opts) {
  const fake = await launchFake(FAKE, 'blaxel', opts);
  const { port } = fake;
  /** A call with the credentials every Blaxel client sends. */
  fake.call = (method, path, body, headers = {}) => request(port, {
    method, path, headers: { ...AUTH, ...(typeof body === 'string' ? { 'Content-Type': 'application/json' } : {}), ...headers }, body,
  }).then((r) => ({ ...r, json: /json/.test(r.headers['content-type'] ?? '') ? JSON.parse(r.body) : null }));
  return fake;
}

/**
 * One request over a raw socket, the answer kept as it came: `head` (the
 * status line and headers), `chunks` (each HTTP chunk of a chunked body,
 * as framed), `body` (the bytes of the body so far), `done` (resolves
 * {ended, error} when the answer ended or the connection broke) and
 * `until(pred)` (resolves once pred(body) holds).
 */
export function rawStream(port, { method = 'GET', path, headers = {}, body = '' }) {
  const st = { head: null, chunks: [], body: Buffer.alloc(0), waiters: [] };
  let buf = Buffer.alloc(0);
  let ended = false;
  const s = net.connect(port, '127.0.0.1');
  const payload = Buffer.from(body);
  const lines = [`${method} ${path} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close', `Content-Length: ${payload.length}`,
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  // No half-close: a server (Go's too) takes it for a client that went away.
  s.write(Buffer.concat([Buffer.from(lines.join('\r\n') + '\r\n\r\n'), payload]));
  const notify = () => {
    for (const w of [...st.waiters]) if (w.pred(st.body)) { st.waiters.splice(st.waiters.indexOf(w), 1); w.resolve(st.body); }
  };
  const parse = () => {
    if (!st.head) {
      const i = buf.indexOf('\r\n\r\n');
      if (i < 0) return;
      st.head = buf.subarray(0, i).toString('latin1');
      st.status = Number(st.head.split(' ')[1]);
      st.chunked = /\r\ntransfer-encoding: chunked/i.test(st.head);
      buf = buf.subarray(i + 4);
    }
    if (!st.chunked) {
      st.body = Buffer.concat([st.body, buf]);
      buf = Buffer.alloc(0);
      return;
    }
    for (;;) {
      const i = buf.indexOf('\r\n');
      if (i < 0) return;
      const size = parseInt(buf.subarray(0, i).toString('latin1'), 16);
      if (buf.length < i + 2 + size + 2) return;
      if (size === 0) { ended = true; return; }
      const chunk = buf.subarray(i + 2, i + 2 + size);
      st.chunks.push(chunk);
      st.body = Buffer.concat([st.body, chunk]);
      buf = buf.subarray(i + 2 + size + 2);
    }
  };
  st.done = new Promise((resolve) => {
    s.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      parse();
      notify();
      if (ended) s.end();
    });
    s.on('end', () => resolve({ ended: st.chunked ? ended : true, error: null }));
    s.on('error', (error) => resolve({ ended: false, error }));
    s.on('close', () => resolve({ ended: st.chunked ? ended : true, error: null }));
  });
  st.until = (pred) => new Promise((resolve, reject) => {
    if (pred(st.body)) return resolve(st.body);
    st.waiters.push({ pred, resolve });
    st.done.then(() => (pred(st.body) ? resolve(st.body) : reject(new Error(`the answer ended without what was awaited; got: ${st.body}`))));
  });
  st.abort = () => s.destroy();
  st.socket = s;
  return st;
}
