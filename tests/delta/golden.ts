/** Locates the shared golden Delta tables (../shared/delta-golden from the repo root) for tests. */

import { fileURLToPath } from "node:url";

/** The directory holding the golden tables' EXPECTED.json, rows/ and tables/. */
export const GOLDEN_DIR = fileURLToPath(new URL("../../../shared/delta-golden", import.meta.url));

/** The directory of one golden table. */
export function goldenTable(name: string): string {
  return `${GOLDEN_DIR}/tables/${name}`;
}
