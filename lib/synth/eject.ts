import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { SHARED_STACK_SUFFIX } from "../../stacks/shared-load-balancer-stack";
import { stackName } from "./build-app";
import { PolicyViolationError } from "../../policy";
import { parseCommandLine } from "./args";
import { ConfigError, ConfigProblem, loadConfigFile } from "../config/load";
import { Config } from "../config/schema";
import { MARKER_FILE } from "../release/release-files";
import { OutputFormat, synthesize } from "./synth";
import { listFiles } from "./generated-dir";

/**
 * `npm run eject`: one stack as a standalone Terraform directory that a team owns from then on,
 * pointing at the same state. See docs/eject.md.
 */
export interface EjectOptions {
  /** Configuration file (YAML or JSON). */
  readonly configFile: string;
  /** Name of the stack: `<app>-<environment>`, or `<app>-shared` for a shared load balancer. */
  readonly stack: string;
  /** Directory to write; it must not exist, or be empty. Its parent directories are created. */
  readonly outDir: string;
  /**
   * `json` writes `cdk.tf.json`, `hcl` writes `cdk.tf` (the same HCL output as `npm run synth -- --hcl`).
   * @default "json"
   */
  readonly format?: OutputFormat;
  /**
   * The output directory the stack was planned and applied from (`cdktf synth`, `npm run synth`).
   * A local backend's relative `path` (the default `../../../terraform.<stack>.tfstate`) was
   * relative to `<synthOutdir>/stacks/<stack>`; the ejected directory gets a path to the same file.
   * @default "cdktf.out"
   */
  readonly synthOutdir?: string;
}

export interface EjectResult {
  readonly stack: string;
  readonly format: OutputFormat;
  /** The ejected directory (absolute). */
  readonly outDir: string;
  /** Every file written, relative to `outDir`, with `/` separators, sorted. */
  readonly files: string[];
  /** Backend type of the stack (`local`, `s3`, `cloud`). */
  readonly backend: string;
  /** A local backend's state file (absolute), whatever the path written in the configuration. */
  readonly statePath?: string;
}

/** What eject was asked cannot be done; nothing was written. */
export class EjectError extends Error {
  constructor(readonly problems: readonly ConfigProblem[]) {
    const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
    super(`Cannot eject (${count}); nothing was written:\n${problems.map((p) => `  - ${p.path}: received ${p.received}; allowed: ${p.allowed}`).join("\n")}`);
    this.name = "EjectError";
  }
}

const FORMATS: readonly OutputFormat[] = ["json", "hcl"];
const CONFIG_FILE: Record<OutputFormat, string> = { json: "cdk.tf.json", hcl: "cdk.tf" };

/** Stack names of a configuration, in the order synthesis builds them (lib/synth/build-app.ts). */
export function stackNames(config: Config): string[] {
  const environments = Object.keys(config.environments).map((env) => stackName(config, env));
  return config.sharedLoadBalancer ? [stackName(config, SHARED_STACK_SUFFIX), ...environments] : environments;
}

/**
 * Writes one stack as a standalone Terraform directory: its configuration (cdktf's `//` metadata
 * removed), its backend (a local backend's relative path rewritten to reach the same state file),
 * its assets at the same relative paths, its release files and a README.md. Every problem with the
 * options is reported at once (EjectError) before anything is written; a configuration or policy
 * failure of the synthesis also leaves nothing behind.
 */
