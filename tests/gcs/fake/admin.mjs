// The admin API under /_fake/ (no client of GCS uses that path): faults,
// the request log, token expiry, buckets, settings, a reset. Described in
// tests/gcs/README.md. Not logged, not faulted, no auth.
import { bucketResource } from './resource.mjs';
import { GcsError, invalid, sendJson, sendEmpty } from './reply.mjs';

function configOf(state) {
  return {
    auth: state.auth.mode,
    tokenLifetime: state.auth.tokenLifetime,
    rewriteBytesPerCall: state.config.rewriteBytesPerCall,
    projectId: state.projectId,
    dataDir: state.dataDir,
    buckets: [...state.store.buckets.keys()],
  };
}

function setConfig(state, body) {
  if (body.auth !== undefined) {
    if (!['none', 'bearer'].includes(body.auth)) throw invalid("'auth' is 'none' or 'bearer'");
    state.auth.mode = body.auth;
  }
  if (body.tokenLifetime !== undefined) {
    if (!Number.isInteger(body.tokenLifetime) || body.tokenLifetime < 1) throw invalid("'tokenLifetime' is seconds (>= 1)");
    state.auth.tokenLifetime = body.tokenLifetime;
  }
  if (body.rewriteBytesPerCall !== undefined) {
    if (!Number.isInteger(body.rewriteBytesPerCall) || body.rewriteBytesPerCall < 1) {
      throw invalid("'rewriteBytesPerCall' is a byte count (>= 1)");
    }
    state.config.rewriteBytesPerCall = body.rewriteBytesPerCall;
  }
}

// Forgets every object, upload session, rewrite, fault, token and log
// entry; buckets and settings stay.
export async function resetState(state) {
  for (const s of state.sessions.values()) await s.writer?.discard();
  for (const r of state.rewrites.values()) await r.writer.discard();
  state.sessions.clear();
  state.rewrites.clear();
  state.store.clear();
  state.faults.clear();
  state.auth.expireAll();
  state.log.clear();
}

export async function handleAdmin(ctx) {
  const { req, res, state } = ctx;
  const what = `${req.method} ${ctx.rawPath}`;
  const body = ['POST', 'PUT'].includes(req.method) ? await ctx.json({ arrays: what === 'POST /_fake/faults' })
    : (await ctx.drain(), {});
  switch (what) {
    case 'GET /_fake/config':
      return sendJson(res, 200, configOf(state));
    case 'POST /_fake/config':
      setConfig(state, body);
      return sendJson(res, 200, configOf(state));
    case 'GET /_fake/faults':
      return sendJson(res, 200, { faults: state.faults.list });
    case 'POST /_fake/faults':
      return sendJson(res, 201, { faults: state.faults.add(body) });
    case 'DELETE /_fake/faults':
      state.faults.clear();
      return sendEmpty(res, 204);
    case 'POST /_fake/tokens/expire':
      return sendJson(res, 200, { expired: state.auth.expireAll() });
    case 'GET /_fake/requests': {
      const since = Number(ctx.query.get('since') ?? 0);
      return sendJson(res, 200, { requests: state.log.since(Number.isFinite(since) ? since : 0),
        last: state.log.seq });
    }
    case 'DELETE /_fake/requests':
      state.log.clear();
      return sendEmpty(res, 204);
    case 'POST /_fake/buckets': {
      const b = state.store.createBucket(String(body.name ?? ''));
      return sendJson(res, 200, bucketResource(b, ctx.base, state.projectNumber));
    }
    case 'POST /_fake/reset':
      await resetState(state);
      return sendEmpty(res, 204);
    case 'GET /_fake/stats': {
      // Under `node --expose-gc`, a full collection first, so that what is
      // measured is what the fake holds, not garbage not yet collected.
      globalThis.gc?.();
      const m = process.memoryUsage();
      let objects = 0;
      for (const b of state.store.buckets.values()) objects += b.objects.size;
      return sendJson(res, 200, { rss: m.rss, heapUsed: m.heapUsed, arrayBuffers: m.arrayBuffers, objects,
        sessions: state.sessions.size, rewrites: state.rewrites.size });
    }
    default:
      throw new GcsError(404, 'notFound', `No admin route '${what}'`);
  }
}
