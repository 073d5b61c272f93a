// The fake's HTTP server: routes a request to the JSON API, the upload
// and download paths, the auth routes or the admin API, after the request
// log and the armed faults have had their say.
import { createServer } from 'node:http';
import { Store } from './store.mjs';
import { Auth, invalidCredentials } from './auth.mjs';
import { Faults, RequestLog } from './faults.mjs';
import { Ctx, ConnectionReset } from './context.mjs';
import { GcsError, invalid, notFound, sendError, sendJson } from './reply.mjs';
import { bucketResource } from './resource.mjs';
import { handleUpload } from './uploads.mjs';
import { getMetadata, download, patchObject, deleteObject, listObjects } from './objects.mjs';
import { rewrite, copyTo, compose } from './copy.mjs';
import { handleToken, handleMetadata } from './auth-routes.mjs';
import { handleAdmin } from './admin.mjs';
import { handleBatch } from './batch.mjs';

const notFoundRoute = () => notFound('Not Found');

function decode(seg) {
  try {
    return decodeURIComponent(seg);
  } catch {
    throw invalid(`Invalid percent-encoding in '${seg.slice(0, 64)}'`);
  }
}

// Path segments after an optional `storage/v1`, each percent-decoded: an
// object name is one segment, its slashes sent as %2F.
function segments(parts) {
  if (parts[0] === 'storage' && parts[1] === 'v1') parts = parts.slice(2);
  return parts.map(decode);
}

const STATUS_REASON = { 429: 'rateLimitExceeded', 500: 'backendError', 502: 'backendError',
  503: 'backendError', 504: 'backendError' };

// The answer of a `rate_limit` or `error` fault.
function injected(f) {
  const status = f.kind === 'rate_limit' ? 429 : f.status;
  const extra = f.retryAfter !== undefined ? { 'Retry-After': String(f.retryAfter) } : {};
  const message = status === 429 ? 'The rate of requests is too high (injected fault)'
    : `Injected fault ${status}`;
  return new GcsError(status, STATUS_REASON[status] ?? 'injectedFault', message, extra);
}

async function storage(ctx) {
  const { req, state, query } = ctx;
  const parts = ctx.rawPath.split('/').slice(1);
  const m = req.method;
  if (parts[0] === 'batch') {
    // the outer request's token stands for every nested one
    state.auth.check(req, true);
    if (m === 'POST' && parts.length === 3 && parts[1] === 'storage' && parts[2] === 'v1') return handleBatch(ctx);
    throw notFoundRoute();
  }
  // A resumable session's URL is its own credential, as in GCS.
  const session = parts[0] === 'upload' && query.has('upload_id');
  if (!session) state.auth.check(req, m !== 'GET');

  if (parts[0] === 'upload' || parts[0] === 'download') {
    const s = segments(parts.slice(1));
    if (parts[0] === 'upload' && s.length === 3 && s[0] === 'b' && s[2] === 'o') {
      return handleUpload(ctx, s[1]);
    }
    if (parts[0] === 'download' && s.length === 4 && s[0] === 'b' && s[2] === 'o' && m === 'GET') {
      return download(ctx, s[1], s[3]);
    }
    throw notFoundRoute();
  }
  const s = segments(parts);
  if (s[0] !== 'b') throw notFoundRoute();
  if (s.length === 1 && m === 'GET') {
    const base = ctx.base;
    return sendJson(ctx.res, 200, { kind: 'storage#buckets',
      items: [...state.store.buckets.values()].map((b) => bucketResource(b, base, state.projectNumber)) });
  }
  if (s.length === 1 && m === 'POST') {
    const body = await ctx.json();
    const b = state.store.createBucket(String(body.name ?? ''));
    return sendJson(ctx.res, 200, bucketResource(b, ctx.base, state.projectNumber));
  }
  const bucket = s[1];
  if (s.length === 2 && m === 'GET') {
    return sendJson(ctx.res, 200, bucketResource(state.store.bucket(bucket), ctx.base, state.projectNumber));
  }
  if (s[2] !== 'o') throw notFoundRoute();
  if (s.length === 3 && m === 'GET') return listObjects(ctx, bucket);
  const name = s[3];
  if (s.length === 4) {
    if (m === 'GET') return query.get('alt') === 'media' ? download(ctx, bucket, name) : getMetadata(ctx, bucket, name);
    if (m === 'PATCH') return patchObject(ctx, bucket, name, await ctx.json());
    if (m === 'DELETE') return deleteObject(ctx, bucket, name);
  }
  if (s.length === 5 && s[4] === 'compose' && m === 'POST') return compose(ctx, bucket, name, await ctx.json());
  if (s.length === 9 && s[5] === 'b' && s[7] === 'o' && m === 'POST') {
    if (s[4] === 'rewriteTo') return rewrite(ctx, bucket, name, s[6], s[8], await ctx.json());
    if (s[4] === 'copyTo') return copyTo(ctx, bucket, name, s[6], s[8], await ctx.json());
  }
  throw notFoundRoute();
}

