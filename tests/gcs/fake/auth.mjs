// Google auth as the storage API sees it:
// - POST /token: the OAuth 2.0 JWT-bearer grant (RFC 7523) a service
//   account key makes. The RS256 assertion is verified against the public
//   half of a key the fake was given (--service-account); iss, scope, aud,
//   iat and exp are checked as Google does; it answers an access token.
// - the GCE metadata server's token route (Metadata-Flavor: Google).
// - in "bearer" mode, every storage call needs `Authorization: Bearer`
//   with a live token this fake issued, or a self-signed JWT of a known
//   service account (what the SDK sends in a non-default universe).
import { createPublicKey, randomBytes, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { GcsError } from './reply.mjs';

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const GOOGLE_TOKEN_URIS = ['https://oauth2.googleapis.com/token', 'https://www.googleapis.com/oauth2/v4/token'];
const MAX_LIFETIME = 3600; // seconds between iat and exp, Google's limit
const SKEW = 300; // seconds an iat may lie in the future
const WRITE_SCOPES = ['devstorage.read_write', 'devstorage.full_control', 'cloud-platform'];
const READ_SCOPES = [...WRITE_SCOPES, 'devstorage.read_only', 'cloud-platform.read-only'];
const SCOPE_PREFIX = 'https://www.googleapis.com/auth/';

// A key file as Google issues it (client_email, private_key_id and a
// private_key, whose public half alone is used) or the same with a
// public_key instead.
export function loadServiceAccount(file) {
  const j = JSON.parse(readFileSync(file, 'utf8'));
  if (!j.client_email || !(j.public_key || j.private_key)) {
    throw new Error(`'${file}' has no client_email and public_key or private_key`);
  }
  return {
    email: j.client_email,
    kid: j.private_key_id,
    publicKey: createPublicKey(j.public_key || j.private_key),
  };
}

class OAuthError extends Error {
  constructor(status, error, description) {
    super(description);
    this.status = status;
    this.error = error;
  }
}
const badGrant = (why) => new OAuthError(400, 'invalid_grant', why);

const b64json = (part) => {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
};

const hasScope = (scopes, allowed) => scopes.some((s) => allowed.includes(s.startsWith(SCOPE_PREFIX) ? s.slice(SCOPE_PREFIX.length) : s));

export class Auth {
  constructor({ mode = 'none', accounts = [], tokenLifetime = 3600, metadataEmail }) {
    this.mode = mode;
    this.accounts = new Map(accounts.map((a) => [a.email, a]));
    this.tokenLifetime = tokenLifetime;
    this.metadataEmail = metadataEmail;
    this.tokens = new Map(); // access token -> {email, scopes, expiresAt (ms)}
  }

  issue(email, scopes) {
    const token = `ya29.fake-${randomBytes(24).toString('base64url')}`;
    this.tokens.set(token, { email, scopes, expiresAt: Date.now() + this.tokenLifetime * 1000 });
    return { access_token: token, expires_in: this.tokenLifetime, token_type: 'Bearer' };
  }

  // Every token issued so far stops working now; new ones work.
  expireAll() {
    const n = this.tokens.size;
    this.tokens.clear();
    return n;
  }

  // Verifies an RS256 JWT of a known account; returns {account, claims}.
  // Throws `fail(reason)` for anything wrong.
  verifyJwt(jwt, fail) {
    const parts = jwt.split('.');
    if (parts.length !== 3) throw fail('Invalid JWT: not three base64url parts');
    const header = b64json(parts[0]);
    const claims = b64json(parts[1]);
    if (!header || !claims) throw fail('Invalid JWT: header or claims are not JSON');
    if (header.alg !== 'RS256') throw fail(`Invalid JWT: alg must be RS256, not '${header.alg}'`);
    const account = this.accounts.get(claims.iss);
    if (!account) throw fail('Invalid grant: account not found');
    if (header.kid !== undefined && account.kid !== undefined && header.kid !== account.kid) {
      throw fail('Invalid JWT Signature.');
    }
    const ok = verify('RSA-SHA256', Buffer.from(`${parts[0]}.${parts[1]}`),
      account.publicKey, Buffer.from(parts[2], 'base64url'));
    if (!ok) throw fail('Invalid JWT Signature.');
    const now = Math.floor(Date.now() / 1000);
    if (!Number.isInteger(claims.iat) || !Number.isInteger(claims.exp) ||
        claims.exp <= now || claims.iat > now + SKEW || claims.exp - claims.iat > MAX_LIFETIME ||
        claims.exp <= claims.iat) {
      throw fail('Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable ' +
        'timeframe. Check your iat and exp values in the JWT claim.');
    }
    return { account, claims };
  }

  // POST /token with grant_type and assertion as a form.
  exchange(form, ownTokenUri) {
    if (form.get('grant_type') !== JWT_BEARER) {
      throw new OAuthError(400, 'unsupported_grant_type', `Invalid grant_type: ${form.get('grant_type') ?? ''}`);
    }
    const assertion = form.get('assertion');
    if (!assertion) throw badGrant('Missing required parameter: assertion');
    const { claims } = this.verifyJwt(assertion, badGrant);
    if (claims.sub !== undefined && claims.sub !== claims.iss) {
      throw new OAuthError(401, 'unauthorized_client', 'Client is unauthorized to retrieve access tokens using this method');
    }
    const aud = [ownTokenUri, ...GOOGLE_TOKEN_URIS];
    if (!aud.includes(claims.aud)) throw badGrant(`Invalid JWT: Failed audience check. The right audience is ${ownTokenUri}`);
    if (typeof claims.scope !== 'string' || !claims.scope.trim()) {
      throw new OAuthError(400, 'invalid_scope', 'Invalid OAuth scope or ID token audience provided.');
    }
    return this.issue(claims.iss, claims.scope.trim().split(/\s+/));
  }

  // The caller of a storage call, or a 401/403 GcsError. Reads need a
  // storage read scope, everything else a write scope.
  check(req, write) {
    if (this.mode !== 'bearer') return null;
    const h = req.headers.authorization || '';
    const m = /^Bearer\s+(\S+)$/i.exec(h);
    if (!m) {
      throw new GcsError(401, 'required', 'Anonymous caller does not have storage access. Send ' +
        "'Authorization: Bearer' with a token from /token or the metadata server.", unauthorizedHeaders);
    }
    let who = this.tokens.get(m[1]);
    if (who && who.expiresAt <= Date.now()) who = undefined;
    if (!who && m[1].split('.').length === 3) {
      who = this.selfSigned(m[1]);
    }
    if (!who) throw invalidCredentials();
    if (!hasScope(who.scopes, write ? WRITE_SCOPES : READ_SCOPES)) {
      throw new GcsError(403, 'insufficientPermissions', 'Provided scope(s) are not authorized');
    }
    return who;
  }

  // A self-signed JWT: iss = sub = a known account, scope or aud claim.
  selfSigned(jwt) {
    let claims;
    try {
      ({ claims } = this.verifyJwt(jwt, () => new Error('no')));
    } catch {
      return undefined;
    }
    if (claims.sub !== claims.iss) return undefined;
    if (typeof claims.scope === 'string' && claims.scope.trim()) {
      return { email: claims.iss, scopes: claims.scope.trim().split(/\s+/) };
    }
    return claims.aud ? { email: claims.iss, scopes: ['cloud-platform'] } : undefined;
  }
}

const unauthorizedHeaders = { 'WWW-Authenticate': 'Bearer realm="https://accounts.google.com/"' };
export const invalidCredentials = () => new GcsError(401, 'authError', 'Invalid Credentials', unauthorizedHeaders);

export { OAuthError };
