// fake/execute.mjs - POST /process/execute: one command in a fresh shell
// (bash reading the command from its stdin, as the daemon pipes it to
// avoid argument limits), stdout and stderr combined in one buffer, the
// exit code in a 200 whatever it is, a start failure as exit code -1, and
// `timeout` (seconds, enforced only when > 0) killing everything the
// command started and answering 408. The shell is forked by the sandbox's
// spawner (jail.mjs); should that end under it, the call fails with a 500
// that says why.
import { Jail } from './jail.mjs';
import { DaemonError, SandboxGone } from './daemon-errors.mjs';
import { FsError } from './vfs.mjs';

const MAX_OUTPUT = 64 << 20; // held in memory; the rest is dropped
const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Validates an ExecuteRequest; returns {command, timeout, cwd, envs} or throws DaemonError. */
export function parseExecute(body) {
  let b;
  try {
    b = JSON.parse(body.toString('utf8'));
  } catch (e) {
    throw new DaemonError('BAD_REQUEST', `invalid request body: ${e.message}`);
  }
  if (!b || typeof b !== 'object' || Array.isArray(b)) throw new DaemonError('BAD_REQUEST', 'invalid request body: json: cannot unmarshal into Go value of type process.ExecuteRequest');
  if (b.command !== undefined && typeof b.command !== 'string') throw new DaemonError('BAD_REQUEST', 'invalid request body: json: cannot unmarshal into Go struct field ExecuteRequest.command of type string');
  if (b.timeout !== undefined && b.timeout !== null && !(Number.isInteger(b.timeout) && b.timeout >= 0 && b.timeout <= 0xffffffff)) {
    throw new DaemonError('BAD_REQUEST', 'invalid request body: json: cannot unmarshal into Go struct field ExecuteRequest.timeout of type uint32');
  }
  if (b.cwd !== undefined && b.cwd !== null && typeof b.cwd !== 'string') throw new DaemonError('BAD_REQUEST', 'invalid request body: json: cannot unmarshal into Go struct field ExecuteRequest.cwd of type string');
  const envs = b.envs ?? {};
  if (typeof envs !== 'object' || Array.isArray(envs) || Object.values(envs).some((v) => typeof v !== 'string')) {
    throw new DaemonError('BAD_REQUEST', 'invalid request body: json: cannot unmarshal into Go struct field ExecuteRequest.envs of type map[string]string');
  }
  const command = b.command ?? '';
  if (command.trim() === '') throw new DaemonError('BAD_REQUEST', 'command cannot be empty or whitespace-only');
  for (const k of Object.keys(envs)) {
    if (!ENV_KEY.test(k)) throw new DaemonError('BAD_REQUEST', `invalid environment variable name: '${k}'`);
  }
  return { command, timeout: b.timeout ?? 0, cwd: b.cwd ?? null, envs };
}

/**
 * Runs it; resolves {exitCode, result} or {timedOut: true}; rejects with
 * SandboxGone when the sandbox stops under it.
 */
export async function execute(sb, { command, timeout, cwd, envs }) {
  let dir = sb.osUser.home;
  if (cwd !== null) {
    // Go's exec reports a bad working directory as a start failure.
    dir = sb.fs.absolute(cwd);
    let r;
    try { r = sb.fs.resolve(dir, true); } catch (e) { r = { kind: e instanceof FsError && e.code === 'ENOTDIR' ? 'notdir' : 'missing' }; }
    if (r.kind === 'missing') return { exitCode: -1, result: `chdir ${cwd}: no such file or directory` };
    if (r.kind === 'notdir' || (r.kind === 'host' && !r.st.isDirectory())) return { exitCode: -1, result: `chdir ${cwd}: not a directory` };
  }
  let jail;
  try {
    jail = new Jail(sb, ['/bin/sh', '-c', 'exec 2>&1; exec /bin/bash'], { cwd: dir, env: envs });
  } catch (e) {
    return { exitCode: -1, result: e.message }; // as Go's exec reports a start failure
  }
  const chunks = [];
  let size = 0;
  const take = (c) => { if (size < MAX_OUTPUT) { chunks.push(c.subarray(0, MAX_OUTPUT - size)); size += c.length; } };
  jail.child.stdout.on('data', take);
  jail.child.stderr.on('data', take); // the spawner's own complaints, if any
  jail.child.stdin.end(command);
  let timedOut = false;
  const timer = timeout > 0 ? setTimeout(() => { timedOut = true; jail.kill(); }, timeout * 1000) : null;
  let stopped = false;
  const stop = () => { stopped = true; return jail.kill(); };
  sb.onStop.add(stop);
  const { code, signal, lost } = await jail.done;
  clearTimeout(timer);
  sb.onStop.delete(stop);
  if (stopped) throw new SandboxGone();
  if (timedOut) return { timedOut: true };
  if (lost) throw new DaemonError('INTERNAL_SERVER_ERROR', `command execution failed: ${lost}`);
  return { exitCode: signal ? -1 : code, result: Buffer.concat(chunks).toString('utf8') };
}
