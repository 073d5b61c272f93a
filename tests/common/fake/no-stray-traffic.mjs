// tests/common/fake/no-stray-traffic.mjs - imported first by a test,
// records every DNS lookup and every outgoing connection of this process
// that is not to 127.0.0.1, so the test can assert that the SDK, set up as
// remote-providers.md §0 says, talks to nothing but the fake (the
// preload-hook technique of that reference). The E2B, Daytona and Blaxel
// SDK tests import it; tests/e2b/wire.test.mjs tests it.
import dns from 'node:dns';
import net from 'node:net';
import { syncBuiltinESMExports } from 'node:module';

const stray = [];
export const strayTraffic = () => [...stray];

const local = (h) => h === '127.0.0.1' || h === '::1';

for (const name of ['lookup', 'resolve', 'resolve4', 'resolve6', 'resolveAny']) {
  for (const mod of [dns, dns.promises]) {
    const orig = mod[name];
    if (typeof orig !== 'function') continue;
    mod[name] = function (host, ...rest) {
      if (!local(host)) stray.push(`dns.${name}(${host})`);
      return orig.call(this, host, ...rest);
    };
  }
}

// ES module imports of node:dns see the wrappers too.
syncBuiltinESMExports();

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  // net.connect() passes [options, callback] as one array argument.
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  const o = typeof first === 'object' && first !== null ? first : { port: first, host: args[1] };
  if (o.path === undefined && !local(o.host ?? 'localhost')) stray.push(`connect(${o.host ?? 'localhost'}:${o.port})`);
  return connect.apply(this, args);
};
