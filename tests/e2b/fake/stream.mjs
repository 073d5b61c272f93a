// fake/stream.mjs - one server-streaming Connect response (Start, Connect):
// HTTP 200, application/connect+json, one envelope per message, keepalive
// events when idle, the end-of-stream frame last, and the faults the admin
// API can arm on it (reset, stall or sandbox kill after K envelopes).
import { envelope, endStreamFrame, FLAG_MESSAGE, RpcError } from './connect.mjs';

export class ConnectStream {
  /**
   * `fault` (optional): {kind: 'reset'|'stall'|'kill_sandbox', afterEnvelopes,
   * onKill} applied once `afterEnvelopes` envelopes were written.
   * `deadlineMs` (optional): Connect-Timeout-Ms; the stream then ends with
   * deadline_exceeded and `onDeadline` runs first.
   */
  constructor(res, { fault = null, onDeadline = null, deadlineMs = 0 } = {}) {
    this.res = res;
    this.fault = fault;
    this.sent = 0;
    this.closed = false;
    this.stalled = false;
    this.closeHandlers = [];
    this.keepaliveMs = 0;
    this.keepaliveTimer = null;
    res.writeHead(200, { 'Content-Type': 'application/connect+json' });
    res.on('close', () => this.onClose());
    // A write racing the peer's disconnect is lost, as on any dropped connection.
    res.on('error', () => {});
    if (deadlineMs > 0) {
      this.deadlineTimer = setTimeout(() => {
        if (this.closed) return;
        onDeadline?.();
        this.end(new RpcError('deadline_exceeded', 'context deadline exceeded'));
      }, deadlineMs);
    }
    this.checkFault();
  }

  onClose() {
    if (this.closedByPeer) return;
    this.closedByPeer = true;
    this.closed = true;
    this.stopTimers();
    for (const h of this.closeHandlers.splice(0)) h();
  }

  /** Runs `h` once, when the response is finished or the peer went away. */
  onDone(h) {
    if (this.closedByPeer) h();
    else this.closeHandlers.push(h);
  }

  stopTimers() {
    clearTimeout(this.deadlineTimer);
    clearTimeout(this.keepaliveTimer);
    this.keepaliveTimer = null;
  }

  /** Keepalive events after `seconds` without a message (Keepalive-Ping-Interval). */
  keepalive(seconds) {
    this.keepaliveMs = seconds * 1000;
    this.armKeepalive();
  }

  armKeepalive() {
    clearTimeout(this.keepaliveTimer);
    if (!this.keepaliveMs || this.closed) return;
    this.keepaliveTimer = setTimeout(() => {
      this.send({ event: { keepalive: {} } });
    }, this.keepaliveMs);
  }

  /** Writes one message; false when the peer is slow (wait for 'drain'). */
  send(msg) {
    if (this.closed || this.stalled) return true;
    const ok = this.res.write(envelope(FLAG_MESSAGE, JSON.stringify(msg)));
    this.sent++;
    this.armKeepalive();
    this.checkFault();
    return ok;
  }

  /** Ends the stream: the end-of-stream frame ({} or the error), then EOF. */
  end(err = null) {
    if (this.closed) return;
    this.closed = true;
    this.stopTimers();
    if (this.stalled) return; // a stalled stream never ends; the peer gives up
    this.res.end(endStreamFrame(err));
  }

  /**
   * Drops the connection, as a dead sandbox or a broken proxy does: with
   * `rst` a TCP reset at once (the peer may lose what it had not read yet),
   * else a close once everything written so far went out, so the peer
   * gets exactly what was sent and then a truncated response.
   */
  cut(rst = false) {
    this.closed = true;
    this.stopTimers();
    const s = this.res.socket;
    if (!s || s.destroyed) return;
    if (rst && typeof s.resetAndDestroy === 'function') s.resetAndDestroy();
    else if (rst) s.destroy();
    else s.end(() => s.destroy());
  }

  checkFault() {
    const f = this.fault;
    if (!f || this.sent < f.afterEnvelopes) return;
    this.fault = null;
    if (f.kind === 'reset') this.cut(f.rst === true);
    else if (f.kind === 'stall') { this.stalled = true; this.stopTimers(); }
    else if (f.kind === 'kill_sandbox') setImmediate(() => f.onKill());
  }
}
