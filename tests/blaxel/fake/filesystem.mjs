// fake/filesystem.mjs - the sandbox-api's /filesystem routes
// (sandbox-api src/handler/filesystem.go, filesystem/filesystem.go):
// GET answers a directory as Directory JSON and a file as FileWithContent
// JSON, or raw bytes with `Accept: application/octet-stream` (or any type
// that is neither JSON nor */*) or `?download=true`; PUT writes text or
// makes a directory from JSON, or writes the `file` part of a multipart
// form; DELETE removes a file, or a directory (`recursive=true` for one
// that is not empty). The sandbox-api's quirks are kept: `permissions` is
// Go's FileMode in octal ("644", "20000000755" would be a directory),
// FileWithContent's `name` is empty, `path` is the path as asked for.
//
// The sandbox's files are reached through the E2B fake's SandboxFs, which
// follows links inside the sandbox only.
import fs from 'node:fs';
import { posix } from 'node:path';
import { FsError } from '../../e2b/fake/vfs.mjs';
import { removeTree } from '../../common/fake/remove-tree.mjs';
import { parseMultipart } from '../../e2b/fake/files.mjs';
import { StreamResponse } from './stream.mjs';
import { sendJson, sendApiError, parseGoJson, goFieldError } from './http-util.mjs';
import { absolutePath, displayPath } from './paths.mjs';

const TYPES = {
  '.txt': 'text/plain', '.log': 'text/plain', '.html': 'text/html', '.htm': 'text/html', '.css': 'text/css',
  '.js': 'application/javascript', '.json': 'application/json', '.xml': 'application/xml', '.pdf': 'application/pdf',
  '.zip': 'application/zip', '.tar': 'application/x-tar', '.gz': 'application/gzip', '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg', '.png': 'image/png', '.gif': 'image/gif', '.svg': 'image/svg+xml',
};

/** Go's os.FileMode bits of an lstat/stat result, as a number. */
function goMode(st) {
  const S = fs.constants;
  let m = st.mode & 0o777;
  const fmt = st.mode & S.S_IFMT;
  if (fmt === S.S_IFDIR) m += 2 ** 31;
  if (fmt === S.S_IFLNK) m += 2 ** 27;
  if (fmt === S.S_IFBLK || fmt === S.S_IFCHR) m += 2 ** 26;
  if (fmt === S.S_IFIFO) m += 2 ** 25;
  if (fmt === S.S_IFSOCK) m += 2 ** 24;
  if (st.mode & 0o4000) m += 2 ** 23;
  if (st.mode & 0o2000) m += 2 ** 22;
  if (fmt === S.S_IFCHR) m += 2 ** 21;
  if (st.mode & 0o1000) m += 2 ** 20;
  return m;
}

/** Go's time.Time in JSON (RFC 3339 with nanoseconds, trailing zeros dropped). */
function goTime(mtimeNs) {
  const secs = mtimeNs / 1000000000n;
  const frac = String(mtimeNs % 1000000000n).padStart(9, '0').replace(/0+$/, '');
  return new Date(Number(secs) * 1000).toISOString().slice(0, 19) + (frac ? '.' + frac : '') + 'Z';
}

// Inside the sandbox's user namespace the fake's own uid is root; any
// other host owner is unmapped, shown as nobody.
const ownerName = (uid) => (uid === process.getuid() ? 'root' : 'nobody');
const groupName = (gid) => (gid === process.getgid() ? 'root' : 'nogroup');

function fileInfo(host, follow) {
  const st = follow ? fs.statSync(host, { bigint: true }) : fs.lstatSync(host, { bigint: true });
  const small = follow ? fs.statSync(host) : fs.lstatSync(host);
  return {
    permissions: goMode(small).toString(8), size: Number(st.size), lastModified: goTime(st.mtimeNs),
    owner: ownerName(small.uid), group: groupName(small.gid), isDir: small.isDirectory(),
  };
}

/** What Go's os.Stat says about a path: the resolved entry, or an FsError. */
function stat(sb, abs) {
  const r = sb.fs.resolve(abs, true);
  if (r.kind === 'missing') throw new FsError('ENOENT', abs, `stat ${abs}: no such file or directory`);
  return r;
}

function isDir(r) {
  return r.kind === 'virtual' || (r.kind === 'host' && r.st.isDirectory());
}

function statError(res, e, abs) {
  if (e instanceof FsError && e.code === 'ENOENT') return sendApiError(res, 404, `stat ${abs}: no such file or directory`);
  if (e instanceof FsError && e.code === 'ENOTDIR') return sendApiError(res, 500, `stat ${abs}: not a directory`);
  return sendApiError(res, 500, `stat ${abs}: ${e.message}`);
}

