// tests/common/fake/layout.mjs - the host's part of a fake sandbox's
// filesystem, the same for the E2B and Daytona fakes (and Blaxel's, which
// builds on E2B's): the host's system directories and the parts of /etc
// programs need, read-only, beside what each fake makes the sandbox's own.
// Nothing else of the host is visible.
import { lstatSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

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

/**
 * A sandbox's mount table: [{at, host, rw}] for directories and files,
 * [{at, symlink}] for the host's merged-/usr links. The host's system
 * directories and /etc entries read-only; the sandbox's own /etc files
 * `etcOwn` from `etcDir`, read-only; its `writable` directories below
 * `fsRoot`, read-write.
 */
export function sandboxMounts({ etcDir, etcOwn, fsRoot, writable }) {
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
  for (const e of etcOwn) mounts.push({ at: '/etc/' + e, host: join(etcDir, e), rw: false });
  for (const w of writable) mounts.push({ at: w, host: join(fsRoot, w.slice(1)), rw: true });
  return mounts;
}
