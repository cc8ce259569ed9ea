#!/usr/bin/env node
// `npm test`: every check the project has, in order, with the time of each part.
// Stops at the first failing part so its output is the last thing on screen.
//
// Parts run side by side where they are independent, so both cores stay busy: the whole run is
// CPU-bound (measured on 2 cores: every terraform command spends about 5 CPU-seconds loading the
// AWS provider's schema before any work, and the emulator tier runs about 140 of them). Each part
// run beside others prints its output when it ends and keeps its own time in the parts table.
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const bin = (name) => path.join(root, "node_modules", ".bin", name);

// Each step is one part, or several parts that run side by side.
// tsc checks types only and jest transpiles with SWC: the two are independent and share the cores.
const steps = [
  [["build (swc)", process.execPath, [path.join(root, "scripts", "build.mjs")]]],
  [
    ["typecheck (tsc --noEmit)", bin("tsc"), ["--noEmit", "-p", "."]],
    ["unit tests (jest)", bin("jest"), ["--ci"]],
  ],
  [
    ["terraform init/validate/test (mocked provider)", process.execPath, [path.join(root, "scripts", "terraform-check.mjs")]],
    ["emulator tier (moto: apply, plan, release, destroy)", process.execPath, [path.join(root, "scripts", "e2e.mjs")]],
  ],
];
const partCount = steps.flat().length;

ensureDebianPackages();

const timings = [];
for (const step of steps) {
  const results = step.length === 1 ? [runInline(step[0])] : await Promise.all(step.map(runBuffered));
  timings.push(...results);
  if (results.some(([, , ok]) => !ok)) break;
}

console.log("\nnpm test parts:");
for (const [name, seconds, ok] of timings) console.log(`  ${ok ? "ok    " : "FAILED"} ${seconds.toFixed(1).padStart(6)} s  ${name}`);
const failed = timings.some(([, , ok]) => !ok) || timings.length < partCount;
// npm run bench reads the part timings from here.
if (process.env.TEST_TIMINGS_JSON) fs.writeFileSync(process.env.TEST_TIMINGS_JSON, JSON.stringify(timings.map(([name, seconds, ok]) => ({ name, seconds, ok }))));
process.exitCode = failed ? 1 : 0;

function runInline([name, cmd, args]) {
  const t0 = process.hrtime.bigint();
  const result = spawnSync(cmd, args, { cwd: root, stdio: "inherit", env: process.env });
  return [name, Number(process.hrtime.bigint() - t0) / 1e9, result.status === 0];
}

/** A part run beside others: its output is printed in one piece when it ends. */
function runBuffered([name, cmd, args]) {
  const t0 = process.hrtime.bigint();
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, env: process.env });
    const chunks = [];
    child.stdout.on("data", (d) => chunks.push(d));
    child.stderr.on("data", (d) => chunks.push(d));
    child.on("close", (code) => {
      process.stdout.write(`\n==> ${name}\n${Buffer.concat(chunks).toString("utf8")}`);
      resolve([name, Number(process.hrtime.bigint() - t0) / 1e9, code === 0]);
    });
  });
}

/**
 * Debian packages the tests run: shellcheck lints the release scripts and user data; nginx runs the
 * fleet's Nginx site (templates/fleet/nginx.conf) in __tests__/fleet-nginx.test.ts; chromium draws
 * the architecture picture (headless screenshot) in __tests__/architecture.test.ts. Installs what is
 * missing when this is a Debian machine we may administer (CI); otherwise the tests that need them
 * fail and say so.
 */
function ensureDebianPackages() {
  const missing = [
    ["shellcheck", ["shellcheck", "--version"]],
    ["nginx", ["nginx", "-v"]],
    ["chromium", ["chromium", "--version"]],
    // The hosts' generated Ansible playbook and Caddyfile (__tests__/host-ansible.test.ts).
    ["ansible-core", ["ansible-playbook", "--version"]],
    ["ansible-lint", ["ansible-lint", "--version"]],
    ["caddy", ["caddy", "version"]],
  ].filter(([, probe]) => spawnSync(probe[0], probe.slice(1)).status !== 0).map(([name]) => name);
  if (missing.length === 0) return;
  const root = typeof process.getuid === "function" && process.getuid() === 0;
  if (!root || spawnSync("apt-get", ["--version"]).status !== 0) {
    console.error(`${missing.join(", ")} missing and cannot be installed here; install Debian's ${missing.join(" and ")} package(s). Tests that need them will fail.`);
    return;
  }
  console.log(`Installing ${missing.join(", ")} (Debian packages) for the tests...`);
  const update = spawnSync("apt-get", ["update", "-qq"], { stdio: "inherit" });
  // RUNLEVEL=1: the package's post-install does not start the nginx service; the test starts its own.
  const install = update.status === 0 ? spawnSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...missing], { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive", RUNLEVEL: "1" } }) : update;
  if (install.status !== 0) console.error(`Installing ${missing.join(", ")} failed; tests that need them will fail.`);
}
