import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { App } from "cdktf";
import { eject, EjectError, ejectHcl, ejectJson, EjectResult, rebaseLocalPath, runEject } from "../lib/synth/eject";
import { synthesize } from "../lib/synth/synth";
import { captureConsole } from "./helpers/console";

const root = path.join(__dirname, "..");
const defaultConfig = path.join(root, "config", "default.yaml");
// Whole synths and two `terraform validate` runs share two cores with other jest workers.
jest.setTimeout(120_000);

const tmp = (prefix = "eject-test-") => fs.mkdtempSync(path.join(os.tmpdir(), prefix));
const read = (file: string) => fs.readFileSync(file, "utf8");

/** Every `"//"` property anywhere in a JSON document, by path. */
function commentPaths(value: unknown, at = ""): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => commentPaths(v, `${at}[${i}]`));
  if (typeof value !== "object" || value === null) return [];
  return Object.entries(value).flatMap(([k, v]) => (k === "//" ? [`${at}.//`] : commentPaths(v, `${at}.${k}`)));
}

/** The document without its `"//"` properties (an independent reference for ejectJson). */
function withoutComments(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutComments);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(Object.entries(value).filter(([k]) => k !== "//").map(([k, v]) => [k, withoutComments(v)]));
}

describe("eject of the default configuration's staging stack", () => {
  const dir = tmp();
  const synthOut = path.join(dir, "cdktf.out");
  const jsonOut = path.join(dir, "ejected", "json");
  const hclOut = path.join(dir, "ejected", "hcl");
  const stateFile = path.join(dir, "terraform.webapp-staging.tfstate");
  let json: { files: string[] };
  let hcl: EjectResult;
  let cliOutput: string[];
  const reference = { json: path.join(dir, "ref-json"), hcl: path.join(dir, "ref-hcl") };

  beforeAll(async () => {
    // The JSON one through the command line, as `npm run eject` runs it.
    const c = captureConsole();
    const code = await runEject(["--stack", "webapp-staging", "--out", jsonOut, "--config", defaultConfig, "--synth-out", synthOut], {});
    c.restore();
    cliOutput = [...c.out, ...c.err];
    expect(code).toBe(0);
    json = { files: listFiles(jsonOut) };
    hcl = await eject({ configFile: defaultConfig, stack: "webapp-staging", outDir: hclOut, format: "hcl", synthOutdir: synthOut });
    await synthesize({ configFile: defaultConfig, outdir: reference.json, format: "json", atomic: false, generatedDir: path.join(dir, "ref-json-generated") });
    await synthesize({ configFile: defaultConfig, outdir: reference.hcl, format: "hcl", atomic: false, generatedDir: path.join(dir, "ref-hcl-generated") });
  });

  const refStack = (format: "json" | "hcl") => path.join(reference[format], "stacks", "webapp-staging");

  test("the command line says where it wrote and what to run next", () => {
    expect(cliOutput).toEqual([`Ejected webapp-staging (JSON) into ${path.relative(process.cwd(), jsonOut)}/: ${json.files.length} file(s). Next: cd ${path.relative(process.cwd(), jsonOut)} && terraform init && terraform plan (see ${path.relative(process.cwd(), jsonOut)}/README.md).`]);
  });

  test("JSON: the configuration, its asset, the release files and a README, nothing of cdktf's own", () => {
    expect(json.files).toEqual([
      "README.md",
      "assets/fleet-reconciler_package_B52EC115/F1161A83F6E8BEE832B3916032D6BBA7/fleet-reconciler.zip",
      "cdk.tf.json",
      "release-files/appspec.yml",
      "release-files/buildspec.yml",
      ...listFiles(path.join(jsonOut, "release-files", "scripts")).map((f) => `release-files/scripts/${f}`),
    ]);
    expect(listFiles(path.join(jsonOut, "release-files", "scripts")).length).toBeGreaterThan(0);
    expect(fs.existsSync(path.join(jsonOut, "release-files", ".release-files"))).toBe(false);
    // The asset is the same file at the same relative path, so `filename` still resolves.
    const zip = "assets/fleet-reconciler_package_B52EC115/F1161A83F6E8BEE832B3916032D6BBA7/fleet-reconciler.zip";
    expect(fs.readFileSync(path.join(jsonOut, zip)).equals(fs.readFileSync(path.join(refStack("json"), zip)))).toBe(true);
    const doc = JSON.parse(read(path.join(jsonOut, "cdk.tf.json")));
    expect(doc.resource.aws_lambda_function.fleet_reconciler_function.filename).toBe(zip);
  });

  test("JSON: the configuration is the synthesized one without cdktf's // metadata, the local state path rebased", () => {
    const ejected = JSON.parse(read(path.join(jsonOut, "cdk.tf.json")));
    const synthesized = JSON.parse(read(path.join(refStack("json"), "cdk.tf.json")));
    expect(commentPaths(synthesized).length).toBeGreaterThan(100);
    expect(commentPaths(ejected)).toEqual([]);
    expect(synthesized.terraform.backend).toEqual({ local: { path: "../../../terraform.webapp-staging.tfstate" } });
    expect(ejected.terraform.backend).toEqual({ local: { path: "../../terraform.webapp-staging.tfstate" } });
    // From the ejected directory the path reaches the state file cdktf.out/stacks/webapp-staging used.
    expect(path.resolve(jsonOut, ejected.terraform.backend.local.path)).toBe(stateFile);
    expect(path.resolve(synthOut, "stacks", "webapp-staging", synthesized.terraform.backend.local.path)).toBe(stateFile);
    const expected = withoutComments(synthesized) as { terraform: { backend: unknown } };
    expected.terraform.backend = ejected.terraform.backend;
    expect(ejected).toEqual(expected);
  });

  test("HCL: cdk.tf is the synthesized HCL with only the backend path changed; metadata.json is not copied", () => {
    expect(hcl.format).toBe("hcl");
    expect(hcl.backend).toBe("local");
    expect(hcl.statePath).toBe(stateFile);
    expect(hcl.files).toEqual(json.files.map((f) => (f === "cdk.tf.json" ? "cdk.tf" : f)).sort());
    expect(fs.existsSync(path.join(refStack("hcl"), "metadata.json"))).toBe(true);
    const synthesized = read(path.join(refStack("hcl"), "cdk.tf"));
    const ejected = read(path.join(hclOut, "cdk.tf"));
    expect(synthesized).toContain('  backend "local" {\n    path = "../../../terraform.webapp-staging.tfstate"\n  }');
    expect(ejected).toContain('  backend "local" {\n    path = "../../terraform.webapp-staging.tfstate"\n  }');
    expect(ejected).toBe(synthesized.replace('path = "../../../terraform.webapp-staging.tfstate"', 'path = "../../terraform.webapp-staging.tfstate"'));
  });

  test("README: how to run it, where the state is, what was cdktf-specific, what the team owns", () => {
    const readme = read(path.join(jsonOut, "README.md"));
    expect(readme).toMatch(/^# webapp-staging: standalone Terraform configuration\n/);
    expect(readme).toContain("terraform init     # the same backend as before, so the same state\nterraform plan");
    expect(readme).toContain(`- before: \`../../../terraform.webapp-staging.tfstate\` (from \`${path.relative(process.cwd(), path.join(synthOut, "stacks", "webapp-staging"))}\`)`);
    expect(readme).toContain(`- now: \`../../terraform.webapp-staging.tfstate\` (that is \`${stateFile}\`)`);
    expect(readme).toMatch(/\*\*`\/\/` metadata\.\*\* cdktf put a `"\/\/"` property into the configuration and into each block \(\d{3,} in all\)/);
    expect(readme).toMatch(/construct paths such as `webapp-staging\/[a-z0-9/-]+`, unique ids/);
    expect(readme).toContain('**Tags.** The provider\'s `default_tags` include `managed-by = "cdktf"`');
    expect(readme).toContain("**Asset paths.**");
    expect(readme).toContain("`alb_dns_name`");
    expect(readme).toContain('`{"webapp-staging": {"<name>": <value>}}`');
    expect(readme).toContain("## What the team owns now");
    expect(readme).toContain("`release-files/`");
    const hclReadme = read(path.join(hclOut, "README.md"));
    expect(hclReadme).toContain("`npm run eject -- --stack webapp-staging --hcl`");
    expect(hclReadme).toContain("`metadata.json` beside `cdk.tf`, for its CLI only; it is not copied");
  });

  test("both ejected directories pass terraform init -backend=false and terraform validate, offline", () => {
    const env: NodeJS.ProcessEnv = { ...process.env, TF_CLI_CONFIG_FILE: path.join(root, "terraform.tfrc"), TF_IN_AUTOMATION: "1", CHECKPOINT_DISABLE: "1" };
    delete env.TF_PLUGIN_CACHE_DIR;
    for (const out of [jsonOut, hclOut]) {
      const init = spawnSync("terraform", ["init", "-backend=false", "-input=false", "-no-color"], { cwd: out, env, encoding: "utf8" });
      expect({ out, status: init.status, output: init.status === 0 ? "" : `${init.stdout}${init.stderr}` }).toEqual({ out, status: 0, output: "" });
      const validate = spawnSync("terraform", ["validate", "-no-color"], { cwd: out, env, encoding: "utf8" });
      expect({ out, status: validate.status, output: `${validate.stdout}${validate.stderr}`.trim() }).toEqual({ out, status: 0, output: "Success! The configuration is valid." });
    }
  });
});

describe("eject refuses, reporting every problem at once and writing nothing", () => {
  /** Runs eject and returns its problems; the working directory must be unchanged afterwards. */
  async function problems(options: Parameters<typeof eject>[0], dir: string): Promise<string[]> {
    const before = listEntries(dir);
    const error = await eject(options).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(EjectError);
    expect(listEntries(dir)).toEqual(before);
    return (error as EjectError).problems.map((p) => `${p.path}: received ${p.received}; allowed: ${p.allowed}`);
  }
  const allowedOut = (synthOut: string) => `allowed: a directory that does not exist or is empty, outside ${path.relative(process.cwd(), synthOut)}/ (every synthesis replaces that directory)`;

  test("an unknown stack: the stacks of the configuration are listed", async () => {
    const dir = tmp();
    expect(await problems({ configFile: defaultConfig, stack: "webapp-qa", outDir: path.join(dir, "out"), synthOutdir: path.join(dir, "cdktf.out") }, dir)).toEqual([
      `--stack: received "webapp-qa"; allowed: one of the stacks of ${defaultConfig}: webapp-staging, webapp-production`,
    ]);
  });

  test("no stack and no output directory: both at once", async () => {
    const dir = tmp();
    const synthOut = path.join(dir, "cdktf.out");
    expect(await problems({ configFile: defaultConfig, stack: "", outDir: "", synthOutdir: synthOut }, dir)).toEqual([
      `--stack: received nothing; allowed: one of the stacks of ${defaultConfig}: webapp-staging, webapp-production`,
      `--out: received nothing; ${allowedOut(synthOut)}`,
    ]);
  });

  test("an output directory that is not empty is left as it was", async () => {
    const dir = tmp();
    const out = path.join(dir, "out");
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, "main.tf"), "# mine\n");
    const synthOut = path.join(dir, "cdktf.out");
    expect(await problems({ configFile: defaultConfig, stack: "webapp-staging", outDir: out, synthOutdir: synthOut }, dir)).toEqual([`--out: received ${JSON.stringify(out)} (not empty: main.tf); ${allowedOut(synthOut)}`]);
    expect(read(path.join(out, "main.tf"))).toBe("# mine\n");
  });

  test("an output path that is a file, or inside the synthesis output", async () => {
    const dir = tmp();
    const file = path.join(dir, "file");
    fs.writeFileSync(file, "x");
    const synthOut = path.join(dir, "cdktf.out");
    expect(await problems({ configFile: defaultConfig, stack: "webapp-staging", outDir: file, synthOutdir: synthOut }, dir)).toEqual([`--out: received ${JSON.stringify(file)} (a file); ${allowedOut(synthOut)}`]);
    const inside = path.join(synthOut, "ejected");
    expect(await problems({ configFile: defaultConfig, stack: "webapp-staging", outDir: inside, synthOutdir: synthOut }, dir)).toEqual([`--out: received ${JSON.stringify(inside)} (inside the synthesis output); ${allowedOut(synthOut)}`]);
  });

  test("an invalid configuration: its problems and the others together", async () => {
    const dir = tmp();
    const bad = path.join(dir, "bad.yaml");
    fs.writeFileSync(bad, read(defaultConfig).replace("cidr: 10.10.0.0/16", "cidr: 10.10.0.1/16"));
    const out = path.join(dir, "out");
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, "x"), "");
    const synthOut = path.join(dir, "cdktf.out");
    expect(await problems({ configFile: bad, stack: "webapp-staging", outDir: out, synthOutdir: synthOut }, dir)).toEqual([
      expect.stringMatching(new RegExp(`^--config ${reEscape(bad)}: environments\\.staging\\.network\\.cidr: received "10\\.10\\.0\\.1/16"; allowed: an IPv4 CIDR block`)),
      `--out: received ${JSON.stringify(out)} (not empty: x); ${allowedOut(synthOut)}`,
    ]);
    const missing = path.join(dir, "missing.yaml");
    expect(await problems({ configFile: missing, stack: "webapp-staging", outDir: path.join(dir, "out2"), synthOutdir: synthOut }, dir)).toEqual([
      expect.stringMatching(new RegExp(`^--config ${reEscape(missing)}: \\(file\\): received "${reEscape(missing)}"; allowed: a readable configuration file`)),
    ]);
  });

  test("an unknown format", async () => {
    const dir = tmp();
    expect(await problems({ configFile: defaultConfig, stack: "webapp-staging", outDir: path.join(dir, "out"), format: "yaml" as "json", synthOutdir: path.join(dir, "cdktf.out") }, dir)).toEqual([
      'format: received "yaml"; allowed: "json" or "hcl"',
    ]);
  });

  test("a synthesis that fails leaves no output directory, staging directory or scratch directory", async () => {
    const dir = tmp();
    const scratchBefore = fs.readdirSync(os.tmpdir()).filter((e) => e.startsWith("eject-") && !e.startsWith("eject-test-"));
    const spy = jest.spyOn(App.prototype, "synth").mockImplementation(() => {
      throw new Error("synthesis failed on purpose");
    });
    try {
      await expect(eject({ configFile: defaultConfig, stack: "webapp-staging", outDir: path.join(dir, "out"), synthOutdir: path.join(dir, "cdktf.out") })).rejects.toThrow("synthesis failed on purpose");
    } finally {
      spy.mockRestore();
    }
    expect(fs.readdirSync(dir)).toEqual([]);
    expect(fs.readdirSync(os.tmpdir()).filter((e) => e.startsWith("eject-") && !e.startsWith("eject-test-"))).toEqual(scratchBefore);
  });

  test("the command line: exit code 1 with the problems and the usage, 2 for an unknown option", async () => {
    const dir = tmp();
    let c = captureConsole();
    expect(await runEject(["--stack", "nope", "--out", path.join(dir, "out"), "--config", defaultConfig], {})).toBe(1);
    c.restore();
    expect(c.err.join("\n")).toMatch(/^Cannot eject \(1 problem\); nothing was written:\n {2}- --stack: received "nope"; allowed: one of the stacks of .*: webapp-staging, webapp-production\n\nUsage: npm run eject/);
    c = captureConsole();
    expect(await runEject(["--stack", "webapp-staging", "--bogus"], {})).toBe(2);
    c.restore();
    expect(c.err.join("\n")).toMatch(/Unknown option '--bogus'/);
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});

