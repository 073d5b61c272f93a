// fake/mountns.mjs - the fake's second way of running a sandbox's
// commands (`--mount-ns`, root only), shared with the Blaxel fake: all of
// one sandbox's commands share one private mount namespace and one PID
// namespace, held open by a holder process, so a FUSE mount one command
// makes (s3fs against the project's S3 test server) is there for the
// next, as in a real VM.
//
// The holder builds a root of its own below the sandbox's directory
// (`nsroot`): every top-level directory of the host bound in (system,
// /proc, /dev, the rest), then the sandbox's writable directories of its
// layout (/home, /root, /tmp, Blaxel's /blaxel) bound over them, and
// /dev/null over each hidden program (`--hide NAME`); it chroots there.
// Commands enter its namespaces and root through nsenter and run as the
// requested user (setpriv). The host's network and everything not
// replaced stay visible: this mode is for the mount tests, not for
// isolation. The holder is the PID namespace's init: when it ends (its
// stdin, a pipe from the fake, closes: the fake exited or the sandbox was
// killed) the kernel kills everything left in it, s3fs included, and the
// namespace and its mounts go with them; the host never sees a mount.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';

const pause1ms = () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
const BIN_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

// $1 the ready file, $2 the new root, $3 N, then N pairs HOST AT (the
// writable directories), then the files to hide.
const HOLDER = `exec 3>"$1"; R=$2; n=$3; shift 3
mkdir -p "$R" || exit 1
for e in /*; do
  b=\${e#/}
  if [ -L "$e" ]; then ln -s "$(readlink "$e")" "$R/$b"
  elif [ -d "$e" ]; then mkdir -p "$R/$b" && mount --rbind "$e" "$R/$b"
  fi
done
while [ "$n" -gt 0 ]; do
  mkdir -p "$R$2" && mount --bind "$1" "$R$2" || exit 1
  shift 2; n=$((n - 1))
done
for f; do mount --bind /dev/null "$R$f" || exit 1; done
echo ok >&3; exec 3>&-
exec chroot "$R" /bin/sh -c 'read x || true'
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
  for (const t of ['unshare', 'nsenter', 'setpriv', 'chroot']) {
    if (!BIN_DIRS.some((d) => existsSync(join(d, t)))) return `needs ${t}`;
  }
  return null;
}

/**
 * Starts the holder of sandbox directory `dir` with its layout's
 * `mounts` ({at, host, rw}: the rw ones are bound in) and waits until its
 * root is built; returns {pid (the namespace's init, a host pid), stop()}.
 */
export function startHolder(dir, mounts, hide) {
  const ready = join(dir, 'ns-ready');
  const binds = mounts.filter((m) => m.rw && m.host).flatMap((m) => [m.host, m.at]);
  const child = spawn('unshare', ['--mount', '--pid', '--fork', '--kill-child',
    '--propagation', 'private', '--', '/bin/sh', '-c', HOLDER, 'holder', ready,
    join(dir, 'nsroot'), String(binds.length / 2), ...binds, ...hide],
  { stdio: ['pipe', 'ignore', 'inherit'] });
  child.on('error', () => {});
  child.stdin.on('error', () => {});
  let init = null;
  for (let i = 0; i < 5000 && !init && child.exitCode === null; i++) {
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
  const a = ['-t', String(holder.pid), '-m', '-p', '-r', '--'];
  if (user.uid !== 0) {
    a.push('setpriv', `--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups');
  }
  a.push('/bin/sh', '-c', 'cd "$0" && exec "$@"', cwd, ...argv);
  return a;
}
