import * as crypto from "crypto";
import * as fs from "fs";
import Module = require("module");
import * as path from "path";
import * as vm from "vm";

/**
 * Environment variable: `off` compiles every module from source; a directory puts the cache there
 * instead of `node_modules/.cache/cdktf-ec2-release/`.
 */
export const CODE_CACHE_ENV = "SYNTH_CODE_CACHE";

/** How modules are compiled from now on. */
export type CodeCacheMode = "node" | "v8" | "off";

export interface CodeCacheStats {
  /** Modules compiled from their cached code. */
  readonly hits: number;
  /** Modules compiled from source: no cache entry, a changed file, or a cache V8 rejected. */
  readonly misses: number;
  /** Modules left to Node.js's own compile: those with `import(` and those that do not compile as a function body. */
  readonly uncached: number;
}

/** Node.js's internal pieces of `Module` that `require` is made of (stable since Node.js 12). */
interface ModuleInternals {
  _compile(this: Module, content: string, filename: string): unknown;
  _resolveFilename(request: string, parent: Module, isMain: boolean, options?: { paths?: string[] }): string;
  _resolveLookupPaths(request: string, parent: Module): string[] | null;
  _extensions: unknown;
  _cache: unknown;
  wrap(content: string): string;
  enableCompileCache?: (directory?: string) => unknown;
}

interface Entry {
  readonly hash: string;
  readonly data: Buffer;
}

const internals = Module as unknown as ModuleInternals;
const prototype = Module.prototype as unknown as ModuleInternals;
const MAGIC = "cdktf-ec2-release code cache 1\n";

let mode: CodeCacheMode | undefined;
let stats = { hits: 0, misses: 0, uncached: 0 };
const DYNAMIC_IMPORT = /\bimport\s*\(/;

/**
 * Keeps the compiled code of every module `npm run synth` and `npm run check` load, so the next run
 * does not parse and compile them again: about 730 modules (cdktf, the AWS provider classes, zod,
 * yaml and this project) that take 0.5 s to load, about half of it compiling, and whose functions
 * are compiled again on their first call in every run.
 *
 * On Node.js 22.1 and later this is Node.js's own `module.enableCompileCache`. On Node.js 20 it
 * compiles CommonJS modules through `vm.Script` with V8's code cache, created when the process
 * exits so that it covers every function the run compiled, not only the top level of each module.
 * One file holds the cache of every module, keyed by path and checked against a SHA-256 of the
 * source, so an edited module is compiled from source again (V8's own check only compares source
 * lengths). A missing, unreadable or foreign cache file means compiling from source, never an
 * error; a cache that cannot be written is skipped silently.
 *
 * Call it before the modules it should cover are loaded. `SYNTH_CODE_CACHE=off` turns it off.
 * @returns how modules are compiled from now on (`v8`: this cache, `node`: Node.js's own)
 */
export function enableCodeCache(env: NodeJS.ProcessEnv = process.env): CodeCacheMode {
  if (mode) return mode;
  const setting = env[CODE_CACHE_ENV];
  if (setting === "off") return (mode = "off");
  const directory = setting ? path.resolve(setting) : defaultDirectory();
  if (typeof internals.enableCompileCache === "function") {
    internals.enableCompileCache(directory);
    return (mode = "node");
  }
  // Source maps (--enable-source-maps) are registered by Node.js's own compile only.
  if ((process as { sourceMapsEnabled?: boolean }).sourceMapsEnabled) return (mode = "off");

  const file = path.join(directory, `v8-${process.version}-${process.arch}.bin`);
  const cached = readCache(file);
  const compiled = new Map<string, { hash: string; script: vm.Script }>();
  const nodeCompile = prototype._compile;

  prototype._compile = function (this: Module, content: string, filename: string) {
    // import() needs the loader Node.js attaches to the modules it compiles itself (a vm.Script's
    // is experimental in Node.js 20). Matched anywhere, comments and strings included, so that
    // eval and Function bodies that import are left to Node.js too.
    if (DYNAMIC_IMPORT.test(content)) {
      stats.uncached++;
      return nodeCompile.call(this, content, filename);
    }
    const hash = crypto.createHash("sha256").update(content).digest("base64");
    const entry = cached.get(filename);
    let script: vm.Script;
    try {
      script = new vm.Script(internals.wrap(content), {
        filename,
        cachedData: entry?.hash === hash ? entry.data : undefined,
      });
    } catch {
      // Syntax errors (and a leading #! line, which only Node.js's own compile accepts) are Node.js's to report.
      stats.uncached++;
      return nodeCompile.call(this, content, filename);
    }
    if (entry?.hash === hash && !script.cachedDataRejected) stats.hits++;
    else {
      stats.misses++;
      compiled.set(filename, { hash, script });
    }
    const wrapper = script.runInThisContext({ displayErrors: true }) as (...args: unknown[]) => unknown;
    return wrapper.call(this.exports, this.exports, requireFor(this), this, filename, path.dirname(filename));
  };

  process.once("exit", () => {
    if (compiled.size === 0) return;
    for (const [filename, { hash, script }] of compiled) cached.set(filename, { hash, data: script.createCachedData() });
    writeCache(file, cached);
  });
  return (mode = "v8");
}

/** How many modules came from the cache in this process (for the tests). */
export function codeCacheStats(): CodeCacheStats {
  return { ...stats };
}

/** The `require` Node.js gives a module (`makeRequireFunction` in Node.js's loader). */
function requireFor(mod: Module): NodeJS.Require {
  const require = ((id: string) => mod.require(id)) as NodeJS.Require;
  const resolve = ((request: string, options?: { paths?: string[] }) => internals._resolveFilename(request, mod, false, options)) as NodeJS.RequireResolve;
  resolve.paths = (request: string) => internals._resolveLookupPaths(request, mod);
  require.resolve = resolve;
  require.main = process.mainModule;
  require.extensions = internals._extensions as NodeJS.Require["extensions"];
  require.cache = internals._cache as NodeJS.Require["cache"];
  return require;
}

/** `node_modules/.cache/cdktf-ec2-release` of the project this module belongs to. */
function defaultDirectory(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, "package.json")) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return path.join(dir, "node_modules", ".cache", "cdktf-ec2-release");
}

