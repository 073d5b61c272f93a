// The HTTP side of auth.mjs: the token endpoint and the GCE metadata
// server's routes the Google auth libraries use.
import { OAuthError } from './auth.mjs';
import { sendJson } from './reply.mjs';

const MAX_FORM = 64 * 1024;

// POST /token (also /oauth2/v4/token): form grant_type + assertion.
export async function handleToken(ctx) {
  const { req, res, state } = ctx;
  const raw = await ctx.readAll(MAX_FORM);
  try {
    if (req.method !== 'POST') throw new OAuthError(405, 'invalid_request', 'Use POST');
    const type = req.headers['content-type'] || '';
    if (!/^application\/x-www-form-urlencoded\b/i.test(type)) {
      throw new OAuthError(400, 'invalid_request', 'Content-Type must be application/x-www-form-urlencoded');
    }
    if (raw === null) throw new OAuthError(400, 'invalid_request', 'Request body is too large');
    const form = new URLSearchParams(raw.toString('utf8'));
    sendJson(res, 200, state.auth.exchange(form, `${ctx.base}/token`),
      { 'Cache-Control': 'no-cache, no-store, max-age=0, must-revalidate' });
  } catch (e) {
    if (!(e instanceof OAuthError)) throw e;
    sendJson(res, e.status, { error: e.error, error_description: e.message });
  }
}

const FLAVOR = { 'Metadata-Flavor': 'Google', Server: 'Metadata Server for VM' };

function sendText(res, status, text) {
  res.writeHead(status, { ...FLAVOR, 'Content-Type': 'application/text',
    'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

// GET /computeMetadata/v1/<key>, only with Metadata-Flavor: Google.
export async function handleMetadata(ctx, key) {
  const { req, res, state, query } = ctx;
  await ctx.drain();
  if (req.headers['metadata-flavor'] !== 'Google') {
    return sendText(res, 403, 'Missing required header: "Metadata-Flavor": "Google"\n');
  }
  if (req.method !== 'GET') return sendText(res, 405, 'Method not allowed\n');
  if (key === null) return sendText(res, 404, 'Not Found\n');
  const auth = state.auth;
  const account = 'service-accounts/default/';
  switch (key.replace(/\/$/, '')) {
    case '':
      return sendText(res, 200, 'instance/\nproject/\n');
    case 'instance':
      return sendText(res, 200, 'hostname\nid\nservice-accounts/\nzone\n');
    case 'instance/hostname':
      return sendText(res, 200, 'fake-gcs.c.fake.internal');
    case 'instance/id':
      return sendText(res, 200, '1234567890123456789');
    case 'instance/zone':
      return sendText(res, 200, `projects/${state.projectNumber}/zones/us-central1-a`);
    case 'instance/service-accounts':
      return sendText(res, 200, `default/\n${auth.metadataEmail}/\n`);
    case 'project':
      return sendText(res, 200, 'numeric-project-id\nproject-id\n');
    case 'project/project-id':
      return sendText(res, 200, state.projectId);
    case 'project/numeric-project-id':
      return sendText(res, 200, state.projectNumber);
    case `instance/${account}email`:
      return sendText(res, 200, auth.metadataEmail);
    case `instance/${account}scopes`:
      return sendText(res, 200, 'https://www.googleapis.com/auth/cloud-platform\n');
    case `instance/${account}token`: {
      const scopes = (query.get('scopes') || 'https://www.googleapis.com/auth/cloud-platform')
        .split(',').map((s) => s.trim()).filter(Boolean);
      return sendJson(res, 200, auth.issue(auth.metadataEmail, scopes), FLAVOR);
    }
    default:
      return sendText(res, 404, 'Not Found\n');
  }
}