describe("ejectJson and ejectHcl", () => {
  const rebase = (p: string) => rebaseLocalPath(p, "/project/cdktf.out/stacks/app-qa", "/teams/infra/app-qa");

  test("rebaseLocalPath keeps reaching the same file; absolute paths stay", () => {
    expect(rebase("../../../terraform.app-qa.tfstate")).toBe("../../../project/terraform.app-qa.tfstate");
    expect(rebase("/var/lib/terraform/qa.tfstate")).toBe("/var/lib/terraform/qa.tfstate");
  });

  test("JSON: moved blocks and values are kept, block metadata removed, both local state paths rebased", () => {
    const doc = {
      "//": { metadata: { stackName: "app-qa" }, outputs: { "app-qa": { url: "url" } } },
      terraform: { backend: { local: { path: "../../../terraform.app-qa.tfstate" } } },
      provider: { aws: [{ region: "eu-west-1" }] },
      data: { terraform_remote_state: { shared: { backend: "local", config: { path: "../../../terraform.app-shared.tfstate" } } } },
      resource: { aws_s3_bucket: { b: { "//": { metadata: { path: "app-qa/b" } }, bucket: "x", tags: { "//": "a tag value" } } } },
      moved: [{ from: "aws_s3_bucket.old", to: "aws_s3_bucket.b" }],
      output: { url: { "//": { metadata: {} }, value: "u" } },
    };
    const result = ejectJson(JSON.stringify(doc), rebase);
    expect(JSON.parse(result.text)).toEqual({
      terraform: { backend: { local: { path: "../../../project/terraform.app-qa.tfstate" } } },
      provider: { aws: [{ region: "eu-west-1" }] },
      data: { terraform_remote_state: { shared: { backend: "local", config: { path: "../../../project/terraform.app-shared.tfstate" } } } },
      // A "//" key inside an attribute's value is data, not a comment: kept.
      resource: { aws_s3_bucket: { b: { bucket: "x", tags: { "//": "a tag value" } } } },
      moved: [{ from: "aws_s3_bucket.old", to: "aws_s3_bucket.b" }],
      output: { url: { value: "u" } },
    });
    expect(result).toMatchObject({ backend: "local", localBackendPath: "../../../project/terraform.app-qa.tfstate", originalLocalBackendPath: "../../../terraform.app-qa.tfstate", outputs: ["url"], moved: 1, metadataRemoved: 3 });
  });

  test("JSON: an S3 backend and its remote state are left exactly as they were", () => {
    const doc = { terraform: { backend: { s3: { bucket: "state", key: "app/qa/terraform.tfstate", region: "eu-west-1" } } }, data: { terraform_remote_state: { shared: { backend: "s3", config: { bucket: "state", key: "k" } } } } };
    const result = ejectJson(JSON.stringify(doc), rebase);
    expect(JSON.parse(result.text)).toEqual(doc);
    expect(result).toMatchObject({ backend: "s3", localBackendPath: undefined });
  });

  test("HCL: both local state paths rebased, moved blocks and everything else unchanged", () => {
    const text = [
      "terraform {",
      "  required_providers {",
      "    aws = {",
      '      version = "5.100.0"',
      '      source  = "aws"',
      "    }",
      "  }",
      '  backend "local" {',
      '    path = "../../../terraform.app-qa.tfstate"',
      "  }",
      "",
      "}",
      "",
      'data "terraform_remote_state" "shared" {',
      '  backend = "local"',
      "  config = {",
      '    path = "../../../terraform.app-shared.tfstate"',
      "  }",
      "}",
      'data "terraform_remote_state" "other" {',
      '  backend = "s3"',
      "  config = {",
      '    path = "not/a/local/path"',
      "  }",
      "}",
      'resource "aws_s3_bucket" "b" {',
      '  bucket = "x"',
      "}",
      "moved {",
      "  from = aws_s3_bucket.old",
      "  to   = aws_s3_bucket.b",
      "}",
      'output "url" {',
      '  value = "u"',
      "}",
      "",
    ].join("\n");
    const result = ejectHcl(text, rebase);
    expect(result.text).toBe(
      text.replace('path = "../../../terraform.app-qa.tfstate"', 'path = "../../../project/terraform.app-qa.tfstate"').replace('path = "../../../terraform.app-shared.tfstate"', 'path = "../../../project/terraform.app-shared.tfstate"'),
    );
    expect(result).toMatchObject({ backend: "local", localBackendPath: "../../../project/terraform.app-qa.tfstate", outputs: ["url"], moved: 1 });
  });
});

function reEscape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

function listFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join("/"))
    .sort();
}

function listEntries(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true }).map(String).sort();
}
