// fake/multipart-upload.mjs - the sandbox-api's large-file upload
// (sandbox-api src/handler/filesystem.go, filesystem/multipart.go), which
// the SDK uses above 5 MiB: initiate with a path, parts as multipart forms
// with a `file` part (each answered with its MD5 as etag), complete with
// the parts and etags in order (the file is their concatenation), abort,
// and the two listings. Parts are kept in the sandbox's directory on the
// host, outside what commands see.
import fs from 'node:fs';
import { join } from 'node:path';
import { randomUUID, createHash } from 'node:crypto';
import { parseMultipart } from '../../e2b/fake/files.mjs';
import { removeTree } from '../../common/fake/remove-tree.mjs';
import { sendJson, sendApiError, parseGoJson } from './http-util.mjs';
import { absolutePath } from './paths.mjs';
import { writeFileFromParts } from './filesystem.mjs';

function uploadDto(u) {
  return {
    uploadId: u.uploadId, path: u.path, permissions: u.permissions, initiatedAt: u.initiatedAt,
    parts: [...u.parts.values()].map(partDto),
  };
}

const partDto = (p) => ({ partNumber: p.partNumber, etag: p.etag, size: p.size, uploadedAt: p.uploadedAt });

/** Routes under /filesystem-multipart; `rest` is the path after it. Returns false for no route. */
export function handleMultipartUpload(req, res, url, sb, rest, rawPathParam, body) {
  const m = req.method;
  if (m === 'GET' && rest === '') {
    return sendJson(res, 200, { uploads: [...sb.uploads.values()].map(uploadDto) }), true;
  }
  if (m === 'POST' && rest.startsWith('/initiate/')) {
    const abs = absolutePath(rawPathParam());
    let b = {};
    try { b = parseGoJson(body); } catch { /* the sandbox-api ignores a bad body here */ }
    let permissions = 0o644;
    if (typeof b.permissions === 'string' && b.permissions !== '') {
      if (!/^[0-7]+$/.test(b.permissions)) {
        return sendApiError(res, 400, `invalid permissions format: strconv.ParseUint: parsing "${b.permissions}": invalid syntax`), true;
      }
      permissions = parseInt(b.permissions, 8);
    }
    const uploadId = randomUUID();
    const dir = join(sb.dir, 'uploads', uploadId);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    sb.uploads.set(uploadId, { uploadId, path: abs, permissions, initiatedAt: new Date().toISOString(), dir, parts: new Map() });
    return sendJson(res, 200, { uploadId, path: abs }), true;
  }
  const r = rest.match(/^\/([^/]+)\/(part|complete|abort|parts)$/);
  if (!r) return false;
  const [, id, action] = r;
  const upload = sb.uploads.get(id);
  const notFound = `upload not found: ${id}`;
  if (action === 'part' && m === 'PUT') {
    const n = url.searchParams.get('partNumber');
    if (n === null || n === '') return sendApiError(res, 400, 'partNumber is required'), true;
    if (!/^-?\d+$/.test(n)) return sendApiError(res, 400, `invalid partNumber: strconv.Atoi: parsing "${n}": invalid syntax`), true;
    const boundary = (req.headers['content-type'] ?? '').match(/boundary=(?:"([^"]+)"|([^;\s]+))/i);
    if (!boundary) return sendApiError(res, 400, 'error reading multipart data: request Content-Type isn\'t multipart/form-data'), true;
    let parts;
    try { parts = parseMultipart(body, boundary[1] ?? boundary[2]); } catch (e) {
      return sendApiError(res, 400, `error reading multipart part: ${e.message}`), true;
    }
    const file = parts.find((p) => p.name === 'file');
    if (!file) return sendApiError(res, 400, "missing 'file' field in multipart form"), true;
    if (!upload) return sendApiError(res, 500, `failed to upload part: ${notFound}`), true;
    const partNumber = Number(n);
    if (partNumber < 1 || partNumber > 10000) return sendApiError(res, 500, 'failed to upload part: part number must be between 1 and 10000'), true;
    const partFile = join(upload.dir, `part-${partNumber}`);
    fs.writeFileSync(partFile, file.data);
    const part = { partNumber, etag: createHash('md5').update(file.data).digest('hex'), size: file.data.length, uploadedAt: new Date().toISOString(), file: partFile };
    upload.parts.set(partNumber, part);
    return sendJson(res, 200, { partNumber, etag: part.etag, size: part.size }), true;
  }
  if (action === 'complete' && m === 'POST') {
    let b;
    try { b = parseGoJson(body); } catch (e) { return sendApiError(res, 400, e.message), true; }
    const asked = Array.isArray(b.parts) ? b.parts : [];
    if (asked.length === 0) return sendApiError(res, 400, 'at least one part is required'), true;
    if (!upload) return sendApiError(res, 404, notFound), true;
    const files = [];
    for (const p of asked) {
      const stored = upload.parts.get(p.partNumber);
      if (!stored) return sendApiError(res, 500, `failed to complete upload: part ${p.partNumber} not found`), true;
      if (stored.etag !== p.etag) return sendApiError(res, 500, `failed to complete upload: etag mismatch for part ${p.partNumber}`), true;
      files.push(stored.file);
    }
    try { writeFileFromParts(sb, upload.path, files, upload.permissions); } catch (e) {
      return sendApiError(res, 500, `failed to complete upload: ${e.message}`), true;
    }
    sb.uploads.delete(id);
    removeTree(upload.dir);
    return sendJson(res, 200, { message: 'Multipart upload completed successfully', path: upload.path }), true;
  }
  if (action === 'abort' && m === 'DELETE') {
    if (!upload) return sendApiError(res, 404, notFound), true;
    sb.uploads.delete(id);
    removeTree(upload.dir);
    return sendJson(res, 200, { message: 'Multipart upload aborted successfully' }), true;
  }
  if (action === 'parts' && m === 'GET') {
    if (!upload) return sendApiError(res, 404, notFound), true;
    return sendJson(res, 200, { uploadId: id, parts: [...upload.parts.values()].map(partDto) }), true;
  }
  return false;
}
