// tests/common/fake/spawner.mjs - a sandbox's commands forked inside one
// long-lived bubblewrap, as a vendor's daemon forks them inside its VM:
// the node end of spawner.c (the frames are described there). Shared by
// the E2B, Blaxel and Daytona fakes.
//
// A Spawner is one bubblewrap (bwrap.mjs's command line: user, PID, IPC,
// UTS and network namespaces, no capabilities) running the spawner for
// one sandbox user, started with the first command. Its commands share
// that PID namespace (they see each other, as in the vendors' VMs); each
// is a process group of its own, which a signal reaches as a whole. The
// spawner program goes in as an open file (exec'd as /proc/self/fd/4), so
// nothing of it is in the sandbox's filesystem. Its end (the sandbox
// killed, the spawner killed by a command of the same uid, the fake gone)
// ends the PID namespace and every command in it; the fake reports those
// commands as ended by SIGKILL, with the reason in `lost`.
//
// spawn() answers a ChildProcess-like Command: stdout and stderr
// readables, a stdin writable (or null), kill(signal), 'exit' and 'close'
// with (code, signal), `pid` (its pid in the namespace, once started). A
// command a signal ended exits with 128+N, as bubblewrap reported it when
// each command had one; the fakes map that back where they sent it.
import { execFileSync, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { closeSync, existsSync, openSync, readFileSync, unlinkSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { bwrapArgs, findBwrap } from './bwrap.mjs';
import { processTree, stopTree, thawTree, killTree } from './proc-tree.mjs';

const HDR = 12;
const MAX_INPUT = 64 << 10; // one stdin frame (spawner.c's MAX_INPUT)
const MAX_FRAME = 1 << 20; // a spawn request (spawner.c's MAX_FRAME)
const MAX_STRS = 8192; // argv and env together (spawner.c's MAX_STRS)

let binary;
/**
 * The spawner binary, or null: $WSP_FAKE_SPAWNER, which the tests' CMake
 * builds (target wsp-fake-spawner) and hands to the tests that start a
 * fake; a fake run by hand without it, or with it naming a program not
 * built yet (a bench target built alone), builds spawner.c with `cc`
 * once, into its TMPDIR, removed when it exits.
 */
export function spawnerBinary() {
  if (binary !== undefined) return binary;
  const p = process.env.WSP_FAKE_SPAWNER;
  if (p && existsSync(p)) return (binary = p);
  const out = join(tmpdir(), `wsp-fake-spawner-${process.pid}`);
  try {
    execFileSync('cc', ['-O2', '-o', out, new URL('spawner.c', import.meta.url).pathname], { stdio: 'ignore' });
    process.on('exit', () => { try { unlinkSync(out); } catch { /* gone */ } });
    binary = out;
  } catch {
    binary = null;
  }
  return binary;
}

function frame(type, arg, id, payload = Buffer.alloc(0)) {
  const h = Buffer.alloc(HDR);
  h[0] = type.charCodeAt(0);
  h[1] = arg;
  h.writeUInt32LE(id, 4);
  h.writeUInt32LE(payload.length, 8);
  return Buffer.concat([h, payload]);
}

class Command extends EventEmitter {
  constructor(sp, id, withStdin) {
    super();
    this.sp = sp;
    this.id = id;
    this.pid = undefined;
    this.exitCode = null;
    this.signalCode = null;
    this.lost = null; // why the spawner ended under it
    this.paused = false;
    this.ended = false; // exit seen
    this.open = 2; // readables not closed yet
    // a command that exited may still have output to read (its own, or
    // what it started holds the pipe): resumed until both readables end
    const read = () => {
      if (this.paused && !this.closed) { this.paused = false; sp.send('R', 0, id); }
    };
    this.stdout = new Readable({ read });
    this.stderr = new Readable({ read });
    for (const r of [this.stdout, this.stderr]) {
      r.on('error', () => {});
      r.on('close', () => { if (--this.open === 0) this.maybeClose(); });
    }
    this.stdin = withStdin ? new Writable({
      write: (chunk, _enc, cb) => this.input(chunk, 0, cb),
      final: (cb) => { this.closeStdin(); cb(); },
      destroy: (err, cb) => { this.closeStdin(); cb(err); },
    }) : null;
    this.acks = [];
  }

  // A chunk goes in frames of MAX_INPUT, each sent once the last was
  // written (the spawner holds one at a time).
  input(chunk, off, cb) {
    if (this.ended || this.lost) { cb(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })); return; }
    const part = chunk.subarray(off, off + MAX_INPUT);
    this.acks.push((errno) => {
      if (errno) cb(Object.assign(new Error(`write ${errno === constants.errno.EPIPE ? 'EPIPE' : `errno ${errno}`}`), { code: 'EPIPE' }));
      else if (off + part.length < chunk.length) this.input(chunk, off + part.length, cb);
      else cb();
    });
    this.sp.send('I', 0, this.id, part);
  }

  closeStdin() {
    if (this.stdinClosed) return;
    this.stdinClosed = true;
    if (!this.ended) this.sp.send('C', 0, this.id);
  }

  /**
   * Sends `sig` (a name) to the command's process group, until its output
   * ended too (what it started may hold that open); false after.
   */
  kill(sig = 'SIGTERM') {
    const n = constants.signals[sig];
    if (this.closed || this.lost || !n) return false;
    this.sp.send('K', n, this.id);
    return true;
  }

  output(stream, data) {
    const r = stream === 1 ? this.stdout : this.stderr;
    if (!r.push(data) && !this.paused) { this.paused = true; this.sp.send('P', 0, this.id); }
  }

  exit(code, signal) {
    if (this.ended) return;
    this.ended = true;
    this.exitCode = code;
    this.signalCode = signal;
    for (const f of this.acks.splice(0)) f(constants.errno.EPIPE);
    this.emit('exit', code, signal);
    this.maybeClose();
  }

  maybeClose() {
    if (this.ended && this.open === 0 && !this.closed) {
      this.closed = true;
      this.emit('close', this.exitCode, this.signalCode);
    }
  }

  /** The spawner ended: whatever was running was killed with it. */
  lose(reason) {
    this.lost = reason;
    for (const r of [this.stdout, this.stderr]) if (!r.readableEnded) r.push(null);
    this.exit(null, 'SIGKILL');
  }
}

