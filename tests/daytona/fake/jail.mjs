// fake/jail.mjs - one program run under bubblewrap in a sandbox (a
// session's shell, or the shell of one process/execute call), and the one
// way to end it: SIGKILL to its whole PID namespace.
//
// The program's environment (the sandbox's env, a request's envs) never
// reaches bwrap, which runs on the host: bwrap gets PATH alone, and the
// variables travel NUL-separated on fd 4 to a bash prelude inside the
// sandbox that exports them and then execs the program. So a client's
// LD_PRELOAD or similar acts on the sandboxed program only, and no value
// shows on a command line.
import { spawn } from 'node:child_process';
import { bwrapArgs, findBwrap } from '../../common/fake/bwrap.mjs';
import { nsenterArgs } from '../../e2b/fake/mountns.mjs';
import { processTree, killTree, freezeTree, thawTree } from '../../common/fake/proc-tree.mjs';

const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
// Inside the sandbox: an empty environment, then the variables of fd 4, then the program.
const PRELUDE = 'for v in $(compgen -e); do unset "$v"; done; ' +
  'while IFS= read -r -d "" kv; do export "$kv"; done <&4; exec 4<&-; exec "$@"';

export class Jail {
  /**
   * Starts `argv` in `sandbox` (its mounts, user, hostname, env) with
   * `cwd` and the extra `env`; stdin, stdout and stderr are pipes.
   */
  constructor(sandbox, argv, { cwd, env = {} }) {
    const bwrap = findBwrap();
    if (!bwrap && !sandbox.holder) throw new Error("'bwrap' not found on PATH");
    const u = sandbox.osUser;
    const inner = {
      PATH, HOME: u.home, USER: u.name, LOGNAME: u.name, SHELL: '/bin/bash', HOSTNAME: sandbox.hostname,
      ...sandbox.env, ...env,
    };
    const prelude = ['/bin/bash', '-c', PRELUDE, 'jail', ...argv];
    // --mount-ns: in the sandbox's own namespaces, no info fd (the
    // holder is their init; a kill ends the program's own tree, and what
    // left it, a FUSE daemon, stays as in a real sandbox)
    this.child = sandbox.holder
      ? spawn('nsenter', nsenterArgs({ holder: sandbox.holder, user: u, cwd, argv: prelude }),
        { env: { PATH }, stdio: ['pipe', 'pipe', 'pipe', 'ignore', 'pipe'] })
      : spawn(bwrap, bwrapArgs({
        mounts: sandbox.mounts, user: u, cwd, hostname: sandbox.hostname, argv: prelude,
        hide: sandbox.registry.hide,
      }), { env: { PATH }, stdio: ['pipe', 'pipe', 'pipe', 'pipe', 'pipe'] });
    const envPipe = this.child.stdio[4];
    envPipe.on('error', () => {});
    envPipe.end(Object.entries(inner).map(([k, v]) => `${k}=${v}\0`).join(''));
    this.exited = false;
    this.whenInit = [];
    this.child.stdin.on('error', () => {}); // EPIPE after the program exited
    this.child.on('error', () => {});
    this.done = new Promise((resolve) => this.child.on('close', (code, signal) => {
      this.exited = true;
      resolve({ code, signal });
    }));
    this.readInfo();
  }

  // bwrap reports the host pid of the namespace's init once it cloned it.
  // A kill waits for it: a bwrap killed before its child set up its own
  // death signal would leave that child running.
  readInfo() {
    if (!this.child.stdio[3]) {
      this.nsInit = null;
      return;
    }
    let text = '';
    const info = this.child.stdio[3];
    info.on('data', (c) => { text += c; });
    info.on('error', () => {});
    info.on('close', () => {
      const m = text.match(/"child-pid":\s*(\d+)/);
      this.nsInit = m ? Number(m[1]) : null;
      for (const f of this.whenInit.splice(0)) f();
    });
  }

  /** SIGKILL to everything the program started; resolves once it exited. */
  kill() {
    const go = () => {
      if (this.exited) return;
      if (this.nsInit) killTree(this.nsInit);
      killTree(this.child.pid);
    };
    if (this.nsInit !== undefined) go();
    else this.whenInit.push(go);
    return this.done;
  }

  /** A pause: everything the program started stopped where it is (SIGSTOP), memory kept. */
  freeze() {
    if (!this.exited) freezeTree(this.child.pid);
  }

  /** The resume: what `freeze` stopped runs on (SIGCONT). */
  thaw() {
    if (!this.exited) thawTree(this.child.pid);
  }

  /** Host pids of bwrap and everything below it (for the admin API). */
  hostPids() {
    return this.exited ? [] : processTree(this.child.pid);
  }
}
