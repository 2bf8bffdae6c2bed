/** A private scratch directory for one query: small bodies DuckDB must read as files, readable by this user only, removed after. */

/**
 * A directory only this user may enter (0700), holding files only this user may read (0600):
 * the bodies kept inline in oplog rows, which DuckDB cannot read where they are, and the
 * results pond copies out of DuckDB. {@link remove} deletes it all.
 *
 * @example
 * ```ts
 * const staging = await Staging.create();
 * try {
 *   const path = await staging.write("csv", new TextEncoder().encode("a,b\n1,2\n"));
 * } finally {
 *   await staging.remove();
 * }
 * ```
 */
export class Staging {
  #count = 0;

  private constructor(readonly dir: string) {}

  /** Makes the directory. */
  static async create(): Promise<Staging> {
    const dir = await Deno.makeTempDir({ prefix: "pond-sql-" });
    await Deno.chmod(dir, 0o700);
    return new Staging(dir);
  }

  /** A fresh path in the directory, ending `.ext`, not yet written. */
  path(ext: string): string {
    return `${this.dir}/${this.#count++}.${ext}`;
  }

  /** Writes `bytes` to a fresh file (mode 0600) and returns its path. */
  async write(ext: string, bytes: Uint8Array): Promise<string> {
    const path = this.path(ext);
    await Deno.writeFile(path, bytes, { mode: 0o600, createNew: true });
    return path;
  }

  /** Deletes the directory and everything in it. */
  async remove(): Promise<void> {
    await Deno.remove(this.dir, { recursive: true }).catch(() => {});
  }
}
