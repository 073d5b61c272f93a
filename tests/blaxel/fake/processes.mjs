// fake/processes.mjs - the sandbox-api's process manager for one sandbox
// (sandbox-api src/handler/process/process.go, service.go): real commands
// forked by the sandbox's spawner inside its one bubblewrap
// (tests/common/fake/spawner.mjs), run as `sh -c COMMAND`, addressed by pid or name, their
// output kept per stream and as one interleaved record, handed in whole
// lines to attached streams (a pipe read's worth at a time, a replayed
// backlog a line at a time), stdin pipes, SIGTERM (stop) and SIGKILL (kill),
// the keepAlive timeout, and freezing for standby.
//
// As in the sandbox-api: a process outlives the request that started it; a
// new stream first replays everything the process printed, then follows
// it; stop and kill write a notice into the live streams; exit codes are
// Go's (-1 for a process ended by a signal); the commands share a PID
// namespace, as in the sandbox's VM, so they see each other. Unlike it,
// pids are numbers the fake hands out, stop and kill signal the command's
// process group (what it started, unless that left the group), a command
// a signal the fake did not send ended exits with 128+N (bubblewrap's way,
// kept from when each command had one), and output reaches streams in
// whole lines (a partial last line is completed with "\n" when the process
// ends), never spliced. With --mount-ns commands enter the holder's
// namespaces (e2b/fake/mountns.mjs).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { nsenterArgs } from '../../e2b/fake/mountns.mjs';
import { processTree, stopTree, thawTree, killTree, signalProcess } from '../../common/fake/proc-tree.mjs';
import { Spawner } from '../../common/fake/spawner.mjs';
import { ROOT, PATH, HOME, WORKDIR } from './layout.mjs';
import { formatPath, absolutePath } from './paths.mjs';

const MAX_LINE = 64 << 10; // a longer line is passed on in pieces
const MAX_KEPT = 16 << 20; // in-memory output kept per process and stream (the tail)

// The sandbox-api's caps on output (its process/logfile.go), with the same
// environment overrides (0: no cap), so tests can make them small: a log
// file keeps its last SANDBOX_MAX_LOG_FILE_BYTES (32 MiB; the fake keeps
// whole pieces, so a little more), and GET /process/{id}/logs answers the
// last SANDBOX_MAX_LOGS_RESPONSE_BYTES (4 MiB) of each stream. What lost
// its head says so with TRUNCATION_MARKER in front, as there.
function envBytes(name, dflt) {
  const raw = process.env[name];
  return raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : dflt;
}
const MAX_LOG_FILE = envBytes('SANDBOX_MAX_LOG_FILE_BYTES', 32 << 20);
const MAX_LOGS_RESPONSE = envBytes('SANDBOX_MAX_LOGS_RESPONSE_BYTES', 4 << 20);
// MaxInlinedLogBytes: what GET /process, GET /process/{id} and a streamed
// exec's result inline of each stream, a constant of the service (no
// variable sets it). Past it they carry the marker and the last 64 KiB.
const MAX_INLINED = 64 * 1024;
export const TRUNCATION_MARKER = '[... truncated, see the process log file for the full output ...]\n';
export const MAX_STDIN = 8 << 20;
const GO_DATE = (ms) => new Date(ms).toUTCString(); // "Mon, 02 Jan 2006 15:04:05 GMT"

export class ProcessError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** A growing byte record that keeps its last `max` bytes (0: all); `released` once its head went. */
class Record {
  constructor(max = MAX_KEPT) { this.chunks = []; this.size = 0; this.max = max; this.released = false; }
  add(buf) {
    this.chunks.push(buf);
    this.size += buf.length;
    while (this.max && this.size > this.max && this.chunks.length > 1) {
      this.size -= this.chunks.shift().length;
      this.released = true;
    }
  }
  text() { return Buffer.concat(this.chunks).toString('utf8'); }
  /** readLogTail: the last `max` bytes (0: all), the marker first when anything is missing. */
  tail(max) {
    const all = Buffer.concat(this.chunks);
    if (max && all.length > max) return TRUNCATION_MARKER + all.subarray(all.length - max).toString('utf8');
    return (this.released ? TRUNCATION_MARKER : '') + all.toString('utf8');
  }
}

