#!/usr/bin/env node
// Terraform is the judge: synthesizes every test case (the default configuration as JSON and as
// HCL, and every example configuration), then runs `terraform init` and `terraform validate` in
// every stack directory and a mocked `terraform test` where it adds coverage (coverSuites), in
// parallel, offline.
//
// Test suites live in __tests__/terraform/*.tftest.hcl. A suite's `# requires:` line lists the
// addresses it reads; it applies to every stack that has them all and none of the addresses of its
// optional `# excludes:` line, and runs on the default configuration's stacks and on enough others
// that every suite runs at least once (--all-stacks: on every stack it applies to). The shared mocked provider (mock-provider.hcl) and the mock
// fragments (*.mock.hcl, selected by their own `# requires:` line) are prepended to each suite
// when it is copied into <stack>/tests/.
//
// Usage: node scripts/terraform-check.mjs [--jobs N] [--case NAME]... [--all-stacks]
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const suitesDir = path.join(root, "__tests__", "terraform");
const outRoot = path.join(root, ".test-out", "terraform");
const MIRROR = "/opt/tf-plugins/registry.terraform.io/hashicorp/aws";

const { values: args } = parseArgs({
  options: { jobs: { type: "string" }, case: { type: "string", multiple: true }, "all-stacks": { type: "boolean" } },
});
const jobs = Math.max(1, Number(args.jobs ?? os.cpus().length));

process.env.TF_CLI_CONFIG_FILE = path.join(root, "terraform.tfrc");
process.env.TF_IN_AUTOMATION = "1";
process.env.CHECKPOINT_DISABLE = "1";
delete process.env.TF_PLUGIN_CACHE_DIR;

preflight();

const { synthesize } = require(path.join(root, "dist", "lib", "synth", "synth.js"));
const { mergeSuites } = require("./tftest-merge.cjs");
const cases = testCases().filter((c) => !args.case || args.case.includes(c.name));
const mockProvider = fs.readFileSync(path.join(suitesDir, "mock-provider.hcl"), "utf8");
const suites = loadSuites(".tftest.hcl");
const fragments = loadSuites(".mock.hcl");

fs.rmSync(outRoot, { recursive: true, force: true });
const work = [];
for (const testCase of cases) {
  // Release files of the examples go next to their stacks, never into the committed generated/.
  const result = await synthesize({
    configFile: testCase.config,
    outdir: path.join(outRoot, testCase.name),
    format: testCase.format,
    atomic: false,
    generatedDir: path.join(outRoot, `${testCase.name}.generated`),
  });
  for (const stack of result.stacks) {
    const applicable = suites.filter((s) => applies(s, stack.addresses));
    if (applicable.length === 0) {
      fail(`No Terraform test suite applies to stack ${stack.name} of case ${testCase.name}: every stack needs at least one (see ${path.relative(root, suitesDir)}).`);
    }
    const testsDir = path.join(stack.directory, "tests");
    fs.mkdirSync(testsDir, { recursive: true });
    // One file per stack: Terraform sets up (and at the end tears down) the mocked provider and the
    // whole configuration once per file, which costs more than most runs. Runs that are only asserts
    // are merged into one; the others keep their suite's name as a prefix and share its state.
    const mocks = fragments.filter((f) => applies(f, stack.addresses)).map((f) => f.text);
    // Written after coverSuites: the suites this stack runs, or (validate only) all that apply, their
    // plain runs merged into one (scripts/tftest-merge.cjs).
    const writeSuites = (names) => {
      const merged = mergeSuites(applicable.filter((suite) => names.includes(suite.name)));
      fs.writeFileSync(path.join(testsDir, "stack.tftest.hcl"), [mockProvider, ...mocks, merged.text].join("\n"));
      return merged;
    };
    work.push({ writeSuites, label: `${testCase.name}/${stack.name}`, case: testCase.name, format: result.format, dir: stack.directory, suites: testCase.validateOnly ? [] : applicable.map((s) => s.name), addresses: stack.addresses, validateOnly: testCase.validateOnly });
  }
}
coverSuites(work);
for (const item of work) item.merged = item.writeSuites(item.validateOnly ? [...item.suites, ...(item.coveredElsewhere ?? [])] : item.suites);

