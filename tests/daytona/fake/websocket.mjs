// fake/websocket.mjs - the server side of RFC 6455, as much of it as the
// toolbox's log follow uses, written on node:crypto and the HTTP server's
// upgrade event: the handshake checks of the daemon's WebSocket library
// (gorilla/websocket) with its refusals, no extension (permessage-deflate
// is declined by not answering it), a subprotocol only when the client
// offers `X-Daytona-SDK-Version~V` (the daemon echoes that one), unmasked
// binary frames out, masked frames in (an unmasked one is a protocol
// error), pings answered, a client close echoed.
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
export const OP = { CONT: 0, TEXT: 1, BINARY: 2, CLOSE: 8, PING: 9, PONG: 10 };

export const acceptKey = (key) => createHash('sha1').update(key + GUID).digest('base64');

const hasToken = (value, token) => (value ?? '').split(',').some((t) => t.trim().toLowerCase() === token);

/** The daemon's refusal of a bad handshake, {status, message, headers}, or null. */
export function handshakeProblem(req) {
  const notWs = 'websocket: the client is not using the websocket protocol: ';
  if (!hasToken(req.headers.connection, 'upgrade')) return { status: 400, message: notWs + "'upgrade' token not found in 'Connection' header" };
  if (!hasToken(req.headers.upgrade, 'websocket')) return { status: 400, message: notWs + "'websocket' token not found in 'Upgrade' header" };
  if (req.method !== 'GET') return { status: 405, message: notWs + 'request method is not GET' };
  if (!hasToken(req.headers['sec-websocket-version'], '13')) {
    return { status: 400, message: "websocket: unsupported version: 13 not found in 'Sec-Websocket-Version' header", headers: { 'Sec-Websocket-Version': '13' } };
  }
  const key = req.headers['sec-websocket-key'] ?? '';
  if (!/^[A-Za-z0-9+/]{22}==$/.test(key)) {
    return { status: 400, message: "websocket: not a websocket handshake: 'Sec-WebSocket-Key' header must be Base64 encoded value of 16-byte length" };
  }
  return null;
}

/** The SDK-version subprotocol a client offered, which the daemon echoes, or null. */
export function versionSubprotocol(req) {
  for (const p of (req.headers['sec-websocket-protocol'] ?? '').split(',')) {
    if (p.trim().startsWith('X-Daytona-SDK-Version~')) return p.trim();
  }
  return null;
}

/** One unmasked server frame (FIN set). */
export function frame(opcode, payload = Buffer.alloc(0)) {
  const n = payload.length;
  let head;
  if (n < 126) head = Buffer.from([0x80 | opcode, n]);
  else if (n < 65536) { head = Buffer.from([0x80 | opcode, 126, 0, 0]); head.writeUInt16BE(n, 2); }
  else { head = Buffer.alloc(10); head[0] = 0x80 | opcode; head[1] = 127; head.writeBigUInt64BE(BigInt(n), 2); }
  return Buffer.concat([head, payload]);
}

export function closePayload(code, reason = '') {
  const p = Buffer.alloc(2 + Buffer.byteLength(reason));
  p.writeUInt16BE(code, 0);
  p.write(reason, 2);
  return p;
}

/**
 * An accepted connection. Emits 'gone' once, when the socket is closed by
 * either side or broken; `closedBy` says how ('server', 'client', 'drop').
 */
export class WsConnection extends EventEmitter {
  constructor(socket, head) {
    super();
    this.socket = socket;
    this.buf = Buffer.alloc(0);
    this.closing = false;
    this.goneFired = false;
    socket.setNoDelay(true);
    socket.on('data', (c) => this.onData(c));
    socket.on('error', () => {});
    socket.on('close', () => this.gone(this.closedBy ?? 'drop'));
    if (head?.length) this.onData(head);
  }

