#!/usr/bin/env node
// `npm test`: every check the project has, in order, with the time of each part.
// Stops at the first failing part so its output is the last thing on screen.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const bin = (name) => path.join(root, "node_modules", ".bin", name);

const parts = [
  ["typecheck (tsc --noEmit)", bin("tsc"), ["--noEmit", "-p", "."]],
  ["build (swc)", process.execPath, [path.join(root, "scripts", "build.mjs")]],
  ["unit tests (jest)", bin("jest"), ["--ci"]],
  ["terraform init/validate/test", process.execPath, [path.join(root, "scripts", "terraform-check.mjs")]],
];

ensureShellcheck();

const timings = [];
for (const [name, cmd, args] of parts) {
  const t0 = process.hrtime.bigint();
  const result = spawnSync(cmd, args, { cwd: root, stdio: "inherit", env: process.env });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  timings.push([name, seconds, result.status === 0]);
  if (result.status !== 0) break;
}

console.log("\nnpm test parts:");
for (const [name, seconds, ok] of timings) console.log(`  ${ok ? "ok    " : "FAILED"} ${seconds.toFixed(1).padStart(6)} s  ${name}`);
const failed = timings.some(([, , ok]) => !ok) || timings.length < parts.length;
// npm run bench reads the part timings from here.
if (process.env.TEST_TIMINGS_JSON) fs.writeFileSync(process.env.TEST_TIMINGS_JSON, JSON.stringify(timings.map(([name, seconds, ok]) => ({ name, seconds, ok }))));
process.exitCode = failed ? 1 : 0;

/**
 * The release scripts and user data are linted with shellcheck (Debian package). Installs it
 * when it is missing and this is a Debian machine we may administer (CI); otherwise the tests that
 * need it fail and say so.
 */
function ensureShellcheck() {
  if (spawnSync("shellcheck", ["--version"]).status === 0) return;
  const root = typeof process.getuid === "function" && process.getuid() === 0;
  if (!root || spawnSync("apt-get", ["--version"]).status !== 0) {
    console.error("shellcheck is missing and cannot be installed here; install Debian's shellcheck package. Tests that lint shell scripts will fail.");
    return;
  }
  console.log("Installing shellcheck (Debian package) for the shell script tests...");
  const update = spawnSync("apt-get", ["update", "-qq"], { stdio: "inherit" });
  const install = update.status === 0 ? spawnSync("apt-get", ["install", "-y", "-qq", "shellcheck"], { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } }) : update;
  if (install.status !== 0) console.error("Installing shellcheck failed; tests that lint shell scripts will fail.");
}
