// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum GCS
// keeps for every object. Slicing-by-8 tables, so that hashing objects of
// several GiB on their way to disk is not what limits the fake's speed.
// Check value: crc32c("123456789") = 0xE3069283.

const POLY = 0x82f63b78;
const TABLES = Array.from({ length: 8 }, () => new Uint32Array(256));
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
  TABLES[0][n] = c >>> 0;
}
for (let n = 0; n < 256; n++) {
  for (let t = 1; t < 8; t++) {
    const prev = TABLES[t - 1][n];
    TABLES[t][n] = (prev >>> 8) ^ TABLES[0][prev & 0xff];
  }
}
const [T0, T1, T2, T3, T4, T5, T6, T7] = TABLES;

// Returns the CRC of `buf` continued from `crc` (0 for a fresh start).
export function crc32cUpdate(crc, buf) {
  let c = ~crc >>> 0;
  let i = 0;
  const end8 = buf.length - (buf.length % 8);
  for (; i < end8; i += 8) {
    const a = (c ^ (buf[i] | (buf[i + 1] << 8) | (buf[i + 2] << 16) | (buf[i + 3] << 24))) >>> 0;
    c = T7[a & 0xff] ^ T6[(a >>> 8) & 0xff] ^ T5[(a >>> 16) & 0xff] ^ T4[a >>> 24] ^
      T3[buf[i + 4]] ^ T2[buf[i + 5]] ^ T1[buf[i + 6]] ^ T0[buf[i + 7]];
  }
  for (; i < buf.length; i++) c = (c >>> 8) ^ T0[(c ^ buf[i]) & 0xff];
  return ~c >>> 0;
}

export function crc32c(buf) {
  return crc32cUpdate(0, buf);
}

// GCS writes the CRC as base64 of its four big-endian bytes.
export function crc32cBase64(crc) {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(crc >>> 0);
  return b.toString('base64');
}
