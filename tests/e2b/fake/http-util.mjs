// fake/http-util.mjs - reading bounded request bodies (Content-Length or
// chunked alike) and writing JSON answers.

export class BodyTooLarge extends Error {}

/** The whole request body, or BodyTooLarge past `limit` bytes. */
export function readBody(req, limit) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    let failed = false;
    req.on('data', (c) => {
      if (failed) return;
      size += c.length;
      if (size > limit) {
        failed = true;
        reject(new BodyTooLarge(`request body larger than ${limit} bytes`));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => { if (!failed) resolve(Buffer.concat(chunks)); });
    req.on('error', (e) => { if (!failed) { failed = true; reject(e); } });
  });
}

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
