// fake/envd.mjs - one sandbox's envd as the E2B proxy exposes it: routed
// by the E2b-Sandbox-Id header (or a `PORT-ID.` host), 502 from the proxy
// for a sandbox that is gone or paused, X-Access-Token checked when the
// sandbox has one, then /health, /files and the Connect services
// process.Process and filesystem.Filesystem.
import { createHash, timingSafeEqual } from 'node:crypto';
import { posix } from 'node:path';
import fs from 'node:fs';
import { RpcError, httpStatusOf, parseEnvelopes, parseJson, field, endStreamFrame } from './connect.mjs';
import { ConnectStream } from './stream.mjs';
import { sendJson, sendEmpty, sendError } from './http-util.mjs';
import { getFile, postFiles } from './files.mjs';
import { USERS, DEFAULT_USER } from './layout.mjs';
import { FsError } from './vfs.mjs';
import { removeTree } from '../../common/fake/remove-tree.mjs';

export const ENVD_PORT = 49983;
const STREAMING = new Set(['/process.Process/Start', '/process.Process/Connect', '/filesystem.Filesystem/WatchDir']);
export const isStreaming = (path) => STREAMING.has(path);

const proxyError = (res, id, status, message, extra = {}) =>
  sendJson(res, status, { sandboxId: id, message, ...extra, code: status });

function sameToken(a, b) {
  const x = Buffer.from(String(a)), y = Buffer.from(String(b));
  return x.length === y.length && timingSafeEqual(x, y);
}

// envd's validateSigning for /files: the header if sent, else a signature
// v1_base64(sha256("path:operation:user:token[:expiration]")).
function filesAuthError(req, url, sb, operation) {
  const header = req.headers['x-access-token'];
  if (header !== undefined && header !== '') {
    return sameToken(header, sb.envdAccessToken) ? null : 'access token present in header but does not match';
  }
  const sig = url.searchParams.get('signature');
  if (sig === null) return 'missing signature query parameter';
  const exp = url.searchParams.get('signature_expiration');
  const raw = [url.searchParams.get('path') ?? '', operation, url.searchParams.get('username') ?? '', sb.envdAccessToken];
  if (exp !== null) raw.push(exp);
  const want = 'v1_' + createHash('sha256').update(raw.join(':')).digest('base64').replace(/=+$/, '');
  if (!sameToken(sig, want)) return 'invalid signature';
  if (exp !== null && Number(exp) < Date.now() / 1000) return 'signature is already expired';
  return null;
}

/** The user of an RPC: `Authorization: Basic base64("name:")`, else the default user. */
function rpcUser(req) {
  const m = (req.headers.authorization ?? '').match(/^Basic\s+(\S+)/i);
  if (!m) return DEFAULT_USER;
  const name = Buffer.from(m[1], 'base64').toString('utf8').split(':')[0];
  if (!USERS[name]) throw new RpcError('unauthenticated', `invalid username: '${name}'`);
  return name;
}

function writeUnaryError(res, err) {
  sendJson(res, httpStatusOf(err.code), { code: err.code, message: err.message });
}

// Go's text of an errno (strerror), as envd's errors end in it.
const ERRNO_TEXT = {
  ENOTDIR: 'not a directory', EISDIR: 'is a directory', EEXIST: 'file exists',
  ENOTEMPTY: 'directory not empty', EXDEV: 'invalid cross-device link',
  EACCES: 'permission denied', EROFS: 'read-only file system',
  EBUSY: 'device or resource busy', EINVAL: 'invalid argument',
};

// `what` opens the message; `op` is the syscall envd's Go error names
// (lstat for Stat, stat for MakeDir): a path under a file is
// "<what>: <op> <path>: not a directory", code internal.
function fsRpcError(e, what, op = 'lstat') {
  if (e instanceof RpcError) return e;
  if (e instanceof FsError) {
    if (e.code === 'ENOENT') return new RpcError('not_found', `${what}: lstat ${e.vpath}: no such file or directory`);
    if (e.code === 'EINVAL') return new RpcError('invalid_argument', e.message);
    if (e.code === 'ELOOP') return new RpcError('failed_precondition', `cyclic symlink or chain >255 links at "${e.vpath}"`);
    if (e.code === 'ENOTDIR') return new RpcError('internal', `${what}: ${op} ${e.vpath}: not a directory`);
  }
  return new RpcError('internal', `${what}: ${e.message}`);
}

