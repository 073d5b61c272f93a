// Start one of the pinned S3 test servers (see README.md):
//   node start-s3rver.js verify|plain DATA_DIR PORT
// "verify" is @20minutes/s3rver 5.0.0 (checks SigV4; needs Node >= 24),
// "plain" is s3rver 3.7.1 (checks no signature). Both keep their
// continuation tokens with DES, hence --openssl-legacy-provider.
'use strict';
const [kind, dir, port] = process.argv.slice(2);
const S3rver = kind === 'verify' ? require('@20minutes/s3rver') : require('s3rver');
const server = new S3rver({
  address: '127.0.0.1',
  port: Number(port),
  directory: dir,
  silent: true,
  configureBuckets: [{ name: process.env.WSP_S3_BUCKET || 'team-data' }],
});
server.run().then(() => console.log('listening')).catch((e) => {
  console.error(e);
  process.exit(1);
});
const stop = () => server.close().finally(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
