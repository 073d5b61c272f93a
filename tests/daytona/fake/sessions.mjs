// fake/sessions.mjs - the toolbox's sessions: a session is a long-lived
// shell (bash under bubblewrap) that runs its commands one after another,
// so `cd` and `export` persist; a command is sourced by that shell with its
// stdin from a FIFO and its stdout and stderr through two line labelers
// that append `01 01 01 line\n` or `02 02 02 line\n` to the command's log,
// and its exit code goes to a file once the labelers drained, as in the
// daemon. Everything lives in ~/.daytona/sessions/<session>/<command>/,
// visible in the sandbox as in Daytona. A command that runs `exit` ends its
// session's shell, as in Daytona.
//
// The shells run inside the sandbox's one bubblewrap (jail.mjs), so the
// sessions of a sandbox see each other's processes, as in its container.
// Should the sandbox's spawner end under them (killed from inside), every
// shell ends with it: waiting execs fail with the reason, follows close,
// and the admin API shows it beside the session.
import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { Jail } from './jail.mjs';
import { DaemonError, SandboxGone } from './daemon-errors.mjs';
import { STDOUT_MARK } from './log-stream.mjs';
import { removeTree } from '../../common/fake/remove-tree.mjs';

// Lines the wrapper prints on the shell's own stdout (commands' output never goes there).
const STARTED = '__wsp_fake_started ';
const DONE = '__wsp_fake_done ';
const INPUT_OPEN_MS = 10000; // how long input waits for the command to open its stdin
const { O_WRONLY, O_NONBLOCK, O_CREAT, O_TRUNC, O_APPEND, O_RDONLY } = fs.constants;

const shq = (s) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The text the session's shell runs for one command (`async` keeps its stdin open for input). */
function wrapper(vdir, id, async) {
  // The daemon's labeler (apps/daemon/pkg/session/execute.go): a bash
  // `read -r` loop per stream, so a line is written once whole (or at the
  // end) and NUL bytes are dropped, as bash variables cannot hold them.
  const label = (mark, pipe) =>
    `( while IFS= read -r __l || [ -n "$__l" ]; do printf '${mark}%s\\n' "$__l"; done < "$__d/${pipe}" ) >> "$__d/output.log" &`;
  return [
    '{',
    `__d=${shq(vdir)}`,
    'rm -f "$__d/stdout.pipe" "$__d/stderr.pipe" "$__d/input.pipe"',
    'mkfifo "$__d/stdout.pipe" "$__d/stderr.pipe" "$__d/input.pipe"',
    `echo ${shq(STARTED + id)}`,
    label('\\001\\001\\001', 'stdout.pipe') + ' __o=$!',
    label('\\002\\002\\002', 'stderr.pipe') + ' __e=$!',
    // Without input the command sees end of file at once; with it, a holder keeps the FIFO open for input calls
    // (its `sleep` outlives the kill below: it must hold none of the shell's pipes, or the shell never ends to
    // a reader when it is not killed with its whole PID namespace, as under --mount-ns).
    (async ? 'while :; do sleep 3600; done > "$__d/input.pipe" 2>/dev/null &' : ': > "$__d/input.pipe" &') + ' __i=$!',
    '{ . "$__d/cmd.sh"; } < "$__d/input.pipe" > "$__d/stdout.pipe" 2> "$__d/stderr.pipe"',
    '__rc=$?',
    'kill "$__i" 2>/dev/null; wait "$__i" 2>/dev/null',
    'wait "$__o" "$__e"',
    'echo "$__rc" >> "$__d/exit_code"',
    'rm -f "$__d/stdout.pipe" "$__d/stderr.pipe" "$__d/input.pipe"',
    `echo ${shq(DONE + id)}`,
    '}',
    '',
  ].join('\n');
}

class Command {
  constructor(session, id, command, suppressInputEcho) {
    this.session = session;
    this.id = id;
    this.command = command;
    this.suppressInputEcho = suppressInputEcho;
    this.vdir = `${session.vdir}/${id}`;
    this.exitCode = undefined;
    this.followers = new Set();
    this.waiters = [];
    this.started = new Promise((resolve) => { this.markStarted = resolve; });
  }

  get fs() {
    return this.session.sb.fs;
  }

  /** The exit code once its file has one (read lazily, as the daemon does). */
  refresh() {
    if (this.exitCode !== undefined) return this.exitCode;
    let text;
    try {
      const fd = this.fs.openHost(`${this.vdir}/exit_code`, O_RDONLY);
      try { text = fs.readFileSync(fd, 'utf8'); } finally { fs.closeSync(fd); }
    } catch {
      return undefined;
    }
    const n = Number.parseInt(text.trim(), 10);
    if (text.trim() !== '' && Number.isInteger(n)) this.exitCode = n;
    return this.exitCode;
  }

