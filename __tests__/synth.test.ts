import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { App } from "cdktf";
import { runSynth } from "../lib/synth/cli";
import { synthesize } from "../lib/synth/synth";
import { captureConsole } from "./helpers/console";

const root = path.join(__dirname, "..");
// Whole synths (and shellcheck runs) share two cores with other jest workers: 5 s is too tight.
jest.setTimeout(60_000);
const defaultConfig = path.join(root, "config", "default.yaml");

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "synth-"));
}

/** Every file under `dir` with its content, for before/after comparisons. */
function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) {
      const full = path.join(entry.parentPath, entry.name);
      files[path.relative(dir, full)] = fs.readFileSync(full, "utf8");
    }
  }
  return files;
}

describe("synthesize", () => {
  test("writes one JSON stack per environment and a manifest", async () => {
    const dir = tmp();
    const outdir = path.join(dir, "cdktf.out");
    const result = await synthesize({ configFile: defaultConfig, outdir, generatedDir: path.join(dir, "generated") });
    expect(result.stacks.map((s) => s.name)).toEqual(["webapp-staging", "webapp-production"]);
    expect(fs.existsSync(path.join(outdir, "stacks", "webapp-staging", "cdk.tf.json"))).toBe(true);
    expect(fs.existsSync(path.join(outdir, "stacks", "webapp-staging", "cdk.tf"))).toBe(false);
    expect(JSON.parse(fs.readFileSync(path.join(outdir, "manifest.json"), "utf8")).stacks["webapp-production"].synthesizedStackPath).toBe("stacks/webapp-production/cdk.tf.json");
    expect(result.stacks[0].addresses).toContain("aws_vpc.network_vpc");
  });

  test("HCL output is real HCL, formatted, with unquoted depends_on references", async () => {
    const dir = tmp();
    const outdir = path.join(dir, "out");
    await synthesize({ configFile: defaultConfig, outdir, format: "hcl", generatedDir: path.join(dir, "generated") });
    const hcl = fs.readFileSync(path.join(outdir, "stacks", "webapp-staging", "cdk.tf"), "utf8");
    expect(hcl).toMatch(/^resource "aws_vpc" "network_vpc" \{$/m);
    expect(hcl).toMatch(/^ {2}cidr_block +?= "10\.10\.0\.0\/16"$/m);
    expect(hcl).toMatch(/depends_on = \[\s*aws_s3_bucket_public_access_block\.artifacts_bucket,?\s*\]/);
    expect(hcl).not.toMatch(/depends_on = \[\s*"/);
    // A heredoc's value ends with a newline the JSON value lacks: every one is trimmed back to it
    // (found by the emulator tier's eject proof: the CloudWatch agent configuration changed).
    expect(hcl).toMatch(/^ {2}value += trimsuffix\(<<EOF\n\{\n {2}"agent": \{$/m);
    expect(hcl).not.toMatch(/= <<EOF/);
    expect(fs.existsSync(path.join(outdir, "stacks", "webapp-staging", "cdk.tf.json"))).toBe(false);
    expect(process.env.SYNTH_HCL_OUTPUT).toBeUndefined();
  });

  test("the same configuration gives byte-identical output", async () => {
    const a = path.join(tmp(), "a");
    const b = path.join(tmp(), "b");
    await synthesize({ configFile: defaultConfig, outdir: a, generatedDir: `${a}.generated` });
    await synthesize({ configFile: defaultConfig, outdir: b, generatedDir: `${b}.generated` });
    const read = (d: string) => fs.readFileSync(path.join(d, "stacks", "webapp-production", "cdk.tf.json"), "utf8");
    expect(read(a)).toBe(read(b));
    expect(snapshot(`${a}.generated`)).toEqual(snapshot(`${b}.generated`));
  });

  test("a failed validation leaves the previous output untouched and writes nothing", async () => {
    const dir = tmp();
    const outdir = path.join(dir, "cdktf.out");
    const generatedDir = path.join(dir, "generated");
    await synthesize({ configFile: defaultConfig, outdir, generatedDir });
    const before = snapshot(dir);
    const bad = path.join(dir, "bad.yaml");
    fs.writeFileSync(bad, "app: { name: webapp, region: eu-west-1 }\nenvironments:\n  staging:\n    network: { cidr: 10.10.0.0/33 }\n");
    await expect(synthesize({ configFile: bad, outdir, generatedDir })).rejects.toThrow(/nothing was synthesized/);
    fs.rmSync(bad);
    expect(snapshot(dir)).toEqual(before);
    expect(fs.readdirSync(dir).sort()).toEqual(["cdktf.out", "generated"]);
  });

  test("a failure during synthesis (after validation) also leaves the previous output and no temporary directory", async () => {
    const dir = tmp();
    const outdir = path.join(dir, "cdktf.out");
    const generatedDir = path.join(dir, "generated");
    await synthesize({ configFile: defaultConfig, outdir, generatedDir });
    const before = snapshot(dir);
    const next = path.join(dir, "next.yaml");
    fs.writeFileSync(next, "app: { name: webapp, region: eu-west-1 }\nenvironments:\n  staging:\n    network: { cidr: 10.30.0.0/16 }\n");
    // Synthesis fails after stacks were written (as an error annotation from an aspect would).
    const original = App.prototype.synth;
    const spy = jest.spyOn(App.prototype, "synth").mockImplementation(function (this: App) {
      original.call(this);
      throw new Error("aspect reported an error");
    });
    await expect(synthesize({ configFile: next, outdir, generatedDir })).rejects.toThrow(/aspect reported an error/);
    spy.mockRestore();
    expect(fs.readdirSync(dir).sort()).toEqual(["cdktf.out", "generated", "next.yaml"]);
    fs.rmSync(next);
    // Neither the stacks nor the release files of the failed configuration were swapped in.
    expect(snapshot(dir)).toEqual(before);
  });

  test("a successful synth replaces the previous output completely (no stale stacks)", async () => {
    const dir = tmp();
    const outdir = path.join(dir, "cdktf.out");
    const generatedDir = path.join(dir, "generated");
    await synthesize({ configFile: defaultConfig, outdir, generatedDir });
    await synthesize({ configFile: path.join(root, "config", "examples", "single-env-s3-hcl.yaml"), outdir, generatedDir });
    expect(fs.readdirSync(path.join(outdir, "stacks"))).toEqual(["billing-prod"]);
  });

  test("writes the release files of every environment into generated/<env>/, scripts executable", async () => {
    const dir = tmp();
    const generatedDir = path.join(dir, "generated");
    const result = await synthesize({ configFile: defaultConfig, outdir: path.join(dir, "out"), generatedDir });
    expect(result.generatedDir).toBe(generatedDir);
    expect(fs.readdirSync(generatedDir).sort()).toEqual(["README.md", "production", "staging"]);
    for (const env of ["staging", "production"]) {
      expect(fs.readdirSync(path.join(generatedDir, env)).sort()).toEqual([".release-files", "appspec.yml", "buildspec.yml", "scripts"]);
      expect(fs.statSync(path.join(generatedDir, env, "scripts", "validate-service.sh")).mode & 0o777).toBe(0o755);
      expect(fs.statSync(path.join(generatedDir, env, "appspec.yml")).mode & 0o777).toBe(0o644);
    }
    expect(fs.readFileSync(path.join(generatedDir, "production", "scripts", "before-install.sh"), "utf8")).toContain('RELEASE_PARAMETER_PATH="/webapp/production/release/"');
  });

  test("environments that left the configuration lose their generated directory; directories synthesis did not write stay", async () => {
    const dir = tmp();
    const generatedDir = path.join(dir, "generated");
    await synthesize({ configFile: defaultConfig, outdir: path.join(dir, "out"), generatedDir });
    fs.mkdirSync(path.join(generatedDir, "notes"));
    fs.writeFileSync(path.join(generatedDir, "notes", "todo.txt"), "mine");
    await synthesize({ configFile: path.join(root, "config", "examples", "single-env-s3-hcl.yaml"), outdir: path.join(dir, "out"), generatedDir });
    expect(fs.readdirSync(generatedDir).sort()).toEqual(["README.md", "notes", "prod"]);
    expect(fs.readFileSync(path.join(generatedDir, "notes", "todo.txt"), "utf8")).toBe("mine");
    expect(fs.readdirSync(dir).sort()).toEqual(["generated", "out"]);
  });

  test("an environment directory synthesis did not write is refused, and nothing is written", async () => {
    const dir = tmp();
    const outdir = path.join(dir, "out");
    const generatedDir = path.join(dir, "generated");
    await synthesize({ configFile: defaultConfig, outdir, generatedDir });
    fs.rmSync(path.join(generatedDir, "staging", ".release-files"));
    const before = snapshot(dir);
    await expect(synthesize({ configFile: defaultConfig, outdir, generatedDir })).rejects.toThrow(
      /generated\/staging exists but was not written by synthesis \(no \.release-files file in it\); move it away or choose another directory with --generated\. Nothing was written\./,
    );
    expect(snapshot(dir)).toEqual(before);
  });
});

describe("npm run synth arguments", () => {
  test("--config, --out and --hcl", async () => {
    const dir = tmp();
    const outdir = path.join(dir, "o");
    const c = captureConsole();
    const code = await runSynth(["--config", path.join(root, "config", "examples", "terraform-cloud.yaml"), "--out", outdir, "--hcl", "--generated", path.join(dir, "g")], {});
    c.restore();
    expect(code).toBe(0);
    expect(c.out.join("\n")).toMatch(/Synthesized 2 stack\(s\) as HCL .* intranet-staging, intranet-production/);
    expect(c.out.join("\n")).toMatch(/Release files of staging, production in .*\/g\//);
    expect(fs.readdirSync(path.join(dir, "g")).sort()).toEqual(["README.md", "production", "staging"]);
    expect(fs.existsSync(path.join(outdir, "stacks", "intranet-staging", "cdk.tf"))).toBe(true);
  });

  test("SYNTH_HCL_OUTPUT=true selects HCL; --json overrides the configuration's hcl", async () => {
    const a = path.join(tmp(), "a");
    const b = path.join(tmp(), "b");
    const c = captureConsole();
    expect(await runSynth(["--out", a, "--config", defaultConfig, "--generated", `${a}.generated`], { SYNTH_HCL_OUTPUT: "true" })).toBe(0);
    expect(await runSynth(["--out", b, "--json", "--config", path.join(root, "config", "examples", "single-env-s3-hcl.yaml"), "--generated", `${b}.generated`], {})).toBe(0);
    c.restore();
    expect(fs.existsSync(path.join(a, "stacks", "webapp-staging", "cdk.tf"))).toBe(true);
    expect(fs.existsSync(path.join(b, "stacks", "billing-prod", "cdk.tf.json"))).toBe(true);
  });

  test("APP_CONFIG chooses the configuration when no --config is given (for cdktf synth)", async () => {
    const dir = tmp();
    const outdir = path.join(dir, "o");
    const c = captureConsole();
    expect(await runSynth(["--out", outdir], { APP_CONFIG: path.join(root, "config", "examples", "terraform-cloud.yaml"), GENERATED_DIR: path.join(dir, "g") })).toBe(0);
    c.restore();
    expect(fs.readdirSync(path.join(outdir, "stacks")).sort()).toEqual(["intranet-production", "intranet-staging"]);
    expect(fs.readdirSync(path.join(dir, "g")).sort()).toEqual(["README.md", "production", "staging"]);
  });

  test("invalid configuration: exit code 1 and every problem on stderr", async () => {
    const dir = tmp();
    const bad = path.join(dir, "bad.yaml");
    fs.writeFileSync(bad, "app: { name: Bad, region: eu-west-1, extra: 1 }\nenvironments: {}\n");
    const c = captureConsole();
    const code = await runSynth(["--config", bad, "--out", path.join(dir, "out"), "--generated", path.join(dir, "g")], {});
    c.restore();
    expect(code).toBe(1);
    expect(c.err.join("\n")).toMatch(/\(3 problems\)[\s\S]*app\.name[\s\S]*app\.extra[\s\S]*environments: received \{\}/);
    expect(fs.readdirSync(dir)).toEqual(["bad.yaml"]);
  });

  test.each([
    [["--bogus"], /Unknown option '--bogus'/],
    [["--hcl", "--json"], /--hcl and --json exclude each other/],
  ])("bad arguments %p: exit code 2 with usage", async (argv, message) => {
    const c = captureConsole();
    const code = await runSynth(argv, {});
    c.restore();
    expect(code).toBe(2);
    expect(c.err.join("\n")).toMatch(message);
    expect(c.err.join("\n")).toMatch(/Usage: npm run synth/);
  });
});

// These run dist/, which jest's global setup (helpers/global-setup.ts) brings up to date.
describe("release files written by a worker thread (compiled synthesis, as npm run synth runs)", () => {
  const compiled = path.join(root, "dist", "lib", "synth", "synth.js");
  /**
   * Runs the compiled synthesize once per options object, in order, in one Node.js process;
   * `before` is code run first (with `cdktf` in scope). Prints "ok" or the error of each.
   */
  const runCompiled = (runs: Record<string, unknown>[], before = "") =>
    spawnSync(
      process.execPath,
      [
        "-e",
        `const cdktf = require("cdktf"); ${before}
         (async () => {
           for (const options of JSON.parse(process.argv[1])) {
             await require(${JSON.stringify(compiled)}).synthesize(options).then(
               () => console.log("ok"),
               (e) => { console.error(e.name + ": " + e.message); process.exitCode = 1; });
           }
         })();`,
        JSON.stringify(runs),
      ],
      // A thread left running keeps the process alive: that fails here instead of hanging.
      { cwd: root, encoding: "utf8", timeout: 60_000 },
    );

  test("writes the same stacks and release files as in-line staging, and leaves no staging directory", () => {
    const configFile = path.join(root, "config", "examples", "docker-in-place.yaml");
    const [threaded, inline] = [tmp(), tmp()];
    const r = runCompiled(
      [
        [threaded, true],
        [inline, false],
      ].map(([dir, thread]) => ({ configFile, outdir: path.join(dir as string, "out"), generatedDir: path.join(dir as string, "generated"), releaseFilesThread: thread })),
    );
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("ok\nok\n");
    for (const dir of [threaded, inline]) expect(fs.readdirSync(dir).sort()).toEqual(["generated", "out"]);
    expect(Object.keys(snapshot(threaded)).length).toBeGreaterThan(20);
    expect(snapshot(threaded)).toEqual(snapshot(inline));
    expect(fs.statSync(path.join(threaded, "generated", "staging", "scripts", "validate-service.sh")).mode & 0o777).toBe(0o755);
  });

  test("a directory synthesis did not write is refused from the thread with the same error, and nothing is written", async () => {
    const dir = tmp();
    const options = { configFile: defaultConfig, outdir: path.join(dir, "out"), generatedDir: path.join(dir, "generated") };
    await synthesize(options);
    fs.rmSync(path.join(dir, "generated", "production", ".release-files"));
    const before = snapshot(dir);
    const r = runCompiled([{ ...options, releaseFilesThread: true }]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^GeneratedDirectoryError: .*generated\/production exists but was not written by synthesis .* Nothing was written\.$/m);
    expect(snapshot(dir)).toEqual(before);
    expect(fs.readdirSync(dir).sort()).toEqual(["generated", "out"]);
  });

  test("when synthesis fails, the thread's staging directory is removed and the previous output stays", async () => {
    const dir = tmp();
    const options = { configFile: defaultConfig, outdir: path.join(dir, "out"), generatedDir: path.join(dir, "generated") };
    await synthesize(options);
    const before = snapshot(dir);
    const r = runCompiled([{ ...options, releaseFilesThread: true }], `cdktf.App.prototype.synth = () => { throw new Error("aspect reported an error"); };`);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^Error: aspect reported an error$/m);
    expect(fs.readdirSync(dir).sort()).toEqual(["generated", "out"]);
    expect(snapshot(dir)).toEqual(before);
  });

  test("the pictures drawn in their thread are the ones drawn in line, one per stack", () => {
    const [threaded, inline] = [tmp(), tmp()];
    const r = runCompiled(
      [
        [threaded, true],
        [inline, false],
      ].map(([dir, thread]) => ({ configFile: defaultConfig, outdir: path.join(dir as string, "out"), generatedDir: path.join(dir as string, "generated"), releaseFilesThread: thread })),
    );
    expect(r.stderr).toBe("");
    const pictures = (dir: string) => Object.entries(snapshot(path.join(dir, "out"))).filter(([file]) => file.endsWith("architecture.svg"));
    expect(pictures(threaded).map(([file]) => file).sort()).toEqual(["stacks/webapp-production/architecture.svg", "stacks/webapp-staging/architecture.svg"]);
    for (const [, svg] of pictures(threaded)) expect(svg).toMatch(/^<\?xml[\s\S]*<\/svg>\n?$/);
    expect(pictures(threaded)).toEqual(pictures(inline));
  });

  test("a picture the thread cannot write fails the synth with its error, and nothing is written", async () => {
    const dir = tmp();
    const options = { configFile: defaultConfig, outdir: path.join(dir, "out"), generatedDir: path.join(dir, "generated") };
    await synthesize(options);
    const before = snapshot(dir);
    // The picture's file becomes a directory once the stack is written: the thread's write fails.
    const r = runCompiled(
      [{ ...options, releaseFilesThread: true }],
      `const synth = cdktf.App.prototype.synth;
       const fs = require("fs"), path = require("path");
       cdktf.App.prototype.synth = function () {
         for (const stack of this.node.children.filter((c) => c instanceof cdktf.TerraformStack)) {
           const write = stack.synthesizer.synthesize.bind(stack.synthesizer);
           stack.synthesizer.synthesize = (session) => { fs.mkdirSync(path.join(this.outdir, "stacks", stack.node.id, "architecture.svg"), { recursive: true }); write(session); };
         }
         return synth.call(this);
       };`,
    );
    expect(r.stderr).toMatch(/^Error: EISDIR: illegal operation on a directory, open '.*architecture\.svg'$/m);
    expect(r.status).toBe(1);
    expect(fs.readdirSync(dir).sort()).toEqual(["generated", "out"]);
    expect(snapshot(dir)).toEqual(before);
  });

  test("when synthesis fails after the stacks were written, drawing stops and no working directory stays", async () => {
    const dir = tmp();
    const options = { configFile: defaultConfig, outdir: path.join(dir, "out"), generatedDir: path.join(dir, "generated") };
    await synthesize(options);
    const before = snapshot(dir);
    const r = runCompiled(
      [{ ...options, releaseFilesThread: true }],
      `const synth = cdktf.App.prototype.synth;
       cdktf.App.prototype.synth = function () { synth.call(this); throw new Error("failed after writing"); };`,
    );
    expect(r.stderr).toMatch(/^Error: failed after writing$/m);
    expect(r.status).toBe(1);
    expect(fs.readdirSync(dir).sort()).toEqual(["generated", "out"]);
    expect(snapshot(dir)).toEqual(before);
  });

  test("npm run synth gives the same stacks and release files from cached code (lib/synth/code-cache.ts) as from source", async () => {
    const dir = tmp();
    const cache = path.join(dir, "cache");
    const configFile = path.join(root, "config", "examples", "shared-alb.yaml");
    const synth = (name: string) => {
      const r = spawnSync(process.execPath, [path.join(root, "dist", "main.js"), "--config", configFile, "--out", path.join(dir, name, "out"), "--generated", path.join(dir, name, "generated")], {
        cwd: root,
        encoding: "utf8",
        env: { ...process.env, SYNTH_CODE_CACHE: cache },
      });
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
    };
    // From source, in this process (jest compiles the TypeScript sources itself).
    await synthesize({ configFile, outdir: path.join(dir, "source", "out"), generatedDir: path.join(dir, "source", "generated") });
    synth("cold");
    const cacheFile = () => path.join(cache, fs.readdirSync(cache)[0]);
    expect(fs.readdirSync(cache).length).toBe(1);
    const size = fs.statSync(cacheFile()).size;
    synth("warm");
    // Nothing new was compiled: the cache file was not rewritten.
    expect(fs.statSync(cacheFile()).size).toBe(size);
    const files = (name: string) => snapshot(path.join(dir, name));
    expect(Object.keys(files("source")).length).toBeGreaterThan(10);
    expect(files("warm")).toEqual(files("source"));
    expect(files("cold")).toEqual(files("source"));
  });
});
