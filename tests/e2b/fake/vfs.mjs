// fake/vfs.mjs - the file API's view of a sandbox as envd gives it: paths
// expanded as envd's ExpandAndResolve does, directories made as its
// EnsureDirs, entries as its EntryInfo, listings as its ListDir. The
// resolution inside the sandbox's mounts (links followed in the sandbox's
// namespace, never to a host path) is tests/common/fake/sandbox-tree.mjs,
// shared with the Daytona fake. The Blaxel fake uses this one too.
import fs from 'node:fs';
import { posix } from 'node:path';
import { USERS } from './layout.mjs';
import { timestamp } from './connect.mjs';
import { FsError, SandboxTree, split, goModeString } from '../../common/fake/sandbox-tree.mjs';

export { FsError };

export class SandboxFs extends SandboxTree {
  constructor(mounts, startedMs) {
    // The host's merged-/usr links (/bin -> usr/bin) are entries of their own in listings.
    super(mounts, { reportMountLinks: true });
    this.startedMs = startedMs;
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
      name, path: vpath, type, size: st.size, mode, permissions: goModeString(st.mode),
      owner, group, mtimeMs: st.mtimeMs, symlinkTarget,
    });
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