const filesystem = {
  Stat(sb, user, msg) {
    const p = sb.fs.absolute(field(msg, 'path'), user);
    try {
      return { entry: sb.fs.entryInfo(p, user) };
    } catch (e) {
      // envd's entryInfo: NotFound, or "error getting file info" (internal)
      throw fsRpcError(e, e instanceof FsError && e.code === 'ENOENT' ? 'file not found' : 'error getting file info');
    }
  },
  ListDir(sb, user, msg) {
    const p = sb.fs.absolute(field(msg, 'path'), user);
    const depth = Number(field(msg, 'depth') ?? 0) || 1;
    let entries;
    try {
      entries = sb.fs.listDir(p, depth, user);
    } catch (e) {
      // the listed path a file: checkIfDirectory's invalid_argument; a
      // path under a file: EvalSymlinks' lstat fails first (internal; Go
      // names the path up to the component after the file, here all of it)
      if (e instanceof FsError && e.code === 'ENOTDIR') {
        if (e.message.startsWith('path is not a directory')) throw new RpcError('invalid_argument', e.message);
        throw new RpcError('internal', `error resolving symlink: lstat ${p}: not a directory`);
      }
      throw fsRpcError(e, 'path not found');
    }
    return entries.length ? { entries } : {};
  },
  MakeDir(sb, user, msg) {
    const p = sb.fs.absolute(field(msg, 'path'), user);
    let r;
    try {
      r = sb.fs.resolve(p, true);
    } catch (e) {
      if (!(e instanceof FsError && e.code === 'ENOENT')) throw fsRpcError(e, 'error getting file info', 'stat');
      r = { kind: 'missing' };
    }
    if (r.kind === 'virtual' || (r.kind === 'host' && r.st.isDirectory())) {
      throw new RpcError('already_exists', `directory already exists: ${p}`);
    }
    if (r.kind === 'host') throw new RpcError('invalid_argument', `path already exists but it is not a directory: ${p}`);
    try { sb.fs.ensureDirs(p); } catch (e) { throw new RpcError('internal', e.message); }
    return { entry: { name: posix.basename(p), type: 'FILE_TYPE_DIRECTORY', path: p } };
  },
  Move(sb, user, msg) {
    const src = sb.fs.absolute(field(msg, 'source'), user);
    const dst = sb.fs.absolute(field(msg, 'destination'), user);
    // Go's *LinkError of os.Rename, never the host's paths
    const renameError = (code) => new RpcError('internal', `error renaming: rename ${src} ${dst}: ${ERRNO_TEXT[code] ?? code}`);
    // EnsureDirs of the destination's parent fails in its own words
    try { sb.fs.ensureDirs(posix.dirname(dst)); } catch (e) { throw new RpcError('internal', e.message); }
    try {
      const a = sb.fs.resolve(src, false);
      if (a.kind === 'missing') throw new RpcError('not_found', `source file not found: rename ${src} ${dst}: no such file or directory`);
      const b = sb.fs.resolve(dst, false);
      // Go's os.Rename refuses any existing directory as the destination
      // (EEXIST), an empty one too, unless it is the source itself
      const same = a.st && b.st && a.st.dev === b.st.dev && a.st.ino === b.st.ino;
      if (b.kind === 'virtual' || (b.kind === 'host' && b.st.isDirectory() && !same)) throw renameError('EEXIST');
      for (const r of [a, b]) {
        if (!r.mount || r.host === r.mount.host) throw new FsError('EBUSY', r.vpath, `rename ${src} ${dst}: device or resource busy`);
        sb.fs.writable(r);
      }
      fs.renameSync(a.host, b.host);
      return { entry: sb.fs.entryInfo(b.vpath, user) };
    } catch (e) {
      if (e instanceof RpcError) throw e;
      if (!(e instanceof FsError) && ERRNO_TEXT[e.code]) throw renameError(e.code);
      throw new RpcError('internal', `error renaming: ${e.message}`);
    }
  },
  Remove(sb, user, msg) {
    const p = sb.fs.absolute(field(msg, 'path'), user);
    try {
      const r = sb.fs.resolve(p, false);
      if (r.kind === 'missing') return {};
      if (!r.mount || r.host === r.mount.host) throw new FsError('EBUSY', p, `unlinkat ${p}: device or resource busy`);
      sb.fs.writable(r);
      if (r.st.isDirectory()) removeTree(r.host);
      else fs.unlinkSync(r.host);
      return {};
    } catch (e) {
      if (e instanceof FsError && e.code === 'ENOENT') return {};
      throw new RpcError('internal', `error removing file or directory: ${e.message}`);
    }
  },
};

const processUnary = {
  List: (sb) => sb.procs.list(),
  SendInput: (sb, user, msg) => sb.procs.sendInput(msg),
  CloseStdin: (sb, user, msg) => sb.procs.closeStdin(msg),
  SendSignal: (sb, user, msg) => sb.procs.sendSignal(msg),
};

