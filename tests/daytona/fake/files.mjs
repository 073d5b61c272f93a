// fake/files.mjs - the toolbox's /files routes (v0.190.0 daemon): list,
// info, folder, move, delete, the bulk upload and download the SDK uses,
// and the single-file download and upload. Paths are the sandbox's (a
// relative one starts at the user's home, the daemon's working
// directory), resolved by vfs.mjs so nothing outside the sandbox is
// reached. Most failures are bare statuses with no body, as the daemon's
// handlers abort; the bulk routes answer their own bodies.
import fs from 'node:fs';
import { posix } from 'node:path';
import { goJson, goText, bareStatus, goTimeJson, goTimeString, nowNs } from './http-util.mjs';
import { FsError, goModeString } from './vfs.mjs';
import { boundaryOf, parseMultipart, partHead, multipartEnd, contentDisposition, MultipartError } from './multipart.mjs';
import { removeTree } from '../../common/fake/remove-tree.mjs';
import { SANDBOX_UID } from './layout.mjs';
import { parseRange, RangeError416 } from './byte-range.mjs';

const { O_RDONLY, O_WRONLY, O_CREAT, O_TRUNC } = fs.constants;
const BOUNDARY = 'DAYTONA-FILE-BOUNDARY';

// Go's built-in extension table, plus .txt as a Debian image's mime.types has it.
const MIME = {
  '.avif': 'image/avif', '.css': 'text/css; charset=utf-8', '.gif': 'image/gif', '.htm': 'text/html; charset=utf-8',
  '.html': 'text/html; charset=utf-8', '.jpeg': 'image/jpeg', '.jpg': 'image/jpeg', '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json', '.mjs': 'text/javascript; charset=utf-8', '.pdf': 'application/pdf', '.png': 'image/png',
  '.svg': 'image/svg+xml', '.wasm': 'application/wasm', '.webp': 'image/webp', '.xml': 'text/xml; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

/** The status a failed os call maps to in the daemon's handlers. */
function statusOf(e) {
  const code = e instanceof FsError || e.code ? e.code : '';
  if (code === 'ENOENT') return 404;
  if (code === 'EACCES' || code === 'EPERM') return 403;
  return 400;
}

/** FileInfo of a sandbox path, links followed (os.Stat). */
export function fileInfo(sb, vpath) {
  const { r, name, st } = sb.fs.stat(vpath);
  if (!st) {
    // A directory that only holds mount points (/, /etc).
    const ns = BigInt(sb.createdMs) * 1000000n;
    return { name, size: 4096, mode: 'drwxr-xr-x', modTime: goTimeString(ns), modifiedAt: goTimeJson(ns), isDir: true, owner: '0', group: '0', permissions: '0755' };
  }
  // Files in /home and /tmp belong to the sandbox user; the system's to root.
  const owner = r.mount?.rw ? String(SANDBOX_UID) : '0';
  return {
    name, size: Number(st.size), mode: goModeString(st.mode), modTime: goTimeString(st.mtimeNs), modifiedAt: goTimeJson(st.mtimeNs),
    isDir: st.isDirectory(), owner, group: owner, permissions: (Number(st.mode) & 0o777).toString(8).padStart(4, '0'),
  };
}

function listFiles(res, sb, url) {
  const dir = sb.fs.absolute(url.searchParams.get('path') || '.');
  let r, names;
  try {
    r = sb.fs.existing(dir, true);
    if (r.kind === 'host' && !r.st.isDirectory()) return bareStatus(res, 400);
    names = sb.fs.readdir(r);
  } catch (e) {
    return bareStatus(res, statusOf(e));
  }
  const out = [];
  for (const n of names) {
    try { out.push(fileInfo(sb, posix.join(r.vpath, n))); } catch { /* skipped, as the daemon does */ }
  }
  goJson(res, 200, out);
}

function getInfo(res, sb, url) {
  const p = url.searchParams.get('path') ?? '';
  if (p === '') return bareStatus(res, 400);
  try {
    goJson(res, 200, fileInfo(sb, sb.fs.absolute(p)));
  } catch (e) {
    bareStatus(res, statusOf(e));
  }
}

function createFolder(res, sb, url) {
  const p = url.searchParams.get('path') ?? '';
  if (p === '') return bareStatus(res, 400);
  const m = url.searchParams.get('mode') ?? '';
  if (m !== '' && !/^[0-7]{1,11}$/.test(m)) return bareStatus(res, 400);
  try {
    sb.fs.mkdirAll(sb.fs.absolute(p), m === '' ? 0o755 : Number.parseInt(m, 8) & 0o7777);
  } catch {
    return bareStatus(res, 400);
  }
  bareStatus(res, 201);
}

function deleteFile(res, sb, url) {
  const p = url.searchParams.get('path') ?? '';
  if (p === '') return bareStatus(res, 400);
  const recursive = url.searchParams.get('recursive') === 'true';
  let st;
  try {
    st = sb.fs.stat(sb.fs.absolute(p));
  } catch (e) {
    return bareStatus(res, statusOf(e));
  }
  const isDir = !st.st || st.st.isDirectory();
  if (isDir && !recursive) return bareStatus(res, 400);
  try {
    // os.Remove(All) works on the path itself: a link is removed, not followed.
    const r = sb.fs.resolve(sb.fs.absolute(p), false);
    sb.fs.writable(r);
    if (recursive) removeTree(r.host);
    else if (r.st.isDirectory()) fs.rmdirSync(r.host);
    else fs.unlinkSync(r.host);
  } catch {
    return bareStatus(res, 400);
  }
  bareStatus(res, 204);
}

function moveFile(res, sb, url) {
  const src = url.searchParams.get('source') ?? '';
  const dst = url.searchParams.get('destination') ?? '';
  if (src === '' || dst === '') return bareStatus(res, 400);
  const from = sb.fs.absolute(src), to = sb.fs.absolute(dst);
  try {
    sb.fs.stat(from);
    sb.fs.stat(posix.dirname(to));
  } catch (e) {
    return bareStatus(res, statusOf(e));
  }
  try {
    sb.fs.stat(to);
    return bareStatus(res, 409);
  } catch { /* good: nothing there */ }
  try {
    const a = sb.fs.resolve(from, true), b = sb.fs.resolve(to, true);
    sb.fs.writable(a);
    sb.fs.writable(b);
    fs.renameSync(a.host, b.host);
  } catch {
    return bareStatus(res, 400);
  }
  bareStatus(res, 200);
}

/** Creates (or truncates) a file with `data`, its parent directories first; throws a message. */
function writeFile(sb, dest, data, dirMode) {
  const v = sb.fs.absolute(dest);
  const parent = posix.dirname(v);
  try { sb.fs.mkdirAll(parent, dirMode); } catch (e) { throw `${dest}: mkdir ${parent}: ${e.message}`; }
  let fd;
  try { fd = sb.fs.openHost(v, O_WRONLY | O_CREAT | O_TRUNC, 0o666); } catch (e) { throw `${dest}: create: ${e.message}`; }
  try { fs.writeSync(fd, data); } catch (e) { throw `${dest}: write: ${e.message}`; } finally { fs.closeSync(fd); }
}

function uploadFiles(res, sb, req, body) {
  const boundary = boundaryOf(req.headers['content-type']);
  if (!boundary) return goJson(res, 400, { errors: ['invalid multipart form'] });
  const errors = [];
  const files = [];
  const dests = new Map();
  let parts;
  try {
    parts = parseMultipart(body, boundary);
  } catch (e) {
    if (!(e instanceof MultipartError)) throw e;
    parts = e.parts ?? [];
    errors.push(`reading part: ${e.message}`);
  }
  const index = (name) => name.replace(/^files\[/, '').replace(/\]\.(path|file)$/, '');
  for (const part of parts) {
    if (part.name.endsWith('.path')) {
      const dest = part.data.toString('utf8').trim();
      if (dest === '') errors.push(`path[${index(part.name)}]: empty path`);
      else dests.set(index(part.name), dest);
    } else if (part.name.endsWith('.file')) {
      const dest = dests.get(index(part.name));
      if (dest === undefined) { errors.push(`file[${index(part.name)}]: missing .path metadata`); continue; }
      try {
        writeFile(sb, dest, part.data, 0o755);
        files.push({ path: dest, bytes: part.data.length });
      } catch (msg) {
        errors.push(String(msg));
      }
    }
  }
  // gin.H is a map: Go writes its keys sorted, and a nil slice as null.
  if (errors.length) return goJson(res, 400, { errors, files: files.length ? files : null });
  goJson(res, 200, { files: files.length ? files : null });
}

/** One part's trouble as the daemon's ErrorResponse (path = the path asked for). */
function errorPart(path, status, code, message) {
  return { statusCode: status, message, code, timestamp: goTimeJson(nowNs()), path, method: 'POST' };
}

function openForDownload(sb, path) {
  if (path === '') return { error: errorPart(path, 400, 'INVALID_FILE_PATH', 'invalid file path: path is empty') };
  let fd;
  try {
    fd = sb.fs.openHost(sb.fs.absolute(path), O_RDONLY);
  } catch (e) {
    if (e.code === 'ENOENT' || e.code === 'ENOTDIR') return { error: errorPart(path, 404, 'FILE_NOT_FOUND', `file not found: ${path}`) };
    if (e.code === 'EACCES' || e.code === 'EPERM') return { error: errorPart(path, 403, 'FILE_ACCESS_DENIED', `permission denied: ${path}`) };
    if (e.code === 'EISDIR') return { error: errorPart(path, 400, 'INVALID_FILE_PATH', `invalid file path: path points to a directory: ${path}`) };
    return { error: errorPart(path, 500, 'FILE_READ_FAILED', `failed to open file: ${e.message}`) };
  }
  const st = fs.fstatSync(fd);
  if (st.isDirectory()) {
    fs.closeSync(fd);
    return { error: errorPart(path, 400, 'INVALID_FILE_PATH', `invalid file path: path points to a directory: ${path}`) };
  }
  return { fd, size: st.size };
}

/** Resolves when `res` can take more, or is gone; leaves no listener behind. */
function drained(res) {
  return new Promise((resolve) => {
    const done = () => { res.off('drain', done); res.off('close', done); resolve(); };
    res.on('drain', done);
    res.on('close', done);
  });
}

/**
 * A body writer that applies an armed `afterBytes` fault: once that many
 * bytes went out the connection is dropped (reset) or goes silent (stall).
 */
function faultyWriter(res, fault) {
  let sent = 0;
  let cut = false;
  return {
    get cut() { return cut; },
    async write(buf) {
      if (cut) return;
      if (fault && sent + buf.length >= fault.afterBytes) {
        res.write(buf.subarray(0, fault.afterBytes - sent));
        cut = true;
        const s = res.socket;
        if (fault.kind === 'drop' && s) {
          if (fault.rst) s.resetAndDestroy();
          else s.end(() => s.destroy());
        }
        return;
      }
      sent += buf.length;
      if (!res.write(buf)) await drained(res);
    },
  };
}

async function downloadFiles(res, sb, body, fault) {
  let paths;
  try {
    paths = JSON.parse(body.toString('utf8')).paths;
  } catch { /* below */ }
  if (!Array.isArray(paths) || paths.length === 0 || paths.some((p) => typeof p !== 'string')) {
    // The binding already committed the 400 without a Content-Type, so Go sniffs the JSON as text.
    return goText(res, 400, '{"error":"request body must be {\\"paths\\": [ ... ]} and non-empty"}');
  }
  res.on('error', () => {});
  res.writeHead(200, { 'Content-Type': `multipart/form-data; boundary=${BOUNDARY}` });
  const out = faultyWriter(res, fault);
  let first = true;
  for (const path of paths) {
    const f = openForDownload(sb, path);
    if (f.error) {
      await out.write(partHead(BOUNDARY, first, {
        'Content-Disposition': contentDisposition('form-data', 'error', path), 'Content-Type': 'application/json; charset=utf-8',
      }));
      await out.write(Buffer.from(JSON.stringify(f.error)));
    } else {
      await out.write(partHead(BOUNDARY, first, {
        'Content-Disposition': contentDisposition('form-data', 'file', path), 'Content-Length': String(f.size),
        'Content-Type': MIME[posix.extname(path).toLowerCase()] ?? 'application/octet-stream',
      }));
      // The stream owns the descriptor and closes it, also when the loop stops early;
      // closing it here too could close a descriptor the number was reused for.
      for await (const chunk of fs.createReadStream(null, { fd: f.fd, highWaterMark: 64 << 10 })) {
        await out.write(chunk);
        if (out.cut || res.destroyed) break;
      }
    }
    first = false;
    if (out.cut || res.destroyed) return;
  }
  await out.write(multipartEnd(BOUNDARY));
  if (!out.cut) res.end();
}

async function downloadFile(res, sb, req, url, fault) {
  const p = url.searchParams.get('path') ?? '';
  if (p === '') return bareStatus(res, 400);
  const f = openForDownload(sb, p);
  if (f.error) return bareStatus(res, f.error.statusCode === 500 ? 400 : f.error.statusCode);
  const st = fs.fstatSync(f.fd);
  const name = posix.basename(sb.fs.absolute(p));
  let ranges;
  try {
    ranges = parseRange(req.headers.range, f.size);
  } catch (e) {
    if (!(e instanceof RangeError416)) throw e;
    fs.closeSync(f.fd);
    // http.Error after the handler's headers: Go's text, Cache-Control dropped
    const headers = {
      'Content-Description': 'File Transfer', 'Content-Disposition': contentDisposition('attachment', null, name),
      'Content-Transfer-Encoding': 'binary', Expires: '0', Pragma: 'public',
      'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff',
    };
    if (e.noOverlap) headers['Content-Range'] = `bytes */${f.size}`;
    res.writeHead(416, headers);
    return res.end(`${e.message}\n`);
  }
  const one = ranges.length === 1 ? ranges[0] : null;
  const headers = {
    'Accept-Ranges': 'bytes', 'Cache-Control': 'must-revalidate', 'Content-Description': 'File Transfer',
    'Content-Disposition': contentDisposition('attachment', null, name), 'Content-Length': one ? one.length : f.size,
    'Content-Transfer-Encoding': 'binary', 'Content-Type': 'application/octet-stream', Expires: '0',
    'Last-Modified': st.mtime.toUTCString(), Pragma: 'public',
  };
  if (one) headers['Content-Range'] = `bytes ${one.start}-${one.start + one.length - 1}/${f.size}`;
  res.writeHead(one ? 206 : 200, headers);
  if (one && one.length === 0) {
    fs.closeSync(f.fd);
    return res.end();
  }
  const opts = one ? { fd: f.fd, start: one.start, end: one.start + one.length - 1 } : { fd: f.fd };
  res.on('error', () => {});
  // an armed afterBytes fault cuts the body as it does the bulk download's
  const out = faultyWriter(res, fault);
  for await (const chunk of fs.createReadStream(null, { ...opts, highWaterMark: 64 << 10 })) {
    await out.write(chunk);
    if (out.cut || res.destroyed) return;
  }
  res.end();
}

function uploadFile(res, sb, req, url, body) {
  const p = url.searchParams.get('path') ?? '';
  if (p === '') return bareStatus(res, 400);
  const boundary = boundaryOf(req.headers['content-type']);
  let part;
  try {
    part = boundary && parseMultipart(body, boundary).find((x) => x.name === 'file' && x.filename !== undefined);
  } catch { /* below */ }
  if (!part) return bareStatus(res, 400);
  try {
    writeFile(sb, p, part.data, 0o750);
  } catch {
    return bareStatus(res, 400);
  }
  bareStatus(res, 200);
}

/** Serves `/files…` (the toolbox path); false when no route matches. */
export async function handleFiles(ctx) {
  const { res, req, url, body, sb, toolboxPath: p } = ctx;
  const m = req.method;
  if ((p === '/files' || p === '/files/') && m === 'GET') listFiles(res, sb, url);
  else if ((p === '/files' || p === '/files/') && m === 'DELETE') deleteFile(res, sb, url);
  else if (p === '/files/info' && m === 'GET') getInfo(res, sb, url);
  else if (p === '/files/folder' && m === 'POST') createFolder(res, sb, url);
  else if (p === '/files/move' && m === 'POST') moveFile(res, sb, url);
  else if (p === '/files/bulk-upload' && m === 'POST') uploadFiles(res, sb, req, body);
  else if (p === '/files/bulk-download' && m === 'POST') await downloadFiles(res, sb, body, ctx.fault);
  else if (p === '/files/download' && m === 'GET') await downloadFile(res, sb, req, url, ctx.fault);
  else if (p === '/files/upload' && m === 'POST') uploadFile(res, sb, req, url, body);
  else return false;
  return true;
}
