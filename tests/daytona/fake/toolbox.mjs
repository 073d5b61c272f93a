// fake/toolbox.mjs - the toolbox as a client reaches it through the proxy:
// /toolbox/{sandboxId}/<daemon path>. The proxy part: auth (any non-empty
// bearer token, or the sandbox's preview token in X-Daytona-Preview-Token
// or DAYTONA_SANDBOX_AUTH_KEY), a sandbox that is unknown or not started,
// last activity; then the daemon's routes (v0.190.0): process/execute,
// process/session…, files…, user-home-dir, work-dir, version; anything else
// is gin's 404.
import fs from 'node:fs';
import { goJson, goText, bareStatus } from './http-util.mjs';
import { DaemonError, SandboxGone, sendDaemonError } from './daemon-errors.mjs';
import { parseExecute, execute } from './execute.mjs';
import { handleFiles } from './files.mjs';
import { LogFollower, wsSink, httpSink, stripMarkers, demux } from './log-stream.mjs';
import { handshakeProblem, versionSubprotocol, WsConnection } from './websocket.mjs';
import { outputMode } from './sdk-version.mjs';

const DAEMON_VERSION = 'v0.190.0';

/** Splits /toolbox/{id}/rest: {sandboxId, toolboxPath} or null. */
export function toolboxRoute(pathname) {
  const m = /^\/toolbox\/([^/]+)(\/.*)?$/.exec(pathname);
  if (!m) return null;
  let id;
  try { id = decodeURIComponent(m[1]); } catch { id = m[1]; }
  return { sandboxId: id, toolboxPath: m[2] ?? '/' };
}

function authorized(req, url, sb) {
  if (/^Bearer\s+\S/.test(req.headers.authorization ?? '')) return true;
  const key = req.headers['x-daytona-preview-token'] ?? url.searchParams.get('DAYTONA_SANDBOX_AUTH_KEY');
  return !!sb && key === sb.authToken;
}

/** The proxy's checks; returns the sandbox or null after answering. */
function proxyGate(ctx) {
  const { res, req, url, registry, sandboxId } = ctx;
  const sb = registry.get(sandboxId);
  if (!sb) {
    sendDaemonError(res, ctx, new DaemonError('BAD_REQUEST', `failed to get sandbox public status: Sandbox with ID or name ${sandboxId} not found`));
    return null;
  }
  if (!authorized(req, url, sb)) {
    sendDaemonError(res, ctx, new DaemonError('UNAUTHORIZED',
      'missing authentication: provide a preview access token (via header, query parameter, or cookie) or use an API key or JWT'));
    return null;
  }
  if (sb.state !== 'started') {
    sendDaemonError(res, ctx, new DaemonError('BAD_REQUEST', 'no IP address found. Is the Sandbox started?'));
    return null;
  }
  return sb;
}

function jsonBody(body, what) {
  try {
    const v = JSON.parse(body.toString('utf8'));
    if (v && typeof v === 'object' && !Array.isArray(v)) return v;
  } catch { /* below */ }
  throw new DaemonError('INVALID_REQUEST_BODY', `${what}: invalid JSON body`);
}

async function processExecute(ctx) {
  const { res, sb, body } = ctx;
  let r;
  try {
    r = await execute(sb, parseExecute(body));
  } catch (e) {
    if (e instanceof DaemonError) return sendDaemonError(res, ctx, e);
    throw e;
  }
  if (r.timedOut) return sendDaemonError(res, ctx, new DaemonError('REQUEST_TIMEOUT', 'command execution timeout'));
  goJson(res, 200, { exitCode: r.exitCode, result: r.result });
}

async function sessionExec(ctx, session, sid) {
  const { res, req, body } = ctx;
  if (sid === 'entrypoint') return sendDaemonError(res, ctx, new DaemonError('BAD_REQUEST', "can't execute command in entrypoint session"));
  let b;
  try {
    b = JSON.parse(body.toString('utf8'));
  } catch { b = null; }
  // Binding failures and an empty command abort with a bare 400.
  if (!b || typeof b !== 'object' || Array.isArray(b) || typeof (b.command ?? '') !== 'string') return bareStatus(res, 400);
  if ((b.command ?? '').trim() === '') return bareStatus(res, 400);
  const runAsync = b.runAsync === true || b.async === true;
  const mode = outputMode(req.headers);
  let cmd;
  try {
    if (!session) throw new DaemonError('NOT_FOUND', 'session not found');
    cmd = await session.exec(b.command, runAsync, b.suppressInputEcho === true);
  } catch (e) {
    if (e instanceof DaemonError) return sendDaemonError(res, ctx, e, 'failed to execute command');
    throw e;
  }
  if (runAsync) return goJson(res, 202, { cmdId: cmd.id, output: null, stdout: null, stderr: null, exitCode: null });
  const log = cmd.readLog();
  const out = { cmdId: cmd.id, output: null, stdout: null, stderr: null, exitCode: cmd.exitCode };
  if (mode.combined) out.output = stripMarkers(log).toString('utf8');
  else {
    out.output = log.toString('utf8');
    if (!mode.skipDemux) {
      const d = demux(log);
      out.stdout = d.stdout.toString('utf8');
      out.stderr = d.stderr.toString('utf8');
    }
  }
  goJson(res, 200, out);
}