function randomName() {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const b = randomBytes(8);
  let s = 'proc-';
  for (const x of b) s += alphabet[x % alphabet.length];
  return s;
}

export class ProcessTable {
  /** `sb`: {fs, mounts, hostname, envs, network}. */
  constructor(sb) {
    this.sb = sb;
    this.procs = new Map();
    this.nextPid = 1000;
    this.spawner = null; // started with the first command
  }

  /** GetProcessByIdentifier: digits are a pid, anything else the newest process of that name. */
  find(identifier) {
    if (/^\d+$/.test(identifier)) return this.procs.get(identifier) ?? null;
    let latest = null;
    for (const p of this.procs.values()) {
      if (p.name === identifier && (!latest || p.startedAt >= latest.startedAt)) latest = p;
    }
    return latest;
  }

  running() {
    return [...this.procs.values()].filter((p) => p.status === 'running');
  }

  /** Starts `req` (a validated ProcessRequest); throws ProcessError(422) when it cannot. */
  start(req) {
    const workingDir = req.workingDir ? formatPath(req.workingDir) : '';
    const cwd = absolutePath(workingDir || WORKDIR);
    let dir;
    try { dir = this.sb.fs.resolve(cwd, true); } catch { dir = null; }
    if (!dir || dir.kind === 'missing' || (dir.kind === 'host' && !dir.st.isDirectory())) {
      throw new ProcessError(422, `failed to start process: could not execute command '${req.command}' because folder '${workingDir}' does not exist`);
    }
    const env = { PATH, HOME, HOSTNAME: this.sb.hostname, ...this.sb.envs, ...(req.env ?? {}) };
    // the sandbox-api's default shell (`sh -c`), found on PATH before it
    // runs, so one shell per command as there
    const argv = ['/bin/sh', '-c', req.command];
    const stdin = req.stdin ? 'pipe' : 'ignore';
    let child;
    if (this.sb.holder) {
      // --mount-ns: in the sandbox's own namespaces (e2b/fake/mountns.mjs)
      child = spawn('nsenter', nsenterArgs({ holder: this.sb.holder, user: ROOT, cwd: dir.vpath, argv }),
        { env, stdio: [stdin, 'pipe', 'pipe'] });
    } else {
      // A sandbox that declared ports shares the host's network, so the port
      // proxy and previews reach its servers (README: differences).
      this.spawner ??= new Spawner({
        mounts: this.sb.mounts, user: ROOT, hostname: this.sb.hostname,
        hide: this.sb.registry.opts.hide, shareNet: this.sb.network === 'host',
      });
      try {
        child = this.spawner.spawn({ argv, env, cwd: dir.vpath, stdin: !!req.stdin });
      } catch (e) {
        throw new ProcessError(422, `failed to start process: ${e.message}`);
      }
    }
    const proc = {
      pid: String(this.nextPid++), name: req.name || randomName(), command: req.command, workingDir,
      status: 'running', exitCode: 0, startedAt: Date.now(), completedAt: null,
      keepAlive: !!req.keepAlive, restartOnFailure: !!req.restartOnFailure, maxRestarts: req.maxRestarts ?? 0,
      stdinPipe: req.stdin ? child.stdin : null, withStdin: !!req.stdin, stdinClosed: false,
      child, spawned: !this.sb.holder,
      out: { stdout: new Record(MAX_LOG_FILE), stderr: new Record(MAX_LOG_FILE) }, // what the log files hold
      mem: { stdout: new Record(), stderr: new Record(), logs: new Record() }, // the in-memory buffers
      combined: [], combinedSize: 0, combinedReleased: false, // the combined log file: whole lines, in order
      partial: { stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) },
      writers: new Set(), signalSent: null,
    };
    proc.done = new Promise((r) => { proc.markDone = r; });
    child.on('error', () => {});
    child.stdin?.on('error', () => {});
    for (const name of ['stdout', 'stderr']) child[name].on('data', (c) => this.output(proc, name, c));
    child.on('close', (code, sig) => this.exited(proc, code, sig));
    if (proc.keepAlive && req.timeout > 0) {
      proc.keepAliveTimer = setTimeout(() => { proc.keepAliveExpired = true; this.kill(proc); }, req.timeout * 1000);
    }
    this.procs.set(proc.pid, proc);
    return proc;
  }

  // What one read of the pipe gave goes on as one piece of whole lines, as
  // the sandbox-api passes on each read of the output (readAndBroadcast in
  // its process.go) rather than a line at a time; only a line that reached
  // MAX_LINE with no end in sight is cut (and completed with "\n").
  output(proc, name, chunk) {
    proc.out[name].add(chunk);
    proc.mem[name].add(chunk);
    proc.mem.logs.add(chunk);
    const buf = proc.partial[name].length ? Buffer.concat([proc.partial[name], chunk]) : chunk;
    let rest = buf.lastIndexOf(0x0a) + 1;
    let text = buf.toString('utf8', 0, rest);
    for (; buf.length - rest >= MAX_LINE; rest += MAX_LINE) text += buf.toString('utf8', rest, rest + MAX_LINE) + '\n';
    if (text) this.lines(proc, name, text);
    proc.partial[name] = buf.subarray(rest);
  }

  /** `text`: one or more whole lines of stream `name`, kept for replays and sent to the attached streams. */
  lines(proc, name, text) {
    proc.combined.push([name, text]);
    proc.combinedSize += text.length;
    while (MAX_LOG_FILE && proc.combinedSize > MAX_LOG_FILE && proc.combined.length > 1) {
      proc.combinedSize -= proc.combined.shift()[1].length;
      proc.combinedReleased = true;
    }
    for (const w of proc.writers) w.event(name, text);
  }

  exited(proc, code, sig) {
    // the spawner ended under it: said in its output, as a notice
    if (proc.child.lost && !proc.signalSent) this.notify(proc, `\n[${proc.child.lost}]\n`);
    for (const name of ['stdout', 'stderr']) {
      if (proc.partial[name].length) this.lines(proc, name, proc.partial[name].toString('utf8') + '\n');
      proc.partial[name] = Buffer.alloc(0);
    }
    clearTimeout(proc.keepAliveTimer);
    proc.completedAt = Date.now();
    // bwrap reports a command ended by signal N as 128+N; Go's ExitCode()
    // says -1 for a process a signal ended.
    const bySignal = sig || (proc.signalSent && code >= 128);
    proc.exitCode = bySignal ? -1 : code;
    if (proc.status === 'running') proc.status = code === 0 && !sig ? 'completed' : 'failed';
    proc.stdinPipe = null;
    proc.markDone();
  }

  /**
   * Attaches `w` ({event(type, text), raw(text)}) to `proc`: the backlog
   * first, a line per event as the sandbox-api's scanner replays its log
   * file, then live output, whole lines as each read gave them. Returns a
   * function that detaches it.
   */
  attach(proc, w) {
    // a replay of a log file whose head was released says so first
    if (proc.combinedReleased) w.event('stdout', TRUNCATION_MARKER);
    for (const [name, text] of proc.combined) for (const line of text.match(/[^\n]*\n/g)) w.event(name, line);
    proc.writers.add(w);
    return () => proc.writers.delete(w);
  }

  /** Notice written into live streams, as the sandbox-api does on stop and kill. */
  notify(proc, text) {
    proc.mem.stdout.add(Buffer.from(text));
    for (const w of proc.writers) w.raw(text);
  }

  /** StopProcess: SIGTERM to the command and what it started. */
  stop(proc) {
    if (proc.status !== 'running') throw new ProcessError(404, `process with Identifier ${proc.pid} is not running`);
    this.notify(proc, '\n[Process is being gracefully terminated]\n');
    proc.keepAlive = false;
    clearTimeout(proc.keepAliveTimer);
    proc.signalSent = 'SIGTERM';
    proc.status = 'stopped';
    // The group, as the sandbox-api signals it (the spawner made the
    // command a group of its own before it answered its start).
    if (proc.spawned) proc.child.kill('SIGTERM');
    else signalProcess(proc.child.pid, 'SIGTERM');
  }

  /** KillProcess: SIGKILL to the whole command; a finished one is "no such process". */
  kill(proc) {
    if (proc.completedAt) throw new ProcessError(404, `failed to kill process with Identifier ${proc.pid}: no such process`);
    this.notify(proc, '\n[Process is being forcefully killed]\n');
    proc.keepAlive = false;
    clearTimeout(proc.keepAliveTimer);
    this.killWhole(proc);
  }

  /** SIGKILL to the command's process group (--mount-ns: nsenter's tree). */
  killWhole(proc) {
    proc.signalSent = 'SIGKILL';
    proc.status = 'killed';
    if (proc.completedAt) return;
    if (proc.spawned) proc.child.kill('SIGKILL');
    else killTree(proc.child.pid);
  }

  /** Writes stdin bytes; resolves once the pipe took them. */
  async writeStdin(proc, data) {
    if (!proc.withStdin) throw new ProcessError(409, `process ${proc.pid} has no stdin`);
    if (proc.stdinClosed) throw new ProcessError(409, `stdin of process ${proc.pid} is closed`);
    if (!proc.stdinPipe || proc.stdinPipe.destroyed) throw new ProcessError(503, `process ${proc.pid} stopped reading its stdin`);
    await new Promise((resolve, reject) => {
      proc.stdinPipe.write(data, (err) => (err ? reject(new ProcessError(503, `process ${proc.pid} stopped reading its stdin: ${err.message}`)) : resolve()));
    });
  }

  closeStdin(proc) {
    if (!proc.withStdin) throw new ProcessError(409, `process ${proc.pid} has no stdin`);
    proc.stdinClosed = true;
    proc.stdinPipe?.end();
  }

  /**
   * ProcessResponse. `view`: 'exec' (the in-memory buffers, `logs`
   * interleaved, as POST /process answers), 'get' (each log file's tail of
   * MAX_INLINED bytes as getProcessOutputTail reads it, `logs` = stdout +
   * stderr, completedAt "" while running) or 'list' (the same, completedAt
   * null while running).
   */
  describe(proc, view) {
    const files = view !== 'exec';
    const stdout = files ? proc.out.stdout.tail(MAX_INLINED) : proc.mem.stdout.text();
    const stderr = files ? proc.out.stderr.tail(MAX_INLINED) : proc.mem.stderr.text();
    const completedAt = proc.completedAt ? GO_DATE(proc.completedAt) : (view === 'list' ? null : '');
    const r = {
      pid: proc.pid, name: proc.name, command: proc.command, status: proc.status,
      startedAt: GO_DATE(proc.startedAt), completedAt, exitCode: proc.exitCode, workingDir: proc.workingDir,
      logs: files ? stdout + stderr : proc.mem.logs.text(), stdout, stderr,
      restartOnFailure: proc.restartOnFailure, maxRestarts: proc.maxRestarts, restartCount: 0, keepAlive: proc.keepAlive,
    };
    if (proc.withStdin) r.stdin = true;
    return r;
  }

  /** GET /process/{id}/logs: each stream's tail (getProcessOutput). */
  logs(proc) {
    const stdout = proc.out.stdout.tail(MAX_LOGS_RESPONSE);
    const stderr = proc.out.stderr.tail(MAX_LOGS_RESPONSE);
    return { stdout, stderr, logs: stdout + stderr };
  }

  /** Standby: every process (the spawner too) stopped where it is. */
  freeze() {
    for (const p of this.running()) if (!p.spawned && !p.completedAt) stopTree(p.child.pid);
    this.spawner?.freeze();
  }

  thaw() {
    for (const p of this.running()) if (!p.spawned) thawTree(p.child.pid);
    this.spawner?.thaw();
  }

  /** Every process SIGKILLed (archive, delete), the spawner's namespace with them; resolves once all ended. */
  killAll() {
    const waits = [];
    for (const p of this.procs.values()) {
      if (p.completedAt) continue;
      waits.push(p.done);
      if (p.spawned) { p.signalSent = 'SIGKILL'; p.status = 'killed'; } else this.killWhole(p);
    }
    if (this.spawner) waits.push(this.spawner.kill());
    return Promise.all(waits);
  }

  /** For the admin API: each process with its host pids. */
  hostView() {
    return [...this.procs.values()].map((p) => ({
      pid: p.pid, name: p.name, command: p.command, status: p.status,
      hostPids: p.completedAt ? [] : p.spawned ? this.spawner.hostPids(p.child) : processTree(p.child.pid),
    }));
  }
}
