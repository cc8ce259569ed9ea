// The generated user data, buildspec and CodeDeploy hook scripts run end to end against stubs that
// record every call (issue 14, "Done when"): a Node.js environment (config/default.yaml) and a
// Docker one (config/examples/docker-in-place.yaml), each on a fresh instance and again for a
// second release on the same instance. The harness (__tests__/helpers/instance.ts) explains what
// is emulated and how; every AWS call the scripts make is checked against the instance role.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { loadConfigFile } from "../lib/config/load";
import { NODE_MODULES_ARCHIVE, NODE_RUNTIME_RECORD, ReleaseFile } from "../lib/release/release-files";
import { Build, Call, codebuild, Deployment, fleetEnvironment, FleetEnvironment, globRegExp, iamOfCalls, Instance, NodeFacts, relocate, Run, walk, writeFiles } from "./helpers/instance";
import { ResolvedStatement, Resolver, rolePolicies } from "./helpers/iam-coverage";
import { lintShell } from "./helpers/shell";
import { StackView } from "../policy/terraform";

// Many processes per test on two shared cores.
jest.setTimeout(120_000);

const root = path.join(__dirname, "..");
/** The default configuration's staging environment, synthesized once for the whole file. */
const defaultStaging = fleetEnvironment(loadConfigFile(path.join(root, "config", "default.yaml")), "staging");
const NODE_22: NodeFacts = { version: "v22.11.0", arch: "x64", modules: "127" };
/** Units of the golden AMI; those enabled in the image run after boot. */
const IMAGE_UNITS = ["codedeploy-agent.service", "amazon-cloudwatch-agent.service", "docker.service", "containerd.service", "nginx.service"];
const BOOT_ACTIVE = ["docker.service", "containerd.service", "nginx.service"];
/** What must never run on an instance: package managers, npm, compilers. */
const INSTALLERS = ["npm", "dnf", "yum", "pip3", "gcc", "make"];
const ENV_PARAMETERS = (app: string, logLevel: string) => [
  { Name: `/${app}/staging/env/DATABASE_URL`, Value: `postgres://db.internal:5432/${app}`, Type: "SecureString" },
  { Name: `/${app}/staging/env/LOG_LEVEL`, Value: logLevel },
  // Skipped by the env-sync helper, with a warning: not a variable name, and a multi-line value.
  { Name: `/${app}/staging/env/feature-flag`, Value: "on" },
  { Name: `/${app}/staging/env/TLS_CHAIN`, Value: "-----BEGIN-----\nabc\n-----END-----" },
];

function instanceFor(env: FleetEnvironment, app: { name: string; unit?: string; container?: string; port: number }, node = NODE_22): Instance {
  return new Instance({
    region: env.region,
    parameters: env.parameters,
    envParameters: ENV_PARAMETERS(app.name, "info"),
    imageUnits: IMAGE_UNITS,
    bootActive: BOOT_ACTIVE,
    node,
    app: { ...app, healthPath: "/health" },
  });
}

const hooks = (d: Deployment) => d.hooks.map((h) => [h.hook, h.status]);
const show = (d: Deployment) => d.hooks.map((h) => `--- ${h.hook} (exit ${h.status})\n${h.output}`).join("\n");
const inPhase = (calls: Call[], phase: string) => calls.filter((c) => c.phase === phase).map((c) => [c.program, ...c.args].join(" "));
const mode = (file: string) => fs.statSync(file).mode & 0o777;

/** An application repository: the environment's release files at its root, and a small Node.js app. */
function nodeApp(files: ReleaseFile[], release: number): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `app-${release}-`));
  writeFiles(dir, files);
  writeFiles(dir, [
    { path: "package.json", content: JSON.stringify({ name: "demo", version: `${release}.0.0`, scripts: { start: "node dist/server.js", test: "jest", build: "tsc" } }) },
    { path: "package-lock.json", content: JSON.stringify({ name: "demo", lockfileVersion: 3 }) },
    { path: "src/server.js", content: `// release ${release}\n` },
    { path: `public/release-${release}.txt`, content: `${release}\n` },
    { path: ".git/HEAD", content: "ref: refs/heads/main\n" },
  ]);
  return dir;
}

/** Production dependencies with a bin link and a native addon; development ones the build needs. */
const DEPENDENCIES = { 1: "express prod\nsharp prod\nleft-pad prod\njest dev\ntypescript dev", 2: "express prod\nsharp prod\njest dev\ntypescript dev" };