/** GET …/logs: a snapshot, a WebSocket follow, or (no upgrade, follow=true) the runner's chunked follow. */
function commandLogs(ctx, cmd) {
  const { res, req, url, sb } = ctx;
  const follow = url.searchParams.get('follow') === 'true';
  const upgrade = req.headers.upgrade === 'websocket';
  if (!upgrade && !follow) {
    const log = cmd.readLog();
    const mode = outputMode(req.headers);
    if (!mode.skipDemux && !mode.combined) {
      const d = demux(log);
      return goJson(res, 200, { output: log.toString('utf8'), stdout: d.stdout.toString('utf8'), stderr: d.stderr.toString('utf8') });
    }
    return goText(res, 200, (mode.combined ? stripMarkers(log) : log).toString('utf8'));
  }
  const fault = ctx.fault?.afterFrames !== undefined ? ctx.fault : null;
  const onAutostop = () => sb.autoStopNow();
  if (!upgrade) {
    // The runner follows the daemon's WebSocket itself, with no SDK version: combined output.
    const f = new LogFollower({ command: cmd, fd: cmd.openLog(), follow: true, combined: true, sink: httpSink(res), fault, onAutostop });
    cmd.followers.add(f);
    return;
  }
  const fd = cmd.openLog();
  const problem = handshakeProblem(req);
  if (problem) {
    fs.closeSync(fd);
    const text = Buffer.from(problem.message + '\n');
    res.writeHead(problem.status, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff', 'Content-Length': text.length, ...problem.headers });
    res.end(text);
    return;
  }
  res.detachSocket(ctx.socket);
  const conn = WsConnection.accept(ctx.socket, req, ctx.head, versionSubprotocol(req));
  conn.once('gone', ctx.activityDone); // the detached response will not say when the socket closes
  const mode = outputMode(req.headers);
  const f = new LogFollower({ command: cmd, fd, follow, combined: mode.combined, sink: wsSink(conn), fault, onAutostop });
  cmd.followers.add(f);
}

async function sessionRoutes(ctx, rest) {
  const { res, req, body, sb } = ctx;
  const m = req.method;
  const svc = sb.sessions;
  if (rest === '' && m === 'GET') return goJson(res, 200, svc.list().map((s) => s.toJSON()));
  if (rest === '' && m === 'POST') {
    const b = jsonBody(body, 'CreateSessionRequest');
    if (typeof b.sessionId !== 'string' || b.sessionId === '') throw new DaemonError('INVALID_REQUEST_BODY', "Key: 'CreateSessionRequest.SessionId' Error:Field validation for 'SessionId' failed on the 'required' tag");
    svc.create(b.sessionId);
    return bareStatus(res, 201);
  }
  const parts = rest.split('/').slice(1);
  let sid;
  try { sid = decodeURIComponent(parts[0] ?? ''); } catch { sid = parts[0]; }
  if (parts.length === 2 && parts[1] === 'exec' && m === 'POST') return sessionExec(ctx, svc.map.get(sid), sid);
  if (parts.length === 1 && m === 'GET') return goJson(res, 200, svc.get(sid).toJSON());
  if (parts.length === 1 && m === 'DELETE') {
    if (sid === 'entrypoint') throw new DaemonError('BAD_REQUEST', "can't delete entrypoint session");
    await svc.delete(sid);
    return bareStatus(res, 204);
  }
  if (parts.length >= 3 && parts[1] === 'command') {
    const cid = decodeURIComponent(parts[2]);
    if (parts.length === 3 && m === 'GET') return goJson(res, 200, svc.get(sid).command(cid).toJSON());
    if (parts.length === 4 && parts[3] === 'input' && m === 'POST') {
      if (sid === 'entrypoint') throw new DaemonError('BAD_REQUEST', "can't send input to entrypoint session");
      const b = jsonBody(body, 'SessionSendInputRequest');
      if (typeof b.data !== 'string') throw new DaemonError('INVALID_REQUEST_BODY', "Key: 'SessionSendInputRequest.Data' Error:Field validation for 'Data' failed on the 'required' tag");
      await svc.get(sid).sendInput(cid, b.data);
      return bareStatus(res, 204);
    }
    if (parts.length === 4 && parts[3] === 'logs' && m === 'GET') return commandLogs(ctx, svc.get(sid).command(cid));
  }
  return false;
}

/** Serves one request under /toolbox/{id}; ctx: {req, res, url, body, registry, sandboxId, toolboxPath, fault, socket, head}. */
export async function handleToolbox(ctx) {
  const sb = proxyGate(ctx);
  if (!sb) return;
  ctx.sb = sb;
  // The request keeps the sandbox active until its response (or its WebSocket) is closed.
  ctx.activityDone = sb.activity();
  ctx.res.once('close', ctx.activityDone);
  const { res, req, toolboxPath: p } = ctx;
  try {
    let handled = true;
    if (p === '/process/execute' && req.method === 'POST') await processExecute(ctx);
    else if (p === '/process/session' || p.startsWith('/process/session/')) handled = (await sessionRoutes(ctx, p.slice('/process/session'.length))) !== false;
    else if (p.startsWith('/files')) handled = await handleFiles(ctx);
    else if ((p === '/user-home-dir' || p === '/project-dir' || p === '/work-dir') && req.method === 'GET') goJson(res, 200, { dir: sb.osUser.home });
    else if (p === '/version' && req.method === 'GET') goJson(res, 200, { version: DAEMON_VERSION });
    else handled = false;
    if (!handled) goText(res, 404, '404 page not found');
  } catch (e) {
    if (e instanceof DaemonError) sendDaemonError(res, ctx, e);
    else if (e instanceof SandboxGone) res.destroy();
    else throw e;
  }
}
