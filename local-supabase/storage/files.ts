// Where object bytes live: a folder beside the database's data dir, one file per bucket/name, written to a
// temporary file first and renamed into place only once the object's row is committed.
import { randomUUID } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';

export class FileStore {
  constructor(readonly root: string) {
    mkdirSync(path.join(root, '.incoming'), { recursive: true });
  }

  private pathOf(bucket: string, name: string): string {
    // Names are validated before they get here (no '..' segments); encoding keeps each one a single file.
    return path.join(this.root, encodeURIComponent(bucket), encodeURIComponent(name));
  }

  /** Writes the bytes aside; `commit` moves them into place, `discard` drops them. */
  stage(bytes: Buffer): { commit(bucket: string, name: string): void; discard(): void } {
    const tmp = path.join(this.root, '.incoming', randomUUID());
    writeFileSync(tmp, bytes);
    return {
      commit: (bucket, name) => {
        const target = this.pathOf(bucket, name);
        mkdirSync(path.dirname(target), { recursive: true });
        renameSync(tmp, target);
      },
      discard: () => rmSync(tmp, { force: true }),
    };
  }

  read(bucket: string, name: string): { stream: Readable; size: number } | null {
    const p = this.pathOf(bucket, name);
    if (!existsSync(p)) return null;
    return { stream: createReadStream(p), size: statSync(p).size };
  }

  remove(bucket: string, name: string) {
    rmSync(this.pathOf(bucket, name), { force: true });
  }
}
