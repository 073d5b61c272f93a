// tests/common/fake/sandbox-tree.mjs - a sandbox's file tree as its
// commands see it, resolved to host paths without ever leaving the
// sandbox's mounts. The E2B and Blaxel fakes (tests/e2b/fake/vfs.mjs) and
// the Daytona fake (tests/daytona/fake/vfs.mjs) each add their daemon's
// own path rules and answers on top of it.
//
// Symbolic links are followed inside the sandbox's namespace, the way the
// kernel would follow them in the sandbox (an absolute target starts again
// at the sandbox's "/"), component by component with lstat, so a link a
// command planted (`ln -s / ~/x`) cannot lead the fake, which may run as
// root, to a host path. What is left is a race: a command that swaps a
// checked directory for a link between the check and the use; guard()
// checks the parent again with realpath just before the use and the
// daemons' opens add O_NOFOLLOW, which narrows the window but does not
// close it. The fakes are fixtures for trusted tests, not a boundary
// against hostile sandboxes; the commands themselves are confined by
// bubblewrap.
import fs from 'node:fs';
import { posix } from 'node:path';

const MAX_LINKS = 40;

/** A file API error: `code` is the errno name ('ENOENT', 'EROFS', ...). */
export class FsError extends Error {
  constructor(code, vpath, message) {
    super(message ?? `${code}: ${vpath}`);
    this.code = code;
    this.vpath = vpath;
  }
}

/** The components of a path, without empty and "." ones. */
export function split(p) {
  return p.split('/').filter((c) => c !== '' && c !== '.');
}

/** Go's sort of names: by their bytes. */
export function byteOrder(a, b) {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

export class SandboxTree {
  /**
   * `mounts`: the layout's entries, {at, host, rw} or {at, symlink}.
   * With `reportMountLinks`, resolve() without `follow` returns a mount
   * that is a symbolic link itself as {kind: 'virtual-link', target}.
   */
  constructor(mounts, { reportMountLinks = false } = {}) {
    // Longest `at` first, so /etc/ssl/certs wins over anything shorter.
    this.mounts = [...mounts].sort((a, b) => b.at.length - a.at.length);
    this.reportMountLinks = reportMountLinks;
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
        if (last && !follow && this.reportMountLinks) return { vpath: cand, kind: 'virtual-link', target: m.symlink };
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
    // Only "/" and paths that "..": back to a directory end here.
    return { vpath: cur, kind: this.virtual.has(cur) ? 'virtual' : 'host', ...this.hostOf(cur) };
  }

  /** The host side of a sandbox path: {host, mount, st}, nulls outside every mount. */
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

  /** Names in a resolved directory (host or virtual), in byte order as Go's ReadDir/WalkDir give them. */
  readdir(r) {
    if (r.kind === 'virtual') {
      return [...this.virtual.get(r.vpath)].filter((n) => {
        try { return this.resolve(posix.join(r.vpath, n), false).kind !== 'missing'; } catch { return false; }
      }).sort(byteOrder);
    }
    return fs.readdirSync(r.host).sort(byteOrder);
  }
}

/** Go's os.FileMode.String() for a stat mode ("drwxr-xr-x", "Lrwxrwxrwx", "dtrwxrwxrwx"). */
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
