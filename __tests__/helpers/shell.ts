import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/**
 * Runs `bash -n` and `shellcheck` on a script and returns their complaints (empty when clean).
 * shellcheck is required: the test setup (.ci/run) installs Debian's package; without it the
 * check fails with a message saying so, never skips.
 */
export function lintShell(script: string, name = "script.sh"): string[] {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "sh-")), name);
  fs.writeFileSync(file, script);
  const problems: string[] = [];
  const syntax = spawnSync("bash", ["-n", file], { encoding: "utf8" });
  if (syntax.status !== 0) problems.push(`bash -n: ${syntax.stderr.trim()}`);
  const check = spawnSync("shellcheck", ["--shell=bash", "--severity=style", "--format=gcc", file], { encoding: "utf8" });
  if (check.error) {
    problems.push("shellcheck is not installed: install Debian's shellcheck package (apt-get install shellcheck); .ci/run does this");
  } else if (check.status !== 0) {
    problems.push(...check.stdout.trim().split("\n").map((l) => l.replace(file, name)));
  }
  return problems;
}
