// The official client's half of the fs-gcs interop test
// (test_gcs_interop.c): read an object into a file, or save a file as an
// object, with @google-cloud/storage (pinned by package-lock.json)
// against the fake at ENDPOINT (started with --auth none).
//
//   node interop.mjs ENDPOINT BUCKET read NAME FILE
//   node interop.mjs ENDPOINT BUCKET write NAME FILE CHUNK   (0 = multipart)
//
// download() checks the CRC-32C and MD5 the fake answers against the
// bytes; save() checks the ones it answers for the upload.
import { Storage } from '@google-cloud/storage';
import { readFileSync, writeFileSync } from 'node:fs';

const [endpoint, bucket, op, name, file, chunk] = process.argv.slice(2);
const storage = new Storage({ apiEndpoint: endpoint, projectId: 'fake-project' });
const f = storage.bucket(bucket).file(name);

if (op === 'read') {
  const [buf] = await f.download();
  writeFileSync(file, buf);
} else if (op === 'write') {
  const data = readFileSync(file);
  const n = Number(chunk);
  await f.save(data, n ? { resumable: true, chunkSize: n } : { resumable: false });
} else {
  console.error(`unknown operation '${op}'`);
  process.exit(2);
}
