// fake/files.mjs - envd's plain-HTTP file API (specs/envd/envd.yaml):
// GET /files (raw bytes, Range, gzip) and POST /files (multipart with one
// or more `file` parts, or a raw application/octet-stream body, optionally
// gzip-encoded), with envd's status codes and `{"code","message"}` bodies.
import fs from 'node:fs';
import { posix } from 'node:path';
import { gunzipSync, createGzip } from 'node:zlib';
import { USERS, DEFAULT_USER } from './layout.mjs';
import { FsError } from './vfs.mjs';
import { sendJson, sendError } from './http-util.mjs';

const TYPES = {
  '.txt': 'text/plain; charset=utf-8', '.json': 'application/json', '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.png': 'image/png',
  '.jpg': 'image/jpeg', '.gif': 'image/gif', '.svg': 'image/svg+xml', '.pdf': 'application/pdf',
  '.xml': 'text/xml; charset=utf-8', '.zip': 'application/zip', '.gz': 'application/gzip',
};

/** http.ServeContent's choice: by extension, else a sniff of the first bytes. */
function contentType(path, head) {
  const t = TYPES[posix.extname(path).toLowerCase()];
  if (t) return t;
  const text = head.toString('utf8');
  if (Buffer.from(text, 'utf8').equals(head) && !/[\x00-\x08\x0b\x0e-\x1f]/.test(text)) return 'text/plain; charset=utf-8';
  return 'application/octet-stream';
}

function userOf(res, url) {
  const name = url.searchParams.get('username') ?? DEFAULT_USER;
  if (!USERS[name]) {
    sendError(res, 401, `error looking up user '${name}': user: unknown user ${name}`);
    return null;
  }
  return name;
}

/** GET /files?path=&username= ; `fault` may cut the body after `afterBytes`. */
export function getFile(req, res, url, sb, fault) {
  const user = userOf(res, url);
  if (!user) return;
  let vpath, r;
  try {
    vpath = sb.fs.absolute(url.searchParams.get('path') ?? '', user);
    r = sb.fs.resolve(vpath, true);
  } catch (e) {
    if (e instanceof FsError && e.code === 'EINVAL') return sendError(res, 400, `error expanding and resolving path: ${e.message}`);
    if (e instanceof FsError && e.code === 'ENOENT') return sendError(res, 404, `path '${vpath}' does not exist`);
    return sendError(res, 500, `error checking if path exists '${vpath}': ${e.message}`);
  }
  if (r.kind === 'missing') return sendError(res, 404, `path '${vpath}' does not exist`);
  if (r.kind !== 'host' || r.st.isDirectory()) return sendError(res, 400, `path '${vpath}' is a directory`);
  let fd;
  try {
    sb.fs.guard(r);
    fd = fs.openSync(r.host, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  } catch (e) {
    return sendError(res, 500, `error opening file '${vpath}': ${e.message}`);
  }
  const st = fs.fstatSync(fd);
  const head = Buffer.alloc(Math.min(512, st.size));
  fs.readSync(fd, head, 0, head.length, 0);
  const headers = {
    'Content-Type': contentType(vpath, head), 'Accept-Ranges': 'bytes',
    'Last-Modified': st.mtime.toUTCString(), Vary: 'Accept-Encoding',
  };
  const range = req.headers.range;
  const gzip = !range && /\bgzip\b/.test(req.headers['accept-encoding'] ?? '');
  let start = 0, end = st.size - 1, status = 200;
  if (range) {
    const m = range.match(/^bytes=(\d*)-(\d*)$/);
    let ok = !!m && (m[1] !== '' || m[2] !== '');
    if (ok) {
      if (m[1] === '') { start = Math.max(0, st.size - Number(m[2])); }
      else { start = Number(m[1]); if (m[2] !== '') end = Math.min(end, Number(m[2])); }
      ok = start < st.size && start <= end;
    }
    if (!ok) {
      fs.closeSync(fd);
      res.writeHead(416, { 'Content-Range': `bytes */${st.size}`, 'Content-Type': 'text/plain; charset=utf-8' });
      return res.end('invalid range: failed to overlap\n');
    }
    status = 206;
    headers['Content-Range'] = `bytes ${start}-${end}/${st.size}`;
  }
  if (gzip) {
    headers['Content-Encoding'] = 'gzip';
  } else {
    headers['Content-Length'] = st.size === 0 ? 0 : end - start + 1;
  }
  res.writeHead(status, headers);
  if (st.size === 0 || (req.method === 'HEAD')) { fs.closeSync(fd); return res.end(); }
  const src = fs.createReadStream(null, { fd, start, end });
  if (fault && fault.afterBytes !== undefined) return cutAfter(src, res, fault);
  if (gzip) src.pipe(createGzip()).pipe(res);
  else src.pipe(res);
}

// A download that stops after `afterBytes`: the connection is reset, or
// left open with nothing more sent (stall).
function cutAfter(src, res, fault) {
  let sent = 0;
  src.on('data', (chunk) => {
    const room = fault.afterBytes - sent;
    if (room > 0) res.write(chunk.subarray(0, room));
    sent += chunk.length;
    if (sent >= fault.afterBytes) {
      src.destroy();
      const sock = res.socket;
      if (fault.kind === 'reset' && sock) {
        if (fault.rst === true) sock.resetAndDestroy();
        else sock.end(() => sock.destroy());
      }
    }
  });
  src.on('end', () => { if (fault.kind !== 'stall') res.end(); });
}

/** Splits a multipart/form-data body into [{name, filename, data}]. */
export function parseMultipart(body, boundary) {
  const delim = Buffer.from('--' + boundary);
  const sep = Buffer.from('\r\n--' + boundary);
  let pos = body.indexOf(delim);
  if (pos < 0) throw new Error('multipart: NextPart: EOF');
  const parts = [];
  for (;;) {
    pos += delim.length;
    if (body[pos] === 0x2d && body[pos + 1] === 0x2d) break;
    if (body[pos] !== 0x0d || body[pos + 1] !== 0x0a) throw new Error('multipart: boundary not followed by CRLF');
    pos += 2;
    const headEnd = body.indexOf('\r\n\r\n', pos);
    if (headEnd < 0) throw new Error('multipart: unterminated part headers');
    const headers = {};
    for (const line of body.subarray(pos, headEnd).toString('utf8').split('\r\n')) {
      const i = line.indexOf(':');
      if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
    }
    const next = body.indexOf(sep, headEnd + 4);
    if (next < 0) throw new Error('multipart: NextPart: EOF');
    const cd = headers['content-disposition'] ?? '';
    parts.push({ name: dispositionParam(cd, 'name'), filename: dispositionParam(cd, 'filename'), data: body.subarray(headEnd + 4, next) });
    pos = next + 2;
  }
  return parts;
}

function dispositionParam(cd, name) {
  const m = cd.match(new RegExp(`;\\s*${name}=(?:"((?:[^"\\\\]|\\\\.)*)"|([^;\\s]+))`, 'i'));
  if (!m) return undefined;
  return m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2];
}

