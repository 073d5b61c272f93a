// fake/vfs.mjs - the file API's view of a sandbox: paths as a process in
// the sandbox sees them, resolved to host paths without ever leaving the
// sandbox's mounts. The resolution is that of tests/e2b/fake/vfs.mjs (a
// candidate for a shared helper): links are followed inside the sandbox's
// namespace, component by component with lstat, so a link a command
// planted (`ln -s / ~/x`) cannot lead the fake, which may run as root, to
// a host path. A command that swaps a checked directory for a link between
// the check and the use can still race it; the fake is a fixture for
// trusted tests, and the commands themselves are confined by bubblewrap.
import fs from 'node:fs';
import { posix } from 'node:path';

const MAX_LINKS = 40;

export class FsError extends Error {
  constructor(code, vpath, message) {
    super(message ?? `${code}: ${vpath}`);
    this.code = code; // 'ENOENT', 'EROFS', 'ENOTDIR', 'ELOOP', 'EXDEV', 'EACCES'
    this.vpath = vpath;
  }
}

function split(p) {
  return p.split('/').filter((c) => c !== '' && c !== '.');
}

export class SandboxFs {
  constructor(mounts, cwd) {
    // Longest `at` first, so /etc/ssl/certs wins over anything shorter.
    this.mounts = [...mounts].sort((a, b) => b.at.length - a.at.length);
    this.cwd = cwd;
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

  /** Go's filepath.Abs in the daemon: relative paths start at its working directory. */
  absolute(path) {
    const p = path.startsWith('/') ? path : this.cwd + '/' + path;
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
    if (this.virtual.has(cur)) return { vpath: cur, kind: 'virtual', host: null, mount: null };
    const m = this.mountOf(cur);
    const host = m.host + cur.slice(m.at.length);
    return { vpath: cur, kind: 'host', host, mount: m, st: fs.lstatSync(host) };
  }

  /** resolve() that throws ENOENT for a missing entry. */
  existing(path, follow = true) {
    const r = this.resolve(path, follow);
    if (r.kind === 'missing') throw new FsError('ENOENT', path);
    return r;
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

  /** Throws EROFS unless `r` lies in a writable mount (and is not a mount point). */
  writable(r) {
    if (!r.mount || !r.mount.rw || r.host === r.mount.host) {
      throw new FsError('EROFS', r.vpath, `${r.vpath}: read-only file system`);
    }
    this.guard(r);
  }

  /**
   * Opens a sandbox file on the host: resolved inside the sandbox, opened
   * with O_NOFOLLOW, written only inside a writable mount.
   */
  openHost(vpath, flags, mode = 0o644) {
    const { O_WRONLY, O_RDWR, O_CREAT, O_TRUNC, O_APPEND, O_NOFOLLOW } = fs.constants;
    const r = this.resolve(vpath, true);
    if (r.kind === 'virtual') throw new FsError('EISDIR', vpath, `open ${vpath}: is a directory`);
    if (r.kind === 'missing' && !(flags & O_CREAT)) throw new FsError('ENOENT', vpath, `open ${vpath}: no such file or directory`);
    if (flags & (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND)) this.writable(r);
    else this.guard(r);
    return fs.openSync(r.host, flags | O_NOFOLLOW, mode);
  }

  /** Go's os.MkdirAll: every missing directory of an absolute path, with `mode`. */
  mkdirAll(vpath, mode) {
    let p = '';
    for (const c of split(vpath)) {
      p += '/' + c;
      const r = this.resolve(p, true);
      if (r.kind === 'missing') {
        this.writable(r);
        fs.mkdirSync(r.host, { mode });
      } else if (r.kind === 'host' && !r.st.isDirectory()) {
        throw new FsError('ENOTDIR', p, `mkdir ${p}: not a directory`);
      }
    }
  }

  /** Names in a directory (host or virtual), sorted as Go's os.ReadDir does. */
  readdir(r) {
    if (r.kind === 'virtual') {
      return [...this.virtual.get(r.vpath)].filter((n) => {
        try { return this.resolve(posix.join(r.vpath, n), false).kind !== 'missing'; } catch { return false; }
      }).sort(byteOrder);
    }
    return fs.readdirSync(r.host).sort(byteOrder);
  }

  /** os.Stat of a sandbox path (links followed): {name, st, virtual}. */
  stat(vpath) {
    const r = this.existing(vpath, true);
    if (r.kind === 'virtual') return { r, name: posix.basename(vpath) || '/', st: null };
    return { r, name: posix.basename(vpath) || '/', st: fs.statSync(r.host, { bigint: true }) };
  }
}

function byteOrder(a, b) {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** Go's os.FileMode.String() for a stat result ("drwxr-xr-x", "dtrwxrwxrwx"). */
export function goModeString(mode) {
  const S = fs.constants;
  const m = Number(mode);
  let head = '';
  const fmt = m & S.S_IFMT;
  if (fmt === S.S_IFDIR) head += 'd';
  if (fmt === S.S_IFLNK) head += 'L';
  if (fmt === S.S_IFBLK || fmt === S.S_IFCHR) head += 'D';
  if (fmt === S.S_IFIFO) head += 'p';
  if (fmt === S.S_IFSOCK) head += 'S';
  if (m & 0o4000) head += 'u';
  if (m & 0o2000) head += 'g';
  if (fmt === S.S_IFCHR) head += 'c';
  if (m & 0o1000) head += 't';
  if (head === '') head = '-';
  const rwx = 'rwxrwxrwx';
  let perm = '';
  for (let i = 0; i < 9; i++) perm += m & (1 << (8 - i)) ? rwx[i] : '-';
  return head + perm;
}