function listDirectory(sb, path, r) {
  const shown = displayPath(path);
  const dir = { path: shown, name: posix.basename(shown) || '/', files: [], subdirectories: [] };
  for (const n of sb.fs.readdir(r)) {
    const vp = r.vpath === '/' ? '/' + n : r.vpath + '/' + n;
    const entryPath = posix.join(shown, n);
    let cr;
    try { cr = sb.fs.resolve(vp, false); } catch { continue; }
    if (cr.kind === 'virtual' || (cr.kind === 'host' && cr.st.isDirectory())) {
      dir.subdirectories.push({ path: entryPath, name: n });
    } else if (cr.kind === 'virtual-link') {
      dir.files.push({ path: entryPath, name: n, permissions: (2 ** 27 + 0o777).toString(8), size: cr.target.length,
        lastModified: goTime(BigInt(Math.floor(sb.createdAt)) * 1000000n), owner: 'root', group: 'root' });
    } else if (cr.kind === 'host') {
      const { isDir: _, ...info } = fileInfo(cr.host, false);
      dir.files.push({ path: entryPath, name: n, ...info });
    }
  }
  return dir;
}

/**
 * GET /filesystem/{path}. `opts.downloadRanges` 0 answers a download whole
 * whatever its Range, as the sandbox-api's versions that copy the file
 * out (io.Copy) do; 1 (the default) serves one range as http.ServeContent.
 */
export function getPath(req, res, url, sb, path, fault, opts = {}) {
  const abs = absolutePath(path);
  let r;
  try { r = stat(sb, abs); } catch (e) { return statError(res, e, abs); }
  if (isDir(r)) {
    try { return sendJson(res, 200, listDirectory(sb, path, r)); } catch (e) {
      return sendApiError(res, 422, `error listing directory: ${e.message}`);
    }
  }
  const accept = req.headers.accept ?? '';
  let download = false;
  if (accept !== '') {
    if (accept.includes('application/octet-stream')) download = true;
    if (!accept.includes('application/json') && !accept.includes('*/*') && !accept.includes('application/octet-stream')) download = true;
  }
  if (url.searchParams.get('download') === 'true') download = true;
  let data, info;
  try {
    sb.fs.guard(r);
    data = fs.readFileSync(r.host);
    info = fileInfo(r.host, true);
  } catch (e) {
    return sendApiError(res, 422, `error reading file: open ${abs}: ${e.code === 'EACCES' ? 'permission denied' : e.message}`);
  }
  if (!download) {
    const { isDir: _, ...rest } = info;
    return sendJson(res, 200, { path: displayPath(path), name: '', ...rest, content: data.toString('utf8') });
  }
  // http.ServeContent: Last-Modified, one byte range, else the whole file.
  const name = posix.basename(abs);
  const headers = {
    'Content-Type': TYPES[posix.extname(name).toLowerCase()] ?? 'application/octet-stream',
    'Content-Disposition': `attachment; filename="${name}"`,
    'Accept-Ranges': 'bytes', 'Last-Modified': new Date(fs.statSync(r.host).mtimeMs).toUTCString(),
  };
  let body = data;
  let status = 200;
  const range = opts.downloadRanges === 0 ? null : (req.headers.range ?? '').match(/^bytes=(\d*)-(\d*)$/);
  if (range && (range[1] !== '' || range[2] !== '')) {
    const size = data.length;
    const start = range[1] === '' ? Math.max(0, size - Number(range[2])) : Number(range[1]);
    const end = range[1] === '' || range[2] === '' ? size - 1 : Math.min(Number(range[2]), size - 1);
    if (start >= size || start > end) {
      res.writeHead(416, { 'Content-Range': `bytes */${size}`, 'Content-Type': 'text/plain; charset=utf-8' });
      return res.end('invalid range: failed to overlap\n');
    }
    body = data.subarray(start, end + 1);
    status = 206;
    headers['Content-Range'] = `bytes ${start}-${end}/${size}`;
  }
  headers['Content-Length'] = body.length;
  const out = new StreamResponse(res, { status, headers, fault, onStandby: () => sb.standby() });
  for (let off = 0; off < body.length; off += 64 << 10) out.write(body.subarray(off, off + (64 << 10)));
  out.end();
}

function parsePermissions(text, dflt) {
  if (text === undefined || text === '') return dflt;
  if (!/^[0-7]+$/.test(text)) throw new Error(`invalid permissions format '${text}': strconv.ParseUint: parsing "${text}": invalid syntax`);
  return parseInt(text, 8);
}

/** os.MkdirAll as the sandbox sees it. */
function mkdirAll(sb, abs, perm) {
  let p = '';
  for (const c of abs.split('/').filter(Boolean)) {
    p += '/' + c;
    const r = sb.fs.resolve(p, true);
    if (r.kind === 'missing') {
      if (!r.mount) throw new FsError('EROFS', p, `mkdir ${p}: read-only file system`);
      if (!r.mount.rw) throw new FsError('EROFS', p, `mkdir ${p}: read-only file system`);
      sb.fs.guard(r);
      fs.mkdirSync(r.host, { mode: perm });
    } else if (!isDir(r)) {
      throw new FsError('ENOTDIR', p, `mkdir ${p}: not a directory`);
    }
  }
}