  finished() {
    return this.refresh() !== undefined;
  }

  /** The shell said the command is done: its exit code is written, its output complete. */
  done() {
    this.markStarted();
    this.refresh();
    for (const w of this.waiters.splice(0)) w.resolve();
  }

  /** The whole log so far. */
  readLog() {
    const fd = this.openLog();
    try { return fs.readFileSync(fd); } finally { fs.closeSync(fd); }
  }

  openLog() {
    return this.fs.openHost(`${this.vdir}/output.log`, O_RDONLY);
  }

  toJSON() {
    const out = { id: this.id, command: this.command };
    if (this.refresh() !== undefined) out.exitCode = this.exitCode;
    return out;
  }
}

class Session {
  constructor(sb, id) {
    this.sb = sb;
    this.id = id;
    this.vdir = `${sb.osUser.home}/.daytona/sessions/${id}`;
    sb.fs.mkdirAll(this.vdir, 0o755);
    this.commands = new Map();
    this.ended = false;
    this.endedPromise = new Promise((resolve) => { this.markEnded = resolve; });
    try {
      this.jail = new Jail(sb, ['/bin/bash'], { cwd: sb.osUser.home });
    } catch (e) {
      throw new DaemonError('INTERNAL_SERVER_ERROR', `failed to start session: ${e.message}`);
    }
    this.lost = null;
    this.jail.done.then(({ lost }) => { if (lost && !this.ended) this.lose(lost); });
    this.jail.child.stderr.resume(); // the shell's own complaints; commands' stderr goes to their log
    createInterface({ input: this.jail.child.stdout }).on('line', (line) => {
      if (line.startsWith(DONE)) this.commands.get(line.slice(DONE.length))?.done();
      else if (line.startsWith(STARTED)) this.commands.get(line.slice(STARTED.length))?.markStarted();
    });
  }

  get shellExited() {
    return this.jail.exited;
  }

  command(id) {
    const c = this.commands.get(id);
    if (!c) throw new DaemonError('NOT_FOUND', 'command not found');
    return c;
  }

  /** Starts a command; resolves with it (async) or once it finished (sync). */
  async exec(command, runAsync, suppressInputEcho) {
    const id = randomUUID();
    const cmd = new Command(this, id, command, suppressInputEcho);
    this.commands.set(id, cmd);
    const fsv = this.sb.fs;
    try {
      fsv.mkdirAll(cmd.vdir, 0o755);
      fs.closeSync(fsv.openHost(`${cmd.vdir}/output.log`, O_WRONLY | O_CREAT | O_TRUNC, 0o644));
      const fd = fsv.openHost(`${cmd.vdir}/cmd.sh`, O_WRONLY | O_CREAT | O_TRUNC, 0o600);
      try { fs.writeSync(fd, command); } finally { fs.closeSync(fd); }
    } catch (e) {
      throw new DaemonError('BAD_REQUEST', `failed to create log file: ${e.message}`);
    }
    if (this.shellExited || this.jail.child.stdin.destroyed) {
      throw new DaemonError('BAD_REQUEST', 'failed to write command: write |1: broken pipe');
    }
    this.jail.child.stdin.write(wrapper(cmd.vdir, id, runAsync));
    if (runAsync) return cmd;
    await new Promise((resolve, reject) => cmd.waiters.push({ resolve, reject }));
    return cmd;
  }

  /**
   * Writes `data` (a newline added if missing) to a running command's
   * stdin, echoed to its log as stdout. The daemon's open of the FIFO
   * blocks until the command reads it; the fake waits the same way
   * without blocking itself: non-blocking opens, retried, bounded.
   */
  async sendInput(commandId, data) {
    if (this.shellExited) throw new DaemonError('GONE', 'session process has exited');
    const cmd = this.command(commandId);
    const gone = () => new DaemonError('GONE', `command has already completed with exit code ${cmd.exitCode}`);
    if (cmd.refresh() !== undefined) throw gone();
    const text = data.endsWith('\n') ? data : data + '\n';
    const vpipe = `${cmd.vdir}/input.pipe`;
    await Promise.race([cmd.started, this.endedPromise]);
    let fd;
    for (const until = Date.now() + INPUT_OPEN_MS; fd === undefined;) {
      try {
        fd = this.sb.fs.openHost(vpipe, O_WRONLY | O_NONBLOCK);
      } catch (e) {
        if (cmd.refresh() !== undefined) throw gone();
        if (e.code !== 'ENXIO' || this.ended || Date.now() > until) {
          throw new DaemonError('INTERNAL_SERVER_ERROR', `failed to open input pipe: open ${vpipe}: ${e.code === 'ENXIO' ? 'no such device or address' : 'no such file or directory'}`);
        }
        await new Promise((r) => setTimeout(r, 5));
      }
    }
    // The daemon's write blocks until the command took it all; the fake's
    // descriptor does not block, so a full pipe is waited out here.
    try {
      const buf = Buffer.from(text);
      for (let off = 0; off < buf.length;) {
        try {
          off += fs.writeSync(fd, buf, off);
        } catch (e) {
          if (e.code !== 'EAGAIN' || this.ended) throw e;
          await new Promise((r) => setTimeout(r, 5));
        }
      }
    } catch (e) {
      throw new DaemonError('INTERNAL_SERVER_ERROR', `failed to write to input pipe: ${e.message}`);
    } finally {
      fs.closeSync(fd);
    }
    if (!cmd.suppressInputEcho) {
      try {
        const lfd = this.sb.fs.openHost(`${cmd.vdir}/output.log`, O_WRONLY | O_APPEND);
        try { fs.writeSync(lfd, Buffer.concat([STDOUT_MARK, Buffer.from(text)])); } finally { fs.closeSync(lfd); }
      } catch { /* the daemon only logs a failed echo */ }
    }
  }