/** envd's processFile: parents created, then the file replaced. Returns [status, message]. */
function writeOne(sb, vpath, data) {
  try {
    sb.fs.ensureDirs(posix.dirname(vpath));
    const r = sb.fs.resolve(vpath, true);
    if (r.kind === 'virtual' || (r.kind === 'host' && r.st.isDirectory())) return [400, `path is a directory: ${vpath}`];
    if (!r.mount) return [500, `error opening file: open ${vpath}: read-only file system`];
    sb.fs.writable(r);
    const fd = fs.openSync(r.host, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_TRUNC | fs.constants.O_NOFOLLOW, 0o644);
    try { fs.writeSync(fd, data); } finally { fs.closeSync(fd); }
    return [200, null];
  } catch (e) {
    if (e.code === 'ENOSPC') return [507, 'not enough disk space available'];
    if (e instanceof FsError && e.code === 'ENOTDIR') return [500, `error ensuring directories: ${e.message}`];
    return [500, `error opening file: ${e.message}`];
  }
}

/** POST /files?path=&username= with the whole body read. */
export function postFiles(req, res, url, sb, body) {
  const user = userOf(res, url);
  if (!user) return;
  if (/\bgzip\b/i.test(req.headers['content-encoding'] ?? '')) {
    try { body = gunzipSync(body); } catch (e) { return sendError(res, 400, `error decompressing request body: ${e.message}`); }
  }
  const pathParam = url.searchParams.get('path');
  const ctype = req.headers['content-type'] ?? '';
  const media = ctype.split(';')[0].trim().toLowerCase();
  let files;
  if (media === 'application/octet-stream') {
    if (pathParam === null) return sendError(res, 400, 'path query parameter is required for raw body upload');
    files = [{ path: pathParam, data: body }];
  } else if (media.startsWith('multipart/')) {
    const b = ctype.match(/boundary=(?:"([^"]+)"|([^;\s]+))/i);
    if (!b) return sendError(res, 500, 'error parsing multipart form: no multipart boundary param in Content-Type');
    let parts;
    try { parts = parseMultipart(body, b[1] ?? b[2]); } catch (e) { return sendError(res, 500, `error reading form: ${e.message}`); }
    files = parts.filter((p) => p.name === 'file').map((p) => ({ path: pathParam ?? p.filename ?? '', data: p.data }));
  } else {
    return sendError(res, 400, `unsupported content type: ${ctype}, expected multipart/form-data or application/octet-stream`);
  }
  const done = [];
  for (const f of files) {
    let vpath;
    try { vpath = sb.fs.absolute(f.path, user); } catch (e) { return sendError(res, 400, `error resolving path: ${e.message}`); }
    if (done.some((d) => d.path === vpath)) {
      return sendError(res, 400, `you cannot upload multiple files to the same path '${vpath}' in one upload request, only the first specified file was uploaded`);
    }
    const [status, msg] = writeOne(sb, vpath, f.data);
    if (status !== 200) return sendError(res, status, msg);
    done.push({ path: vpath, name: posix.basename(vpath), type: 'file' });
  }
  sendJson(res, 200, done);
}

