// fake/connect.mjs - the Connect protocol as envd speaks it over HTTP/1.1
// with the JSON codec: envelopes of server streams, unary and streaming
// errors, and the proto3 JSON rules (defaults omitted, int64 as strings,
// enums by name) for the messages the fake sends.

// Envelope flags (connectrpc protocol: 0x01 compressed, 0x02 end of stream).
export const FLAG_MESSAGE = 0x00;
export const FLAG_END_STREAM = 0x02;

// Connect code -> HTTP status of a unary error (connect-go's table).
const HTTP_STATUS = {
  canceled: 499, unknown: 500, invalid_argument: 400, deadline_exceeded: 504,
  not_found: 404, already_exists: 409, permission_denied: 403,
  resource_exhausted: 429, failed_precondition: 400, aborted: 409,
  out_of_range: 400, unimplemented: 501, internal: 500, unavailable: 503,
  data_loss: 500, unauthenticated: 401,
};

// An error an RPC handler throws; the server writes it in the shape the
// procedure's kind asks for (unary JSON body or end-of-stream frame).
export class RpcError extends Error {
  constructor(code, message) {
    super(message);
    if (!(code in HTTP_STATUS)) throw new Error(`unknown connect code '${code}'`);
    this.code = code;
  }
}

export function httpStatusOf(code) {
  return HTTP_STATUS[code] ?? 500;
}

/** One envelope: [flags][uint32 BE length][payload]. */
export function envelope(flags, payload) {
  const body = Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
  const head = Buffer.alloc(5);
  head[0] = flags;
  head.writeUInt32BE(body.length, 1);
  return Buffer.concat([head, body]);
}

/** The end-of-stream frame: `{}` on success, `{"error":{...}}` on failure. */
export function endStreamFrame(err) {
  const msg = err ? { error: { code: err.code, message: err.message } } : {};
  return envelope(FLAG_END_STREAM, JSON.stringify(msg));
}

/**
 * Splits a request body into envelopes. Returns [{flags, message}] or
 * throws RpcError(invalid_argument) on a truncated or malformed body.
 */
export function parseEnvelopes(buf) {
  const out = [];
  let off = 0;
  while (off < buf.length) {
    if (buf.length - off < 5) throw new RpcError('invalid_argument', 'protocol error: incomplete envelope');
    const flags = buf[off];
    const len = buf.readUInt32BE(off + 1);
    if (buf.length - off - 5 < len) throw new RpcError('invalid_argument', 'protocol error: promised ' + len + ' bytes in enveloped message, got ' + (buf.length - off - 5) + ' bytes');
    if (flags & 0x01) throw new RpcError('internal', 'protocol error: sent compressed message without compression support');
    const payload = buf.subarray(off + 5, off + 5 + len);
    out.push({ flags, message: parseJson(payload) });
    off += 5 + len;
  }
  return out;
}

export function parseJson(buf) {
  const text = buf.toString('utf8');
  if (text.trim() === '') return {};
  try {
    const v = JSON.parse(text);
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
    return v;
  } catch (e) {
    throw new RpcError('invalid_argument', `unmarshal into message: ${e.message}`);
  }
}

/**
 * Reads field `name` of a proto3 JSON message, accepting both the JSON
 * (lowerCamelCase) and the original proto (snake_case) name, as protojson
 * does.
 */
export function field(msg, camel, snake) {
  if (!msg || typeof msg !== 'object') return undefined;
  if (camel in msg) return msg[camel];
  if (snake && snake in msg) return msg[snake];
  return undefined;
}

/** proto3 JSON of a `bytes` field. */
export function decodeBytes(v, what) {
  if (v === undefined || v === null) return Buffer.alloc(0);
  if (typeof v !== 'string' || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(v)) {
    throw new RpcError('invalid_argument', `invalid value for bytes field ${what}: not base64`);
  }
  return Buffer.from(v.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

/** google.protobuf.Timestamp as protojson writes it (RFC 3339, Z). */
export function timestamp(ms, nanosInMs = 0) {
  const d = new Date(Math.floor(ms));
  const base = d.toISOString().slice(0, 19);
  const nanos = Math.round((ms - Math.floor(ms / 1000) * 1000) * 1e6) + nanosInMs;
  if (nanos === 0) return base + 'Z';
  let frac = String(nanos).padStart(9, '0');
  if (frac.endsWith('000000')) frac = frac.slice(0, 3);
  else if (frac.endsWith('000')) frac = frac.slice(0, 6);
  return `${base}.${frac}Z`;
}

/**
 * Drops the keys of scalar, repeated and map fields holding their proto3
 * default, as protojson does (not for oneof members: an empty message set
 * in a oneof is written).
 */
export function omitDefaults(obj) {
  const out = {};
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined || v === null || v === 0 || v === false || v === '') continue;
    if (Array.isArray(v) && v.length === 0) continue;
    if (typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0) continue;
    out[k] = v;
  }
  return out;
}