/**
 * The cache file: a magic line, the length of a JSON index (4 bytes, big-endian), the index
 * (`path -> [hash, offset, length]`), then the code of every module.
 */
function readCache(file: string): Map<string, Entry> {
  const entries = new Map<string, Entry>();
  try {
    const buffer = fs.readFileSync(file);
    if (buffer.toString("latin1", 0, MAGIC.length) !== MAGIC) return entries;
    const indexLength = buffer.readUInt32BE(MAGIC.length);
    const start = MAGIC.length + 4 + indexLength;
    const index = JSON.parse(buffer.toString("utf8", MAGIC.length + 4, start)) as Record<string, [string, number, number]>;
    for (const [filename, [hash, offset, length]] of Object.entries(index)) {
      if (start + offset + length <= buffer.length) entries.set(filename, { hash, data: buffer.subarray(start + offset, start + offset + length) });
    }
  } catch {
    entries.clear();
  }
  return entries;
}

function writeCache(file: string, entries: Map<string, Entry>): void {
  const index: Record<string, [string, number, number]> = {};
  let offset = 0;
  for (const [filename, { hash, data }] of entries) {
    index[filename] = [hash, offset, data.length];
    offset += data.length;
  }
  const indexText = Buffer.from(JSON.stringify(index));
  const length = Buffer.alloc(4);
  length.writeUInt32BE(indexText.length);
  const temporary = `${file}.${process.pid}`;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(temporary, Buffer.concat([Buffer.from(MAGIC, "latin1"), length, indexText, ...[...entries.values()].map((e) => e.data)]));
    // A rename, so that a concurrent run reads the old file or the new one, never half of one.
    fs.renameSync(temporary, file);
  } catch {
    fs.rmSync(temporary, { force: true });
  }
}
