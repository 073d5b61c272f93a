// fake/byte-range.mjs - the Range header as Go's http.ServeContent reads
// it (net/http/fs.go parseRange), for GET /files/download: the v0.190.0
// daemon's handler ends in gin's c.File, i.e. http.ServeFile. One range
// is answered 206 with Content-Range; a range past the end 416 with
// `Content-Range: bytes */size` and Go's text; anything it cannot parse
// 416 "invalid range". Several ranges (Go's multipart/byteranges) are not
// served: the whole file, as if no Range had come.

export class RangeError416 extends Error {
  constructor(message, noOverlap) {
    super(message);
    this.noOverlap = noOverlap;
  }
}

const INT = /^[0-9]+$/;

/**
 * The byte ranges of a Range header for a body of `size` bytes:
 * [{start, length}], [] when there is no header (or it names no range),
 * or throws RangeError416.
 */
export function parseRange(header, size) {
  if (header === undefined || header === '') return [];
  if (!header.startsWith('bytes=')) throw new RangeError416('invalid range', false);
  const ranges = [];
  let noOverlap = false;
  for (const raw of header.slice(6).split(',')) {
    const spec = raw.trim();
    if (spec === '') continue;
    const dash = spec.indexOf('-');
    if (dash < 0) throw new RangeError416('invalid range', false);
    const start = spec.slice(0, dash).trim(), end = spec.slice(dash + 1).trim();
    if (start === '') {
      // the last `end` bytes
      if (!INT.test(end)) throw new RangeError416('invalid range', false);
      const n = Math.min(Number(end), size);
      ranges.push({ start: size - n, length: n });
      continue;
    }
    if (!INT.test(start)) throw new RangeError416('invalid range', false);
    const s = Number(start);
    if (s >= size) { noOverlap = true; continue; }
    if (end === '') { ranges.push({ start: s, length: size - s }); continue; }
    if (!INT.test(end) || s > Number(end)) throw new RangeError416('invalid range', false);
    ranges.push({ start: s, length: Math.min(Number(end), size - 1) - s + 1 });
  }
  if (noOverlap && ranges.length === 0) throw new RangeError416('invalid range: failed to overlap', true);
  // Go ignores ranges that add up to more than the file
  if (ranges.reduce((a, r) => a + r.length, 0) > size) return [];
  return ranges;
}