export async function eject(options: EjectOptions): Promise<EjectResult> {
  const format = options.format ?? "json";
  const synthOutdir = path.resolve(options.synthOutdir ?? "cdktf.out");
  const problems: ConfigProblem[] = [];
  if (!FORMATS.includes(format)) problems.push({ path: "format", received: JSON.stringify(format), allowed: FORMATS.map((f) => JSON.stringify(f)).join(" or ") });

  let config: Config | undefined;
  if (!options.configFile) problems.push({ path: "--config", received: "nothing", allowed: "a configuration file (YAML or JSON)" });
  else {
    try {
      config = loadConfigFile(options.configFile);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      problems.push(...e.problems.map((p) => ({ ...p, path: `--config ${options.configFile}: ${p.path}` })));
    }
  }

  const stacks = config ? stackNames(config) : [];
  const allowedStacks = config ? `one of the stacks of ${options.configFile}: ${stacks.join(", ")}` : "the name of a stack of the configuration";
  if (!options.stack) problems.push({ path: "--stack", received: "nothing", allowed: allowedStacks });
  else if (config && !stacks.includes(options.stack)) problems.push({ path: "--stack", received: JSON.stringify(options.stack), allowed: allowedStacks });

  const outDir = options.outDir ? path.resolve(options.outDir) : "";
  const allowedOut = `a directory that does not exist or is empty, outside ${path.relative(process.cwd(), synthOutdir) || "."}/ (every synthesis replaces that directory)`;
  if (!options.outDir) problems.push({ path: "--out", received: "nothing", allowed: allowedOut });
  else if (isInside(outDir, synthOutdir)) problems.push({ path: "--out", received: `${JSON.stringify(options.outDir)} (inside the synthesis output)`, allowed: allowedOut });
  else if (fs.existsSync(outDir)) {
    if (!fs.statSync(outDir).isDirectory()) problems.push({ path: "--out", received: `${JSON.stringify(options.outDir)} (a file)`, allowed: allowedOut });
    else {
      const entries = fs.readdirSync(outDir).sort();
      if (entries.length > 0) {
        const shown = entries.slice(0, 5).join(", ") + (entries.length > 5 ? `, ... (${entries.length} entries)` : "");
        problems.push({ path: "--out", received: `${JSON.stringify(options.outDir)} (not empty: ${shown})`, allowed: allowedOut });
      }
    }
  }
  if (problems.length > 0) throw new EjectError(problems);

  // Every stack is synthesized, as `npm run synth` does (same validation, policy pack and output),
  // into a scratch directory; only the one stack is kept.
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "eject-"));
  const staging = `${outDir}.tmp-${process.pid}`;
  try {
    const result = await synthesize({ configFile: options.configFile, outdir: path.join(scratch, "out"), format, atomic: false, generatedDir: path.join(scratch, "generated") });
    const stack = result.stacks.find((s) => s.name === options.stack);
    if (!stack) throw new Error(`synthesis wrote no stack ${options.stack} (it wrote ${result.stacks.map((s) => s.name).join(", ")})`);

    fs.rmSync(staging, { recursive: true, force: true });
    fs.mkdirSync(staging, { recursive: true });
    // Only what Terraform reads: the configuration and the assets it refers to. Not cdktf's
    // metadata.json (HCL output, for its CLI only) nor anything else synthesis puts beside them.
    copyTree(stack.directory, staging, (rel) => rel === CONFIG_FILE[format] || rel.startsWith("assets/"));

    const configPath = path.join(staging, CONFIG_FILE[format]);
    const text = fs.readFileSync(configPath, "utf8");
    const rebase = (p: string) => rebaseLocalPath(p, path.join(synthOutdir, "stacks", options.stack), outDir);
    const ejected = format === "json" ? ejectJson(text, rebase) : ejectHcl(text, rebase);
    fs.writeFileSync(configPath, ejected.text);

    const missing = assetReferences(ejected.text).filter((a) => !fs.existsSync(path.join(staging, a)));
    if (missing.length > 0) throw new Error(`the configuration of ${options.stack} refers to assets that are not in its directory: ${missing.join(", ")}`);

    const envName = Object.keys(result.config.environments).find((env) => stackName(result.config, env) === options.stack);
    const releaseFiles = envName ? path.join(result.generatedDir, envName) : undefined;
    if (releaseFiles && fs.existsSync(releaseFiles)) copyTree(releaseFiles, path.join(staging, "release-files"), (rel) => rel !== MARKER_FILE);

    const statePath = ejected.localBackendPath !== undefined ? path.resolve(outDir, ejected.localBackendPath) : undefined;
    fs.writeFileSync(
      path.join(staging, "README.md"),
      ejectReadme({
        stack: options.stack,
        configFile: options.configFile,
        stackDirectory: path.relative(process.cwd(), path.join(synthOutdir, "stacks", options.stack)).split(path.sep).join("/"),
        format,
        backend: ejected.backend,
        localPath: ejected.localBackendPath,
        originalLocalPath: ejected.originalLocalBackendPath,
        statePath,
        assets: assetReferences(ejected.text),
        outputs: ejected.outputs,
        moved: ejected.moved,
        metadataRemoved: ejected.metadataRemoved,
        constructPath: ejected.constructPath,
        managedByTag: /"?managed-by"?\s*[:=]\s*"cdktf"/.test(ejected.text),
        releaseFiles: fs.existsSync(path.join(staging, "release-files")),
      }),
    );

    // The empty directory the caller may have made is replaced by the finished one.
    if (fs.existsSync(outDir)) fs.rmdirSync(outDir);
    fs.renameSync(staging, outDir);
    return { stack: options.stack, format, outDir, files: listFiles(outDir), backend: ejected.backend, statePath };
  } catch (e) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw e;
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/** The ejected configuration text and what the README says about it. */
export interface EjectedConfiguration {
  readonly text: string;
  /** Backend type (`local` when the configuration names none: Terraform's default). */
  readonly backend: string;
  /** The local backend's path as written in the ejected configuration (undefined: not a local backend). */
  readonly localBackendPath?: string;
  readonly originalLocalBackendPath?: string;
  /** Output names. */
  readonly outputs: string[];
  /** Number of `moved` blocks (kept as they were). */
  readonly moved: number;
  /** Number of cdktf `//` metadata entries removed (JSON only). */
  readonly metadataRemoved: number;
  /** One construct path of that metadata, for the README's example. */
  readonly constructPath?: string;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * A stack's `cdk.tf.json`, ejected: cdktf's `//` metadata properties (construct paths, unique ids,
 * the stack's metadata and output map) removed from every block body, where Terraform treats them
 * as comments; local state paths (backend, `terraform_remote_state`) rebased; everything else,
 * `moved` blocks included, unchanged.
 */
export function ejectJson(text: string, rebase: (p: string) => string): EjectedConfiguration {
  const doc = JSON.parse(text) as Json;
  let metadataRemoved = 0;
  let constructPath: string | undefined;
  const strip = (body: unknown) => {
    if (isObject(body) && "//" in body) {
      const comment = body["//"];
      if (!constructPath && isObject(comment) && isObject(comment.metadata) && typeof comment.metadata.path === "string") constructPath = comment.metadata.path;
      delete body["//"];
      metadataRemoved++;
    }
  };
  strip(doc);
  for (const [kind, blocks] of Object.entries(doc)) {
    if (!isObject(blocks)) continue;
    for (const entry of Object.values(blocks)) {
      // <kind>.<type>.<name> for resources and data sources; <kind>.<name> (a list for providers)
      // for the others. Elsewhere a "//" key may be data (a local's value), so it stays.
      if (kind === "resource" || kind === "data") {
        if (isObject(entry)) Object.values(entry).forEach(strip);
      } else if (kind === "output" || kind === "variable" || kind === "module" || kind === "provider") {
        if (Array.isArray(entry)) entry.forEach(strip);
        else strip(entry);
      }
    }
  }

  const terraform = isObject(doc.terraform) ? doc.terraform : {};
  const local = isObject(terraform.backend) && isObject(terraform.backend.local) ? terraform.backend.local : undefined;
  const originalLocalBackendPath = typeof local?.path === "string" ? local.path : undefined;
  if (local && originalLocalBackendPath !== undefined) local.path = rebase(originalLocalBackendPath);
  const remoteStates = isObject(doc.data) && isObject(doc.data.terraform_remote_state) ? Object.values(doc.data.terraform_remote_state) : [];
  for (const state of remoteStates) {
    if (isObject(state) && state.backend === "local" && isObject(state.config) && typeof state.config.path === "string") state.config.path = rebase(state.config.path);
  }
  const backends = isObject(terraform.backend) ? Object.keys(terraform.backend) : [];
  return {
    text: `${JSON.stringify(doc, null, 2)}\n`,
    backend: backends[0] ?? (isObject(terraform.cloud) ? "cloud" : "local"),
    localBackendPath: local ? (local.path as string | undefined) : undefined,
    originalLocalBackendPath,
    outputs: isObject(doc.output) ? Object.keys(doc.output) : [],
    moved: Array.isArray(doc.moved) ? doc.moved.length : isObject(doc.moved) ? 1 : 0,
    metadataRemoved,
    constructPath,
  };
}

/**
 * A stack's `cdk.tf` (as tidied by lib/synth/hcl.ts, hclwrite-formatted), ejected: the local state
 * paths of the backend and of `terraform_remote_state` blocks rebased; everything else unchanged.
 * cdktf writes no comments into HCL (its metadata goes to metadata.json, which is not copied).
 */
export function ejectHcl(text: string, rebase: (p: string) => string): EjectedConfiguration {
  let originalLocalBackendPath: string | undefined;
  let localBackendPath: string | undefined;
  // A block ends at the first line holding only its closing brace at the block's own indentation.
  let out = text.replace(/^( *)backend "local" \{\n[\s\S]*?\n\1\}/m, (block) =>
    block.replace(/^(\s*path\s*=\s*)"((?:[^"\\]|\\.)*)"/m, (_m, lead: string, value: string) => {
      originalLocalBackendPath = value;
      localBackendPath = rebase(value);
      return `${lead}${JSON.stringify(localBackendPath)}`;
    }),
  );
  out = out.replace(/^( *)data "terraform_remote_state" "[^"]+" \{\n[\s\S]*?\n\1\}/gm, (block) =>
    /^\s*backend\s*=\s*"local"\s*$/m.test(block) ? block.replace(/^(\s*path\s*=\s*)"((?:[^"\\]|\\.)*)"/m, (_m, lead: string, value: string) => `${lead}${JSON.stringify(rebase(value))}`) : block,
  );
  return {
    text: out,
    backend: /^ {2}backend "([^"]+)" \{/m.exec(out)?.[1] ?? (/^ {2}cloud \{/m.test(out) ? "cloud" : "local"),
    localBackendPath,
    originalLocalBackendPath,
    outputs: [...out.matchAll(/^output "([^"]+)" \{/gm)].map((m) => m[1]),
    moved: [...out.matchAll(/^moved \{/gm)].length,
    metadataRemoved: 0,
  };
}