  /**
   * Ends the session: its shell and everything it started are killed.
   * `how` is 'delete' (follows end with a normal close, a waiting sync
   * exec fails with "session cancelled") or 'stop' (the sandbox stopped:
   * follows and waiting requests lose their connection).
   */
  async end(how) {
    if (this.ended) return;
    this.ended = true;
    this.markEnded();
    await this.jail.kill();
    for (const cmd of this.commands.values()) {
      for (const f of [...cmd.followers]) {
        if (how === 'stop') f.drop();
        else f.end();
      }
      for (const w of cmd.waiters.splice(0)) {
        if (how === 'stop') w.reject(new SandboxGone());
        else {
          if (cmd.exitCode === undefined) cmd.exitCode = 1;
          w.reject(new DaemonError('BAD_REQUEST', 'session cancelled'));
        }
      }
    }
  }

  /** The spawner ended under the shell: what waits on its commands learns why. */
  lose(reason) {
    this.lost = reason;
    for (const cmd of this.commands.values()) {
      for (const f of [...cmd.followers]) f.end();
      for (const w of cmd.waiters.splice(0)) w.reject(new DaemonError('INTERNAL_SERVER_ERROR', `session process ended: ${reason}`));
    }
  }

  toJSON() {
    return { sessionId: this.id, commands: [...this.commands.values()].map((c) => c.toJSON()) };
  }
}

export const ENTRYPOINT_SESSION = 'entrypoint';

export class Sessions {
  constructor(sb) {
    this.sb = sb;
    this.map = new Map();
  }

  create(id) {
    if (id === ENTRYPOINT_SESSION) throw new DaemonError('BAD_REQUEST', 'provided session ID is reserved and cannot be created/overridden');
    // The daemon joins the id into a path unchecked; the fake refuses what would leave the sessions directory.
    if (id === '' || id === '.' || id === '..' || /[/\0]/.test(id)) throw new DaemonError('BAD_REQUEST', `invalid session ID '${id}'`);
    if (this.map.has(id)) throw new DaemonError('CONFLICT', 'session already exists');
    const s = new Session(this.sb, id);
    this.map.set(id, s);
    return s;
  }

  get(id) {
    const s = this.map.get(id);
    if (!s) throw new DaemonError('NOT_FOUND', 'session not found');
    return s;
  }

  list() {
    return [...this.map.values()];
  }

  /** DELETE: the shell and all it started killed, the session's directory removed. */
  async delete(id) {
    const s = this.get(id);
    await s.end('delete');
    try {
      const r = this.sb.fs.resolve(s.vdir, false);
      if (r.kind === 'host' && r.st.isDirectory()) { this.sb.fs.writable(r); removeTree(r.host); }
    } catch (e) {
      throw new DaemonError('BAD_REQUEST', e.message);
    }
    this.map.delete(id);
  }

  /** The sandbox stops: every session ends with it (their files stay), as a restarted daemon forgets them. */
  async stopAll() {
    const all = [...this.map.values()];
    this.map.clear();
    await Promise.all(all.map((s) => s.end('stop')));
  }

  /**
   * --mount-ns: the sandbox pauses, every session's processes frozen, kept
   * with their memory; `thawAll` resumes them. (Otherwise the sandbox
   * freezes its whole spawner, and these do nothing.)
   */
  freezeAll() {
    for (const s of this.map.values()) s.jail.freeze();
  }

  thawAll() {
    for (const s of this.map.values()) s.jail.thaw();
  }

  describe() {
    return this.list().map((s) => ({
      sessionId: s.id, hostPids: s.jail.hostPids(), ...(s.lost ? { lost: s.lost } : {}), commands: [...s.commands.values()].map((c) => c.toJSON()),
    }));
  }
}
