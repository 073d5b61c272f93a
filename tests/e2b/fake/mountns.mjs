// fake/mountns.mjs - the fake's second way of running a sandbox's
// commands (`--mount-ns`, root only): all of one sandbox's commands share
// one private mount namespace and one PID namespace, held open by a
// holder process, so a FUSE mount one command makes (s3fs against the
// project's S3 test server) is there for the next, as in a real VM.
//
// The holder binds the sandbox's own /home, /root and /tmp over the
// host's inside that namespace (the file API serves the same
// directories), and /dev/null over each hidden program (`--hide NAME`).
// Everything else is the host's, with the host's network: this mode is for
// the mount tests, not for isolation. Commands run as the requested user
// (setpriv) through nsenter. The holder is the PID namespace's init: when
// it ends (its stdin, a pipe from the fake, closes: the fake exited or the
// sandbox was killed) the kernel kills everything left in it, s3fs
// included, and the namespace and its mounts go with them.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';

const pause1ms = () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
const BIN_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

// $1 the ready file, $2 the sandbox's fs root, then the files to hide.
// /tmp last: the sandbox's directory may lie below the host's /tmp.
const HOLDER = `set -e
exec 3>"$1"; r=$2; shift 2
mount --bind "$r/home" /home
mount --bind "$r/root" /root
for f; do mount --bind /dev/null "$f"; done
mount --bind "$r/tmp" /tmp
echo ok >&3; exec 3>&-
read x || true
`;

/** Every file on the command search path named one of `names`, once. */
export function hiddenPaths(names) {
  const out = new Set();
  for (const n of names) {
    for (const d of BIN_DIRS) {
      const p = join(d, n);
      if (existsSync(p)) out.add(realpathSync(p));
    }
  }
  return [...out];
}

/** Whether this fake can hold mount namespaces: root, unshare, nsenter. */
export function mountNsUsable() {
  if (process.getuid() !== 0) return 'needs root';
  for (const t of ['unshare', 'nsenter', 'setpriv']) {
    if (!BIN_DIRS.some((d) => existsSync(join(d, t)))) return `needs ${t}`;
  }
  return null;
}

/**
 * Starts the holder of sandbox directory `dir` (its fs root below it) and
 * waits until its binds are made; returns {pid (the namespace's init, a
 * host pid), stop()}.
 */
export function startHolder(dir, hide) {
  const ready = join(dir, 'ns-ready');
  const child = spawn('unshare', ['--mount', '--pid', '--fork', '--kill-child',
    '--propagation', 'private', '--', '/bin/sh', '-c', HOLDER, 'holder', ready,
    join(dir, 'fs'), ...hide], { stdio: ['pipe', 'ignore', 'inherit'] });
  child.on('error', () => {});
  child.stdin.on('error', () => {});
  let init = null;
  for (let i = 0; i < 5000 && !init; i++) {
    let text = '';
    try { text = readFileSync(ready, 'utf8'); } catch { /* not yet */ }
    if (text.startsWith('ok')) {
      try {
        init = Number(readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/)[0]) || null;
      } catch { /* gone */ }
    }
    if (!init) pause1ms();
  }
  if (!init) {
    child.kill('SIGKILL');
    throw new Error('the mount namespace holder did not start');
  }
  return {
    pid: init,
    // Its stdin's end ends the init (and with it the namespace); a
    // SIGKILL only if that did not happen within 2 s.
    stop() {
      child.stdin.end();
      if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
      return new Promise((r) => {
        const t = setTimeout(() => {
          try { process.kill(init, 'SIGKILL'); } catch { /* gone */ }
        }, 2000);
        child.once('close', () => { clearTimeout(t); r(); });
      });
    },
  };
}

/** The command line (after 'nsenter') that runs argv in holder's namespaces. */
export function nsenterArgs({ holder, user, cwd, argv }) {
  const a = ['-t', String(holder.pid), '-m', '-p', '--'];
  if (user.uid !== 0) {
    a.push('setpriv', `--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups');
  }
  a.push('/bin/sh', '-c', 'cd "$0" && exec "$@"', cwd, ...argv);
  return a;
}
