#!/usr/bin/env node
// Compiles the TypeScript sources to dist/ with SWC (transpile only; `tsc --noEmit` checks types).
// The one list of source roots, used by `npm run build` and `npm test`.
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

export const SOURCES = ["main.ts", "check.ts", "lib", "stacks", "constructs", "policy"];

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const result = spawnSync(path.join(root, "node_modules", ".bin", "swc"), [...SOURCES, "-d", "dist", "--quiet"], { cwd: root, stdio: "inherit" });
process.exitCode = result.status ?? 1;