function routeOf(path) {
  if (path.startsWith('/_fake/')) return 'admin';
  if (path === '/token' || path === '/oauth2/v4/token' || path.startsWith('/computeMetadata/')) return 'auth';
  return 'storage';
}

async function handle(state, req, res) {
  const q = req.url.indexOf('?');
  const rawPath = q < 0 ? req.url : req.url.slice(0, q);
  const route = routeOf(rawPath);
  const entry = route === 'admin' ? null
    : state.log.start(req, rawPath, new URLSearchParams(q < 0 ? '' : req.url.slice(q + 1)));
  // The status is logged when the answer starts, so a test that has its
  // answer finds it in the log; 0 means no answer (a reset).
  if (entry) {
    const writeHead = res.writeHead;
    res.writeHead = function (status, ...rest) {
      entry.status = status;
      return writeHead.call(this, status, ...rest);
    };
    res.on('close', () => {
      if (entry.status === null) entry.status = 0;
    });
  }
  const ctx = new Ctx(state, req, res, entry, route);
  try {
    if (route === 'admin') return await handleAdmin(ctx);
    const f = ctx.fault(['rate_limit', 'error']);
    if (f) throw injected(f);
    const drop = ctx.fault('reset', (x) => x.afterBytes === undefined);
    if (drop) {
      // Dropped at once, before anything is read or answered.
      if (drop.rst) req.socket.resetAndDestroy();
      else req.socket.destroy();
      return;
    }
    if (ctx.fault('unauthorized')) throw invalidCredentials();
    if (route === 'storage') return await storage(ctx);
    if (rawPath.startsWith('/computeMetadata/')) {
      const v1 = '/computeMetadata/v1/';
      return await handleMetadata(ctx, rawPath.startsWith(v1) ? rawPath.slice(v1.length) : null);
    }
    return await handleToken(ctx);
  } catch (e) {
    // Nobody to answer: a reset on purpose, or a client that went away.
    if (e instanceof ConnectionReset || res.destroyed || !res.socket || res.socket.destroyed) {
      res.destroy();
      return;
    }
    if (res.headersSent) {
      console.error('fake-gcs: error after the answer started:', e);
      res.destroy();
      return;
    }
    await ctx.drain().catch(() => {});
    sendError(res, e);
  }
}

// Starts the fake on 127.0.0.1:port. Returns {server, state, address}.
export async function startFake(opts) {
  const state = {
    store: new Store(opts.dataDir, opts.projectNumber),
    auth: new Auth({ mode: opts.auth, accounts: opts.accounts, tokenLifetime: opts.tokenLifetime,
      metadataEmail: opts.metadataEmail }),
    faults: new Faults(),
    log: new RequestLog(),
    sessions: new Map(),
    rewrites: new Map(),
    config: { rewriteBytesPerCall: opts.rewriteBytesPerCall },
    projectId: opts.projectId,
    projectNumber: opts.projectNumber,
    dataDir: opts.dataDir,
    address: null,
  };
  for (const b of opts.buckets) state.store.createBucket(b);
  const server = createServer((req, res) => {
    handle(state, req, res).catch((e) => {
      console.error('fake-gcs: unhandled:', e);
      res.destroy();
    });
  });
  server.requestTimeout = 0; // uploads of several GiB take their time
  server.headersTimeout = 60_000;
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  state.address = `127.0.0.1:${port}`;
  return { server, state, address: state.address };
}