// A suite whose addresses no stack has would never run: that is a renamed address, not a pass.
const idle = suites.filter((suite) => !work.some((item) => item.suites.includes(suite.name) || item.coveredElsewhere?.includes(suite.name)));
if (idle.length > 0 && !args.case) fail(`No stack runs ${idle.map((s) => s.file).join(", ")}: its "# requires:" addresses exist nowhere (renamed?)`);
const idleFragments = fragments.filter((f) => !work.some((item) => applies(f, item.addresses)));
if (idleFragments.length > 0 && !args.case) fail(`No stack uses ${idleFragments.map((f) => f.file).join(", ")}`);

const started = Date.now();
const results = await runAll(work, jobs, checkStack);
const failed = results.filter((r) => !r.ok);
printTable(results);
console.log(`\nterraform: ${results.length} stack(s), ${results.reduce((n, r) => n + r.runs, 0)} test run(s), ${failed.length} failed, ${((Date.now() - started) / 1000).toFixed(1)} s with ${jobs} job(s)`);
for (const r of failed) console.error(`\n--- ${r.label}: ${r.step} failed ---\n${r.output}`);
process.exitCode = failed.length ? 1 : 0;

/**
 * Mocked `terraform test` plans every run of a stack's suites: the most expensive part of npm test.
 * Every stack is applied, planned, released and destroyed for real in the emulator tier
 * (scripts/e2e.mjs), which proves more than a mocked plan; here a stack runs its suites when it is
 * one of the default configuration's or when it has a suite no stack before it ran (a greedy
 * cover, examples with the most suites first), so that every suite runs at least once. The other
 * stacks are validated (warnings fail), their suite files included. A stack runs all its suites,
 * merged (scripts/tftest-merge.cjs: one apply holds the asserts of every plain run; each run costs
 * about 4 CPU-seconds of provider schema and planning whatever it asserts). Measured on 2 cores:
 * 231 runs, 1,324 s with the cover and without merging; 34 runs, 157 s wall (5.3 CPU-minutes) with
 * both; every stack with merging (`--all-stacks`), 290 s wall (9.1 CPU-minutes).
 */
function coverSuites(items) {
  if (args["all-stacks"]) return;
  const covered = new Set();
  const candidates = items.filter((i) => !i.validateOnly);
  const order = [...candidates.filter((i) => i.case === "default"), ...candidates.filter((i) => i.case !== "default").sort((a, b) => b.suites.length - a.suites.length)];
  for (const item of order) {
    const adds = item.suites.filter((s) => !covered.has(s));
    if (item.case === "default" || adds.length > 0) {
      item.suites.forEach((s) => covered.add(s));
      continue;
    }
    item.coveredElsewhere = item.suites;
    item.suites = [];
    item.validateOnly = true;
  }
}

function preflight() {
  const version = spawnSync("terraform", ["version", "-json"], { encoding: "utf8" });
  if (version.error || version.status !== 0) {
    fail("terraform is not on PATH. These tests need Terraform 1.11 (expected at /usr/local/bin/terraform); they do not skip.");
  }
  if (!fs.existsSync(MIRROR)) {
    fail(`The AWS provider mirror ${MIRROR} is missing. terraform.tfrc installs hashicorp/aws 5.100.0 from it, offline; the tests do not skip.`);
  }
}

