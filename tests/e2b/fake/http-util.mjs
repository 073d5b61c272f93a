// fake/http-util.mjs - writing E2B's JSON answers; reading bounded request
// bodies comes from tests/common/fake/read-body.mjs.
export { readBody, BodyTooLarge } from '../../common/fake/read-body.mjs';

export function sendJson(res, status, value, headers = {}) {
  const body = Buffer.from(JSON.stringify(value));
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': body.length, ...headers });
  res.end(body);
}

export function sendEmpty(res, status, headers = {}) {
  res.writeHead(status, headers);
  res.end();
}

/** E2B's error body, `{"code":N,"message":"..."}`, used by the API and envd's /files. */
export function sendError(res, status, message, extra = {}, headers = {}) {
  sendJson(res, status, { code: status, message, ...extra }, headers);
}