export class Spawner {
  /**
   * `opts`: bwrap.mjs's {mounts, user, hostname, hide}, and `shareNet`
   * (keep the host's network, Blaxel's sandboxes with ports).
   */
  constructor(opts) {
    this.opts = opts;
    this.proc = null;
    this.cmds = new Map();
    this.nextId = 1;
    this.stderrTail = '';
  }

  start() {
    const bin = spawnerBinary();
    if (!bin) throw new Error('no spawner: set WSP_FAKE_SPAWNER to tests/common/fake/spawner.c built (target wsp-fake-spawner), or install cc');
    const bwrap = findBwrap();
    if (!bwrap) throw new Error('bwrap not found on PATH');
    let args = bwrapArgs({ ...this.opts, cwd: '/', argv: ['/proc/self/fd/4'] });
    if (this.opts.shareNet) args = args.filter((a) => a !== '--unshare-net');
    const fd = openSync(bin, 'r');
    try {
      this.proc = spawn(bwrap, args, { env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, stdio: ['pipe', 'pipe', 'pipe', 'pipe', fd] });
    } finally {
      closeSync(fd);
    }
    const p = this.proc;
    p.on('error', () => {});
    p.stdin.on('error', () => {});
    p.stderr.on('data', (c) => { this.stderrTail = (this.stderrTail + c).slice(-500); });
    let info = '';
    p.stdio[3].on('data', (c) => { info += c; });
    p.stdio[3].on('error', () => {});
    p.stdio[3].on('close', () => {
      const m = info.match(/"child-pid":\s*(\d+)/);
      this.nsInit = m ? Number(m[1]) : null;
    });
    let buf = Buffer.alloc(0);
    p.stdout.on('data', (chunk) => {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      let off = 0;
      while (buf.length - off >= HDR) {
        const len = buf.readUInt32LE(off + 8);
        if (buf.length - off < HDR + len) break;
        this.event(String.fromCharCode(buf[off]), buf[off + 1], buf.readUInt32LE(off + 4), buf.subarray(off + HDR, off + HDR + len));
        off += HDR + len;
      }
      buf = buf.subarray(off);
    });
    p.on('close', (code, signal) => {
      if (this.proc === p) this.proc = null;
      const why = `the sandbox's process spawner ended (${signal ? `signal ${signal}` : `exit ${code}`})`
        + (this.stderrTail.trim() ? `: ${this.stderrTail.trim()}` : '');
      for (const c of this.cmds.values()) c.lose(why);
      this.cmds.clear();
    });
  }