/**
 * A local state path written relative to `fromDir`, as the same file relative to `toDir`
 * (`/` separators); absolute paths stay as they are.
 */
export function rebaseLocalPath(p: string, fromDir: string, toDir: string): string {
  if (path.isAbsolute(p)) return p;
  return path.relative(toDir, path.resolve(fromDir, p)).split(path.sep).join("/");
}

/** Relative `assets/...` paths a configuration refers to (cdktf's TerraformAsset copies). */
export function assetReferences(text: string): string[] {
  return [...new Set([...text.matchAll(/"(assets\/[^"\\]+)"/g)].map((m) => m[1]))].sort();
}

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
}

/** Copies the files under `from` to `to` (created), keeping modes; `keep` sees paths relative to `from`. */
function copyTree(from: string, to: string, keep: (rel: string) => boolean): void {
  for (const rel of listFiles(from)) {
    if (!keep(rel)) continue;
    const target = path.join(to, ...rel.split("/"));
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.copyFileSync(path.join(from, ...rel.split("/")), target);
    fs.chmodSync(target, fs.statSync(path.join(from, ...rel.split("/"))).mode & 0o777);
  }
}

interface ReadmeFacts {
  readonly stack: string;
  /** Where the stack was applied from (for a local backend's relative path). */
  readonly stackDirectory: string;
  readonly configFile: string;
  readonly format: OutputFormat;
  readonly backend: string;
  readonly localPath?: string;
  readonly originalLocalPath?: string;
  readonly statePath?: string;
  readonly assets: readonly string[];
  readonly outputs: readonly string[];
  readonly moved: number;
  readonly metadataRemoved: number;
  readonly constructPath?: string;
  /** The provider's default tags say `managed-by = "cdktf"`. */
  readonly managedByTag: boolean;
  readonly releaseFiles: boolean;
}

/** README.md of an ejected directory: what it holds, what changed from cdktf's output, what the team owns now. */
export function ejectReadme(f: ReadmeFacts): string {
  const file = CONFIG_FILE[f.format];
  const lines: string[] = [];
  const add = (...l: string[]) => lines.push(...l);
  add(
    `# ${f.stack}: standalone Terraform configuration`,
    "",
    `Ejected from the cdktf project (cdktf 0.21.0, configuration \`${f.configFile}\`) with`,
    `\`npm run eject -- --stack ${f.stack}${f.format === "hcl" ? " --hcl" : ""}\`. This directory is a plain Terraform root module: it no longer`,
    "needs Node.js, cdktf or the project's configuration file, and nothing regenerates it.",
    "",
    "## Run it",
    "",
    "```sh",
    "terraform init     # the same backend as before, so the same state",
    "terraform plan     # right after ejecting: \"No changes.\"",
    "```",
    "",
    "The configuration pins the `hashicorp/aws` provider to 5.100.0; the project used Terraform 1.11.4.",
    "`terraform init` writes `.terraform.lock.hcl`: commit it with the configuration. A plan that is",
    "not empty right after ejecting means the infrastructure drifted or the state is not the one the",
    "stack was applied with: stop and find out which before applying anything.",
    "",
    "## What is here",
    "",
    `- \`${file}\`: the stack's Terraform configuration${f.format === "json" ? " (JSON syntax: Terraform reads `*.tf.json` as it reads `*.tf`)" : ""}.`,
  );
  if (f.assets.length > 0) add(`- ${f.assets.map((a) => `\`${a}\``).join(", ")}: files the configuration refers to by relative path, copied with the same path.`);
  if (f.releaseFiles) add("- `release-files/`: the release files `npm run synth` wrote to `generated/<environment>/` for this environment (appspec, hook scripts, buildspec), to keep in the application repository.");
  add("- `README.md`: this file.", "", "## State", "");
  if (f.backend === "local") {
    add(
      "The backend block is the one the stack had, with one change: a local backend's relative path is",
      "relative to the directory Terraform runs in, so it is rewritten to reach the same state file from here.",
      "",
      `- before: \`${f.originalLocalPath ?? ""}\` (from \`${f.stackDirectory}\`)`,
      `- now: \`${f.localPath ?? ""}\`${f.statePath ? ` (that is \`${f.statePath}\`)` : ""}`,
      "",
      "Moving this directory breaks that path. Better: move the state to a remote backend (edit the",
      "`backend` block, then `terraform init -migrate-state`).",
    );
  } else {
    add(`The \`${f.backend}\` backend block is unchanged: \`terraform init\` connects to the same state the cdktf project used.`);
  }
  add(
    "",
    "Only one tool may manage this state from now on: stop planning and applying the stack from the",
    "cdktf project (remove its environment from the configuration file once this directory is in use,",
    "and do not run `cdktf destroy` or `terraform destroy` in the old output directory).",
    "",
    "## What was cdktf-specific",
    "",
  );
  if (f.format === "json") {
    add(`- **\`//\` metadata.** cdktf put a \`"//"\` property into the configuration and into each block (${f.metadataRemoved} in all): construct paths${f.constructPath ? ` such as \`${f.constructPath}\`` : ""}, unique ids, the stack's metadata and the map of its outputs. Terraform reads \`"//"\` properties in JSON configuration as comments; they are removed here, which changes no plan.`);
  } else {
    add("- **Metadata.** cdktf wrote the construct paths and the stack's metadata to `metadata.json` beside `cdk.tf`, for its CLI only; it is not copied.");
  }
  add(
    "- **Addresses.** Resource addresses (`aws_vpc.network_vpc`, ...) were pinned by the cdktf code and are now ordinary Terraform names. They are the link to the state: rename one only with a `moved` block.",
  );
  if (f.assets.length > 0) {
    add(
      "- **Asset paths.** `assets/<construct>_<id>/<hash>/<file>` is where cdktf's `TerraformAsset` copied files. They are ordinary files now; to change one, replace it (any path you like) and keep the resource's `source_code_hash` in step, e.g. `filebase64sha256(\"<path>\")`.",
    );
  }
  add(
    `- **Outputs.** The outputs keep their names (${f.outputs.length > 0 ? f.outputs.map((o) => `\`${o}\``).join(", ") : "none"}). \`cdktf output\` and \`cdktf deploy --outputs-file\` wrote them nested under the stack name, \`{"${f.stack}": {"<name>": <value>}}\`, sensitive ones left out; \`terraform output -json\` writes \`{"<name>": {"value": <value>, "type": ..., "sensitive": ...}}\`, and \`terraform output -raw <name>\` one value. Scripts that read the cdktf outputs file need that change.`,
  );
  if (f.managedByTag) add("- **Tags.** The provider's `default_tags` include `managed-by = \"cdktf\"`; changing it is an in-place tag update of every resource.");
  if (f.moved > 0) {
    add(`- **\`moved\` blocks.** The ${f.moved} \`moved\` block(s) from the cdktf code are kept: they tell Terraform about renamed addresses in states that still have the old ones. Remove them only when no state anywhere still needs them.`);
  } else {
    add("- **`moved` blocks.** This stack has none; any that the cdktf code declared would be kept as they are.");
  }
  add(
    "",
    "## What the team owns now",
    "",
    "- The configuration itself: edit it directly, review plans as before. The project's construct defaults (encryption, least-privilege IAM, IMDSv2, logs, alarms) are now plain settings here that nothing re-applies.",
    "- Checks: `npm run check` (the policy pack), the configuration validation and the Terraform test suites of the project no longer run on this directory. Run `terraform validate` and your own policy tools (for example tflint, checkov or OPA) in CI.",
    "- Upgrades of Terraform and of the `hashicorp/aws` provider (the configuration's `required_providers`; `source = \"aws\"` there is short for `hashicorp/aws`).",
  );
  if (f.releaseFiles) add("- The release files in `release-files/`: the project regenerated them on every synth; now changes to them are made by hand.");
  add("");
  return lines.join("\n");
}

