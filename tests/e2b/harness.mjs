// tests/e2b/harness.mjs - starts and stops the fake for a test, and speaks
// raw HTTP to it (the admin API, envd's Connect streams byte by byte).
// Starting, plain requests, polling and liveness are
// tests/common/fake/harness.mjs's.
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import http from 'node:http';
import { launchFake } from '../common/fake/harness.mjs';

export { request, eventually, alive, endFake } from '../common/fake/harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
export const FAKE = join(here, 'fake-e2b.mjs');
export const UNPRIVILEGED = join(here, '..', 'security', 'run-unprivileged.sh');

/** Starts the fake (see launchFake): {port, url, request, admin, stop, ...}. */
export function startFake(opts) {
  return launchFake(FAKE, 'e2b', opts);
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
