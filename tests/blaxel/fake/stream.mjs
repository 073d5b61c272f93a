// fake/stream.mjs - one streamed answer (the NDJSON of a streamed exec,
// the prefixed lines of logs/stream, a raw download): headers at once,
// bytes as they come, and the faults the admin API arms on it, counted in
// bytes of the body:
//
//   reset    after `afterBytes` bytes the connection is closed (with `rst`:
//            reset), so the peer gets exactly those bytes and a broken
//            response, e.g. a line cut in the middle
//   stall    after `afterBytes` bytes nothing more is sent; the socket
//            stays open until the peer gives up
//   standby  after `afterBytes` bytes the sandbox goes to standby (its
//            streams cut, its processes frozen), as when the real one is
//            snapshotted under a client
//   split    every write goes out in `chunkBytes`-byte HTTP chunks, so
//            chunks do not line up with lines
export class StreamResponse {
  /**
   * `fault` (optional): an armed fault of a kind above. `onStandby` puts
   * the sandbox on standby (for 'standby').
   */
  constructor(res, { status = 200, headers = {}, fault = null, onStandby = null } = {}) {
    this.res = res;
    this.fault = fault;
    this.onStandby = onStandby;
    this.sent = 0;
    this.closed = false;
    this.stalled = false;
    this.closeHandlers = [];
    res.writeHead(status, headers);
    res.flushHeaders();
    res.on('close', () => this.onClose());
    res.on('error', () => {}); // a write racing the peer's disconnect is lost
    if (fault && fault.kind !== 'split' && (fault.afterBytes ?? 0) === 0) this.trip(Buffer.alloc(0));
  }

  onClose() {
    if (this.peerGone) return;
    this.peerGone = true;
    this.closed = true;
    for (const h of this.closeHandlers.splice(0)) h();
  }

  /** Runs `h` once, when the answer is finished or the peer went away. */
  onDone(h) {
    if (this.peerGone) h();
    else this.closeHandlers.push(h);
  }

  write(data) {
    if (this.closed || this.stalled) return true;
    let buf = Buffer.isBuffer(data) ? data : Buffer.from(data);
    const f = this.fault;
    if (f && f.kind !== 'split' && this.sent + buf.length >= f.afterBytes) {
      const keep = f.afterBytes - this.sent;
      this.put(buf.subarray(0, keep));
      this.trip();
      return true;
    }
    return this.put(buf);
  }

  put(buf) {
    if (buf.length === 0) return true;
    this.sent += buf.length;
    const size = this.fault?.kind === 'split' ? this.fault.chunkBytes : buf.length;
    let ok = true;
    for (let off = 0; off < buf.length; off += size) ok = this.res.write(buf.subarray(off, off + size));
    return ok;
  }

  trip() {
    const f = this.fault;
    this.fault = null;
    if (f.kind === 'reset') this.cut(f.rst === true);
    else if (f.kind === 'stall') this.stalled = true;
    else if (f.kind === 'standby') {
      // nothing more goes out until the standby cuts the stream: output
      // the command writes before setImmediate runs (a loaded machine
      // delivers several pipe reads in one turn) would pass the limit
      this.stalled = true;
      setImmediate(() => this.onStandby?.());
    }
  }

  end(data) {
    if (data !== undefined) this.write(data);
    if (this.closed) return;
    this.closed = true;
    if (this.stalled) return; // a stalled answer never ends; the peer gives up
    this.res.end();
  }

  /**
   * Drops the connection: with `rst` a TCP reset, else a close once what
   * was written went out, so the peer gets exactly that and a truncated
   * answer (no last chunk).
   */
  cut(rst = false) {
    this.closed = true;
    const s = this.res.socket;
    if (!s || s.destroyed) return;
    if (rst) s.resetAndDestroy();
    else s.end(() => s.destroy());
  }
}