/** os.WriteFile (parents made first, as the sandbox-api does). */
function writeFile(sb, abs, data, perm) {
  mkdirAll(sb, posix.dirname(abs), 0o755);
  const r = sb.fs.resolve(abs, true);
  if (isDir(r)) throw new FsError('EISDIR', abs, `open ${abs}: is a directory`);
  if (!r.mount || !r.mount.rw) throw new FsError('EROFS', abs, `open ${abs}: read-only file system`);
  sb.fs.guard(r);
  fs.writeFileSync(r.host, data, { mode: perm });
}

/** The file of a completed multipart upload: its parts, concatenated. */
export function writeFileFromParts(sb, abs, files, perm) {
  writeFile(sb, abs, Buffer.alloc(0), perm);
  const r = sb.fs.resolve(abs, true);
  for (const f of files) fs.appendFileSync(r.host, fs.readFileSync(f));
}

/** PUT /filesystem/{path}: JSON (text or directory) or multipart (binary). */
export function putPath(req, res, sb, path, body) {
  const abs = absolutePath(path);
  const ctype = req.headers['content-type'] ?? '';
  if (ctype.startsWith('multipart/form-data')) return putBinary(res, sb, path, abs, ctype, body);
  let b;
  try {
    b = parseGoJson(body);
    const bad = goFieldError(b, 'content', 'string', 'string', 'FileRequest') ?? goFieldError(b, 'isDirectory', 'boolean', 'bool', 'FileRequest') ??
      goFieldError(b, 'permissions', 'string', 'string', 'FileRequest');
    if (bad) throw new Error(bad);
  } catch (e) {
    return sendApiError(res, 400, e.message);
  }
  let perm;
  try { perm = parsePermissions(b.permissions, b.isDirectory ? 0o755 : 0o644); } catch (e) { return sendApiError(res, 400, e.message); }
  if (b.isDirectory) {
    try { mkdirAll(sb, abs, perm); } catch (e) { return sendApiError(res, 422, `error creating directory: ${e.message}`); }
    return sendJson(res, 200, { message: 'Directory created successfully', path });
  }
  try { writeFile(sb, abs, Buffer.from(b.content ?? '', 'utf8'), perm); } catch (e) {
    return sendApiError(res, 422, `error writing file: ${e.message}`);
  }
  return sendJson(res, 200, { message: 'File created/updated successfully', path });
}

function boundaryOf(ctype) {
  const m = ctype.match(/boundary=(?:"([^"]+)"|([^;\s]+))/i);
  return m ? (m[1] ?? m[2]) : null;
}

function putBinary(res, sb, path, abs, ctype, body) {
  const boundary = boundaryOf(ctype);
  if (!boundary) return sendApiError(res, 400, 'error reading multipart data: no multipart boundary param in Content-Type');
  let parts;
  try { parts = parseMultipart(body, boundary); } catch (e) {
    return sendApiError(res, 400, `error reading multipart part: ${e.message}`);
  }
  // Parts in order, as the sandbox-api reads them: a `permissions` field
  // counts only for a file part after it.
  let perm = 0o644;
  let wrote = false;
  for (const p of parts) {
    if (p.name === 'permissions' && !p.filename) {
      const text = p.data.toString('utf8').trim();
      if (text) {
        try { perm = parsePermissions(text, perm); } catch (e) { return sendApiError(res, 400, e.message); }
      }
    } else if (p.name === 'file' && p.filename && !wrote) {
      try { writeFile(sb, abs, p.data, perm); } catch (e) { return sendApiError(res, 422, `error writing binary file: ${e.message}`); }
      wrote = true;
    }
  }
  if (!wrote) return sendApiError(res, 400, "missing 'file' field in multipart form");
  return sendJson(res, 200, { message: 'Binary file uploaded successfully', path });
}

/** DELETE /filesystem/{path}[?recursive=true]. */
export function deletePath(res, url, sb, path) {
  const abs = absolutePath(path);
  let r;
  try {
    r = sb.fs.resolve(abs, true);
  } catch (e) {
    if (e instanceof FsError && e.code === 'ENOENT') return sendApiError(res, 404, 'file or directory not found');
    return sendApiError(res, 422, `stat ${abs}: ${e.message}`);
  }
  if (r.kind === 'missing') return sendApiError(res, 404, 'file or directory not found');
  const dir = isDir(r);
  const what = dir ? 'directory' : 'file';
  try {
    const own = dir ? r : sb.fs.resolve(abs, false); // a link itself, not its target
    if (own.kind !== 'host' || !own.mount.rw || own.host === own.mount.host) {
      throw new Error(`unlinkat ${abs}: ${own.kind === 'host' && own.mount.rw ? 'device or resource busy' : 'read-only file system'}`);
    }
    sb.fs.guard(own);
    if (!dir) fs.unlinkSync(own.host);
    else if (url.searchParams.get('recursive') === 'true') removeTree(own.host);
    else {
      try { fs.rmdirSync(own.host); } catch (e) {
        throw new Error(`remove ${abs}: ${e.code === 'ENOTEMPTY' ? 'directory not empty' : e.message}`);
      }
    }
  } catch (e) {
    return sendApiError(res, 422, `error deleting ${what}: ${e.message}`);
  }
  return sendJson(res, 200, { message: dir ? 'Directory deleted successfully' : 'File deleted successfully', path });
}
