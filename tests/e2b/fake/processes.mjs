// fake/processes.mjs - envd's process.Process service for one sandbox:
// real commands forked by the sandbox's spawner inside its bubblewrap
// (tests/common/fake/spawner.mjs; one per sandbox user), their output as
// data events to every attached stream (Start, Connect), stdin, signals,
// Connect-Timeout-Ms as the process's lifetime, and freezing for pause.
//
// As in envd: a process outlives the request that started it; Connect sees
// only output produced after it attached; a killed process ends every
// attached stream with exit -1 "signal: killed"; output is not combined;
// the commands of one user share a PID namespace, as in envd's VM, so
// they see each other. Unlike envd, pids are numbers the fake hands out,
// `user` and `root` each have a namespace of their own (one uid per
// bubblewrap), every signal goes to the command's process group (so
// killing a command kills what it started, unless that left the group),
// and a command a signal the fake did not send ended reports 128+N as its
// exit status (bubblewrap's way, kept from when each command had one).
// With --mount-ns commands enter the holder's namespaces (mountns.mjs).
import { spawn } from 'node:child_process';
import { RpcError, field, decodeBytes, omitDefaults } from './connect.mjs';
import { shellArgv } from './bwrap.mjs';
import { processTree, signalProcess, stopTree, thawTree, killTree } from '../../common/fake/proc-tree.mjs';
import { Spawner } from '../../common/fake/spawner.mjs';
import { nsenterArgs } from './mountns.mjs';
import { USERS } from './layout.mjs';
import { FsError } from './vfs.mjs';

const CHUNK = 32 << 10; // envd's stdout/stderr read size
const DEFAULT_KEEPALIVE_S = 90;
const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const SIGNALS = { SIGNAL_SIGKILL: 'SIGKILL', SIGNAL_SIGTERM: 'SIGTERM', 9: 'SIGKILL', 15: 'SIGTERM' };
const SIGNUM = { SIGKILL: 9, SIGTERM: 15, SIGINT: 2, SIGHUP: 1, SIGQUIT: 3, SIGABRT: 6, SIGSEGV: 11, SIGPIPE: 13 };
// Go's syscall.Signal.String(), which envd's end event carries.
const GO_SIGNAL = {
  SIGKILL: 'killed', SIGTERM: 'terminated', SIGINT: 'interrupt', SIGHUP: 'hangup',
  SIGQUIT: 'quit', SIGABRT: 'aborted', SIGSEGV: 'segmentation fault', SIGPIPE: 'broken pipe',
};

export class ProcessTable {
  /** `sandbox`: {fs, mounts, hostname, envVars, id}. */
  constructor(sandbox) {
    this.sb = sandbox;
    this.procs = new Map();
    this.nextPid = 100;
    this.spawners = new Map(); // user name -> Spawner, started with its first command
  }

  spawner(user) {
    let s = this.spawners.get(user);
    if (!s) {
      s = new Spawner({ mounts: this.sb.mounts, user: USERS[user], hostname: this.sb.hostname, hide: this.sb.hide });
      this.spawners.set(user, s);
    }
    return s;
  }

  selector(msg) {
    const sel = field(msg, 'process');
    const pid = field(sel, 'pid');
    const tag = field(sel, 'tag');
    let proc;
    if (pid !== undefined) {
      proc = this.procs.get(Number(pid));
      if (!proc) throw new RpcError('not_found', `process with pid ${pid} not found`);
    } else if (tag !== undefined) {
      proc = [...this.procs.values()].find((p) => p.tag === tag);
      if (!proc) throw new RpcError('not_found', `process with tag ${tag} not found`);
    } else {
      throw new RpcError('unimplemented', 'invalid input type <nil>');
    }
    return proc;
  }

