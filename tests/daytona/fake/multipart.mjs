// fake/multipart.mjs - multipart/form-data both ways: parsing an upload
// (the whole body, held in memory) and writing a download part by part,
// with the part headers Go's multipart.Writer writes (sorted by name).

export class MultipartError extends Error {}

/** The boundary of a multipart/form-data Content-Type, or null. */
export function boundaryOf(contentType) {
  const m = /^multipart\/form-data\s*;(.*)$/i.exec(contentType ?? '');
  if (!m) return null;
  const b = /(?:^|;)\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(m[1]);
  return b ? (b[1] ?? b[2]) : null;
}

/** Parameters of a Content-Disposition value: {type, params: {name, filename, ...}}. */
export function parseDisposition(value) {
  const [type, ...rest] = value.split(';');
  const params = {};
  const re = /\s*([^=\s;]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/y;
  let text = rest.join(';');
  for (;;) {
    text = text.replace(/^\s*;?\s*/, '');
    if (!text) break;
    re.lastIndex = 0;
    const m = re.exec(text);
    if (!m) break;
    params[m[1].toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3].trim();
    text = text.slice(re.lastIndex);
  }
  return { type: type.trim().toLowerCase(), params };
}

/** The parts of a multipart body: [{name, filename, headers, data}]; throws MultipartError. */
export function parseMultipart(body, boundary) {
  const parts = [];
  try {
    return parseParts(body, boundary, parts);
  } catch (e) {
    e.parts = parts; // what was read before the trouble
    throw e;
  }
}

function parseParts(body, boundary, parts) {
  const delim = Buffer.from('--' + boundary);
  let pos = body.indexOf(delim);
  if (pos < 0) throw new MultipartError('multipart: NextPart: EOF');
  for (;;) {
    pos += delim.length;
    if (body.subarray(pos, pos + 2).toString() === '--') return parts;
    if (body.subarray(pos, pos + 2).toString() !== '\r\n') throw new MultipartError('multipart: boundary not followed by CRLF');
    pos += 2;
    const headEnd = body.indexOf('\r\n\r\n', pos);
    if (headEnd < 0) throw new MultipartError('multipart: NextPart: EOF');
    const headers = {};
    for (const line of body.subarray(pos, headEnd).toString('utf8').split('\r\n')) {
      const i = line.indexOf(':');
      if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
    }
    const dataStart = headEnd + 4;
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delim]), dataStart);
    if (next < 0) throw new MultipartError('multipart: NextPart: EOF');
    const disp = parseDisposition(headers['content-disposition'] ?? '');
    parts.push({
      name: disp.type === 'form-data' ? disp.params.name ?? '' : '',
      filename: disp.params.filename,
      headers,
      data: body.subarray(dataStart, next),
    });
    pos = next + 2;
  }
}

/** The bytes that open one part: the boundary line (CRLF first unless it is the first part) and the sorted headers. */
export function partHead(boundary, first, headers) {
  const lines = Object.keys(headers).sort().map((k) => `${k}: ${headers[k]}\r\n`).join('');
  return Buffer.from(`${first ? '' : '\r\n'}--${boundary}\r\n${lines}\r\n`);
}

/** The closing delimiter (Go's Writer.Close writes the CRLF even after no part). */
export const multipartEnd = (boundary) => Buffer.from(`\r\n--${boundary}--\r\n`);

/** A quoted filename as the daemon writes it: \ and " escaped, CR, LF, NUL dropped, other controls and non-Latin-1 as '_'. */
export function latin1Filename(s) {
  let out = '';
  for (const ch of s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/[\r\n\0]/g, '')) {
    const c = ch.codePointAt(0);
    out += c > 0xff || c < 0x20 || c === 0x7f ? '_' : ch;
  }
  return out;
}

/** RFC 5987 percent-encoding of the UTF-8 bytes (attr-char kept). */
export function rfc5987(s) {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const ch = String.fromCharCode(b);
    out += /[A-Za-z0-9!#$&+\-.^_`|~]/.test(ch) ? ch : '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

export const contentDisposition = (kind, formName, name) =>
  `${kind}; ${formName === null ? '' : `name="${formName}"; `}filename="${latin1Filename(name)}"; filename*=utf-8''${rfc5987(name)}`;
