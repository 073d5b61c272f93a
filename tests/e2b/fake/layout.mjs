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
// Nothing else of the host is visible; /proc and /dev are private to each
// command and not served by the file API.
import { lstatSync, readlinkSync, mkdirSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';

export const USERS = {
  root: { name: 'root', uid: 0, gid: 0, home: '/root' },
  user: { name: 'user', uid: 1000, gid: 1000, home: '/home/user' },
};
export const DEFAULT_USER = 'user';

const SYSTEM_DIRS = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];

// The parts of /etc programs need, and no secrets (no shadow, no keys).
const ETC_ENTRIES = [
  'alternatives', 'ssl/certs', 'ssl/openssl.cnf', 'ca-certificates',
  'ca-certificates.conf', 'hosts', 'nsswitch.conf', 'ld.so.cache',
  'ld.so.conf', 'ld.so.conf.d', 'localtime', 'timezone', 'os-release',
  'debian_version', 'mime.types', 'protocols', 'services', 'profile',
  'bash.bashrc', 'environment', 'inputrc', 'terminfo', 'magic',
  'locale.alias', 'gai.conf', 'host.conf',
];
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

  const mounts = [];
  for (const d of SYSTEM_DIRS) {
    let st;
    try { st = lstatSync(d); } catch { continue; }
    if (st.isSymbolicLink()) mounts.push({ at: d, symlink: readlinkSync(d) });
    else if (st.isDirectory()) mounts.push({ at: d, host: d, rw: false });
  }
  for (const e of ETC_ENTRIES) {
    const host = '/etc/' + e;
    try { lstatSync(host); } catch { continue; }
    mounts.push({ at: host, host, rw: false });
  }
  for (const e of ETC_OWN) mounts.push({ at: '/etc/' + e, host: join(etc, e), rw: false });
  for (const w of WRITABLE) mounts.push({ at: w, host: join(fsRoot, w.slice(1)), rw: true });
  return mounts;
}
