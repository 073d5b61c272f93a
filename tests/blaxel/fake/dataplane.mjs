// fake/dataplane.mjs - one sandbox's data plane at its metadata.url
// (`/sbx/{name}`): the edge in front of it (credentials, a sandbox that is
// deploying is waited for, one that is archived answers 503, standby is
// left for the request) and the sandbox-api behind it: /health, /process
// (sandbox-api src/handler/process.go), /filesystem and
// /filesystem-multipart, and the port proxy /port/{port}/....
import { sendJson, sendApiError, sendNoRoute, parseGoJson, goFieldError } from './http-util.mjs';
import { StreamResponse } from './stream.mjs';
import { ProcessError, MAX_STDIN } from './processes.mjs';
import { getPath, putPath, deletePath } from './filesystem.mjs';
import { handleMultipartUpload } from './multipart-upload.mjs';
import { pathParam, PathError } from './paths.mjs';
import { forward } from './proxy.mjs';

const READY_WAIT_MS = 60000;
// The sandbox-api reads a process's output 4096 bytes at a time and sends
// each read as one event of a streamed exec (readAndBroadcast in its
// process/process.go); the fake cuts its whole lines into events that size.
const EVENT_BYTES = 4096;
const START = Date.now();

/** The gate every data-plane request passes; false after it answered. */
export async function admit(res, registry, name) {
  const sb = registry.get(name);
  if (!sb) { sendApiError(res, 404, `sandbox ${name} not found`); return null; }
  if (sb.status === 'DEPLOYING' || sb.status === 'UNARCHIVING') {
    if (await sb.ready(READY_WAIT_MS)) {
      sendApiError(res, 504, `sandbox ${name} did not become ready`);
      return null;
    }
  }
  if (sb.status !== 'DEPLOYED' || !registry.get(name)) {
    sendApiError(res, 503, `sandbox ${name} is ${sb.status}`);
    return null;
  }
  sb.enter();
  res.on('close', () => sb.leave());
  return sb;
}

/** True when GET /filesystem/... will answer raw bytes (the faults that count bytes apply). */
export function wantsDownload(req, url) {
  const accept = req.headers.accept ?? '';
  if (url.searchParams.get('download') === 'true') return true;
  if (accept === '') return false;
  return accept.includes('application/octet-stream') ||
    (!accept.includes('application/json') && !accept.includes('*/*'));
}

function validateProcessRequest(b) {
  const checks = [['command', 'string', 'string'], ['name', 'string', 'string'], ['workingDir', 'string', 'string'],
    ['env', 'object', 'map[string]string'], ['waitForCompletion', 'boolean', 'bool'], ['timeout', 'number', 'int'],
    ['keepAlive', 'boolean', 'bool'], ['restartOnFailure', 'boolean', 'bool'], ['maxRestarts', 'number', 'int'],
    ['waitForPorts', 'array', '[]int'], ['stdin', 'boolean', 'bool']];
  for (const [k, t, g] of checks) {
    const e = goFieldError(b, k, t, g, 'ProcessRequest');
    if (e) return e;
  }
  if (b.env && Object.values(b.env).some((v) => typeof v !== 'string')) return 'json: cannot unmarshal number into Go struct field ProcessRequest.env of type string';
  if (!b.command) return "Key: 'ProcessRequest.Command' Error:Field validation for 'Command' failed on the 'required' tag";
  return null;
}

/** POST /process, waited for, in the background, or streamed as NDJSON. */
async function execProcess(req, res, sb, body, fault, opts) {
  let b;
  try { b = parseGoJson(body); } catch (e) { return sendApiError(res, 400, e.message); }
  const bad = validateProcessRequest(b);
  if (bad) return sendApiError(res, 400, bad);
  if (b.name) {
    const same = sb.procs.find(b.name);
    if (same && same.status === 'running') return sendApiError(res, 400, `process with name '${b.name}' already exists and is running`);
  }
  // 0 is no timeout; keepAlive without one (or a negative one) is 600 s.
  let timeout = b.timeout ?? 0;
  if (b.keepAlive && (b.timeout === undefined || b.timeout === null || timeout < 0)) timeout = 600;
  const spec = { ...b, timeout };
  if ((req.headers.accept ?? '').includes('text/event-stream')) return execStreamed(res, sb, spec, fault, opts);
  let proc;
  try { proc = sb.procs.start(spec); } catch (e) {
    if (e instanceof ProcessError) return sendApiError(res, e.status, e.message);
    throw e;
  }
  if (b.waitForCompletion) {
    let timer;
    const timedOut = await Promise.race([
      proc.done.then(() => false),
      timeout > 0 ? new Promise((r) => { timer = setTimeout(() => r(true), timeout * 1000); }) : new Promise(() => {}),
    ]);
    clearTimeout(timer);
    // A waited process that outlives its timeout keeps running (unless keepAlive killed it).
    // The keepAlive kill comes due with the wait's own timeout; whichever
    // timer a loaded event loop runs first, the waited call timed out.
    if (timedOut || proc.keepAliveExpired) return sendApiError(res, 422, `process timed out after ${timeout} seconds`);
  }
  sendJson(res, 200, sb.procs.describe(proc, 'exec'));
}

