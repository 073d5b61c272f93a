// fake/jail.mjs - one program run in a sandbox (a session's shell, or the
// shell of one process/execute call), and the one way to end it.
//
// A sandbox's programs are forked by its spawner inside its one long-lived
// bubblewrap (tests/common/fake/spawner.mjs), as Daytona's daemon runs its
// session shells inside the sandbox's container: they share its PID
// namespace, each is a process group of its own. The environment (the
// sandbox's env, a request's envs) goes to the spawner in its request
// frame and from there to the program's execve only: bwrap, on the host,
// runs with PATH alone, and no value shows on a command line.
//
// With --mount-ns a program instead enters the sandbox's holder with
// nsenter (tests/e2b/fake/mountns.mjs); its environment travels
// NUL-separated on fd 4 to a bash prelude inside that exports it and execs
// the program, for the same reasons.
import { spawn } from 'node:child_process';
import { nsenterArgs } from '../../e2b/fake/mountns.mjs';
import { Spawner } from '../../common/fake/spawner.mjs';
import { processTree, killTree, freezeTree, thawTree } from '../../common/fake/proc-tree.mjs';

const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
// Inside the sandbox: an empty environment, then the variables of fd 4, then the program.
const PRELUDE = 'for v in $(compgen -e); do unset "$v"; done; ' +
  'while IFS= read -r -d "" kv; do export "$kv"; done <&4; exec 4<&-; exec "$@"';

/** The sandbox's spawner (one per sandbox: it has one user), started with its first program. */
export function sandboxSpawner(sandbox) {
  sandbox.spawner ??= new Spawner({
    mounts: sandbox.mounts, user: sandbox.osUser, hostname: sandbox.hostname, hide: sandbox.registry.hide,
  });
  return sandbox.spawner;
}

export class Jail {
  /**
   * Starts `argv` in `sandbox` (its mounts, user, hostname, env) with
   * `cwd` and the extra `env`; stdin, stdout and stderr are pipes. Throws
   * when the spawner cannot start or refuses the request.
   */
  constructor(sandbox, argv, { cwd, env = {} }) {
    const u = sandbox.osUser;
    const inner = {
      PATH, HOME: u.home, USER: u.name, LOGNAME: u.name, SHELL: '/bin/bash', HOSTNAME: sandbox.hostname,
      ...sandbox.env, ...env,
    };
    this.spawner = sandbox.holder ? null : sandboxSpawner(sandbox);
    if (this.spawner) {
      this.child = this.spawner.spawn({ argv, env: inner, cwd, stdin: true });
    } else {
      // --mount-ns: in the sandbox's own namespaces (the holder is their
      // init; a kill ends the program's own tree, and what left it, a
      // FUSE daemon, stays as in a real sandbox)
      const prelude = ['/bin/bash', '-c', PRELUDE, 'jail', ...argv];
      this.child = spawn('nsenter', nsenterArgs({ holder: sandbox.holder, user: u, cwd, argv: prelude }),
        { env: { PATH }, stdio: ['pipe', 'pipe', 'pipe', 'ignore', 'pipe'] });
      const envPipe = this.child.stdio[4];
      envPipe.on('error', () => {});
      envPipe.end(Object.entries(inner).map(([k, v]) => `${k}=${v}\0`).join(''));
      this.child.on('error', () => {});
    }
    this.exited = false;
    this.child.stdin.on('error', () => {}); // EPIPE after the program exited
    // `lost`: why the spawner ended under the program (it was killed with it)
    this.done = new Promise((resolve) => this.child.on('close', (code, signal) => {
      this.exited = true;
      resolve({ code, signal, lost: this.child.lost ?? null });
    }));
  }

  /**
   * SIGKILL to everything the program started: its process tree (stopped
   * first, so nothing forks past the kill) and its process group, what
   * left the tree included; resolves once it exited.
   */
  kill() {
    if (this.exited) return this.done;
    if (this.spawner) {
      const [root] = this.spawner.hostPids(this.child);
      if (root) killTree(root);
      this.child.kill('SIGKILL');
    } else {
      killTree(this.child.pid);
    }
    return this.done;
  }

  /** --mount-ns only: the program's tree stopped (SIGSTOP), memory kept; the spawner freezes a whole sandbox. */
  freeze() {
    if (!this.exited && !this.spawner) freezeTree(this.child.pid);
  }

  /** The resume: what `freeze` stopped runs on (SIGCONT). */
  thaw() {
    if (!this.exited && !this.spawner) thawTree(this.child.pid);
  }

  /** Host pids of the program and everything below it (for the admin API). */
  hostPids() {
    if (this.exited) return [];
    return this.spawner ? this.spawner.hostPids(this.child) : processTree(this.child.pid);
  }
}