  /** Writes the 101 answer; `protocol` is echoed when given. */
  static accept(socket, req, head, protocol) {
    const lines = ['HTTP/1.1 101 Switching Protocols', 'Upgrade: websocket', 'Connection: Upgrade',
      `Sec-WebSocket-Accept: ${acceptKey(req.headers['sec-websocket-key'])}`];
    if (protocol) lines.push(`Sec-WebSocket-Protocol: ${protocol}`);
    socket.write(lines.join('\r\n') + '\r\n\r\n');
    return new WsConnection(socket, head);
  }

  gone(how) {
    clearTimeout(this.pingTimer);
    if (this.goneFired) return;
    this.goneFired = true;
    this.closedBy = how;
    this.emit('gone', how);
  }

  get open() {
    return !this.closing && !this.socket.destroyed;
  }

  /** One binary message; false when the socket's buffer is full (wait for 'drain'). */
  sendBinary(buf) {
    if (!this.open) return true;
    return this.socket.write(frame(OP.BINARY, buf));
  }

  onDrain(cb) {
    this.socket.once('drain', cb);
  }

  /** A close frame with `code`, then the TCP connection ends, as the daemon does. */
  close(code = 1000, reason = '') {
    if (!this.open) return;
    this.closing = true;
    this.closedBy = 'server';
    this.socket.end(frame(OP.CLOSE, closePayload(code, reason)));
  }

  /**
   * A ping the client must answer with a pong of the same payload within
   * `ms`, or the connection is dropped (a proxy's keep-alive check).
   */
  ping(ms = 1000) {
    if (!this.open) return;
    this.pingPayload = Buffer.from(`fake-ping-${Date.now()}`);
    this.socket.write(frame(OP.PING, this.pingPayload));
    this.pingTimer = setTimeout(() => this.drop(), ms);
  }

  /** The connection breaks with no close frame (a stopped sandbox, a dropped proxy). */
  drop(rst = false) {
    this.closing = true;
    this.closedBy = 'drop';
    if (rst) this.socket.resetAndDestroy();
    else this.socket.end(() => this.socket.destroy());
  }

  onData(chunk) {
    this.buf = Buffer.concat([this.buf, chunk]);
    for (;;) {
      if (this.buf.length < 2) return;
      const b0 = this.buf[0], b1 = this.buf[1];
      const opcode = b0 & 0x0f;
      const masked = (b1 & 0x80) !== 0;
      let len = b1 & 0x7f;
      let off = 2;
      if (len === 126) { if (this.buf.length < 4) return; len = this.buf.readUInt16BE(2); off = 4; }
      else if (len === 127) { if (this.buf.length < 10) return; len = Number(this.buf.readBigUInt64BE(2)); off = 10; }
      if (!masked) { this.protocolError('incorrect mask flag'); return; }
      if (opcode >= 8 && (len > 125 || !(b0 & 0x80))) { this.protocolError('control frame length > 125 or fragmented'); return; }
      if (this.buf.length < off + 4 + len) return;
      const mask = this.buf.subarray(off, off + 4);
      const payload = Buffer.from(this.buf.subarray(off + 4, off + 4 + len));
      for (let i = 0; i < payload.length; i++) payload[i] ^= mask[i & 3];
      this.buf = this.buf.subarray(off + 4 + len);
      this.onFrame(opcode, payload);
      if (this.closing) return;
    }
  }

  onFrame(opcode, payload) {
    if (opcode === OP.PONG && this.pingPayload?.equals(payload)) {
      clearTimeout(this.pingTimer);
      this.pingPayload = null;
      this.pongs = (this.pongs ?? 0) + 1;
    } else if (opcode === OP.PING) {
      if (this.open) this.socket.write(frame(OP.PONG, payload));
    } else if (opcode === OP.CLOSE) {
      // The library's default: echo the code (1005 gets an empty close), then end.
      const code = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
      if (this.open) {
        this.closing = true;
        this.closedBy = 'client';
        this.socket.end(frame(OP.CLOSE, code === 1005 ? Buffer.alloc(0) : closePayload(code)));
      }
    }
    // Text, binary and unasked pong frames from the client are read and dropped, as the daemon does.
  }

  protocolError(message) {
    this.close(1002, message);
  }
}