const USAGE = `Usage: npm run eject -- --stack <name> --out <dir> [--hcl] [--config <file>] [--synth-out <dir>]

  --stack <name>     the stack to eject (<app>-<environment>, or <app>-shared)
  --out <dir>        directory to write; must not exist or be empty
  --hcl              write cdk.tf (HCL) instead of cdk.tf.json
  --config <file>    configuration (default: $APP_CONFIG or config/default.yaml)
  --synth-out <dir>  output directory the stack was applied from, for a local backend's relative state path (default: cdktf.out)`;

/** `npm run eject -- <args>`: returns the process exit code. */
export async function runEject(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const args = parseCommandLine(
    argv,
    { stack: { type: "string", short: "s" }, out: { type: "string", short: "o" }, hcl: { type: "boolean" }, config: { type: "string", short: "c" }, "synth-out": { type: "string" } },
    USAGE,
  );
  if (typeof args === "number") return args;
  const configFile = args.config ?? env.APP_CONFIG ?? path.join("config", "default.yaml");
  try {
    const result = await eject({ configFile, stack: args.stack ?? "", outDir: args.out ?? "", format: args.hcl ? "hcl" : "json", synthOutdir: args["synth-out"] });
    const rel = path.relative(process.cwd(), result.outDir) || ".";
    console.log(`Ejected ${result.stack} (${result.format.toUpperCase()}) into ${rel}/: ${result.files.length} file(s). Next: cd ${rel} && terraform init && terraform plan (see ${rel}/README.md).`);
    return 0;
  } catch (e) {
    if (e instanceof EjectError || e instanceof ConfigError || e instanceof PolicyViolationError) {
      console.error(`${e.message}\n\n${USAGE}`);
      return 1;
    }
    throw e;
  }
}
