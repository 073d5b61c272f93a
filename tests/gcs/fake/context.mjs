// One request as the handlers see it: the parsed URL, the body as a
// stream (counted for the request log, cut by an armed `reset` fault),
// and the fault lookups.
import { invalid, parseError } from './reply.mjs';

const MAX_JSON = 1024 * 1024;

// The connection was reset on purpose (a `reset` fault): nothing answers.
export class ConnectionReset extends Error {}

export class Ctx {
  constructor(state, req, res, entry, route) {
    this.state = state;
    this.req = req;
    this.res = res;
    this.entry = entry; // the request log's entry; null for the admin API
    this.route = route; // 'storage', 'auth' or 'admin'
    const q = req.url.indexOf('?');
    this.rawPath = q < 0 ? req.url : req.url.slice(0, q);
    this.rawQuery = q < 0 ? '' : req.url.slice(q + 1);
    this.query = new URLSearchParams(this.rawQuery);
    const host = req.headers.host;
    this.base = `http://${host && /^[A-Za-z0-9.:[\]-]{1,300}$/.test(host) ? host : state.address}`;
    this.resetAfter = undefined;
    this.bytesRead = 0;
  }

  // The first armed fault of `kind` (or of one of several kinds) for this
  // request, used up by one, or null.
  fault(kind, accept) {
    return this.state.faults.take([].concat(kind), this, accept);
  }

  // Lets an armed `reset` fault with `afterBytes` cut this request's body.
  armReset() {
    const f = this.fault('reset', (x) => x.afterBytes !== undefined);
    if (f) this.resetAfter = f.afterBytes;
  }

  // The request body, chunk by chunk. With a reset armed, the first
  // `resetAfter` bytes are handed on, then the connection is reset (RST)
  // and ConnectionReset is thrown.
  async* body() {
    const { req } = this;
    for await (const chunk of req.iterator({ destroyOnReturn: false })) {
      if (this.resetAfter !== undefined && this.bytesRead + chunk.length >= this.resetAfter) {
        const part = chunk.subarray(0, this.resetAfter - this.bytesRead);
        this.counted(part);
        if (part.length) yield part;
        req.socket.resetAndDestroy();
        throw new ConnectionReset();
      }
      this.counted(chunk);
      yield chunk;
    }
  }

  counted(chunk) {
    this.bytesRead += chunk.length;
    if (this.entry) this.state.log.body(this.entry, chunk);
  }

  // Reads what is left of the body and throws it away.
  async drain() {
    if (this.req.readableEnded || this.req.destroyed) return;
    for await (const _ of this.body()); // eslint-disable-line no-unused-vars
  }

  // The whole body, or null when it exceeds `limit` (then it is drained).
  async readAll(limit) {
    const parts = [];
    let n = 0;
    for await (const chunk of this.body()) {
      n += chunk.length;
      if (n <= limit) parts.push(chunk);
    }
    return n > limit ? null : Buffer.concat(parts);
  }

  // A JSON object body (or array, with `arrays`); an empty body is {}.
  async json({ arrays = false } = {}) {
    const raw = await this.readAll(MAX_JSON);
    if (raw === null) throw invalid('The JSON body is too large');
    if (!raw.length) return {};
    let v;
    try {
      v = JSON.parse(raw.toString('utf8'));
    } catch {
      throw parseError();
    }
    if (v === null) return {};
    if (typeof v !== 'object' || (Array.isArray(v) && !arrays)) throw invalid('The body must be a JSON object');
    return v;
  }
}
