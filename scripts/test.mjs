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
  ["build (swc)", bin("swc"), ["main.ts", "check.ts", "lib", "stacks", "constructs", "policy", "-d", "dist", "--quiet"]],
  ["unit tests (jest)", bin("jest"), ["--ci"]],
  ["terraform init/validate/test", process.execPath, [path.join(root, "scripts", "terraform-check.mjs")]],
];

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
