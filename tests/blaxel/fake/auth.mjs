// fake/auth.mjs - the credentials every Blaxel request carries, checked on
// the control plane and at the edge in front of each sandbox: a bearer
// token (`X-Blaxel-Authorization`, or `Authorization`) and a workspace
// (`X-Blaxel-Workspace`, or `?workspace=`); any non-empty values work. An
// unknown `Blaxel-Version` is refused as the API refuses it.
import { sendControlError, sendJson } from './http-util.mjs';

export const API_VERSIONS = ['2026-04-16', '2026-04-28'];

/** The workspace of an authenticated request, or null after answering 401/400. */
export function authenticate(req, res, url) {
  const bearer = (h) => /^Bearer\s+\S/i.test(h ?? '');
  const token = bearer(req.headers['x-blaxel-authorization']) || bearer(req.headers.authorization);
  const workspace = req.headers['x-blaxel-workspace'] || url.searchParams.get('workspace');
  if (!token || !workspace) {
    sendControlError(res, 401, 'Unauthorized', !token
      ? 'missing credentials: send X-Blaxel-Authorization: Bearer <api key>'
      : 'missing workspace: send X-Blaxel-Workspace: <workspace>');
    return null;
  }
  const version = req.headers['blaxel-version'];
  if (version !== undefined && !API_VERSIONS.includes(version)) {
    sendJson(res, 400, { error: 'invalid_api_version', message: `unknown Blaxel-Version '${version}' (known: ${API_VERSIONS.join(', ')})` });
    return null;
  }
  return workspace;
}

/** The API version a request asked for (the earliest when it sent none). */
export function apiVersion(req) {
  return req.headers['blaxel-version'] ?? API_VERSIONS[0];
}