describe("Node.js environment (config/default.yaml, staging)", () => {
  const env = defaultStaging;
  const instance = instanceFor(env, { name: "webapp", unit: "webapp.service", port: 3000 });
  let boot: Run, envFileAfterBoot: string, build1: Build, release1: Deployment, build2: Build, release2: Deployment;
  beforeAll(() => {
    boot = instance.boot(env.userData);
    envFileAfterBoot = instance.exists("/etc/webapp/app.env") ? instance.read("/etc/webapp/app.env") : "(none)";
    build1 = codebuild(nodeApp(env.files, 1), { node: NODE_22, dependencies: DEPENDENCIES[1] });
    release1 = instance.deploy(build1.revision);
    // Between the releases an operator changes a parameter and the application's dependencies change.
    instance.setEnvParameters(ENV_PARAMETERS("webapp", "debug"));
    build2 = codebuild(nodeApp(env.files, 2), { node: NODE_22, dependencies: DEPENDENCIES[2], dependencyVersion: "2.0.0" });
    release2 = instance.deploy(build2.revision);
  });

  test("first boot: the user data creates the user, directories, env file, env-sync helper and the enabled unit", () => {
    expect(boot).toMatchObject({ status: 0 });
    expect(instance.users()).toEqual(["webapp"]);
    for (const dir of ["/opt/webapp", "/var/log/webapp"]) expect(fs.statSync(instance.path(dir)).isDirectory()).toBe(true);
    expect(mode(instance.path("/usr/local/sbin/webapp-env-sync"))).toBe(0o755);
    expect(instance.read("/etc/systemd/system/webapp.service")).toContain(`WorkingDirectory=${instance.root}/opt/webapp\n`);
    expect(inPhase(instance.calls(), "user-data")).toContain("systemctl enable webapp.service");
    // Valid names only, values with newlines skipped (systemd's EnvironmentFile cannot carry them).
    expect(envFileAfterBoot).toBe("DATABASE_URL=postgres://db.internal:5432/webapp\nLOG_LEVEL=info\n");
    expect(mode(instance.path("/etc/webapp/app.env"))).toBe(0o640);
    expect(boot.output).toContain("skipping /webapp/staging/env/feature-flag: not a valid variable name");
    expect(inPhase(instance.calls(), "user-data")).toContain("amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s -c ssm:/webapp/staging/cloudwatch-agent/config");
  });

  test("CodeBuild: npm ci, tests and build with every dependency, then only production ones packed with what they were built for", () => {
    expect(build1.status).toBe(0);
    expect(build1.calls.filter((c) => c.program === "npm").map((c) => c.args.join(" "))).toEqual(["ci --no-audit", "test", "run build --if-present", "prune --omit=dev --no-audit"]);
    const files = walk(build1.revision);
    expect(files).toEqual(expect.arrayContaining(["appspec.yml", "scripts/after-install.sh", "package.json", "dist/server.js", NODE_MODULES_ARCHIVE, NODE_RUNTIME_RECORD]));
    // node_modules travels packed only (the zip and the CodeDeploy agent would turn its symlinks into copies).
    expect(files.filter((f) => /^(node_modules|\.git)\//.test(f))).toEqual([]);
    expect(fs.readFileSync(path.join(build1.revision, NODE_RUNTIME_RECORD), "utf8")).toBe("linux-x64-abi127 (node v22.11.0)\n");
  });

  test("release 1 on the fresh instance: no ApplicationStop, the hooks in order, the application answers", () => {
    expect({ hooks: hooks(release1), output: release1.succeeded ? "" : show(release1) }).toEqual({
      hooks: [["BeforeInstall", 0], ["Install", 0], ["AfterInstall", 0], ["ApplicationStart", 0], ["ValidateService", 0]],
      output: "",
    });
    expect(inPhase(instance.calls(), `${release1.id} ApplicationStart`)).toContain("systemctl restart webapp.service");
    expect(inPhase(instance.calls(), `${release1.id} ValidateService`)).toContain(`curl --silent --output /dev/null --write-out %{http_code} --max-time 5 http://127.0.0.1:3000/health`);
  });

  test("the production dependencies CodeBuild built are in place, symlinks and modes intact, development ones absent", () => {
    // Checked after release 2 as well: node_modules is replaced as a whole.
    const modules = instance.path("/opt/webapp/node_modules");
    expect(fs.readdirSync(modules).sort()).toEqual([".bin", ".package-lock.json", "express", "sharp"]);
    expect(fs.readlinkSync(path.join(modules, ".bin/express"))).toBe("../express/bin/cli.js");
    expect(mode(path.join(modules, "express/bin/cli.js")) & 0o111).toBe(0o111);
    expect(fs.existsSync(path.join(modules, "sharp/build/Release/addon.node"))).toBe(true);
    expect(JSON.parse(fs.readFileSync(path.join(modules, "express/package.json"), "utf8")).version).toBe("2.0.0");
    // No staging directory left behind.
    expect(fs.readdirSync(instance.path("/opt/webapp")).filter((f) => f.startsWith(".node_modules"))).toEqual([]);
  });

  test("release 2 on the same instance: ApplicationStop of release 1 stops the unit, release 1's files go, the env file follows SSM", () => {
    expect({ hooks: hooks(release2), output: release2.succeeded ? "" : show(release2) }).toEqual({
      hooks: [["ApplicationStop", 0], ["BeforeInstall", 0], ["Install", 0], ["AfterInstall", 0], ["ApplicationStart", 0], ["ValidateService", 0]],
      output: "",
    });
    expect(inPhase(instance.calls(), `${release2.id} ApplicationStop`)).toContain("systemctl stop webapp.service");
    expect(instance.exists("/opt/webapp/public/release-1.txt")).toBe(false);
    expect(instance.read("/opt/webapp/public/release-2.txt")).toBe("2\n");
    expect(instance.read("/opt/webapp/dist/server.js")).toBe("// release 2\n");
    expect(instance.exists("/opt/webapp/node_modules/left-pad")).toBe(false);
    expect(instance.read("/etc/webapp/app.env")).toContain("LOG_LEVEL=debug\n");
    expect(instance.activeUnits()).toContain("webapp.service");
  });

  test("nothing is installed on the instance: no npm, no package manager, no compiler", () => {
    expect(instance.calls().filter((c) => INSTALLERS.includes(c.program))).toEqual([]);
  });

  test("every AWS call of the user data and the hooks is one the instance role allows", () => {
    const iam = iamOfCalls(env, instance.calls());
    expect(iam.unmapped).toEqual([]);
    expect(iam.unresolved).toEqual([]);
    expect(iam.accesses.filter((a) => !a.decision.allowed).map((a) => `${a.file}: ${a.command} → ${a.action} on ${a.resource}`)).toEqual([]);
    const actions = new Set(iam.accesses.map((a) => `${a.action} ${a.resource.replace(/^arn:aws:ssm:eu-west-1:\d+:/, "")}`));
    for (const expected of ["ssm:GetParameter parameter/webapp/staging/release/app-directory", "ssm:GetParametersByPath parameter/webapp/staging/env/", "ssm:GetParameter parameter/webapp/staging/cloudwatch-agent/config"]) {
      expect(actions).toContain(expected);
    }
  });
});

describe("Docker environment (config/examples/docker-in-place.yaml, staging)", () => {
  const config = loadConfigFile(path.join(root, "config", "examples", "docker-in-place.yaml"));
  const env = fleetEnvironment(config, "staging");
  const instance = instanceFor(env, { name: "shop", container: "shop", port: 8080 });
  const repository = env.parameters["/shop/staging/release/ecr-repository-url"];
  const image = (digit: string) => `${repository}@sha256:${digit.repeat(64)}`;
  /** The Docker build's output: the files its buildspec lists, with the image URI the build wrote. */
  const revision = (digit: string) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "docker-revision-"));
    const patterns = (YAML.parse(env.files.find((f) => f.path === "buildspec.yml")!.content).artifacts.files as string[]).map(globRegExp);
    writeFiles(dir, [...env.files.filter((f) => patterns.some((p) => p.test(f.path))), { path: "release/image-uri", content: `${image(digit)}\n` }]);
    return dir;
  };
  let boot: Run, envFileAfterBoot: string, release1: Deployment, record1: unknown, release2: Deployment, calls: Call[];
  beforeAll(() => {
    boot = instance.boot(env.userData);
    envFileAfterBoot = instance.exists("/etc/shop/app.env") ? instance.read("/etc/shop/app.env") : "(none)";
    release1 = instance.deploy(revision("a"));
    const uri = "/opt/shop/release/image-uri";
    record1 = { content: instance.exists(uri) ? instance.read(uri) : "(none)", mode: instance.exists(uri) ? mode(instance.path(uri)) : 0, containers: instance.containers() };
    release2 = instance.deploy(revision("b"));
    calls = instance.calls();
  });

  test("first boot: the user may use Docker; no systemd unit of the application", () => {
    expect(boot).toMatchObject({ status: 0 });
    expect(instance.users()).toEqual(["shop"]);
    expect(inPhase(calls, "user-data")).toContain("usermod -aG docker shop");
    expect(instance.exists("/etc/systemd/system/shop.service")).toBe(false);
    expect(envFileAfterBoot).toBe("DATABASE_URL=postgres://db.internal:5432/shop\nLOG_LEVEL=info\n");
  });

  test("release 1 on the fresh instance: log in to ECR, pull the revision's image by digest, run it with the env file and awslogs", () => {
    expect({ hooks: hooks(release1), output: release1.succeeded ? "" : show(release1) }).toEqual({
      hooks: [["BeforeInstall", 0], ["Install", 0], ["AfterInstall", 0], ["ApplicationStart", 0], ["ValidateService", 0]],
      output: "",
    });
    const before = inPhase(calls, `${release1.id} BeforeInstall`);
    expect(before).toContain("aws ecr get-login-password --region eu-west-1");
    expect(before).toContain(`docker login --username AWS --password-stdin ${repository.split("/")[0]}`);
    expect(before).toContain(`docker pull --quiet ${image("a")}`);
    const run = inPhase(calls, `${release1.id} ApplicationStart`).find((c) => c.startsWith("docker run "));
    expect(run).toContain(" --env-file /etc/shop/app.env --env PORT=8080 --publish 8080:8080 ");
    expect(run).toContain(" --log-opt awslogs-group=/app/shop/staging/application --log-opt awslogs-stream=i-0123456789abcdef0/container ");
    // The revision's image record, readable by root and the application's group only (appspec permissions).
    expect(record1).toEqual({ content: `${image("a")}\n`, mode: 0o640, containers: { shop: ["running", image("a")] } });
  });

  test("release 2 on the same instance: ApplicationStop removes release 1's container, release 2's image runs", () => {
    expect({ hooks: hooks(release2), output: release2.succeeded ? "" : show(release2) }).toEqual({
      hooks: [["ApplicationStop", 0], ["BeforeInstall", 0], ["Install", 0], ["AfterInstall", 0], ["ApplicationStart", 0], ["ValidateService", 0]],
      output: "",
    });
    expect(inPhase(calls, `${release2.id} ApplicationStop`).filter((c) => c.startsWith("docker "))).toEqual([
      "docker ps --all --quiet --filter name=^shop$",
      "docker stop --time 30 shop",
      "docker rm shop",
    ]);
    expect(instance.containers()).toEqual({ shop: ["running", image("b")] });
  });

  test("nothing is installed on the instance", () => {
    expect(calls.filter((c) => INSTALLERS.includes(c.program))).toEqual([]);
  });

  test("every AWS call (CLI, image pulls, awslogs, the CloudWatch agent) is one the instance role allows", () => {
    const iam = iamOfCalls(env, calls);
    expect(iam.unmapped).toEqual([]);
    expect(iam.unresolved).toEqual([]);
    expect(iam.accesses.filter((a) => !a.decision.allowed).map((a) => `${a.file}: ${a.command} → ${a.action} on ${a.resource}`)).toEqual([]);
    const actions = new Set(iam.accesses.map((a) => a.action));
    for (const expected of ["ecr:GetAuthorizationToken", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "logs:CreateLogStream", "logs:PutLogEvents", "ssm:GetParametersByPath", "kms:Decrypt"]) {
      expect(actions).toContain(expected);
    }
  });
});

