// tests/daytona/ws-client.mjs - a WebSocket client on node:net for the
// wire tests, small enough to check every byte: it writes the handshake
// itself, masks what it sends (or not, when told to), and records each
// server frame as it came (FIN, opcode, mask bit, payload, raw bytes).
import net from 'node:net';
import { randomBytes, createHash } from 'node:crypto';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
export const expectedAccept = (key) => createHash('sha1').update(key + GUID).digest('base64');

/** Builds one client frame; `mask` false sends it unmasked (a protocol error). */
export function clientFrame(opcode, payload = Buffer.alloc(0), { mask = true, fin = true } = {}) {
  const n = payload.length;
  const head = [(fin ? 0x80 : 0) | opcode];
  if (n < 126) head.push((mask ? 0x80 : 0) | n);
  else { head.push((mask ? 0x80 : 0) | 126, n >> 8, n & 0xff); }
  if (!mask) return Buffer.concat([Buffer.from(head), payload]);
  const key = randomBytes(4);
  const body = Buffer.from(payload);
  for (let i = 0; i < body.length; i++) body[i] ^= key[i & 3];
  return Buffer.concat([Buffer.from(head), key, body]);
}

/**
 * Opens a connection and sends the handshake. Resolves once the answer's
 * head is in: {status, headers, head, frames, bytes, until, ended, send, socket}.
 * `frames` fills as server frames arrive; `ended` resolves when the TCP
 * connection ends.
 */
export function wsOpen(port, path, { headers = {}, key = randomBytes(16).toString('base64'), omit = [] } = {}) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const st = { key, frames: [], bytes: Buffer.alloc(0), waiters: [], socket };
    let buf = Buffer.alloc(0);
    let headDone = false;
    st.ended = new Promise((r) => { socket.on('close', () => r()); });
    socket.on('error', () => {});
    const hdrs = {
      Host: `127.0.0.1:${port}`, Upgrade: 'websocket', Connection: 'Upgrade', 'Sec-WebSocket-Key': key,
      'Sec-WebSocket-Version': '13', ...headers,
    };
    for (const o of omit) delete hdrs[o];
    socket.write(`GET ${path} HTTP/1.1\r\n${Object.entries(hdrs).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`);
    const notify = () => {
      for (const w of [...st.waiters]) {
        const f = st.frames.find(w.pred);
        if (f) { st.waiters.splice(st.waiters.indexOf(w), 1); w.resolve(f); }
      }
    };
    let pending = Buffer.alloc(0);
    socket.on('data', (c) => {
      if (!headDone) {
        pending = Buffer.concat([pending, c]);
        const i = pending.indexOf('\r\n\r\n');
        if (i < 0) return;
        headDone = true;
        const lines = pending.subarray(0, i).toString('latin1').split('\r\n');
        st.head = pending.subarray(0, i + 4).toString('latin1');
        st.status = Number(lines[0].split(' ')[1]);
        st.headers = {};
        for (const l of lines.slice(1)) {
          const j = l.indexOf(':');
          st.headers[l.slice(0, j).toLowerCase()] = l.slice(j + 1).trim();
        }
        const rest = Buffer.from(pending.subarray(i + 4));
        resolve(st);
        if (st.status !== 101) { st.body = rest; return; }
        st.bytes = rest;
        buf = rest;
      } else if (st.status !== 101) {
        st.body = Buffer.concat([st.body, c]);
        return;
      } else {
        st.bytes = Buffer.concat([st.bytes, c]);
        buf = Buffer.concat([buf, c]);
      }
      for (;;) {
        if (buf.length < 2) break;
        let len = buf[1] & 0x7f;
        let off = 2;
        if (len === 126) { if (buf.length < 4) break; len = buf.readUInt16BE(2); off = 4; }
        else if (len === 127) { if (buf.length < 10) break; len = Number(buf.readBigUInt64BE(2)); off = 10; }
        const masked = (buf[1] & 0x80) !== 0;
        if (masked) off += 4;
        if (buf.length < off + len) break;
        st.frames.push({ fin: (buf[0] & 0x80) !== 0, opcode: buf[0] & 0x0f, masked, payload: buf.subarray(off, off + len), raw: buf.subarray(0, off + len) });
        buf = buf.subarray(off + len);
      }
      notify();
    });
    socket.once('error', reject);
    st.until = (pred) => new Promise((res2, rej2) => {
      const f = st.frames.find(pred);
      if (f) return res2(f);
      st.waiters.push({ pred, resolve: res2 });
      st.ended.then(() => {
        const g = st.frames.find(pred);
        if (g) res2(g); else rej2(new Error('the connection ended without the frame awaited'));
      });
    });
    st.send = (opcode, payload, opts) => socket.write(clientFrame(opcode, payload, opts));
    /** The data frames' payloads, joined. */
    st.data = () => Buffer.concat(st.frames.filter((f) => f.opcode === 2 || f.opcode === 1).map((f) => f.payload));
  });
}
