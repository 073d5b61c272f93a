// Answers in the shapes GCS uses: JSON resources, and errors as
// {"error":{"code","message","errors":[{"message","domain","reason"}]}}.

export class GcsError extends Error {
  constructor(code, reason, message, extra = {}) {
    super(message);
    this.code = code;
    this.reason = reason;
    this.extra = extra; // more response headers (Retry-After, WWW-Authenticate)
  }
}

export const notFound = (what) => new GcsError(404, 'notFound', what);
export const invalid = (message) => new GcsError(400, 'invalid', message);
export const parseError = () => new GcsError(400, 'parseError', 'Parse Error');
export const required = (message) => new GcsError(400, 'required', message);
export const conditionNotMet = () => new GcsError(412, 'conditionNotMet',
  'At least one of the pre-conditions you specified did not hold.');

export function sendJson(res, status, body, headers = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=UTF-8',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function sendEmpty(res, status, headers = {}) {
  res.writeHead(status, { 'Content-Length': 0, ...headers });
  res.end();
}

export function sendError(res, err) {
  if (!(err instanceof GcsError)) {
    console.error('fake-gcs: internal error:', err);
    err = new GcsError(500, 'backendError', 'Backend Error');
  }
  if (err.code === 304) return res.writeHead(304, err.extra).end();
  sendJson(res, err.code, {
    error: {
      code: err.code,
      message: err.message,
      errors: [{ message: err.message, domain: 'global', reason: err.reason }],
    },
  }, err.extra);
}
