// bench/gcs/client.mjs up|down ENDPOINT BUCKET OBJECT FILE - the baseline:
// @google-cloud/storage (tests/gcs/node_modules) moving one file, with its
// defaults (resumable upload, checksum-validated download), no credentials.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(join(dirname(fileURLToPath(import.meta.url)),
  '../../tests/gcs/package.json'));
const { Storage } = require('@google-cloud/storage');
const [op, endpoint, bucket, object, file] = process.argv.slice(2);
const b = new Storage({ apiEndpoint: endpoint, projectId: 'bench-project' }).bucket(bucket);
if (op === 'up') await b.upload(file, { destination: object });
else await b.file(object).download({ destination: file });
