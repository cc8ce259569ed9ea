// lib/synth/code-cache.ts: modules compiled from V8's cached code must behave as Node.js's own loader
// makes them, an edited module must never run from stale code, and a bad cache must not matter.
// That npm run synth writes the same output from cached code is in synth.test.ts.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const root = path.join(__dirname, "..");
// Compiled (dist/): jest's global setup (helpers/global-setup.ts) brings it up to date.
const compiled = path.join(root, "dist", "lib", "synth", "code-cache.js");
jest.setTimeout(60_000);

/** A small CommonJS project whose entry enables the cache, loads its modules and prints what it saw. */
function project(): { dir: string; cache: string; run: (setting?: string) => { mode: string; stats: { hits: number; misses: number }; seen: Record<string, unknown> } } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "code-cache-"));
  const cache = path.join(dir, "cache");
  fs.mkdirSync(path.join(dir, "lib"));
  fs.writeFileSync(
    path.join(dir, "entry.js"),
    `const cc = require(${JSON.stringify(compiled)});
     const mode = cc.enableCodeCache();
     const a = require("./lib/a.js");
     let broken;
     try { require("./lib/broken.js"); } catch (e) { broken = e.name + " " + (e.stack.includes("broken.js") ? "names the file" : "does not name the file"); }
     a.loadEsm().then((esm) => {
       const seen = { ...a, loadEsm: undefined, esm: esm.esm, shebang: require("./lib/shebang.js"), broken };
       console.log(JSON.stringify({ mode, stats: cc.codeCacheStats(), seen }));
     });`,
  );
  fs.writeFileSync(
    path.join(dir, "lib", "a.js"),
    `const b = require("./b");
     module.exports = {
       b: b.value,
       thisIsExports: this === module.exports,
       file: __filename,
       dir: __dirname,
       resolved: require.resolve("./b"),
       resolvedWithPaths: require.resolve("./b", { paths: [__dirname] }),
       lookupPaths: require.resolve.paths("some-package")[0],
       cached: require.cache[require.resolve("./b")].exports === b,
       child: module.children.map((c) => c.id),
       parent: module.parent && module.parent.id,
       extensions: Object.keys(require.extensions),
       fn: (function named() { return "called"; })(),
     };
     module.exports.loadEsm = require("./dynamic.js");`,
  );
  fs.writeFileSync(path.join(dir, "lib", "dynamic.js"), 'module.exports = () => import("./esm.mjs");\n');
  fs.writeFileSync(path.join(dir, "lib", "b.js"), 'module.exports = { value: "B1" };\n');
  fs.writeFileSync(path.join(dir, "lib", "esm.mjs"), 'export const esm = "ESM";\n');
  fs.writeFileSync(path.join(dir, "lib", "shebang.js"), '#!/usr/bin/env node\nmodule.exports = "shebang";\n');
  fs.writeFileSync(path.join(dir, "lib", "broken.js"), "module.exports = {;\n");
  const run = (setting = cache) => {
    const r = spawnSync(process.execPath, ["entry.js"], { cwd: dir, encoding: "utf8", env: { ...process.env, SYNTH_CODE_CACHE: setting } });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    return JSON.parse(r.stdout);
  };
  return { dir, cache, run };
}

const cacheFiles = (cache: string) => (fs.existsSync(cache) ? fs.readdirSync(cache) : []);

test("the first run compiles from source and writes one cache file; the next compiles every module from it (those with import(), a #! line or a syntax error are Node.js's)", () => {
  const { cache, run } = project();
  const first = run();
  expect(first.mode).toBe("v8");
  expect(first.stats).toMatchObject({ hits: 0, misses: 2, uncached: 3 });
  expect(cacheFiles(cache)).toEqual([`v8-${process.version}-${process.arch}.bin`]);
  const second = run();
  expect(second.stats).toMatchObject({ hits: 2, misses: 0, uncached: 3 });
  expect(second.seen).toEqual(first.seen);
});

test("modules see require, module, this and import() as under Node.js's own loader", () => {
  const { dir, run } = project();
  run();
  const cachedRun = run();
  expect(cachedRun.stats.hits).toBe(2);
  const nodeRun = run("off");
  expect(nodeRun.mode).toBe("off");
  expect(cachedRun.seen).toEqual(nodeRun.seen);
  // And what Node.js's loader gives is what the module expects.
  expect(nodeRun.seen).toMatchObject({
    b: "B1",
    thisIsExports: true,
    file: path.join(dir, "lib", "a.js"),
    resolved: path.join(dir, "lib", "b.js"),
    cached: true,
    child: [path.join(dir, "lib", "b.js")],
    parent: ".",
    esm: "ESM",
    shebang: "shebang",
    broken: "SyntaxError names the file",
    fn: "called",
  });
});

test("an edited module runs its new source, even when its length did not change", () => {
  const { dir, run } = project();
  run();
  fs.writeFileSync(path.join(dir, "lib", "b.js"), 'module.exports = { value: "B2" };\n');
  const edited = run();
  expect(edited.seen.b).toBe("B2");
  expect(edited.stats).toMatchObject({ hits: 1, misses: 1 });
  expect(run().stats).toMatchObject({ hits: 2, misses: 0 });
});

test("a damaged or foreign cache file is ignored and replaced", () => {
  const { cache, run } = project();
  run();
  const file = path.join(cache, cacheFiles(cache)[0]);
  for (const damage of [Buffer.from("not a cache"), fs.readFileSync(file).subarray(0, 200)]) {
    fs.writeFileSync(file, damage);
    expect(run().stats).toMatchObject({ hits: 0, misses: 2 });
    expect(run().stats).toMatchObject({ hits: 2, misses: 0 });
  }
});

test("SYNTH_CODE_CACHE=off writes nothing", () => {
  const { dir, cache, run } = project();
  expect(run("off").mode).toBe("off");
  expect(cacheFiles(cache)).toEqual([]);
  expect(fs.readdirSync(dir).sort()).toEqual(["entry.js", "lib"]);
});
