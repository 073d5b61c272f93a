// tests/common/fake/serve.mjs - a fake's life as a process, the same for the
// E2B, Daytona and Blaxel fakes: serve on 127.0.0.1 until SIGTERM, SIGINT,
// SIGHUP, the end of stdin (when watched) or an uncaught exception, then
// stop cleanly: close the server, kill every sandbox's processes and remove
// the fake's directory, so a test that ends its fake leaves nothing behind.
import { removeTree } from './remove-tree.mjs';

/**
 * Serves `server` on 127.0.0.1:`port` and prints `listening 127.0.0.1:PORT`
 * once it listens (after `onListening(port)`, when given). `name` prefixes
 * messages; `registry.killAll()` ends the sandboxes; `baseDir` is removed.
 * Exits 0 on a stop asked for, 1 on an error.
 */
export function serveUntilStopped({ name, server, registry, baseDir, port, watchStdin, onListening }) {
  let stopping = false;
  async function stop(code) {
    if (stopping) return;
    stopping = true;
    server.close();
    server.closeAllConnections();
    try {
      await registry.killAll();
    } finally {
      removeTree(baseDir);
      process.exit(code);
    }
  }

  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(sig, () => stop(0));
  process.on('uncaughtException', (e) => {
    process.stderr.write(`${name}: ${e.stack}\n`);
    stop(1);
  });
  if (watchStdin) {
    process.stdin.on('data', () => {});
    process.stdin.on('end', () => stop(0));
    process.stdin.on('error', () => stop(0));
  }

  server.on('error', (e) => {
    process.stderr.write(`${name}: cannot listen on 127.0.0.1:${port}: ${e.message}\n`);
    stop(1);
  });
  server.listen(port, '127.0.0.1', () => {
    onListening?.(server.address().port);
    process.stdout.write(`listening 127.0.0.1:${server.address().port}\n`);
  });
}
