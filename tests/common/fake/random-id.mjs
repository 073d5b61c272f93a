// tests/common/fake/random-id.mjs - the random names the fakes give what
// they create (sandbox ids, directories), as their vendors' ids look:
// lower-case letters and digits.
import { randomBytes } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** `n` random characters of [a-z0-9]. */
export function randomId(n) {
  const bytes = randomBytes(n);
  let s = '';
  for (let i = 0; i < n; i++) s += ALPHABET[bytes[i] % ALPHABET.length];
  return s;
}
