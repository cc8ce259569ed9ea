import * as fs from "fs";

export default function globalTeardown(): void {
  const scratch = process.env.JEST_RUN_SCRATCH;
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
}
