#!/usr/bin/env node
// Entry point of `npm run eject` (node scripts/build.mjs --then scripts/eject.mjs <args>): one stack
// as a standalone Terraform directory. The work is lib/synth/eject.ts (compiled to dist/lib/synth/eject.js),
// whose eject() other scripts can call too. See docs/eject.md.
import { createRequire } from "node:module";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const { runEject } = createRequire(import.meta.url)(path.join(root, "dist", "lib", "synth", "eject.js"));

runEject(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (e) => {
    console.error(e);
    process.exitCode = 1;
  },
);
