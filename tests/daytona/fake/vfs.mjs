// fake/vfs.mjs - the file API's view of a sandbox as the toolbox daemon
// gives it: relative paths from the daemon's working directory, mkdir -p
// as Go's os.MkdirAll, opens that never leave a writable mount. The
// resolution inside the sandbox's mounts (links followed in the sandbox's
// namespace, never to a host path) is tests/common/fake/sandbox-tree.mjs,
// shared with the E2B and Blaxel fakes.
import fs from 'node:fs';
import { posix } from 'node:path';
import { FsError, SandboxTree, split, goModeString } from '../../common/fake/sandbox-tree.mjs';

export { FsError, goModeString };

export class SandboxFs extends SandboxTree {
  constructor(mounts, cwd) {
    super(mounts);
    this.cwd = cwd;
  }

  /** Go's filepath.Abs in the daemon: relative paths start at its working directory. */
  absolute(path) {
    const p = path.startsWith('/') ? path : this.cwd + '/' + path;
    return posix.normalize(p).replace(/(.)\/$/, '$1');
  }

  /** resolve() that throws ENOENT for a missing entry. */
  existing(path, follow = true) {
    const r = this.resolve(path, follow);
    if (r.kind === 'missing') throw new FsError('ENOENT', path);
    return r;
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

  /** os.Stat of a sandbox path (links followed): {name, st, virtual}. */
  stat(vpath) {
    const r = this.existing(vpath, true);
    if (r.kind === 'virtual') return { r, name: posix.basename(vpath) || '/', st: null };
    return { r, name: posix.basename(vpath) || '/', st: fs.statSync(r.host, { bigint: true }) };
  }
}
