import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** test/fuzz/corpus/ in the source tree (this file runs from dist/tools/fuzz/). */
export const CORPUS_ROOT = fileURLToPath(new URL("../../../test/fuzz/corpus/", import.meta.url));
export const CORPUS_DIR = (target: string) => join(CORPUS_ROOT, target);
