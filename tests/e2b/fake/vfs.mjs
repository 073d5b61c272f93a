// fake/vfs.mjs - the file API's view of a sandbox: paths as a command in
// the sandbox sees them, resolved to host paths without ever leaving the
// sandbox's mounts.
//
// Symbolic links are followed inside the sandbox's namespace, the way the
// kernel would follow them in the sandbox (an absolute target starts again
// at the sandbox's "/"), component by component with lstat, so a link a
// command planted (`ln -s / /home/user/x`) cannot lead the fake, which may
// run as root, to a host path. What is left is a race: a command that
// swaps a checked directory for a link between the check and the open; the
// final open uses O_NOFOLLOW and the parent is checked again with realpath,
// which narrows the window but does not close it. The fake is a test
// fixture for trusted tests, not a boundary against hostile sandboxes; the
// commands themselves are confined by bubblewrap.
import fs from 'node:fs';
import { posix } from 'node:path';
import { USERS } from './layout.mjs';
import { timestamp } from './connect.mjs';

const MAX_LINKS = 40;

export class FsError extends Error {
  constructor(errno, vpath, message) {
    super(message ?? `${errno}: ${vpath}`);
    this.errno = errno; // 'ENOENT', 'EROFS', 'ENOTDIR', 'EISDIR', 'ELOOP', 'EXDEV', 'EBUSY', 'EEXIST'
    this.vpath = vpath;
  }
}

function split(p) {
  return p.split('/').filter((c) => c !== '' && c !== '.');
}

export class SandboxFs {
  constructor(mounts, startedMs) {
    // Longest `at` first, so /etc/ssl/certs wins over anything shorter.
    this.mounts = [...mounts].sort((a, b) => b.at.length - a.at.length);
    this.startedMs = startedMs;
    // Directories that exist only because mounts sit below them: /, /etc, /etc/ssl.
    this.virtual = new Map();
    for (const m of mounts) {
      let child = m.at;
      for (let p = posix.dirname(m.at); ; p = posix.dirname(p)) {
        if (!this.virtual.has(p)) this.virtual.set(p, new Set());
        this.virtual.get(p).add(posix.basename(child));
        if (p === '/') break;
        child = p;
      }
    }
  }

  /** envd's ExpandAndResolve: ~ and relative paths start at the user's home. */
  absolute(path, user) {
    const home = USERS[user].home;
    let p = path ?? '';
    if (p === '') p = home;
    if (p[0] === '~') {
      if (p.length > 1 && p[1] !== '/') throw new FsError('EINVAL', p, `failed to expand path '${p}' for user '${user}': cannot expand user-specific home dir`);
      p = home + p.slice(1);
    }
    if (!p.startsWith('/')) p = home + '/' + p;
    return posix.normalize(p).replace(/(.)\/$/, '$1');
  }

  mountOf(vpath) {
    for (const m of this.mounts) {
      if (vpath === m.at || vpath.startsWith(m.at + '/')) return m;
    }
    return null;
  }

