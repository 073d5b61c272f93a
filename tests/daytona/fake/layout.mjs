// fake/layout.mjs - what a fake sandbox's filesystem is made of, shared by
// the bubblewrap command line (what commands see) and the file API (what
// the toolbox's /files routes see), so the two views are one.
//
//   /home, /tmp             the sandbox's own directories, read-write,
//                           under its directory on the host; they outlive
//                           a stop and a start, as a Daytona sandbox's
//                           filesystem does
//   /usr, /lib, /bin, ...   the host's system directories, read-only
//   /etc/<a few entries>    read-only; passwd, group, hostname and shells
//                           are the sandbox's own (root and the sandbox user)
//
// The host's part is tests/common/fake/layout.mjs's, as for the E2B fake;
// the users differ: a Daytona
// sandbox has one user (`daytona` unless the create request names
// another), uid 1000, home /home/<user>.
import { mkdirSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { sandboxMounts } from '../../common/fake/layout.mjs';

export const SANDBOX_UID = 1000;

const ETC_OWN = ['passwd', 'group', 'hostname', 'shells'];
export const WRITABLE = ['/home', '/tmp'];

/** The sandbox user: {name, uid, gid, home}; `root` is uid 0 (home still below /home). */
export function sandboxUser(name) {
  const uid = name === 'root' ? 0 : SANDBOX_UID;
  return { name, uid, gid: uid, home: `/home/${name}` };
}

/**
 * Creates the sandbox's own directories under `dir` (once: a restarted
 * sandbox keeps them) and returns its mount table: [{at, host, rw}] for
 * directories and files, [{at, symlink}] for the host's merged-/usr links.
 */
export function createLayout(dir, hostname, user) {
  const fsRoot = join(dir, 'fs');
  mkdirSync(join(fsRoot, 'home', user.name), { recursive: true, mode: 0o755 });
  mkdirSync(join(fsRoot, 'tmp'), { recursive: true });
  chmodSync(join(fsRoot, 'tmp'), 0o1777);
  const etc = join(dir, 'etc');
  mkdirSync(etc, { recursive: true });
  const own = user.uid === 0 ? '' : `${user.name}:x:${user.uid}:${user.gid}:${user.name}:${user.home}:/bin/bash\n`;
  writeFileSync(join(etc, 'passwd'), `root:x:0:0:root:${user.uid === 0 ? user.home : '/root'}:/bin/bash\n${own}`);
  writeFileSync(join(etc, 'group'), `root:x:0:\n${user.uid === 0 ? '' : `${user.name}:x:${user.gid}:\n`}`);
  writeFileSync(join(etc, 'hostname'), hostname + '\n');
  writeFileSync(join(etc, 'shells'), '/bin/sh\n/bin/bash\n/usr/bin/bash\n');

  return sandboxMounts({ etcDir: etc, etcOwn: ETC_OWN, fsRoot, writable: WRITABLE });
}
