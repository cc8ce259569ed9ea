// Every temporary directory of a test run (cdktf's Testing.app() makes one per app, tests make
// their own) goes under one directory that global-teardown.ts removes: runs leave no litter in
// the system's temporary directory. Worker processes inherit TMPDIR; os.tmpdir() reads it.
//
// Some tests run the compiled synthesis (dist/). The build runs here, once, before any worker:
// it rebuilds from scratch when a source changed, and two workers building at once would remove
// dist/ under each other's feet. It returns at once when dist/ is current (npm test builds first).
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export default function globalSetup(): void {
  const build = spawnSync(process.execPath, [path.join(__dirname, "..", "..", "scripts", "build.mjs")], { encoding: "utf8" });
  if (build.status !== 0) throw new Error(`scripts/build.mjs failed (exit code ${build.status}):\n${build.stdout}${build.stderr}`);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "jest-run-"));
  process.env.JEST_RUN_SCRATCH = scratch;
  process.env.TMPDIR = scratch;
}