  /**
   * Resolves an absolute sandbox path. With `follow`, a link in the last
   * component is followed too. Returns {vpath, kind: 'host'|'virtual',
   * host, mount, st} for an existing entry, or {vpath, kind: 'missing',
   * host, mount} when only the last component is missing (its parent
   * exists and is a directory); throws FsError otherwise.
   */
  resolve(path, follow = true) {
    let todo = split(path);
    let cur = '/';
    let links = 0;
    while (todo.length) {
      const comp = todo.shift();
      const last = todo.length === 0;
      if (comp === '..') { cur = posix.dirname(cur); continue; }
      const cand = cur === '/' ? '/' + comp : cur + '/' + comp;
      const m = this.mountOf(cand);
      if (m && m.symlink !== undefined && m.at === cand) {
        if (last && !follow) return { vpath: cand, kind: 'virtual-link', target: m.symlink };
        if (++links > MAX_LINKS) throw new FsError('ELOOP', path);
        todo = [...split(m.symlink), ...todo];
        if (m.symlink.startsWith('/')) cur = '/';
        continue;
      }
      if (!m) {
        if (this.virtual.has(cand)) { cur = cand; continue; }
        if (last) return { vpath: cand, kind: 'missing', host: null, mount: null };
        throw new FsError('ENOENT', path);
      }
      const host = m.host + cand.slice(m.at.length);
      let st;
      try {
        st = fs.lstatSync(host);
      } catch (e) {
        if (e.code !== 'ENOENT') throw new FsError(e.code, path, e.message);
        if (last) return { vpath: cand, kind: 'missing', host, mount: m };
        throw new FsError('ENOENT', path);
      }
      if (st.isSymbolicLink() && (follow || !last)) {
        if (++links > MAX_LINKS) throw new FsError('ELOOP', path);
        const target = fs.readlinkSync(host);
        todo = [...split(target), ...todo];
        if (target.startsWith('/')) cur = '/';
        continue;
      }
      if (!last && !st.isDirectory()) throw new FsError('ENOTDIR', path);
      cur = cand;
      if (last) return { vpath: cand, kind: 'host', host, mount: m, st };
    }
    return { vpath: cur, kind: this.virtual.has(cur) ? 'virtual' : 'host', ...this.hostOf(cur) };
  }

  hostOf(vpath) {
    const m = this.mountOf(vpath);
    if (!m || m.symlink !== undefined) return { host: null, mount: null };
    const host = m.host + vpath.slice(m.at.length);
    return { host, mount: m, st: fs.lstatSync(host) };
  }

  /**
   * Checks, just before it is used, that a resolved host path still lies
   * where resolve() found it: its parent's real path is inside its mount.
   */
  guard(r) {
    if (r.host === r.mount.host) return;
    const base = fs.realpathSync(r.mount.host);
    const parent = fs.realpathSync(posix.dirname(r.host));
    if (parent !== base && !parent.startsWith(base + '/')) {
      throw new FsError('EXDEV', r.vpath, `path '${r.vpath}' changed while it was used`);
    }
  }

  writable(r) {
    if (!r.mount || !r.mount.rw) throw new FsError('EROFS', r.vpath, `open ${r.vpath}: read-only file system`);
    this.guard(r);
  }

  /** envd's EnsureDirs: every missing directory of an absolute path. */
  ensureDirs(vpath) {
    const parts = split(vpath);
    let p = '';
    for (const c of parts) {
      p += '/' + c;
      const r = this.resolve(p, true);
      if (r.kind === 'missing') {
        this.writable(r);
        fs.mkdirSync(r.host, { mode: 0o755 });
      } else if (r.kind === 'host' && !r.st.isDirectory()) {
        throw new FsError('ENOTDIR', p, `path is a file: ${p}`);
      }
    }
  }

  /** EntryInfo of `vpath` (not following a last link), proto3 JSON. */
  entryInfo(vpath, user, resolved) {
    const r = resolved ?? this.resolve(vpath, false);
    const name = vpath === '/' ? '/' : posix.basename(vpath);
    if (r.kind === 'missing') throw new FsError('ENOENT', vpath);
    if (r.kind === 'virtual' || r.kind === 'virtual-link') {
      const link = r.kind === 'virtual-link';
      let target = null;
      if (link) {
        try { target = this.resolve(vpath, true); } catch { target = null; }
      }
      return protoEntry({
        name, path: vpath, type: link ? (target ? typeOf(target) : 0) : 2,
        size: link ? r.target.length : 4096, mode: link ? 0o777 : 0o755,
        permissions: link ? 'Lrwxrwxrwx' : 'drwxr-xr-x', owner: 'root', group: 'root',
        mtimeMs: this.startedMs, symlinkTarget: link ? (target ? target.vpath : vpath) : undefined,
      });
    }
    const st = r.st;
    let type = typeOf(r);
    let mode = st.mode & 0o777;
    let symlinkTarget;
    if (st.isSymbolicLink()) {
      try {
        const t = this.resolve(vpath, true);
        symlinkTarget = t.vpath;
        type = t.kind === 'missing' ? 0 : typeOf(t);
        mode = t.kind === 'missing' ? 0 : (t.st ? t.st.mode & 0o777 : 0o755);
      } catch {
        symlinkTarget = vpath;
        type = 0;
        mode = 0;
      }
    }
    const owner = r.mount.rw ? user : (st.uid === 0 ? 'root' : String(st.uid));
    const group = r.mount.rw ? user : (st.gid === 0 ? 'root' : String(st.gid));
    return protoEntry({
      name, path: vpath, type, size: st.size, mode, permissions: goModeString(st),
      owner, group, mtimeMs: st.mtimeMs, symlinkTarget,
    });
  }

