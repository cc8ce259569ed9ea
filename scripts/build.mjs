#!/usr/bin/env node
// Compiles the TypeScript sources to dist/ with SWC (transpile only; `tsc --noEmit` checks types).
// The one list of source roots, used by `npm run build` and `npm test`.
//
// Skips the compiler when dist/ was built from exactly the current sources (a content hash of
// every source file, .swcrc and the SWC version, kept in dist/.sources-hash): `npm run synth`
// then pays 30 ms instead of 0.4 s. Any change rebuilds dist/ from scratch, so the outputs of
// deleted sources go too. `--force` always rebuilds.
//
// `node scripts/build.mjs --then <file.js> [args...]` runs <file.js> in this same process after
// the build, with `args` as its command line: one Node.js start-up instead of two.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const SOURCES = ["main.ts", "check.ts", "lib", "stacks", "constructs", "policy"];

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const dist = path.join(root, "dist");
const hashFile = path.join(dist, ".sources-hash");

/** Content hash of everything the output depends on. */
function sourcesHash() {
  const hash = createHash("sha256");
  hash.update(`swc ${require("@swc/core/package.json").version}\n`);
  const files = [".swcrc"];
  for (const source of SOURCES) {
    const full = path.join(root, source);
    if (fs.statSync(full).isDirectory()) {
      for (const entry of fs.readdirSync(full, { recursive: true, withFileTypes: true })) {
        if (entry.isFile() && entry.name.endsWith(".ts")) files.push(path.relative(root, path.join(entry.parentPath, entry.name)));
      }
    } else files.push(source);
  }
  for (const file of files.sort()) hash.update(`${file}\n`).update(fs.readFileSync(path.join(root, file))).update("\n");
  return hash.digest("hex");
}

/** Builds dist/ unless it is current; returns the exit code. */
export function build({ force = false } = {}) {
  const wanted = sourcesHash();
  if (!force && fs.existsSync(hashFile) && fs.readFileSync(hashFile, "utf8") === wanted) return 0;
  fs.rmSync(dist, { recursive: true, force: true });
  const result = spawnSync(path.join(root, "node_modules", ".bin", "swc"), [...SOURCES, "-d", "dist", "--quiet"], { cwd: root, stdio: "inherit" });
  if (result.status !== 0) return result.status ?? 1;
  fs.writeFileSync(hashFile, wanted);
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const then = args.indexOf("--then");
  const code = build({ force: args.slice(0, then === -1 ? undefined : then).includes("--force") });
  if (code !== 0 || then === -1) process.exitCode = code;
  else {
    const target = path.resolve(root, args[then + 1]);
    process.argv = [process.argv[0], target, ...args.slice(then + 2)];
    await import(pathToFileURL(target).href);
  }
}
