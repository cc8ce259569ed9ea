// scripts/build.mjs: compiles only when the sources changed, and runs a script in-process after.
import { spawnSync, SpawnSyncReturns } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const root = path.join(__dirname, "..");
jest.setTimeout(60_000);

/** A throw-away project with the build script, SWC and the source roots it expects. */
function project(): { dir: string; build: (...args: string[]) => SpawnSyncReturns<string> } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "build-"));
  fs.mkdirSync(path.join(dir, "scripts"));
  fs.copyFileSync(path.join(root, "scripts", "build.mjs"), path.join(dir, "scripts", "build.mjs"));
  fs.copyFileSync(path.join(root, ".swcrc"), path.join(dir, ".swcrc"));
  fs.symlinkSync(path.join(root, "node_modules"), path.join(dir, "node_modules"));
  fs.writeFileSync(path.join(dir, "main.ts"), 'console.log(`main ${process.argv.slice(2).join(" ")}`);\n');
  fs.writeFileSync(path.join(dir, "check.ts"), "export const check = 1;\n");
  for (const folder of ["lib", "stacks", "constructs", "policy"]) fs.mkdirSync(path.join(dir, folder));
  fs.writeFileSync(path.join(dir, "lib", "a.ts"), "export const a: number = 1;\n");
  const build = (...args: string[]) => spawnSync(process.execPath, [path.join(dir, "scripts", "build.mjs"), ...args], { cwd: dir, encoding: "utf8" });
  return { dir, build };
}

const mtime = (file: string) => fs.statSync(file).mtimeMs;

test("compiles once, then skips while the sources are unchanged", () => {
  const { dir, build } = project();
  expect(build().status).toBe(0);
  const out = path.join(dir, "dist", "lib", "a.js");
  expect(fs.readFileSync(out, "utf8")).toContain("const a = 1");
  const first = mtime(out);
  expect(build().status).toBe(0);
  expect(mtime(out)).toBe(first);
  expect(build("--force").status).toBe(0);
  expect(mtime(out)).not.toBe(first);
});

test("a changed source rebuilds, and outputs of deleted sources go", () => {
  const { dir, build } = project();
  fs.writeFileSync(path.join(dir, "lib", "old.ts"), "export const old = 1;\n");
  expect(build().status).toBe(0);
  expect(fs.existsSync(path.join(dir, "dist", "lib", "old.js"))).toBe(true);
  fs.rmSync(path.join(dir, "lib", "old.ts"));
  fs.writeFileSync(path.join(dir, "lib", "a.ts"), "export const a: number = 2;\n");
  expect(build().status).toBe(0);
  expect(fs.readFileSync(path.join(dir, "dist", "lib", "a.js"), "utf8")).toContain("const a = 2");
  expect(fs.existsSync(path.join(dir, "dist", "lib", "old.js"))).toBe(false);
});

test("a syntax error fails the build and leaves no hash, so the next build tries again", () => {
  const { dir, build } = project();
  fs.writeFileSync(path.join(dir, "lib", "a.ts"), "export const a = ;\n");
  expect(build().status).not.toBe(0);
  expect(fs.existsSync(path.join(dir, "dist", ".sources-hash"))).toBe(false);
  fs.writeFileSync(path.join(dir, "lib", "a.ts"), "export const a = 3;\n");
  expect(build().status).toBe(0);
  expect(fs.readFileSync(path.join(dir, "dist", "lib", "a.js"), "utf8")).toContain("const a = 3");
});

test("--then runs the built script in the same process with the arguments after it", () => {
  const { build } = project();
  const result = build("--then", "dist/main.js", "--config", "x.yaml", "--force");
  expect(result.status).toBe(0);
  expect(result.stdout.trim()).toBe("main --config x.yaml --force");
});