  /** Names in a directory (host or virtual), sorted as Go's WalkDir does. */
  readdir(r) {
    if (r.kind === 'virtual') return [...this.virtual.get(r.vpath)].filter((n) => {
      try { return this.resolve(posix.join(r.vpath, n), false).kind !== 'missing'; } catch { return false; }
    }).sort(byteOrder);
    return fs.readdirSync(r.host).sort(byteOrder);
  }

  /** envd's ListDir: entries below `dir` down to `depth` levels, links not followed. */
  listDir(dir, depth, user) {
    const r = this.resolve(dir, true);
    if (r.kind === 'missing') throw new FsError('ENOENT', dir, `directory not found: ${dir}`);
    if (r.kind === 'host' && !r.st.isDirectory()) throw new FsError('ENOTDIR', dir, `path is not a directory: ${r.vpath}`);
    const out = [];
    const walk = (vdir, rd, level) => {
      for (const n of this.readdir(rd)) {
        const vp = vdir === '/' ? '/' + n : vdir + '/' + n;
        const cr = this.resolve(vp, false);
        out.push(this.entryInfo(vp, user, cr));
        if (level < depth && (cr.kind === 'virtual' || (cr.kind === 'host' && cr.st.isDirectory()))) {
          walk(vp, cr, level + 1);
        }
      }
    };
    walk(r.vpath, r, 1);
    return out;
  }
}

function byteOrder(a, b) {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

// FileType enum: 0 unspecified, 1 file, 2 directory, 3 symlink.
function typeOf(r) {
  if (r.kind === 'virtual') return 2;
  if (!r.st) return 0;
  if (r.st.isFile()) return 1;
  if (r.st.isDirectory()) return 2;
  if (r.st.isSymbolicLink()) return 3;
  return 0;
}
const TYPE_NAMES = ['FILE_TYPE_UNSPECIFIED', 'FILE_TYPE_FILE', 'FILE_TYPE_DIRECTORY', 'FILE_TYPE_SYMLINK'];

/** Go's os.FileMode.String() for an lstat result ("drwxr-xr-x", "Lrwxrwxrwx"). */
export function goModeString(st) {
  const S = fs.constants;
  let head = '';
  const fmt = st.mode & S.S_IFMT;
  if (fmt === S.S_IFDIR) head += 'd';
  if (fmt === S.S_IFLNK) head += 'L';
  if (fmt === S.S_IFBLK || fmt === S.S_IFCHR) head += 'D';
  if (fmt === S.S_IFIFO) head += 'p';
  if (fmt === S.S_IFSOCK) head += 'S';
  if (st.mode & 0o4000) head += 'u';
  if (st.mode & 0o2000) head += 'g';
  if (fmt === S.S_IFCHR) head += 'c';
  if (st.mode & 0o1000) head += 't';
  if (head === '') head = '-';
  const rwx = 'rwxrwxrwx';
  let perm = '';
  for (let i = 0; i < 9; i++) perm += st.mode & (1 << (8 - i)) ? rwx[i] : '-';
  return head + perm;
}

function protoEntry(e) {
  const out = { name: e.name };
  if (e.type) out.type = TYPE_NAMES[e.type];
  out.path = e.path;
  if (e.size) out.size = String(e.size);
  if (e.mode) out.mode = e.mode;
  if (e.permissions) out.permissions = e.permissions;
  if (e.owner) out.owner = e.owner;
  if (e.group) out.group = e.group;
  if (e.mtimeMs) out.modifiedTime = timestamp(e.mtimeMs);
  if (e.symlinkTarget !== undefined) out.symlinkTarget = e.symlinkTarget;
  return out;
}