/** Serves one envd request for sandbox `id`; `fault` is an armed stream fault or null. */
export async function handleEnvd(req, res, url, body, { registry, id, port, fault }) {
  const sb = registry.get(id);
  if (!sb || sb.state === 'gone') return proxyError(res, id, 502, 'The sandbox was not found');
  if (sb.state === 'paused') return proxyError(res, id, 502, 'The sandbox was not found');
  if (port !== ENVD_PORT) {
    // A preview port: the traffic token is checked, then the proxy finds
    // nothing listening (the fake's sandboxes have no network).
    if (sb.trafficAccessToken) {
      const t = req.headers['e2b-traffic-access-token'];
      if (!t) return proxyError(res, id, 403, "Sandbox is secured with traffic access token. Token header 'e2b-traffic-access-token' is missing");
      if (!sameToken(t, sb.trafficAccessToken)) return proxyError(res, id, 403, "Sandbox is secured with traffic access token. Token header 'e2b-traffic-access-token' is invalid");
    }
    return proxyError(res, id, 502, 'The sandbox is running but port is not open', { port });
  }
  const p = url.pathname;
  const m = req.method;
  if (p === '/health' && m === 'GET') return sendEmpty(res, 204);
  if (p === '/files' && (m === 'GET' || m === 'POST')) {
    if (sb.envdAccessToken) {
      const why = filesAuthError(req, url, sb, m === 'GET' ? 'read' : 'write');
      if (why) return sendError(res, 401, why);
    }
    return m === 'GET' ? getFile(req, res, url, sb, fault) : postFiles(req, res, url, sb, body);
  }
  if (sb.envdAccessToken && !sameToken(req.headers['x-access-token'] ?? '', sb.envdAccessToken)) {
    return sendError(res, 401, 'unauthorized access, please provide a valid access token or method signing if supported');
  }
  const rpc = p.match(/^\/(process\.Process|filesystem\.Filesystem)\/([A-Za-z]+)$/);
  if (!rpc || m !== 'POST') {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
    return res.end('404 page not found\n');
  }
  const [, service, method] = rpc;
  const ctype = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (isStreaming(p)) {
    if (ctype !== 'application/connect+json') {
      res.writeHead(415, { 'Accept-Post': 'application/connect+json' });
      return res.end();
    }
    return stream(req, res, body, sb, service, method, fault);
  }
  if (ctype !== 'application/json') {
    res.writeHead(415, { 'Accept-Post': 'application/json' });
    return res.end();
  }
  try {
    const user = rpcUser(req);
    const msg = parseJson(body);
    const impl = service === 'filesystem.Filesystem' ? filesystem[method] : processUnary[method];
    if (!impl) throw new RpcError('unimplemented', `${service}.${method} is not implemented by the fake`);
    sendJson(res, 200, await impl(sb, user, msg));
  } catch (e) {
    writeUnaryError(res, e instanceof RpcError ? e : new RpcError('internal', e.message));
  }
}

function stream(req, res, body, sb, service, method, fault) {
  const deadlineMs = Number(req.headers['connect-timeout-ms'] ?? 0);
  const keepaliveS = Number(req.headers['keepalive-ping-interval'] ?? 0) || undefined;
  const streamFault = fault && fault.afterEnvelopes !== undefined
    ? { ...fault, onKill: () => sb.kill() } : null;
  if (req.headers['connect-timeout-ms'] !== undefined && !(deadlineMs >= 0 && Number.isInteger(deadlineMs))) {
    res.writeHead(200, { 'Content-Type': 'application/connect+json' });
    return res.end(endStreamFrame(new RpcError('invalid_argument', `strconv.Atoi: parsing "${req.headers['connect-timeout-ms']}": invalid syntax`)));
  }
  const s = new ConnectStream(res, { fault: streamFault, deadlineMs });
  try {
    const user = rpcUser(req);
    const envs = parseEnvelopes(body);
    if (envs.length !== 1 || envs[0].flags !== 0) throw new RpcError('invalid_argument', 'protocol error: expected exactly one request message');
    const msg = envs[0].message;
    if (service === 'process.Process' && method === 'Start') {
      sb.procs.start(msg, { user, stream: s, timeoutMs: deadlineMs, keepaliveS });
    } else if (service === 'process.Process' && method === 'Connect') {
      sb.procs.connect(msg, { stream: s, keepaliveS });
    } else {
      throw new RpcError('unimplemented', `${service}.${method} is not implemented by the fake`);
    }
  } catch (e) {
    s.end(e instanceof RpcError ? e : new RpcError('internal', e.message));
  }
}