  send(type, arg, id, payload) {
    if (this.proc && this.proc.stdin.writable) this.proc.stdin.write(frame(type, arg, id, payload));
  }

  event(type, arg, id, data) {
    const c = this.cmds.get(id);
    if (!c) return;
    switch (type) {
      case 'N': {
        const pid = data.readInt32LE(0);
        if (pid > 0) { c.pid = pid; c.emit('spawn'); break; }
        // fork failed: the command ends as one the shell could not run
        c.stderr.push(Buffer.from(`spawner: fork: errno ${-pid}\n`));
        for (const r of [c.stdout, c.stderr]) r.push(null);
        this.cmds.delete(id);
        c.exit(127, null);
        break;
      }
      case 'O': c.output(arg, Buffer.from(data)); break;
      case 'E': (arg === 1 ? c.stdout : c.stderr).push(null); break;
      case 'A': c.acks.shift()?.(data.readInt32LE(0)); break;
      case 'X': {
        const st = data.readInt32LE(0);
        // WIFEXITED: the code; else the signal as 128+N, as bwrap said
        c.exit((st & 0x7f) === 0 ? (st >> 8) & 0xff : 128 + (st & 0x7f), null);
        break;
      }
      default: break;
    }
  }

  /**
   * Starts argv (argv[0] an absolute path) with exactly `env` in `cwd`;
   * `stdin`: whether it gets a pipe (else /dev/null). Throws when the
   * spawner cannot be started.
   */
  spawn({ argv, env, cwd, stdin }) {
    // What the spawner would refuse (and end with) is refused here.
    const envList = Object.entries(env).map(([k, v]) => `${k}=${v}`);
    const all = [cwd, ...argv, ...envList];
    const strs = Buffer.from(all.map((s) => s + '\0').join(''));
    if (all.some((s) => s.includes('\0'))) throw Object.assign(new Error('an argument or variable holds a NUL byte'), { code: 'ERR_INVALID_ARG_VALUE' });
    if (argv.length + envList.length > MAX_STRS || strs.length + 8 > MAX_FRAME) {
      throw Object.assign(new Error(`the command and its environment exceed ${MAX_STRS} strings or ${MAX_FRAME} bytes`), { code: 'E2BIG' });
    }
    if (!this.proc) this.start();
    const id = this.nextId++;
    const c = new Command(this, id, stdin);
    c.on('close', () => this.cmds.delete(id));
    this.cmds.set(id, c);
    const head = Buffer.alloc(8);
    head.writeUInt32LE(argv.length, 0);
    head.writeUInt32LE(envList.length, 4);
    this.send('S', stdin ? 1 : 0, id, Buffer.concat([head, strs]));
    return c;
  }

  /** Host pids of command `c` and what it started (its pid in the namespace matched in /proc). */
  hostPids(c) {
    if (!this.proc || !c.pid || c.ended) return [];
    for (const p of processTree(this.proc.pid)) {
      let ns;
      try { ns = readFileSync(`/proc/${p}/status`, 'utf8').match(/^NSpid:\s*(.*)$/m)?.[1].trim().split(/\s+/); } catch { continue; }
      if (ns && ns.length > 1 && Number(ns[ns.length - 1]) === c.pid) return processTree(p);
    }
    return [];
  }

  /** For the admin API: bwrap's host pid, the namespace's init, the spawner's. */
  describe() {
    if (!this.proc) return null;
    const tree = processTree(this.proc.pid);
    return { bwrapPid: this.proc.pid, nsInit: this.nsInit ?? null, spawnerPid: tree[2] ?? null };
  }

  /** Pause: every process of the namespace, the spawner too, stopped where it is. */
  freeze() {
    if (this.proc) stopTree(this.proc.pid);
  }

  thaw() {
    if (this.proc) thawTree(this.proc.pid);
  }

  /** Everything killed (the namespace with it); resolves once the commands ended. */
  kill() {
    const p = this.proc;
    if (!p) return Promise.resolve();
    const done = new Promise((r) => p.once('close', r));
    killTree(p.pid);
    return done;
  }
}
