// Every temporary directory of a test run (cdktf's Testing.app() makes one per app, tests make
// their own) goes under one directory that global-teardown.ts removes: runs leave no litter in
// the system's temporary directory. Worker processes inherit TMPDIR; os.tmpdir() reads it.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export default function globalSetup(): void {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "jest-run-"));
  process.env.JEST_RUN_SCRATCH = scratch;
  process.env.TMPDIR = scratch;
}
