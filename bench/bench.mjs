#!/usr/bin/env node
// npm run bench: wall time and peak memory of synthesis (fast path and stock cdktf CLI) for 1, 2,
// 10 and 50 environments, and the time of each part of `npm test`. Numbers only; nothing asserts.
//
// Options: --runs N (repetitions per measurement, median reported; default 3), --skip-tests
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const Table = require("cli-table3");
const YAML = require("yaml");
const { values: args } = parseArgs({ options: { runs: { type: "string" }, "skip-tests": { type: "boolean" } } });
const runs = Number(args.runs ?? 3);
// Output goes where `npm run synth` writes it, inside the repository: on some machines creating
// files in the system temporary directory is several times slower than anywhere else.
const work = fs.mkdtempSync(path.join(root, ".bench-"));
const out = path.join(work, "out");
process.env.TF_CLI_CONFIG_FILE = path.join(root, "terraform.tfrc");
const TIME = "/usr/bin/time";
const hasTime = fs.existsSync(TIME);

/** Runs a command `runs` times; returns the median wall seconds and the median peak RSS in MB. */
function measure(cmd, argv, env = {}) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    fs.rmSync(out, { recursive: true, force: true });
    const statFile = path.join(work, "time.txt");
    const t0 = process.hrtime.bigint();
    const r = hasTime
      ? spawnSync(TIME, ["-f", "%M", "-o", statFile, cmd, ...argv], { cwd: root, env: { ...process.env, ...env }, encoding: "utf8" })
      : spawnSync(cmd, argv, { cwd: root, env: { ...process.env, ...env }, encoding: "utf8" });
    const wall = Number(process.hrtime.bigint() - t0) / 1e9;
    if (r.status !== 0) throw new Error(`${cmd} ${argv.join(" ")} failed:\n${r.stdout}\n${r.stderr}`);
    const rssMb = hasTime ? Number(fs.readFileSync(statFile, "utf8").trim().split("\n").pop()) / 1024 : NaN;
    samples.push({ wall, rssMb });
  }
  const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return { wall: median(samples.map((s) => s.wall)), rssMb: median(samples.map((s) => s.rssMb)) };
}

/** A valid configuration with `n` environments (one /16 each). */
function configWith(n) {
  const environments = {};
  for (let i = 0; i < n; i++) environments[`env${i}`] = { protection: false, network: { cidr: `10.${i}.0.0/16` } };
  const file = path.join(work, `envs-${n}.yaml`);
  fs.writeFileSync(file, YAML.stringify({ app: { name: "bench", region: "eu-west-1" }, environments }));
  return file;
}

const rows = [];
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

// Release files go to the work directory too: the committed generated/ must not change.
const generated = path.join(work, "generated");
const full = measure(npm, ["run", "--silent", "synth", "--", "--out", out, "--generated", generated]);
rows.push(["npm run synth (build + synth), default config (2 envs)", full]);
for (const n of [1, 2, 10, 50]) {
  rows.push([`fast path: node dist/main.js, ${n} env(s)`, measure(process.execPath, ["dist/main.js", "--config", configWith(n), "--out", out, "--generated", generated])]);
}
// The runs above compile their modules from the code cache (lib/synth/code-cache.ts), which the first
// of them writes when there is none yet.
rows.push([
  "fast path, 50 env(s), without the code cache (SYNTH_CODE_CACHE=off)",
  measure(process.execPath, ["dist/main.js", "--config", configWith(50), "--out", out, "--generated", generated], { SYNTH_CODE_CACHE: "off" }),
]);
for (const n of [1, 2, 10, 50]) {
  rows.push([
    `stock: cdktf synth (CLI), ${n} env(s)`,
    measure(path.join(root, "node_modules", ".bin", "cdktf"), ["synth", "--output", out], { APP_CONFIG: configWith(n), GENERATED_DIR: generated, CHECKPOINT_DISABLE: "1", CI: "1" }),
  ]);
}

const synthTable = new Table({ head: ["measurement", "wall s (median)", "peak RSS MB"], colAligns: ["left", "right", "right"], style: { head: [], border: [] } });
for (const [name, m] of rows) synthTable.push([name, m.wall.toFixed(2), Number.isNaN(m.rssMb) ? "n/a" : m.rssMb.toFixed(0)]);
console.log(`Synthesis (${runs} run(s) each, median; ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB)`);
console.log(synthTable.toString());

if (!args["skip-tests"]) {
  const timings = path.join(work, "timings.json");
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [path.join(root, "scripts", "test.mjs")], { cwd: root, env: { ...process.env, TEST_TIMINGS_JSON: timings }, encoding: "utf8" });
  const total = Number(process.hrtime.bigint() - t0) / 1e9;
  const testTable = new Table({ head: ["npm test part", "wall s", "result"], colAligns: ["left", "right", "left"], style: { head: [], border: [] } });
  for (const part of JSON.parse(fs.readFileSync(timings, "utf8"))) testTable.push([part.name, part.seconds.toFixed(1), part.ok ? "ok" : "FAILED"]);
  testTable.push(["total", total.toFixed(1), r.status === 0 ? "ok" : "FAILED"]);
  console.log("\nnpm test (one run)");
  console.log(testTable.toString());
}
fs.rmSync(work, { recursive: true, force: true });
