// tests/common/fake/bwrap.mjs - the bubblewrap command line a sandbox's
// process runs under: new user (mapped to the sandbox user's uid), PID,
// IPC, UTS and network namespaces, no capabilities, dies with the fake, the
// layout the fake gives (system read-only, the sandbox's own home and /tmp
// read-write), a fresh /proc and a minimal /dev. Shared by the E2B, Daytona
// and Blaxel fakes, which run their sandbox's spawner under it
// (spawner.mjs: one bubblewrap per sandbox, commands forked inside).
//
// No network namespace is shared with the host: a command cannot reach the
// fake's own port (its admin API) or anything else. The environment goes
// to bwrap's execve, never on the command line.
import { existsSync } from 'node:fs';

let found;
/** The bwrap binary on PATH, or null. */
export function findBwrap() {
  if (found !== undefined) return found;
  found = null;
  for (const dir of (process.env.PATH || '/usr/bin:/bin').split(':')) {
    if (dir.startsWith('/') && existsSync(dir + '/bwrap')) { found = dir + '/bwrap'; break; }
  }
  return found;
}

/** argv after the bwrap binary; `argv` is the program and its arguments. */
export function bwrapArgs({ mounts, user, cwd, hostname, argv, hide = [] }) {
  const a = [
    '--unshare-user', '--uid', String(user.uid), '--gid', String(user.gid),
    '--cap-drop', 'ALL',
    '--unshare-pid', '--unshare-ipc', '--unshare-uts', '--unshare-net',
    '--die-with-parent', '--hostname', hostname,
    // fd 3 gets {"child-pid": N}: the namespace's init, whose death takes
    // every process of the namespace with it.
    '--info-fd', '3',
  ];
  // Parents before children: /etc entries need no order among themselves,
  // but a writable mount must come after nothing that hides it.
  for (const m of [...mounts].sort((x, y) => x.at.length - y.at.length)) {
    if (m.symlink !== undefined) a.push('--symlink', m.symlink, m.at);
    else a.push(m.rw ? '--bind' : '--ro-bind', m.host, m.at);
  }
  // --hide: /dev/null, which is no program, over each of those files
  for (const h of hide) a.push('--ro-bind', '/dev/null', h);
  a.push('--proc', '/proc', '--dev', '/dev');
  // The root bwrap built (mount points, /etc) is read-only.
  a.push('--remount-ro', '/');
  a.push('--chdir', cwd, '--', ...argv);
  return a;
}
