// fake/http-util.mjs - the error and success bodies of each Blaxel plane.
// Reading bounded bodies comes from tests/common/fake, writing JSON from the
// E2B fake.
import { sendJson } from '../../e2b/fake/http-util.mjs';

export { readBody, BodyTooLarge } from '../../common/fake/read-body.mjs';
export { sendJson, sendEmpty } from '../../e2b/fake/http-util.mjs';

/** The sandbox-api's ErrorResponse: {"error": "..."}. */
export function sendApiError(res, status, message, headers = {}) {
  sendJson(res, status, { error: message }, headers);
}

/** The control plane's Error: {"error": type, "code": N, "message": "..."}. */
export function sendControlError(res, status, error, message, headers = {}) {
  sendJson(res, status, { error, code: status, message }, headers);
}

/** gin's answer for a route it does not have. */
export function sendNoRoute(res) {
  res.writeHead(404, { 'Content-Type': 'text/plain' });
  res.end('404 page not found');
}

/**
 * A JSON request body as Go's ShouldBindJSON reads it into an object:
 * returns the object, or throws with Go's message.
 */
export function parseGoJson(body) {
  const text = body.toString('utf8');
  if (text.trim() === '') throw new Error('EOF');
  let v;
  try {
    v = JSON.parse(text);
  } catch {
    const ch = text.trim()[0];
    throw new Error(`invalid character '${ch}' looking for beginning of value`);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    throw new Error(`json: cannot unmarshal ${Array.isArray(v) ? 'array' : typeof v} into Go value of type struct`);
  }
  return v;
}

/** Checks the type of `obj[key]` as Go's decoder would; returns its message or null. */
export function goFieldError(obj, key, type, goType, struct) {
  if (obj[key] === undefined || obj[key] === null) return null;
  const t = Array.isArray(obj[key]) ? 'array' : typeof obj[key];
  if (t === type) return null;
  return `json: cannot unmarshal ${t} into Go struct field ${struct}.${key} of type ${goType}`;
}
