// fake/daemon-errors.mjs - the toolbox daemon's typed errors (common-go's
// errors package): each kind has its status, its code, and a message
// prefix the constructor adds ("not found: session not found").
import { daemonError, daemonUntypedError } from './http-util.mjs';

const KINDS = {
  NOT_FOUND: [404, 'not found'],
  BAD_REQUEST: [400, 'bad request'],
  INVALID_REQUEST_BODY: [400, 'invalid body request'],
  CONFLICT: [409, 'conflict'],
  FORBIDDEN: [403, 'forbidden'],
  GONE: [410, 'gone'],
  UNAUTHORIZED: [401, 'unauthorized'],
  REQUEST_TIMEOUT: [408, 'request timeout'],
  INTERNAL_SERVER_ERROR: [500, 'internal server error'],
};

export class DaemonError extends Error {
  constructor(code, detail) {
    super(`${KINDS[code][1]}: ${detail}`);
    this.code = code;
    this.status = KINDS[code][0];
  }
}

/** The sandbox stopped under a request: its connection breaks. */
export class SandboxGone extends Error {}

/** Answers a DaemonError as the middleware does; `wrap` reproduces handlers that wrap it (fmt.Errorf), which the middleware no longer recognises. */
export function sendDaemonError(res, ctx, err, wrap) {
  if (wrap) daemonUntypedError(res, `${wrap}: ${err.message}`);
  else daemonError(res, ctx, err.status, err.code, err.message);
}
