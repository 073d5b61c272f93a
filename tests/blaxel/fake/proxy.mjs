// fake/proxy.mjs - the edge's way to a server inside a sandbox: the port
// proxy `{url}/port/{port}/...` and preview URLs forward the request to
// that port and answer what it answers. Only a sandbox that declared
// ports at create shares a network the fake can reach (README), and only
// those ports are forwarded: anything else answers 502, so no client can
// use the proxy to reach the host's own ports. Blaxel's own headers
// (credentials, preview token) are not passed on to the sandbox.
import http from 'node:http';
import { sendApiError } from './http-util.mjs';

export function forward(req, res, sb, port, pathAndQuery, body) {
  const declared = (sb.spec.runtime?.ports ?? []).map((p) => p.target);
  if (sb.network !== 'host' || !declared.includes(port)) {
    return sendApiError(res, 502, `port ${port} of sandbox ${sb.name} is not reachable: it was not declared in spec.runtime.ports`);
  }
  const headers = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (k.startsWith('x-blaxel-') || k === 'host' || k === 'connection' || k === 'transfer-encoding') continue;
    headers[k] = v;
  }
  headers['content-length'] = body.length;
  headers.host = `127.0.0.1:${port}`;
  return new Promise((resolve) => {
    const up = http.request({ host: '127.0.0.1', port, method: req.method, path: pathAndQuery, headers, agent: false }, (ur) => {
      const out = { ...ur.headers };
      delete out.connection;
      delete out['keep-alive'];
      res.writeHead(ur.statusCode, out);
      ur.pipe(res);
      ur.on('end', resolve);
      ur.on('error', () => { res.destroy(); resolve(); });
    });
    up.on('error', (e) => {
      if (!res.headersSent) sendApiError(res, 502, `port ${port} of sandbox ${sb.name} is not reachable: ${e.code ?? e.message}`);
      else res.destroy();
      resolve();
    });
    res.on('close', () => up.destroy());
    up.end(body);
  });
}