describe("the harness catches what a real instance would refuse", () => {
  const env = defaultStaging;
  let build: Build;
  beforeAll(() => {
    build = codebuild(nodeApp(env.files, 1), { node: NODE_22, dependencies: DEPENDENCIES[1] });
  });

  test("a revision without the packed dependencies fails in AfterInstall, clearly, before anything starts", () => {
    const instance = instanceFor(env, { name: "webapp", unit: "webapp.service", port: 3000 });
    expect(instance.boot(env.userData).status).toBe(0);
    const revision = fs.mkdtempSync(path.join(os.tmpdir(), "revision-"));
    fs.cpSync(build.revision, revision, { recursive: true });
    fs.rmSync(path.join(revision, NODE_MODULES_ARCHIVE));
    const deployment = instance.deploy(revision);
    expect(hooks(deployment)).toEqual([["BeforeInstall", 0], ["Install", 0], ["AfterInstall", 1]]);
    expect(deployment.hooks[2].output).toContain(`ERROR: no ${NODE_MODULES_ARCHIVE} in the revision: it was not built by this environment's buildspec.yml`);
    expect(instance.activeUnits()).not.toContain("webapp.service");
  });

  test("dependencies built for another architecture are refused on the instance (native modules would not load)", () => {
    const arm = codebuild(nodeApp(env.files, 1), { node: { ...NODE_22, arch: "arm64" }, dependencies: DEPENDENCIES[1] });
    const instance = instanceFor(env, { name: "webapp", unit: "webapp.service", port: 3000 });
    instance.boot(env.userData);
    const deployment = instance.deploy(arm.revision);
    expect(hooks(deployment)).toEqual([["BeforeInstall", 0], ["Install", 0], ["AfterInstall", 1]]);
    expect(deployment.hooks[2].output).toContain("ERROR: the dependencies were built for linux-arm64-abi127 (node v22.11.0), this instance runs linux-x64-abi127 (v22.11.0)");
    expect(instance.exists("/opt/webapp/node_modules")).toBe(false);
  });

  test("a deployment that reaches an instance before its user data ran fails in BeforeInstall (no application user)", () => {
    const instance = instanceFor(env, { name: "webapp", unit: "webapp.service", port: 3000 });
    const deployment = instance.deploy(build.revision);
    expect(hooks(deployment)).toEqual([["BeforeInstall", 1]]);
    expect(deployment.hooks[0].output).toContain("ERROR: user webapp does not exist: the instance was not set up by the fleet's user data");
  });

  test("a call the role does not allow is reported: the env file read without ssm:GetParametersByPath", () => {
    const instance = instanceFor(env, { name: "webapp", unit: "webapp.service", port: 3000 });
    instance.boot(env.userData);
    expect(iamOfCalls(env, instance.calls()).accesses.filter((a) => a.action === "ssm:GetParametersByPath").map((a) => a.decision.allowed)).toEqual([true]);
    const view = new StackView(env.stack);
    const without = (s: ResolvedStatement): ResolvedStatement => ({ ...s, actions: s.actions.filter((a) => a !== "ssm:GetParametersByPath") });
    const weakened = rolePolicies(view, new Resolver(view, env.region), env.instanceRole).statements.map(without);
    const denied = iamOfCalls(env, instance.calls(), weakened).accesses.filter((a) => !a.decision.allowed);
    expect(denied.map((a) => [a.file, a.action, a.resource])).toEqual([["user-data", "ssm:GetParametersByPath", `arn:aws:ssm:eu-west-1:123456789012:parameter/webapp/staging/env/`]]);
  });

  test("the shell stubs pass bash -n and shellcheck", () => {
    const stubs = path.join(__dirname, "helpers", "stubs");
    const scripts = [...walk(stubs).map((f) => path.join(stubs, f))].filter((f) => fs.readFileSync(f, "utf8").startsWith("#!/bin/bash\n") || f.endsWith(".sh"));
    expect(scripts.length).toBeGreaterThan(10);
    for (const file of scripts) expect({ file: path.relative(root, file), problems: lintShell(fs.readFileSync(file, "utf8"), path.basename(file)) }).toEqual({ file: path.relative(root, file), problems: [] });
  });

  test("paths under /etc, /opt, /var and /usr/local move under the instance's root, nothing else", () => {
    const text = 'cat >/etc/x <<EOF\nWorkingDirectory=/opt/app\nEnvironmentFile=-/etc/app.env\nStandardOutput=append:/var/log/app.log\n"/usr/local/sbin/y" /usr/bin/npm /dev/null https://h/opt/z ssm:/app/env/\n';
    expect(relocate(text, "/R")).toBe(
      'cat >/R/etc/x <<EOF\nWorkingDirectory=/R/opt/app\nEnvironmentFile=-/R/etc/app.env\nStandardOutput=append:/R/var/log/app.log\n"/R/usr/local/sbin/y" /usr/bin/npm /dev/null https://h/opt/z ssm:/app/env/\n',
    );
  });
});
