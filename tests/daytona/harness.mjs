// tests/daytona/harness.mjs - starts and stops the fake for a test, and
// speaks raw HTTP to it (the API, the toolbox, the admin API). Starting,
// plain requests, polling and liveness are tests/common/fake/harness.mjs's.
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchFake, request, eventually } from '../common/fake/harness.mjs';

export { request, eventually, alive, endFake } from '../common/fake/harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
export const FAKE = join(here, 'fake-daytona.mjs');
export const UNPRIVILEGED = join(here, '..', 'security', 'run-unprivileged.sh');
export const AUTH = { Authorization: 'Bearer dtn_test' };

/**
 * Starts the fake (see launchFake) with Daytona's calls beside the shared
 * ones: the API at apiUrl, call() with the bearer token, the request log.
 */
export async function startFake(opts) {
  const fake = await launchFake(FAKE, 'daytona', opts);
  const { port } = fake;
  return Object.assign(fake, {
    apiUrl: `http://127.0.0.1:${port}/api`,
    /** A JSON call to the API or the toolbox with the bearer token. */
    call: (method, path, body, headers = {}) => request(port, {
      method, path, headers: { ...AUTH, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    }).then(withJson),
    admin: (method, path, body) => request(port, { method, path: '/_fake/' + path, body: body === undefined ? undefined : JSON.stringify(body) })
      .then(withJson),
    /** The log entries after `since` that match `pred`. */
    async requests(pred = () => true, since = 0) {
      return (await fake.admin('GET', `requests?since=${since}`)).json.requests.filter(pred);
    },
    async lastSeq() {
      return (await fake.admin('GET', 'requests')).json.last;
    },
  });
}

function withJson(r) {
  let json = null;
  if (/json/.test(r.headers['content-type'] ?? '') && r.body.length) json = JSON.parse(r.body);
  return { ...r, json };
}

/** A sandbox made over raw HTTP, started: {id, toolbox(path)}. */
export async function newSandbox(fake, body = {}) {
  const r = await fake.call('POST', '/api/sandbox', body);
  if (r.status !== 200) throw new Error(`create: ${r.status} ${r.body}`);
  const id = r.json.id;
  await eventually(async () => (await fake.call('GET', `/api/sandbox/${id}`)).json.state === 'started', 'the sandbox to start');
  return { id, dto: r.json, tb: (p) => `/toolbox/${id}${p}` };
}

/** Runs a session command synchronously over raw HTTP (SDK 0.218.0 format). */
export async function sessionExec(fake, sb, session, command, extra = {}) {
  const r = await fake.call('POST', sb.tb(`/process/session/${session}/exec`), { command, ...extra }, { 'X-Daytona-SDK-Version': '0.218.0' });
  return r;
}
