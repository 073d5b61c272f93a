// fake/log-stream.mjs - a session command's output as the toolbox serves
// it. The log is stored multiplexed: each line the command wrote starts
// with 01 01 01 (stdout) or 02 02 02 (stderr). Snapshots return it whole
// (markers kept, stripped, or demuxed, by the client's SDK version);
// follows read it from the start in reads of at most 1024 bytes, one
// message per read, as the daemon does, so a marker may straddle two
// messages, until the command has an exit code and all of its output was
// sent, or its session is deleted (normal close), or the sandbox stops
// (the connection breaks).
import fs from 'node:fs';

export const STDOUT_MARK = Buffer.from([1, 1, 1]);
export const STDERR_MARK = Buffer.from([2, 2, 2]);
const READ_SIZE = 1024;
const IDLE_POLL_MS = 20; // the daemon's pace while it waits for more output

// One or two equal bytes that a marker may continue in the next chunk.
const markPrefix = (t) => t.length < 3 && t.every((x) => x === t[0] && (x === 1 || x === 2));
const markAt = (b, i) => i + 3 <= b.length && b[i] === b[i + 1] && b[i] === b[i + 2] && (b[i] === 1 || b[i] === 2);

/** Bytes after stdout markers and after stderr markers; bytes before any marker are dropped. */
export function demux(buf) {
  const out = [], err = [];
  let cur = null;
  let start = 0;
  for (let i = 0; i <= buf.length; i++) {
    if (i === buf.length || markAt(buf, i)) {
      if (cur) cur.push(buf.subarray(start, i));
      if (i === buf.length) break;
      cur = buf[i] === 1 ? out : err;
      i += 2;
      start = i + 1;
    }
  }
  return { stdout: Buffer.concat(out), stderr: Buffer.concat(err) };
}

/** The log with every marker removed (the "combined" output of old clients). */
export function stripMarkers(buf) {
  const parts = [];
  let start = 0;
  for (let i = 0; i + 3 <= buf.length; i++) {
    if (markAt(buf, i)) {
      parts.push(buf.subarray(start, i));
      start = i + 3;
      i += 2;
    }
  }
  parts.push(buf.subarray(start));
  return Buffer.concat(parts);
}

/**
 * Removes markers from a stream of chunks, holding back a tail of one or
 * two bytes that may be the start of a marker the next chunk completes.
 */
export class MarkerFilter {
  constructor() {
    this.held = Buffer.alloc(0);
  }

  push(chunk) {
    const b = Buffer.concat([this.held, chunk]);
    const out = [];
    let i = 0, start = 0;
    while (i < b.length) {
      if (markAt(b, i)) {
        out.push(b.subarray(start, i));
        i += 3;
        start = i;
      } else if (b.length - i < 3 && markPrefix(b.subarray(i))) {
        break;
      } else {
        i++;
      }
    }
    out.push(b.subarray(start, i));
    this.held = Buffer.from(b.subarray(i));
    return Buffer.concat(out);
  }

  flush() {
    const rest = this.held;
    this.held = Buffer.alloc(0);
    return rest;
  }
}

/**
 * Follows one command's log into a sink: {send(buf) -> ok, onDrain(cb),
 * finish(), drop(rst), onGone(cb), ping()}. `fault` (optional): {kind:
 * 'drop' | 'stall' | 'autostop' | 'ping', afterFrames, rst} applied once
 * that many messages were sent; `onAutostop` carries out the autostop.
 */
export class LogFollower {
  constructor({ command, fd, follow, combined, sink, fault = null, onAutostop = null }) {
    this.command = command;
    this.fd = fd;
    this.follow = follow;
    this.filter = combined ? new MarkerFilter() : null;
    this.sink = sink;
    this.fault = fault;
    this.onAutostop = onAutostop;
    this.pos = 0;
    this.sent = 0;
    this.over = false;
    this.stalled = false;
    this.buf = Buffer.alloc(READ_SIZE);
    sink.onGone(() => this.stop());
    this.checkFault();
    if (!this.over) setImmediate(() => this.pump());
  }

  stop() {
    if (this.over) return;
    this.over = true;
    clearTimeout(this.timer);
    try { fs.closeSync(this.fd); } catch { /* closed */ }
    this.command.followers.delete(this);
  }

  pump() {
    if (this.over || this.stalled) return;
    // Asked before the read: the exit code is written after the last
    // output, so a read that then finds nothing has seen it all. Asked
    // after, the last bytes could land between the read and the question.
    const done = !this.follow || this.command.finished();
    let n;
    try {
      n = fs.readSync(this.fd, this.buf, 0, READ_SIZE, this.pos);
    } catch {
      this.end();
      return;
    }
    if (n > 0) {
      this.pos += n;
      const chunk = Buffer.from(this.buf.subarray(0, n));
      const out = this.filter ? this.filter.push(chunk) : chunk;
      if (out.length && !this.emit(out)) return; // resumes on drain
      setImmediate(() => this.pump());
      return;
    }
    if (done) { this.end(); return; }
    this.timer = setTimeout(() => this.pump(), IDLE_POLL_MS);
  }

  /** Sends one message; false when pumping must wait (drained later, or a fault hit). */
  emit(buf) {
    const ok = this.sink.send(buf);
    this.sent++;
    this.checkFault();
    if (this.over || this.stalled) return false;
    if (!ok) this.sink.onDrain(() => this.pump());
    return ok;
  }

  checkFault() {
    const f = this.fault;
    if (!f || this.sent < f.afterFrames) return;
    this.fault = null;
    if (f.kind === 'drop') { this.sink.drop(f.rst === true); this.stop(); }
    else if (f.kind === 'stall') { this.stalled = true; clearTimeout(this.timer); }
    else if (f.kind === 'autostop') setImmediate(() => this.onAutostop());
    else if (f.kind === 'ping') this.sink.ping?.();
  }

  /** The normal end: what the filter held back, then the close (WebSocket 1000) or the end of the body. */
  end() {
    if (this.over) return;
    if (this.filter) {
      const rest = this.filter.flush();
      if (rest.length) this.sink.send(rest);
    }
    this.sink.finish();
    this.stop();
  }

  /** The connection breaks (the sandbox stopped). */
  drop() {
    if (this.over) return;
    this.sink.drop(false);
    this.stop();
  }
}

/** A WebSocket as a follow sink. */
export function wsSink(conn) {
  return {
    send: (buf) => conn.sendBinary(buf),
    onDrain: (cb) => conn.onDrain(cb),
    finish: () => conn.close(1000),
    drop: (rst) => conn.drop(rst),
    onGone: (cb) => conn.once('gone', cb),
    ping: () => conn.ping(),
  };
}

/**
 * A chunked HTTP body as a follow sink, as the runner serves a follow
 * without an upgrade: 200 application/octet-stream, flushed per message.
 */
export function httpSink(res) {
  const head = () => { if (!res.headersSent) res.writeHead(200, { 'Content-Type': 'application/octet-stream' }); };
  res.on('error', () => {});
  return {
    send: (buf) => { head(); return res.write(buf); },
    onDrain: (cb) => res.once('drain', cb),
    finish: () => { if (!res.headersSent) res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': 0 }); res.end(); },
    drop: (rst) => {
      const s = res.socket;
      if (!s || s.destroyed) return;
      if (rst) s.resetAndDestroy();
      else s.end(() => s.destroy());
    },
    onGone: (cb) => res.once('close', cb),
  };
}
