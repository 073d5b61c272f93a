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
// Same idea as tests/e2b/fake/layout.mjs; the users differ: a Daytona
// sandbox has one user (`daytona` unless the create request names
// another), uid 1000, home /home/<user>.
import { lstatSync, readlinkSync, mkdirSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';

export const SANDBOX_UID = 1000;

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