/** The NDJSON answer of a streamed exec: stdout/stderr events, keepalives, the result as a JSON string. */
function execStreamed(res, sb, spec, fault, opts) {
  const out = new StreamResponse(res, {
    headers: { 'Content-Type': 'application/x-ndjson', 'Cache-Control': 'no-cache', 'X-Accel-Buffering': 'no' },
    fault, onStandby: () => sb.standby(),
  });
  const event = (type, data) => out.write(JSON.stringify(data ? { type, data } : { type }) + '\n');
  let proc;
  try { proc = sb.procs.start({ ...spec, waitForCompletion: false }); } catch (e) {
    if (!(e instanceof ProcessError)) throw e;
    event('error', e.message);
    return out.end();
  }
  sb.streams.add(out);
  let sentData = false;
  const detach = sb.procs.attach(proc, {
    event: (type, text) => {
      sentData = true;
      for (let i = 0, end; i < text.length; i = end) {
        end = i + EVENT_BYTES >= text.length ? text.length : text.lastIndexOf('\n', i + EVENT_BYTES - 1) + 1;
        if (end <= i) end = text.indexOf('\n', i + EVENT_BYTES) + 1; // one longer line goes whole
        event(type, text.slice(i, end));
      }
    },
    raw: (text) => { sentData = true; event('stdout', text); },
  });
  const keepalive = setInterval(() => event('keepalive'), opts.execKeepaliveMs);
  // The log keepalive goroutine writes into this stream too, as stdout.
  const logKeepalive = setInterval(() => { if (proc.status === 'running') event('stdout', '[keepalive]\n'); }, opts.logKeepaliveMs);
  const stop = () => { clearInterval(keepalive); clearInterval(logKeepalive); detach(); sb.streams.delete(out); };
  out.onDone(stop);
  proc.done.then(() => {
    stop();
    if (out.closed) return;
    const final = sb.procs.describe(proc, 'get');
    if (!sentData) { // the result's own (inline, capped) text, as the service does
      const r = final;
      for (const [type, text] of [['stdout', r.stdout], ['stderr', r.stderr]]) {
        for (const line of text.split('\n')) if (line !== '') event(type, line);
      }
    }
    event('result', JSON.stringify(final));
    out.end();
  });
}

/** GET /process/{id}/logs/stream: `stdout:`/`stderr:` lines, backlog first, until the process ends. */
function logStream(res, sb, id, fault, opts) {
  const out = new StreamResponse(res, {
    headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-cache', 'X-Accel-Buffering': 'no' },
    fault, onStandby: () => sb.standby(),
  });
  const proc = sb.procs.find(id);
  // The headers went out first, so an unknown process is a 200 whose body is the error.
  if (!proc) return out.end(JSON.stringify({ error: `process with Identifier ${id} not found` }));
  sb.streams.add(out);
  const detach = sb.procs.attach(proc, {
    // each line prefixed, however many one event carries
    event: (type, text) => out.write(`${type}:${text.slice(0, -1).replaceAll('\n', `\n${type}:`)}\n`),
    raw: (text) => out.write(text),
  });
  const keepalive = setInterval(() => { if (proc.status === 'running') out.write('[keepalive]\n'); }, opts.logKeepaliveMs);
  const stop = () => { clearInterval(keepalive); detach(); sb.streams.delete(out); };
  out.onDone(stop);
  proc.done.then(() => { stop(); out.end(); });
}

