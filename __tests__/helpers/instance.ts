// An emulated fleet instance and CodeBuild container for running the generated user data, buildspec
// and CodeDeploy hook scripts end to end (test-only).
//
// The scripts run unchanged with bash. What they call on a real instance is a stub first on PATH
// (__tests__/helpers/stubs/): `aws`, `systemctl`, `docker`, `curl`, `node`, `useradd`, `install`,
// `chown`... Each stub records its arguments (the IAM check below maps every recorded AWS call to
// the actions the instance role must allow) and keeps the state a real machine would (units
// enabled and active, containers, users), so a script that starts what was never installed fails
// here as it would there. npm, dnf and compilers are stubs that fail: nothing may install
// packages on a golden-AMI instance.
//
// Paths. The scripts write to /etc, /opt, /var, /usr/local. Instead of a chroot or a mount
// namespace (root and kernel features a test runner may not have), every absolute path under those
// directories in the scripts' text, the appspec destinations and the path-valued SSM parameters is
// moved under the instance's own root directory (`relocate`), a mechanical rewrite that leaves the
// scripts' logic alone. When the test runs as root, the scripts run as `nobody` (setpriv), so a path
// the rewrite missed fails with "Permission denied" instead of touching the machine.
//
// The CodeDeploy agent is emulated as it behaves on Linux: hooks from the revision's appspec.yml in
// lifecycle order, ApplicationStop from the last successful revision (none on a fresh instance),
// the files section copied with symlinks followed (aws-codedeploy-agent#152) after the files of
// the previous install are removed, permissions applied.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { Config } from "../../lib/config/schema";
import { ReleaseFile, releaseFiles } from "../../lib/release/release-files";
import { blocks, StackView } from "../../policy/terraform";
import { ACCOUNT, Access, Decision, evaluate, Finding, mapCall, rolePolicies, Resolver, ScanContext, ScanResult } from "./iam-coverage";
import { synthConfig } from "./synth";

const STUBS = path.join(__dirname, "stubs");
const SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
/** Top directories of Amazon Linux that scripts write to; moved under the instance's root. */
const WRITABLE_TOPS = ["etc", "opt", "var", "usr/local", "run", "srv", "home"];
const ABSOLUTE = new RegExp(`(^|[\\s"'=:(<>,\\[-])(/(?:${WRITABLE_TOPS.join("|")})(?=/|\\s|"|'|$))`, "gm");
const AS_ROOT = process.getuid?.() === 0;
const NOBODY = 65534;

/** Every absolute path under a writable top directory moved under `root`. */
export function relocate(text: string, root: string): string {
  return text.replace(ABSOLUTE, (_, before: string, p: string) => `${before}${root}${p}`);
}

/** The machine's paths again, for messages and assertions. */
export function unrelocate(text: string, root: string): string {
  return text.split(root).join("");
}

/** What `node` reports on a machine. */
export interface NodeFacts {
  readonly version: string;
  readonly arch: string;
  /** `process.versions.modules`: the native module ABI of the major. */
  readonly modules: string;
}

/** One recorded call of a stub. */
export interface Call {
  /** What the harness was running: `user-data`, `build`, `<deployment> <Hook>`. */
  readonly phase: string;
  readonly program: string;
  readonly args: string[];
}

export interface Run {
  readonly status: number | null;
  readonly output: string;
}

export interface HookRun extends Run {
  readonly hook: string;
}

export interface Deployment {
  readonly id: string;
  readonly succeeded: boolean;
  readonly hooks: HookRun[];
}

interface Sandbox {
  readonly dir: string;
  readonly bin: string;
  readonly log: string;
  readonly state: string;
}

function sandbox(prefix: string, stubs: string[]): Sandbox {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  if (AS_ROOT) reachable(dir);
  const bin = path.join(dir, "bin");
  const state = path.join(dir, "state");
  fs.mkdirSync(bin);
  fs.mkdirSync(state);
  fs.mkdirSync(path.join(dir, "tmp"));
  for (const stub of stubs) fs.copyFileSync(path.join(STUBS, stub), path.join(bin, path.basename(stub)));
  for (const stub of fs.readdirSync(bin)) fs.chmodSync(path.join(bin, stub), 0o755);
  fs.copyFileSync(path.join(STUBS, "record.sh"), path.join(dir, "record.sh"));
  const log = path.join(dir, "calls.log");
  fs.writeFileSync(log, "");
  return { dir, bin, log, state };
}

