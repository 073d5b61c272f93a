// An object's bytes on their way to disk, hashed (CRC-32C and MD5) as
// they are written, so nothing of an object is ever held in memory. A
// resumable upload keeps one BlobWriter across its requests; the file is
// open only while a request is writing to it.
import { createHash } from 'node:crypto';
import { open, unlink } from 'node:fs/promises';
import { crc32cUpdate, crc32cBase64 } from './crc32c.mjs';

export class BlobWriter {
  constructor(path) {
    this.path = path;
    this.size = 0;
    this.crc = 0;
    this.md5 = createHash('md5');
    this.fh = null;
  }

  async open() {
    if (!this.fh) this.fh = await open(this.path, this.size ? 'a' : 'w', 0o600);
  }

  async write(buf) {
    if (!buf.length) return;
    await this.open();
    this.crc = crc32cUpdate(this.crc, buf);
    this.md5.update(buf);
    this.size += buf.length;
    let done = 0;
    while (done < buf.length) {
      const { bytesWritten } = await this.fh.write(buf, done, buf.length - done);
      done += bytesWritten;
    }
  }

  // Closes the file for now; more may be appended later.
  async pause() {
    if (this.fh) {
      const fh = this.fh;
      this.fh = null;
      await fh.close();
    }
  }

  // The hashes of everything written, as GCS spells them.
  async finish() {
    await this.open();
    await this.pause();
    return { size: this.size, crc32c: crc32cBase64(this.crc), md5Hash: this.md5.digest('base64') };
  }

  async discard() {
    await this.pause().catch(() => {});
    await unlink(this.path).catch(() => {});
  }
}