  /** Start: spawns, then streams start, data..., end on `stream`. */
  start(msg, { user, stream, timeoutMs, keepaliveS }) {
    const cfg = field(msg, 'process') ?? {};
    if (field(msg, 'pty') !== undefined) {
      throw new RpcError('unimplemented', 'pty is not supported by the fake');
    }
    const cmd = String(field(cfg, 'cmd') ?? '');
    const args = (field(cfg, 'args') ?? []).map(String);
    const envs = field(cfg, 'envs') ?? {};
    const cwdSet = field(cfg, 'cwd');
    const tagSet = field(msg, 'tag');
    const stdinField = field(msg, 'stdin');
    const u = USERS[user];

    let cwd;
    try {
      cwd = this.sb.fs.absolute(cwdSet ?? '', user);
      const r = this.sb.fs.resolve(cwd, true);
      if (r.kind === 'missing') throw new FsError('ENOENT', cwd);
    } catch (e) {
      if (e instanceof FsError && e.code === 'EINVAL') throw new RpcError('invalid_argument', e.message);
      throw new RpcError('invalid_argument', `cwd '${cwd ?? cwdSet}' does not exist`);
    }
    const env = { PATH, HOME: u.home, USER: u.name, LOGNAME: u.name, ...this.sb.envVars };
    for (const [k, v] of Object.entries(envs)) env[k] = String(v);
    const withStdin = stdinField === undefined || stdinField === true;
    let child;
    let spawner = null;
    if (this.sb.holder) {
      try {
        child = spawn('nsenter', nsenterArgs({ holder: this.sb.holder, user: u, cwd, argv: [cmd, ...args] }),
          { env, stdio: [withStdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
      } catch (e) {
        throw new RpcError('invalid_argument', `error starting process '${[cmd, ...args].join(' ')}': ${e.message}`);
      }
    } else {
      spawner = this.spawner(user);
      try {
        child = spawner.spawn({ argv: shellArgv([cmd, ...args]), env, cwd, stdin: withStdin });
      } catch (e) {
        if (!e.code) throw new RpcError('internal', e.message); // no spawner
        throw new RpcError('invalid_argument', `error starting process '${[cmd, ...args].join(' ')}': ${e.message}`);
      }
    }
    const proc = {
      pid: this.nextPid++, child, spawner, tag: tagSet, stdin: withStdin ? child.stdin : null,
      config: { cmd, args, envs, cwd: cwdSet }, streams: new Set(), blocked: new Set(),
      outputCut: false, exited: false, signalSent: null,
    };
    child.stdin?.on('error', () => {}); // EPIPE after the command exited
    child.on('error', () => {});
    this.procs.set(proc.pid, proc);
    stream.send({ event: { start: { pid: proc.pid } } });
    this.attach(proc, stream, keepaliveS);
    if (timeoutMs > 0) {
      // envd runs the command under a context with this deadline: when it
      // passes the command is killed and the Start stream ends with
      // deadline_exceeded (ConnectStream's own deadline does the latter).
      proc.deadline = setTimeout(() => this.kill(proc, 'SIGKILL'), timeoutMs);
    }
    for (const [name, pipe] of [['stdout', child.stdout], ['stderr', child.stderr]]) {
      pipe.on('data', (chunk) => this.output(proc, name, chunk));
    }
    child.on('close', (code, signal) => this.exited(proc, code, signal));
  }

  /** Connect: start event, then only what the process prints from now on. */
  connect(msg, { stream, keepaliveS }) {
    const proc = this.selector(msg);
    stream.send({ event: { start: { pid: proc.pid } } });
    this.attach(proc, stream, keepaliveS);
  }

  attach(proc, stream, keepaliveS) {
    proc.streams.add(stream);
    stream.keepalive(keepaliveS ?? DEFAULT_KEEPALIVE_S);
    stream.onDone(() => {
      proc.streams.delete(stream);
      this.unblock(proc, stream);
    });
  }

  output(proc, name, chunk) {
    if (proc.outputCut) return;
    for (let off = 0; off < chunk.length; off += CHUNK) {
      const part = chunk.subarray(off, off + CHUNK).toString('base64');
      for (const s of proc.streams) {
        if (!s.send({ event: { data: { [name]: part } } })) this.block(proc, s);
      }
    }
  }

  // A slow reader holds the command's output back, as envd's unbuffered
  // channels do, instead of the fake buffering without bound.
  block(proc, s) {
    if (proc.blocked.has(s)) return;
    proc.blocked.add(s);
    proc.child.stdout.pause();
    proc.child.stderr.pause();
    s.res.once('drain', () => this.unblock(proc, s));
  }

  unblock(proc, s) {
    if (!proc.blocked.delete(s) || proc.blocked.size) return;
    proc.child.stdout.resume();
    proc.child.stderr.resume();
  }

  exited(proc, code, signal) {
    proc.exited = true;
    clearTimeout(proc.deadline);
    this.procs.delete(proc.pid);
    let end;
    if (!signal && code >= 128 && proc.signalSent && SIGNUM[proc.signalSent] === code - 128) signal = proc.signalSent;
    if (signal) {
      const s = 'signal: ' + (GO_SIGNAL[signal] ?? signal);
      // the spawner ended under it: the reason beside the status
      end = { exitCode: -1, status: s, error: proc.child.lost && !proc.signalSent ? `${s} (${proc.child.lost})` : s };
    } else {
      const s = `exit status ${code}`;
      end = code === 0 ? { exited: true, status: s } : { exitCode: code, exited: true, status: s, error: s };
    }
    for (const s of proc.streams) {
      s.send({ event: { end } });
      s.end();
    }
    proc.streams.clear();
  }

  /**
   * A signal to the command's process group (the spawner's); with
   * --mount-ns SIGKILL to nsenter's tree, another signal to nsenter.
   */
  kill(proc, sig) {
    if (proc.exited) return;
    proc.signalSent = sig;
    // envd stops forwarding output once it sent SIGKILL or SIGTERM.
    proc.outputCut = true;
    if (proc.spawner) proc.child.kill(sig);
    else if (sig === 'SIGKILL') killTree(proc.child.pid);
    else signalProcess(proc.child.pid, sig);
  }

  list() {
    const processes = [...this.procs.values()].filter((p) => !p.exited).map((p) => {
      const config = omitDefaults({ cmd: p.config.cmd, args: p.config.args, envs: p.config.envs });
      if (p.config.cwd !== undefined) config.cwd = p.config.cwd;
      const info = { config, pid: p.pid };
      if (p.tag !== undefined) info.tag = p.tag;
      return info;
    });
    return processes.length ? { processes } : {};
  }

  async sendInput(msg) {
    const proc = this.selector(msg);
    const input = field(msg, 'input') ?? {};
    if (field(input, 'pty') !== undefined) {
      throw new RpcError('internal', 'error writing to tty: tty not assigned to process — input should be written to the stdin, not the tty');
    }
    const data = decodeBytes(field(input, 'stdin'), 'process.ProcessInput.stdin');
    if (!proc.stdin || proc.stdin.writableEnded || proc.stdin.destroyed) {
      throw new RpcError('internal', 'error writing to stdin: stdin not enabled or closed');
    }
    await new Promise((resolve, reject) => {
      proc.stdin.write(data, (err) => (err ? reject(new RpcError('internal',
        `error writing to stdin: error writing to stdin of process '${proc.pid}': ${err.message}`)) : resolve()));
    });
    return {};
  }

  closeStdin(msg) {
    const proc = this.selector(msg);
    if (proc.stdin) { proc.stdin.end(); proc.stdin = null; }
    return {};
  }

  sendSignal(msg) {
    const proc = this.selector(msg);
    const raw = field(msg, 'signal');
    const sig = SIGNALS[raw];
    if (!sig) throw new RpcError('unimplemented', `invalid signal: ${raw ?? 'SIGNAL_UNSPECIFIED'}`);
    this.kill(proc, sig);
    return {};
  }

  /** Pause: every process of the sandbox (its spawners too) stopped where it is; open streams dropped. */
  freeze() {
    for (const p of this.procs.values()) {
      for (const s of p.streams) s.cut();
      if (!p.spawner) stopTree(p.child.pid);
      clearTimeout(p.deadline);
    }
    for (const s of this.spawners.values()) s.freeze();
  }

  thaw() {
    for (const p of this.procs.values()) {
      if (!p.spawner) thawTree(p.child.pid);
    }
    for (const s of this.spawners.values()) s.thaw();
  }

  /**
   * The sandbox is gone (or paused without its memory): SIGKILL
   * everything, the spawners' namespaces with it, drop every stream.
   * Resolves once all exited.
   */
  killAll() {
    const waits = [];
    for (const p of this.procs.values()) {
      for (const s of p.streams) s.cut();
      p.streams.clear();
      waits.push(new Promise((r) => (p.exited ? r() : p.child.once('close', r))));
      if (p.spawner) { p.signalSent = 'SIGKILL'; p.outputCut = true; } else this.kill(p, 'SIGKILL');
    }
    for (const s of this.spawners.values()) waits.push(s.kill());
    return Promise.all(waits);
  }

  /** For the admin API: each process's pid and its host pids, and each user's spawner. */
  describe() {
    return [...this.procs.values()].map((p) => ({
      pid: p.pid, cmd: p.config.cmd, args: p.config.args,
      hostPids: p.spawner ? p.spawner.hostPids(p.child) : processTree(p.child.pid),
    }));
  }

  spawnerView() {
    return Object.fromEntries([...this.spawners].map(([user, s]) => [user, s.describe()]));
  }
}