/**
 * `nobody` must be able to reach the sandbox: the test run's temporary directories between it and
 * the system's get the search bit (no read) for others.
 */
function reachable(dir: string): void {
  for (let d = path.dirname(dir); d !== path.dirname(d); d = path.dirname(d)) {
    const mode = fs.statSync(d).mode;
    if (mode & 0o001) continue;
    if (!d.startsWith(os.tmpdir())) throw new Error(`${d} is not searchable by others: the scripts run as nobody and cannot reach ${dir}`);
    fs.chmodSync(d, (mode & 0o7777) | 0o001);
  }
}

/** A Node.js that `nobody` may run, for the node stub's `-p` (the jest process's own when it can). */
const realNode = (() => {
  if (!AS_ROOT) return process.execPath;
  const runnable = (file: string) => spawnSync("setpriv", [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups", "--", file, "--version"]).status === 0;
  const found = [process.execPath, ...SYSTEM_PATH.split(":").map((d) => path.join(d, "node"))].find((f) => fs.existsSync(f) && runnable(f));
  if (!found) throw new Error(`no Node.js that nobody may run (tried ${process.execPath} and node on ${SYSTEM_PATH})`);
  return found;
})();

/** Hands the sandbox to `nobody` when the test runs as root (the scripts run as nobody then). */
function handOver(dir: string): void {
  if (AS_ROOT) spawnSync("chown", ["-R", `${NOBODY}:${NOBODY}`, dir]);
}

function execute(file: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number }): Run {
  const [command, argv] = AS_ROOT ? ["setpriv", [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups", "--", file, ...args]] : [file, args];
  const result = spawnSync(command, argv, { cwd: options.cwd, env: options.env, encoding: "utf8", timeout: options.timeoutMs });
  if (result.error) throw result.error;
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

function calls(log: string): Call[] {
  return fs
    .readFileSync(log, "utf8")
    .split("\x1e")
    .filter((r) => r.length > 0)
    .map((r) => {
      const [phase, program, ...args] = r.split("\x1f");
      return { phase, program, args };
    });
}

const nodeEnv = (node: NodeFacts): Record<string, string> => ({
  STUB_NODE_VERSION: node.version,
  STUB_NODE_ARCH: node.arch,
  STUB_NODE_MODULES: node.modules,
  STUB_REAL_NODE: realNode,
});

// ---------------------------------------------------------------------------------------------
// The instance

export interface InstanceOptions {
  readonly region: string;
  /** SSM parameters the stack stores, by name; values that are paths are relocated here. */
  readonly parameters: Readonly<Record<string, string>>;
  /** The application's parameters under `/<app>/<env>/env/`. */
  readonly envParameters: ReadonlyArray<{ Name: string; Value: string; Type?: string }>;
  /** Units the image has (golden AMI); those in `bootActive` run after boot. */
  readonly imageUnits: readonly string[];
  readonly bootActive: readonly string[];
  readonly node: NodeFacts;
  /** What answers the health check: the Node.js unit or the container. */
  readonly app: { readonly unit?: string; readonly container?: string; readonly port: number; readonly healthPath: string };
  readonly instanceId?: string;
}

export class Instance {
  public readonly root: string;
  private readonly box: Sandbox;
  private readonly options: InstanceOptions;
  private lastArchive?: string;
  private deployments = 0;

  constructor(options: InstanceOptions) {
    this.options = options;
    this.box = sandbox("instance-", fs.readdirSync(path.join(STUBS, "instance")).map((s) => `instance/${s}`));
    this.root = path.join(this.box.dir, "root");
    // What the golden AMI's filesystem has that the scripts write into.
    for (const d of ["etc/systemd/system", "etc/nginx/conf.d", "opt", "var/log/nginx", "var/cache", "usr/local/sbin", "usr/local/bin", "run", "root"]) fs.mkdirSync(path.join(this.root, d), { recursive: true });
    // The CloudWatch agent's control script where the golden AMI installs it.
    const agentBin = path.join(this.root, "opt/aws/amazon-cloudwatch-agent/bin");
    fs.mkdirSync(agentBin, { recursive: true });
    fs.renameSync(path.join(this.box.bin, "amazon-cloudwatch-agent-ctl"), path.join(agentBin, "amazon-cloudwatch-agent-ctl"));
    // Units the image enables start at boot, before user data.
    fs.mkdirSync(path.join(this.box.state, "systemd/active"), { recursive: true });
    for (const unit of options.bootActive) fs.writeFileSync(path.join(this.box.state, "systemd/active", unit), "");
    this.setEnvParameters(options.envParameters);
  }

  /** A path of the machine, inside the instance's root. */
  public path(p: string): string {
    return path.join(this.root, p);
  }

  public read(p: string): string {
    return fs.readFileSync(this.path(p), "utf8");
  }

  public exists(p: string): boolean {
    return fs.existsSync(this.path(p));
  }

  /** Changes the application's parameters in SSM (between releases). */
  public setEnvParameters(envParameters: InstanceOptions["envParameters"]): void {
    const parameters = Object.fromEntries(Object.entries(this.options.parameters).map(([name, value]) => [name, relocate(value, this.root)]));
    fs.writeFileSync(path.join(this.box.dir, "aws-state.json"), JSON.stringify({ region: this.options.region, parameters, envParameters, ecrToken: "stub-ecr-token" }));
    handOver(this.box.dir);
  }

  /** Units active now. */
  public activeUnits(): string[] {
    return fs.readdirSync(path.join(this.box.state, "systemd/active")).sort();
  }

  public users(): string[] {
    const dir = path.join(this.box.state, "users");
    return fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
  }

  /** Containers by name: [status, image]. */
  public containers(): Record<string, [string, string]> {
    const dir = path.join(this.box.state, "docker/containers");
    if (!fs.existsSync(dir)) return {};
    return Object.fromEntries(fs.readdirSync(dir).map((name) => [name, fs.readFileSync(path.join(dir, name), "utf8").trim().split("\n") as [string, string]]));
  }

  /** Every stub call so far, paths back to the machine's. */
  public calls(): Call[] {
    return calls(this.box.log).map((c) => ({ ...c, args: c.args.map((a) => unrelocate(a, this.root)) }));
  }

  /** First boot: the launch template's user data, as cloud-init runs it (root, no AWS region set). */
  public boot(userData: string): Run {
    const file = path.join(this.box.dir, "user-data.sh");
    fs.writeFileSync(file, relocate(userData, this.root), { mode: 0o755 });
    handOver(this.box.dir);
    return this.run("user-data", file, [], {}, 600);
  }

  /**
   * One CodeDeploy deployment of `revision` (a directory: the build's output) to this instance, as
   * the agent runs it. Stops at the first failing hook.
   */
  public deploy(revision: string): Deployment {
    const id = `d-RELEASE${++this.deployments}`;
    const archive = path.join(this.root, "opt/codedeploy-agent/deployment-root", DEPLOYMENT_GROUP_ID, id, "deployment-archive");
    fs.cpSync(revision, archive, { recursive: true, dereference: true });
    for (const file of walk(archive)) {
      if (/\.sh$/.test(file)) fs.writeFileSync(path.join(archive, file), relocate(fs.readFileSync(path.join(archive, file), "utf8"), this.root));
    }
    handOver(this.box.dir);
    const hooks: HookRun[] = [];
    const hook = (name: string, from: string): boolean => {
      const appspec = YAML.parse(fs.readFileSync(path.join(from, "appspec.yml"), "utf8"));
      for (const h of appspec.hooks?.[name] ?? []) {
        const run = this.run(`${id} ${name}`, path.join(from, h.location), [], { LIFECYCLE_EVENT: name, DEPLOYMENT_ID: id, DEPLOYMENT_GROUP_ID, APPLICATION_NAME: "app", DEPLOYMENT_GROUP_NAME: "group" }, h.timeout ?? 3600);
        hooks.push({ hook: name, ...run });
        if (run.status !== 0) return false;
      }
      return true;
    };
    const done = (succeeded: boolean): Deployment => {
      if (succeeded) this.lastArchive = archive;
      return { id, succeeded, hooks };
    };
    // ApplicationStop runs from the last revision that was deployed successfully to this instance.
    if (this.lastArchive && !hook("ApplicationStop", this.lastArchive)) return done(false);
    if (!hook("BeforeInstall", archive)) return done(false);
    const install = this.install(archive);
    hooks.push({ hook: "Install", ...install });
    if (install.status !== 0) return done(false);
    for (const name of ["AfterInstall", "ApplicationStart", "ValidateService"]) if (!hook(name, archive)) return done(false);
    return done(true);
  }

  /** The agent's Install step: the previous install's files go, the appspec's files are copied, permissions set. */
  private install(archive: string): Run {
    const appspec = YAML.parse(fs.readFileSync(path.join(archive, "appspec.yml"), "utf8"));
    const cleanup = path.join(this.root, "opt/codedeploy-agent/deployment-root/deployment-instructions", `${DEPLOYMENT_GROUP_ID}-cleanup`);
    const log: string[] = [];
    if (fs.existsSync(cleanup)) {
      for (const entry of fs.readFileSync(cleanup, "utf8").split("\n").filter(Boolean).reverse()) {
        const stat = fs.lstatSync(entry, { throwIfNoEntry: false });
        if (stat?.isDirectory()) {
          if (fs.readdirSync(entry).length === 0) fs.rmdirSync(entry);
        } else if (stat) fs.rmSync(entry);
      }
    }
    const installed: string[] = [];
    for (const { source, destination } of appspec.files ?? []) {
      const from = path.join(archive, source);
      const to = relocate(destination, this.root);
      for (const file of fs.statSync(from).isDirectory() ? walk(from) : [""]) {
        const target = path.join(to, file);
        if (fs.existsSync(target) && appspec.file_exists_behavior !== "OVERWRITE") return { status: 1, output: `The deployment failed because a specified file already exists at this location: ${unrelocate(target, this.root)}` };
        for (let dir = path.dirname(target); !fs.existsSync(dir); dir = path.dirname(dir)) installed.push(dir);
        fs.mkdirSync(path.dirname(target), { recursive: true });
        // The agent copies what a symlink points to (aws-codedeploy-agent#152).
        fs.copyFileSync(path.join(from, file), target);
        fs.chmodSync(target, fs.statSync(path.join(from, file)).mode & 0o777);
        installed.push(target);
      }
      log.push(`installed ${source} into ${destination}`);
    }
    fs.mkdirSync(path.dirname(cleanup), { recursive: true });
    fs.writeFileSync(cleanup, [...new Set(installed)].join("\n"));
    const users = this.users();
    for (const p of appspec.permissions ?? []) {
      for (const who of [p.owner, p.group].filter(Boolean)) {
        if (who !== "root" && !users.includes(who)) return { status: 1, output: `permissions: ${who} does not exist on the instance` };
      }
      // Permissions apply to what the files section installed under the object.
      const object = relocate(p.object, this.root);
      const types: string[] = p.type ?? ["file", "directory"];
      for (const entry of installed.filter((i) => i.startsWith(`${object}/`))) {
        if (p.mode && types.includes(fs.statSync(entry).isDirectory() ? "directory" : "file")) fs.chmodSync(entry, parseInt(p.mode, 8));
      }
      log.push(`permissions ${p.owner}:${p.group} ${p.mode ?? ""} on ${p.object}`);
    }
    handOver(this.box.dir);
    return { status: 0, output: log.join("\n") };
  }

  /**
   * A command as SSM Run Command runs one (a plain host's deploy document): its text, document
   * parameters already substituted, run by `sh` as root, paths relocated.
   */
  public runCommand(phase: string, text: string, timeoutSeconds = 600): Run {
    const file = path.join(this.box.dir, `command-${phase.replace(/\W+/g, "-")}.sh`);
    fs.writeFileSync(file, relocate(text, this.root), { mode: 0o755 });
    handOver(this.box.dir);
    return this.run(phase, file, [], {}, timeoutSeconds, "/bin/sh");
  }

  /** Marks an image as one whose application answers 503 on its health path. */
  public markUnhealthy(image: string): void {
    fs.mkdirSync(path.join(this.box.state, "docker"), { recursive: true });
    fs.appendFileSync(path.join(this.box.state, "docker/unhealthy"), `${image}\n`);
    handOver(this.box.dir);
  }

  private run(phase: string, file: string, args: string[], env: Record<string, string>, timeoutSeconds: number, shell = "/bin/bash"): Run {
    const o = this.options;
    const run = execute(shell, [file, ...args], {
      cwd: this.root,
      timeoutMs: timeoutSeconds * 1000,
      env: {
        PATH: `${this.box.bin}:${SYSTEM_PATH}`,
        HOME: this.path("/root"),
        TMPDIR: path.join(this.box.dir, "tmp"),
        LANG: "C.UTF-8",
        STUB_PHASE: phase,
        STUB_LOG: this.box.log,
        STUB_RECORD: path.join(this.box.dir, "record.sh"),
        STUB_STATE: this.box.state,
        STUB_ROOT: this.root,
        STUB_AWS_STATE: path.join(this.box.dir, "aws-state.json"),
        STUB_IMAGE_UNITS: o.imageUnits.join(" "),
        STUB_ECR_TOKEN: "stub-ecr-token",
        STUB_IMDS_TOKEN: "imds-token",
        STUB_INSTANCE_ID: o.instanceId ?? "i-0123456789abcdef0",
        STUB_APP_UNIT: o.app.unit ?? "",
        STUB_CONTAINER: o.app.container ?? "",
        STUB_APP_PORT: String(o.app.port),
        STUB_HEALTH_PATH: o.app.healthPath,
        ...nodeEnv(o.node),
        ...env,
      },
    });
    return { status: run.status, output: unrelocate(run.output, this.root) };
  }
}

const DEPLOYMENT_GROUP_ID = "5ec0ffee-0000-4000-8000-000000000001";

/** Files under `dir` (relative paths), symlinks included as entries. */
export function walk(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => !e.isDirectory())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

// ---------------------------------------------------------------------------------------------
// CodeBuild

export interface BuildOptions {
  readonly node: NodeFacts;
  /** Dependencies of the application for the npm stub: `name prod|dev` per line. */
  readonly dependencies: string;
  readonly dependencyVersion?: string;
  readonly env?: Record<string, string>;
}

export interface Build extends Run {
  /** The revision, as the build's output artifact holds it (symlinks followed, as zip does). */
  readonly revision: string;
  readonly calls: Call[];
}

/**
 * Runs a buildspec's phase commands in `source` as CodeBuild does (in order, the first failure
 * ends the build) and collects the artifact from `artifacts.files` and `exclude-paths`.
 */
export function codebuild(source: string, options: BuildOptions): Build {
  const box = sandbox("codebuild-", ["codebuild/npm", "instance/node"]);
  const spec = YAML.parse(fs.readFileSync(path.join(source, "buildspec.yml"), "utf8"));
  const work = path.join(box.dir, "src");
  fs.cpSync(source, work, { recursive: true });
  handOver(box.dir);
  const outputs: string[] = [];
  let status: number | null = 0;
  for (const phase of ["install", "pre_build", "build", "post_build"]) {
    for (const command of spec.phases?.[phase]?.commands ?? []) {
      const file = path.join(box.dir, "command.sh");
      fs.writeFileSync(file, `${command}\n`);
      handOver(file);
      const run = execute("/bin/bash", [file], {
        cwd: work,
        timeoutMs: 60_000,
        env: {
          PATH: `${box.bin}:${SYSTEM_PATH}`,
          HOME: box.dir,
          TMPDIR: path.join(box.dir, "tmp"),
          LANG: "C.UTF-8",
          ...spec.env?.variables,
          CODEBUILD_SRC_DIR: work,
          CODEBUILD_BUILD_SUCCEEDING: "1",
          STUB_PHASE: `build ${phase}`,
          STUB_LOG: box.log,
          STUB_RECORD: path.join(box.dir, "record.sh"),
          STUB_DEPENDENCIES: options.dependencies,
          STUB_DEPENDENCY_VERSION: options.dependencyVersion ?? "1.0.0",
          ...nodeEnv(options.node),
          ...options.env,
        },
      });
      outputs.push(`$ ${command}\n${run.output}`);
      if (run.status !== 0) {
        status = run.status;
        break;
      }
    }
    if (status !== 0) break;
  }
  const revision = path.join(box.dir, "artifact");
  if (status === 0) {
    const include = (spec.artifacts?.files ?? []).map(globRegExp);
    const exclude = (spec.artifacts?.["exclude-paths"] ?? []).map(globRegExp);
    for (const file of walk(work)) {
      if (!include.some((r: RegExp) => r.test(file)) || exclude.some((r: RegExp) => r.test(file))) continue;
      fs.mkdirSync(path.dirname(path.join(revision, file)), { recursive: true });
      // Without `enable-symlinks`, CodeBuild's zip holds what a symlink points to.
      fs.copyFileSync(path.join(work, file), path.join(revision, file));
      fs.chmodSync(path.join(revision, file), fs.statSync(path.join(work, file)).mode & 0o777);
    }
  }
  return { status, output: outputs.join(""), revision, calls: calls(box.log) };
}

/** A buildspec path pattern (`**\/*`, `node_modules/**\/*`, `release/image-uri`) as a regular expression. */
export function globRegExp(pattern: string): RegExp {
  const body = pattern
    .split(/(\*\*\/|\*\*|\*)/)
    .map((part) => (part === "**/" ? "(?:.*/)?" : part === "**" ? ".*" : part === "*" ? "[^/]*" : part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")))
    .join("");
  return new RegExp(`^${body}$`);
}

// ---------------------------------------------------------------------------------------------
// One environment of a configuration, as the instances see it

export interface FleetEnvironment {
  readonly stack: Record<string, any>;
  readonly region: string;
  readonly userData: string;
  readonly files: ReleaseFile[];
  /** SSM parameters of the stack, by name, references resolved. */
  readonly parameters: Record<string, string>;
  /** Address of the instance role (`aws_iam_role.fleet_role`). */
  readonly instanceRole: string;
}

export function fleetEnvironment(config: Config, envName: string, stacks = synthConfig(config)): FleetEnvironment {
  const stack = stacks[envName];
  const view = new StackView(stack);
  const region: string = blocks(stack.provider?.aws)[0]?.region ?? config.app.region;
  const resolver = new Resolver(view, region);
  const template = view.resources("aws_launch_template").find((t) => typeof t.values.user_data === "string");
  if (!template) throw new Error(`${envName}: no launch template with user data`);
  const profile = view.get(/^\$\{(aws_iam_instance_profile\.[\w-]+)\.\w+\}$/.exec(String(blocks(template.values.iam_instance_profile)[0]?.arn))?.[1] ?? "");
  const instanceRole = /^\$\{(aws_iam_role\.[\w-]+)\.\w+\}$/.exec(String(profile?.values.role))?.[1];
  if (!instanceRole) throw new Error(`${envName}: no instance role behind ${template.address}`);
  return {
    stack,
    region,
    userData: Buffer.from(String(template.values.user_data), "base64").toString("utf8"),
    files: releaseFiles(config, envName),
    parameters: Object.fromEntries(view.resources("aws_ssm_parameter").map((p) => [resolver.resolve(String(p.values.name)), resolver.resolve(String(p.values.value))])),
    instanceRole,
  };
}

/** Writes release files (and any other files) into `dir`, as an application repository holds them. */
export function writeFiles(dir: string, files: ReadonlyArray<{ path: string; content: string; mode?: number }>): void {
  for (const f of files) {
    fs.mkdirSync(path.dirname(path.join(dir, f.path)), { recursive: true });
    fs.writeFileSync(path.join(dir, f.path), f.content, { mode: f.mode ?? 0o644 });
  }
}

// ---------------------------------------------------------------------------------------------
// IAM: every recorded AWS call against the instance role

export interface CallAccess extends Access {
  readonly decision: Decision;
}

export interface CallsIam {
  readonly accesses: CallAccess[];
  readonly unmapped: Finding[];
  readonly unresolved: Finding[];
}

/** Programs whose calls reach AWS with the instance role. */
const AWS_PROGRAMS = new Set(["aws", "docker", "amazon-cloudwatch-agent-ctl"]);

/**
 * Maps the recorded `aws`, `docker` and CloudWatch agent calls to the IAM actions and resources AWS
 * authorizes them against (the IAM coverage test's mapping table) and evaluates each against the
 * identity policies of the instance role. `statements` replaces the role's policies (to prove the
 * check can fail).
 */
export function iamOfCalls(env: FleetEnvironment, recorded: readonly Call[], statements = rolePolicies(new StackView(env.stack), new Resolver(new StackView(env.stack), env.region), env.instanceRole).statements): CallsIam {
  const view = new StackView(env.stack);
  const resolver = new Resolver(view, env.region);
  const scan: ScanContext = {
    region: env.region,
    account: ACCOUNT,
    secureStringKeyArn: view.get("aws_kms_key.environment_key") ? resolver.resolve("${aws_kms_key.environment_key.arn}") : undefined,
    parameter: (name) => env.parameters[name],
    revisionFile: () => undefined,
    agentConfig: (name) => (env.parameters[name] ? JSON.parse(env.parameters[name]) : undefined),
  };
  const result: ScanResult = { accesses: [], unmapped: [], unresolved: [], commands: new Set() };
  recorded.forEach((c, i) => {
    if (AWS_PROGRAMS.has(c.program)) mapCall(c.program, c.args, { file: c.phase, line: i + 1, command: `${c.program} ${c.args.join(" ")}` }, scan, result);
  });
  return {
    accesses: result.accesses.map((a) => ({ ...a, decision: evaluate(statements, a) })),
    unmapped: result.unmapped,
    unresolved: result.unresolved,
  };
}