function testCases() {
  const cases = [
    { name: "default", config: path.join(root, "config", "default.yaml"), format: "json" },
    // The HCL output is validated (warnings fail) but not tested with mocks: the emulator tier plans it
    // against the real state of the JSON output (scripts/e2e.mjs, eject), which proves more.
    { name: "default-hcl", config: path.join(root, "config", "default.yaml"), format: "hcl", validateOnly: true },
  ];
  const examples = path.join(root, "config", "examples");
  for (const file of fs.readdirSync(examples).sort()) {
    if (/\.(ya?ml|json)$/.test(file)) cases.push({ name: `example-${file.replace(/\.[^.]+$/, "")}`, config: path.join(examples, file), format: undefined });
  }
  return cases;
}

/** Suites or mock fragments in __tests__/terraform with their `# requires:` / `# excludes:` lines. */
function loadSuites(suffix) {
  return fs
    .readdirSync(suitesDir)
    .filter((f) => f.endsWith(suffix))
    .sort()
    .map((file) => {
      const text = fs.readFileSync(path.join(suitesDir, file), "utf8");
      const line = /^# requires:(.*)$/m.exec(text);
      if (!line) fail(`${file} has no "# requires: <address> ..." line`);
      const excludes = /^# excludes:(.*)$/m.exec(text);
      return {
        file,
        name: file.slice(0, -suffix.length),
        requires: line[1].trim().split(/\s+/),
        excludes: excludes ? excludes[1].trim().split(/\s+/) : [],
        text,
      };
    });
}

function applies(suite, addresses) {
  return suite.requires.every((a) => addresses.includes(a)) && !suite.excludes.some((a) => addresses.includes(a));
}

async function checkStack(item) {
  // `terraform test` validates the configuration first and its warnings fail here too, so a stack
  // with suites needs no separate `terraform validate`.
  const steps = [
    ["init", ["init", "-backend=false", "-input=false", "-no-color"]],
    ...(item.validateOnly ? [["validate", ["validate", "-no-color"]]] : [["test", ["test", "-no-color"]]]),
  ];
  const times = {};
  for (const [step, argv] of steps) {
    const t0 = Date.now();
    const { code, output } = await run("terraform", argv, item.dir);
    times[step] = (Date.now() - t0) / 1000;
    if (code !== 0) return { ...item, ok: false, step, output, times, runs: 0 };
    // Synthesized Terraform must be clean, not merely valid: a warning is a failure (init warns
    // about lock-file checksums of the local mirror, which is about this machine, not the code).
    if (step !== "init" && /^Warning: /m.test(output)) return { ...item, ok: false, step: `${step} (warnings)`, output, times, runs: 0 };
    if (step === "test") {
      const m = /(\d+) passed, (\d+) failed/.exec(output);
      const runs = m ? Number(m[1]) : 0;
      if (!m || Number(m[2]) > 0 || runs === 0) return { ...item, ok: false, step, output, times, runs };
      return { ...item, ok: true, times, runs };
    }
  }
  return { ...item, ok: true, times, runs: 0 };
}

function run(cmd, argv, cwd) {
  return new Promise((resolve) => {
    const child = spawn(cmd, argv, { cwd, env: process.env });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("close", (code) => resolve({ code, output }));
  });
}

async function runAll(items, limit, fn) {
  const results = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  });
  await Promise.all(workers);
  return results;
}

function printTable(results) {
  const rows = results.map((r) => [
    r.label,
    r.format,
    r.suites.join(" ") || (r.coveredElsewhere?.length ? "(validate; its suites run on other stacks)" : ""),
    fmt(r.times.init),
    fmt(r.times.validate),
    fmt(r.times.test),
    String(r.runs),
    r.ok ? "ok" : `FAILED (${r.step})`,
  ]);
  const head = ["stack", "format", "suites", "init s", "validate s", "test s", "runs", "result"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => cells.map((c, i) => c.padEnd(widths[i])).join("  ");
  console.log(line(head));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const r of rows) console.log(line(r));
}

function fmt(n) {
  return n === undefined ? "-" : n.toFixed(1);
}

function fail(message) {
  console.error(`terraform-check: ${message}`);
  process.exit(1);
}