async function processRoutes(req, res, sb, parts, body, fault, opts) {
  const m = req.method;
  const [, idRaw, sub, sub2] = parts;
  if (idRaw === undefined) {
    if (m === 'GET') {
      const all = [...sb.procs.procs.values()].sort((a, b) => a.startedAt - b.startedAt);
      return sendJson(res, 200, all.map((p) => sb.procs.describe(p, 'list')));
    }
    if (m === 'POST') return execProcess(req, res, sb, body, fault, opts);
    return sendNoRoute(res);
  }
  const id = decodeURIComponent(idRaw);
  const proc = sb.procs.find(id);
  const route = `${m} ${sub ?? ''}${sub2 ? '/' + sub2 : ''}`;
  try {
    switch (route) {
      case 'GET ':
        if (!proc) return sendApiError(res, 404, 'process not found');
        return sendJson(res, 200, sb.procs.describe(proc, 'get'));
      case 'GET logs':
        if (!proc) return sendApiError(res, 404, `process with PID ${id} not found`);
        return sendJson(res, 200, sb.procs.logs(proc));
      case 'GET logs/stream':
        return logStream(res, sb, id, fault, opts);
      case 'DELETE ':
        if (!proc) return sendApiError(res, 404, `process with Identifier ${id} not found`);
        sb.procs.stop(proc);
        return sendJson(res, 200, { message: 'Process stopped successfully' });
      case 'DELETE kill':
        if (!proc) return sendApiError(res, 404, `process with Identifier ${id} not found`);
        sb.procs.kill(proc);
        return sendJson(res, 200, { message: 'Process killed successfully' });
      case 'POST stdin':
        if (!proc) return sendApiError(res, 404, `process with Identifier ${id} not found`);
        if (body.length > MAX_STDIN) return sendApiError(res, 413, `stdin write of ${body.length} bytes is over 8 MiB`);
        await sb.procs.writeStdin(proc, body);
        return sendJson(res, 200, { message: 'Stdin written successfully' });
      case 'DELETE stdin':
        if (!proc) return sendApiError(res, 404, `process with Identifier ${id} not found`);
        sb.procs.closeStdin(proc);
        return sendJson(res, 200, { message: 'Stdin closed successfully' });
      default:
        return sendNoRoute(res);
    }
  } catch (e) {
    if (e instanceof ProcessError) return sendApiError(res, e.status, e.message);
    throw e;
  }
}

/**
 * Serves one request for sandbox `sb` (already admitted); `rawRest` is the
 * path after /sbx/{name} exactly as sent, `fault` an armed stream fault.
 */
export async function handleSandbox(req, res, url, sb, rawRest, body, fault, opts) {
  const parts = rawRest.split('/').slice(1);
  const head = parts[0] ?? '';
  const m = req.method;
  const param = (prefix) => pathParam(rawRest.slice(prefix.length));
  try {
    if (head === 'health' && parts.length === 1 && m === 'GET') {
      const up = Math.floor((Date.now() - START) / 1000);
      return sendJson(res, 200, {
        status: 'ok', version: 'fake', gitCommit: 'fake', buildTime: new Date(START).toISOString(), goVersion: 'none',
        os: 'linux', arch: process.arch === 'x64' ? 'amd64' : process.arch, startedAt: new Date(START).toISOString(),
        uptime: `${up}s`, uptimeSeconds: up, lastUpgrade: '', upgradeCount: 0,
      });
    }
    if (head === 'process') return await processRoutes(req, res, sb, parts, body, fault, opts);
    if (head === 'filesystem' && parts.length >= 2) {
      const path = param('/filesystem');
      if (m === 'GET') return getPath(req, res, url, sb, path, fault, opts);
      if (m === 'PUT') return putPath(req, res, sb, path, body);
      if (m === 'DELETE') return deletePath(res, url, sb, path);
      return sendNoRoute(res);
    }
    if (head === 'filesystem-multipart') {
      const rest = rawRest.slice('/filesystem-multipart'.length);
      if (handleMultipartUpload(req, res, url, sb, rest, () => param('/filesystem-multipart/initiate'), body)) return;
      return sendNoRoute(res);
    }
    if (head === 'port' && /^\d+$/.test(parts[1] ?? '')) {
      const port = Number(parts[1]);
      const rest = rawRest.slice(('/port/' + parts[1]).length) || '/';
      return await forward(req, res, sb, port, rest + url.search, body);
    }
    return sendNoRoute(res);
  } catch (e) {
    if (e instanceof PathError) return sendApiError(res, 400, e.message);
    throw e;
  }
}
