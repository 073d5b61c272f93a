// fake/layout.mjs - what a fake sandbox's filesystem is made of, shared by
// the bubblewrap command line (what commands see) and the file API (what
// envd's /files and Filesystem service see), so the two views are one.
//
//   /home, /root, /tmp      the sandbox's own directories, read-write,
//                           under its temporary directory on the host
//   /usr, /lib, /bin, ...   the host's system directories, read-only
//   /etc/<a few entries>    read-only; passwd, group and hostname are the
//                           sandbox's own (users root:0 and user:1000)
//
// Nothing else of the host is visible (tests/common/fake/layout.mjs makes
// the host's part); /proc and /dev are private to each command and not
// served by the file API.
import { mkdirSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { sandboxMounts } from '../../common/fake/layout.mjs';

export const USERS = {
  root: { name: 'root', uid: 0, gid: 0, home: '/root' },
  user: { name: 'user', uid: 1000, gid: 1000, home: '/home/user' },
};
export const DEFAULT_USER = 'user';

const ETC_OWN = ['passwd', 'group', 'hostname'];
export const WRITABLE = ['/home', '/root', '/tmp'];

/**
 * Creates the sandbox's own directories under `dir` and returns its mount
 * table: [{at, host, rw}] for directories and files, [{at, symlink}] for
 * the host's merged-/usr links.
 */
export function createLayout(dir, hostname) {
  const fsRoot = join(dir, 'fs');
  for (const d of ['home/user', 'root', 'tmp']) mkdirSync(join(fsRoot, d), { recursive: true, mode: 0o755 });
  chmodSync(join(fsRoot, 'root'), 0o700);
  chmodSync(join(fsRoot, 'tmp'), 0o1777);
  const etc = join(dir, 'etc');
  mkdirSync(etc);
  writeFileSync(join(etc, 'passwd'),
    Object.values(USERS).map((u) => `${u.name}:x:${u.uid}:${u.gid}:${u.name}:${u.home}:/bin/bash\n`).join(''));
  writeFileSync(join(etc, 'group'),
    Object.values(USERS).map((u) => `${u.name}:x:${u.gid}:\n`).join(''));
  writeFileSync(join(etc, 'hostname'), hostname + '\n');

  return sandboxMounts({ etcDir: etc, etcOwn: ETC_OWN, fsRoot, writable: WRITABLE });
}
