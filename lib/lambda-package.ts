import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { zipSync } from "fflate";

export interface LambdaPackage {
  /** The zip on disk (outside the output; a TerraformAsset copies it into the stack). */
  readonly file: string;
  /** Base64 SHA-256 of the zip: what Lambda reports as `CodeSha256` and the provider's `source_code_hash`. */
  readonly sha256: string;
}

// Zip entries carry a modification time; a fixed one makes the archive, its hash and so the plan
// depend on the source only (1980-01-01, the earliest time a zip can hold).
const FIXED_MTIME = new Date(1980, 0, 1);

/**
 * Packs `sources` (absolute paths, stored under their base names) into a deterministic zip for a
 * Lambda function: the same sources give the same bytes on every machine.
 */
export function lambdaPackage(name: string, sources: readonly string[]): LambdaPackage {
  const entries: Record<string, [Uint8Array, { mtime: Date; level: 9 }]> = {};
  for (const source of [...sources].sort()) entries[path.basename(source)] = [fs.readFileSync(source), { mtime: FIXED_MTIME, level: 9 }];
  const bytes = Buffer.from(zipSync(entries));
  const digest = crypto.createHash("sha256").update(bytes).digest();
  const dir = path.join(os.tmpdir(), "cdktf-lambda-packages", digest.toString("hex").slice(0, 16));
  const file = path.join(dir, `${name}.zip`);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(dir, { recursive: true });
    const partial = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(partial, bytes);
    fs.renameSync(partial, file);
  }
  return { file, sha256: digest.toString("base64") };
}
