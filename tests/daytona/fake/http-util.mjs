// fake/http-util.mjs - writing answers the way each Daytona service does:
// the API (NestJS: Express JSON and its exception filter's body) and the
// toolbox daemon (gin: Go's encoding/json, its error middleware's body,
// and bare statuses where a handler aborts with no body).
import { STATUS_CODES } from 'node:http';

export { readBody, BodyTooLarge } from '../../common/fake/read-body.mjs';

/** Go's time.Time in JSON (RFC 3339 with nanoseconds, trailing zeros cut), UTC. */
export function goTimeJson(ns) {
  const ms = Number(ns / 1000000n);
  const frac = String(ns % 1000000000n).padStart(9, '0').replace(/0+$/, '');
  return new Date(ms).toISOString().slice(0, 19) + (frac ? '.' + frac : '') + 'Z';
}

/** Go's time.Time.String() in UTC: "2006-01-02 15:04:05.999999999 +0000 UTC". */
export function goTimeString(ns) {
  const ms = Number(ns / 1000000n);
  const frac = String(ns % 1000000000n).padStart(9, '0').replace(/0+$/, '');
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${frac ? '.' + frac : ''} +0000 UTC`;
}

export const nowNs = () => BigInt(Date.now()) * 1000000n;

/** JSON as Go's json.Marshal writes it: <, >, & and U+2028/9 escaped, \b and \f as \u00XX. */
export function goJsonText(value) {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]|\\[bf]/g, (c) => ({
    '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '\u2028': '\\u2028', '\u2029': '\\u2029',
    '\\b': '\\u0008', '\\f': '\\u000c',
  })[c]);
}

function send(res, status, type, body, headers = {}) {
  const buf = Buffer.from(body);
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': buf.length, ...headers });
  res.end(buf);
}

/** A gin c.JSON answer. */
export function goJson(res, status, value, headers = {}) {
  send(res, status, 'application/json; charset=utf-8', goJsonText(value), headers);
}

/** A gin c.String answer. */
export function goText(res, status, text) {
  send(res, status, 'text/plain; charset=utf-8', text);
}

/** A gin handler that aborted with a status and wrote nothing (c.AbortWithError, c.Status). */
export function bareStatus(res, status) {
  res.writeHead(status, { 'Content-Length': 0 });
  res.end();
}

/**
 * The toolbox's error body (common-go's error middleware): statusCode,
 * message, code, timestamp, path (the daemon's own path, without
 * /toolbox/{id}), method.
 */
export function daemonError(res, ctx, status, code, message, headers = {}) {
  goJson(res, status, {
    statusCode: status, message, code, timestamp: goTimeJson(nowNs()), path: ctx.toolboxPath, method: ctx.req.method,
  }, headers);
}

/** The middleware's fallback for an error of no known type: always 500, no code, a zero time. */
export function daemonUntypedError(res, message) {
  goJson(res, 500, { statusCode: 500, message, timestamp: '0001-01-01T00:00:00Z', path: '' });
}

/** An Express res.json answer. */
export function apiJson(res, status, value, headers = {}) {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(value), headers);
}

/** The API's exception filter body: {path, timestamp, statusCode, error, message}. */
export function apiError(res, req, status, message, headers = {}) {
  apiJson(res, status, {
    path: req.url, timestamp: new Date().toISOString(), statusCode: status, error: STATUS_CODES[status], message,
  }, headers);
}
