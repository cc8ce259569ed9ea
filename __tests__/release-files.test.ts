import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { ConfigError, loadConfigFile, parseConfig } from "../lib/config/load";
import { Config } from "../lib/config/schema";
import { generatedFiles, HOOKS, MARKER_FILE, NODE_RUNTIME_PROBE, ReleaseFile, releaseFiles } from "../lib/release/release-files";
import { listFiles } from "../lib/synth/generated-dir";
import { lintShell } from "./helpers/shell";
import { configWith, synthConfig } from "./helpers/synth";

const root = path.join(__dirname, "..");
// Whole synths (and shellcheck runs) share two cores with other jest workers: 5 s is too tight.
jest.setTimeout(60_000);
const defaultConfig = () => loadConfigFile(path.join(root, "config", "default.yaml"));

function dockerConfig(release: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Config {
  return configWith({ defaults: { application: { runtime: "docker", release }, ...extra } });
}

function file(files: ReleaseFile[], name: string): ReleaseFile {
  const found = files.find((f) => f.path === name);
  if (!found) throw new Error(`no ${name} among ${files.map((f) => f.path).join(", ")}`);
  return found;
}

const yamlOf = (files: ReleaseFile[], name: string) => YAML.parse(file(files, name).content);

/** Every file under `dir` (relative paths with /). */
describe("the committed generated/ directory", () => {
  test("is exactly what the default configuration produces (run npm run synth and commit when this fails)", () => {
    const dir = path.join(root, "generated");
    const expected = generatedFiles(defaultConfig());
    const committed = listFiles(dir);
    const wanted = expected.map((f) => f.path).sort();
    const problems = [
      ...wanted.filter((p) => !committed.includes(p)).map((p) => `missing: generated/${p}`),
      ...committed.filter((p) => !wanted.includes(p)).map((p) => `extra: generated/${p}`),
      ...expected
        .filter((f) => committed.includes(f.path) && fs.readFileSync(path.join(dir, f.path), "utf8") !== f.content)
        .map((f) => `differs: generated/${f.path}`),
      ...expected
        .filter((f) => committed.includes(f.path) && (fs.statSync(path.join(dir, f.path)).mode & 0o111) !== ((f.mode ?? 0o644) & 0o111))
        .map((f) => `executable bit differs: generated/${f.path}`),
    ];
    const message = problems.length ? `generated/ is stale; run npm run synth and commit generated/:\n${problems.join("\n")}` : "";
    expect(message).toBe("");
  });
});

describe("release files", () => {
  const nodejs = releaseFiles(defaultConfig(), "staging");
  const docker = releaseFiles(dockerConfig({ containerRunArguments: ["--memory=512m", "--cpus=1"] }), "staging");

  test("are deterministic: two renders are byte-identical", () => {
    expect(generatedFiles(defaultConfig())).toEqual(generatedFiles(defaultConfig()));
    expect(releaseFiles(dockerConfig(), "staging")).toEqual(releaseFiles(dockerConfig(), "staging"));
  });

  test("each runtime has its files, sorted; scripts are executable", () => {
    expect(nodejs.map((f) => f.path)).toEqual([
      MARKER_FILE,
      "appspec.yml",
      "buildspec.yml",
      "scripts/after-install.sh",
      "scripts/application-start.sh",
      "scripts/application-stop.sh",
      "scripts/before-install.sh",
      "scripts/validate-service.sh",
    ]);
    expect(docker.map((f) => f.path)).toEqual([
      ".dockerignore",
      MARKER_FILE,
      "Dockerfile",
      "appspec.yml",
      "buildspec.yml",
      "release/build-image.sh",
      "scripts/after-install.sh",
      "scripts/application-start.sh",
      "scripts/application-stop.sh",
      "scripts/before-install.sh",
      "scripts/validate-service.sh",
    ]);
    for (const f of [...nodejs, ...docker]) expect([f.path, f.mode ?? 0o644]).toEqual([f.path, f.path.endsWith(".sh") ? 0o755 : 0o644]);
  });

  const scripts = [
    ...["staging", "production"].flatMap((env) => releaseFiles(defaultConfig(), env).map((f) => [`nodejs ${env}`, f] as const)),
    ...docker.map((f) => ["docker", f] as const),
  ].filter(([, f]) => f.path.endsWith(".sh"));

  test.each(scripts.map(([runtime, f]) => [`${runtime} ${f.path}`, f]))("%s passes bash -n and shellcheck", (_name, f) => {
    expect(f.content.startsWith("#!/bin/bash\n")).toBe(true);
    expect(f.content).toContain("set -euo pipefail\n");
    expect(lintShell(f.content, path.basename(f.path))).toEqual([]);
  });

  describe("appspec.yml", () => {
    test("runs the five hooks in lifecycle order, as root, each with a timeout", () => {
      for (const files of [nodejs, docker]) {
        const appspec = yamlOf(files, "appspec.yml");
        expect(Object.keys(appspec.hooks)).toEqual(["ApplicationStop", "BeforeInstall", "AfterInstall", "ApplicationStart", "ValidateService"]);
        expect(HOOKS).toEqual(Object.keys(appspec.hooks));
        expect(appspec.hooks).toEqual({
          ApplicationStop: [{ location: "scripts/application-stop.sh", timeout: 120, runas: "root" }],
          BeforeInstall: [{ location: "scripts/before-install.sh", timeout: 600, runas: "root" }],
          AfterInstall: [{ location: "scripts/after-install.sh", timeout: 600, runas: "root" }],
          ApplicationStart: [{ location: "scripts/application-start.sh", timeout: 180, runas: "root" }],
          ValidateService: [{ location: "scripts/validate-service.sh", timeout: 300, runas: "root" }],
        });
        for (const [hook] of Object.entries(appspec.hooks)) {
          expect(files.some((f) => f.path === appspec.hooks[hook][0].location)).toBe(true);
        }
        // CodeDeploy wants the literal 0.0 (a number 0 is refused).
        expect(file(files, "appspec.yml").content).toMatch(/^version: 0\.0$/m);
        expect(appspec.os).toBe("linux");
        expect(appspec.file_exists_behavior).toBe("OVERWRITE");
      }
    });

    test("Node.js: the revision is installed into the application directory and owned by the application user", () => {
      const appspec = yamlOf(nodejs, "appspec.yml");
      expect(appspec.files).toEqual([{ source: "/", destination: "/opt/webapp" }]);
      expect(appspec.permissions).toEqual([{ object: "/opt/webapp", pattern: "**", owner: "webapp", group: "webapp", type: ["directory", "file"] }]);
    });

    test("Docker: only the image record is installed; application.directory moves it", () => {
      expect(yamlOf(docker, "appspec.yml").files).toEqual([{ source: "release", destination: "/opt/webapp/release" }]);
      const moved = releaseFiles(configWith({ defaults: { application: { runtime: "docker", directory: "/srv/web" } } }), "staging");
      expect(yamlOf(moved, "appspec.yml").permissions).toEqual([{ object: "/srv/web/release", pattern: "**", owner: "root", group: "webapp", mode: "0640", type: ["file"] }]);
    });

    test("the ValidateService timeout follows the configuration and the health check stays 30 s below it", () => {
      const files = releaseFiles(configWith({ defaults: { application: { release: { validateTimeoutSeconds: 120 } } } }), "staging");
      expect(yamlOf(files, "appspec.yml").hooks.ValidateService[0].timeout).toBe(120);
      expect(file(files, "scripts/validate-service.sh").content).toContain("readonly BUDGET_SECONDS=90\n");
    });
  });

  describe("buildspec.yml", () => {
    test("Node.js: the golden AMI's Node.js major, npm ci, the test and build commands, then the production dependencies packed into the revision", () => {
      const buildspec = yamlOf(nodejs, "buildspec.yml");
      expect(file(nodejs, "buildspec.yml").content).toMatch(/^version: 0\.2$/m);
      expect(buildspec.env.shell).toBe("bash");
      expect(buildspec.phases.install["runtime-versions"]).toEqual({ nodejs: 22 });
      expect(buildspec.phases.pre_build.commands).toEqual(["npm ci --no-audit"]);
      expect(buildspec.phases.build.commands).toEqual([
        "npm test",
        "npm run build --if-present",
        // After the tests and the build, which need the development dependencies.
        "npm prune --omit=dev --no-audit",
        "mkdir -p release node_modules",
        `node -p '${NODE_RUNTIME_PROBE} + " (node " + process.version + ")"' > release/node-runtime`,
        "tar --create --gzip --file release/node_modules.tar.gz node_modules",
      ]);
      // node_modules itself stays out: its .bin symlinks would not survive the zip and the agent's copy.
      expect(buildspec.artifacts).toEqual({ files: ["**/*"], "exclude-paths": ["node_modules/**/*", ".git/**/*"] });
      expect(buildspec.cache).toEqual({ paths: ["/root/.npm/**/*"] });
      expect(buildspec.env["parameter-store"]).toBeUndefined();

      const custom = releaseFiles(
        configWith({ defaults: { goldenAmi: { nodejsMajor: 20 }, application: { release: { testCommand: "npm run test:ci -- --runInBand", buildCommand: "npm run compile" } } } }),
        "staging",
      );
      const parsed = yamlOf(custom, "buildspec.yml");
      expect(parsed.phases.install["runtime-versions"]).toEqual({ nodejs: 20 });
      expect(parsed.phases.build.commands.slice(0, 3)).toEqual(["npm run test:ci -- --runInBand", "npm run compile", "npm prune --omit=dev --no-audit"]);
      expect(file(custom, "scripts/before-install.sh").content).toContain('readonly NODEJS_MAJOR="20"');
    });

    test("Docker: the ECR URL from Parameter Store, the build script, the revision with the image URI", () => {
      const buildspec = yamlOf(docker, "buildspec.yml");
      expect(buildspec.env["parameter-store"]).toEqual({ ECR_REPOSITORY_URL: "/webapp/staging/release/ecr-repository-url" });
      expect(buildspec.phases).toEqual({ build: { commands: ["bash release/build-image.sh"] } });
      expect(buildspec.artifacts).toEqual({ files: ["appspec.yml", "scripts/**/*", "release/image-uri"] });
    });

    test("Docker build script: commit and environment tags (commit-suffixed when tags are immutable), image URI by digest", () => {
      const immutable = file(docker, "release/build-image.sh").content;
      expect(immutable).toContain("readonly IMMUTABLE_TAGS=true\n");
      expect(immutable).toContain('readonly DEFAULT_ENV_TAG="staging"');
      expect(immutable).toContain('readonly ENV_TAG="${IMAGE_TAG_ENV:-$DEFAULT_ENV_TAG}"');
      expect(immutable).toContain('tags=("$COMMIT" "$ENV_TAG-$COMMIT")');
      expect(immutable).toContain('printf \'%s@%s\\n\' "$REPOSITORY" "$digest" >release/image-uri');
      expect(immutable).toContain("aws ecr get-login-password --region \"$AWS_REGION\" | docker login --username AWS --password-stdin \"$REGISTRY\"");
      const mutable = file(releaseFiles(dockerConfig({}, { artifacts: { containerRepository: { immutableTags: false } } }), "staging"), "release/build-image.sh").content;
      expect(mutable).toContain("readonly IMMUTABLE_TAGS=false\n");
    });
  });

  describe("scripts", () => {
    const all = (files: ReleaseFile[]) => files.filter((f) => f.path.startsWith("scripts/")).map((f) => f.content);

    test("read what Terraform learns at apply from SSM under the environment's release path, never baked in", () => {
      for (const content of [...all(nodejs), ...all(docker)]) {
        expect(content).toContain('readonly RELEASE_PARAMETER_PATH="/webapp/staging/release/"');
        expect(content).toContain('readonly REGION="eu-west-1"');
        expect(content).not.toMatch(/dkr\.ecr|amazonaws\.com|arn:aws/);
      }
      const text = (files: ReleaseFile[], name: string) => file(files, `scripts/${name}.sh`).content;
      expect(text(docker, "before-install")).toContain('ECR_REPOSITORY_URL="$(release_value ecr-repository-url)"');
      expect(text(docker, "application-start")).toContain('ENV_FILE="$(release_value env-file)"');
      expect(text(nodejs, "validate-service")).toContain('APP_PORT="$(release_value app-port)"');
      expect(text(nodejs, "validate-service")).toContain('HEALTH_CHECK_PATH="$(release_value health-check-path)"');
      expect(text(nodejs, "validate-service")).toContain('readonly URL="http://127.0.0.1:${APP_PORT}${HEALTH_CHECK_PATH}"');
      expect(text(nodejs, "after-install")).toContain('APP_DIRECTORY="$(release_value app-directory)"');
    });

    test("write the environment file with the env-sync helper the fleet's user data installs (one implementation)", () => {
      for (const files of [nodejs, docker]) {
        const afterInstall = file(files, "scripts/after-install.sh").content;
        expect(afterInstall).toContain('readonly ENV_SYNC="/usr/local/sbin/webapp-env-sync"');
        expect(afterInstall).toMatch(/\n"\$ENV_SYNC"\n/);
        expect(afterInstall).not.toContain("get-parameters-by-path");
      }
    });

    test("Node.js: stop and start the systemd unit; the dependencies CodeBuild packed are unpacked, npm never runs on the instance", () => {
      expect(file(nodejs, "scripts/application-stop.sh").content).toContain('readonly UNIT="webapp.service"');
      expect(file(nodejs, "scripts/application-start.sh").content).toContain('systemctl restart "$UNIT"');
      const afterInstall = file(nodejs, "scripts/after-install.sh").content;
      expect(afterInstall).toContain('readonly ARCHIVE="$APP_DIRECTORY/release/node_modules.tar.gz"');
      expect(afterInstall).toContain(`instance="$(node -p '${NODE_RUNTIME_PROBE}')"`);
      expect(afterInstall).toContain('tar --extract --gzip --file "$ARCHIVE" --directory "$staging" --no-same-owner');
      for (const files of [nodejs, docker]) expect(files.filter((f) => f.path.startsWith("scripts/")).map((f) => f.content).join("\n")).not.toMatch(/^[^#\n]*\bnpm /m);
    });

    test("Docker: the container restarts unless stopped, gets the env file, the port, awslogs to the application log group, and the extra arguments", () => {
      const start = file(docker, "scripts/application-start.sh").content;
      for (const line of [
        '--name "$CONTAINER"',
        "--restart unless-stopped",
        '--env-file "$ENV_FILE"',
        '--publish "$APP_PORT:$APP_PORT"',
        "--log-driver awslogs",
        '--log-opt "awslogs-group=$LOG_GROUP"',
        "--cap-drop ALL",
        "'--memory=512m'",
        "'--cpus=1'",
      ]) {
        expect(start).toContain(`\n  ${line}\n`);
      }
      expect(start).toContain('readonly LOG_GROUP="/app/webapp/staging/application"');
      expect(start).toContain("http://169.254.169.254/latest/api/token");
      expect(start).toContain('docker run "${run_arguments[@]}" "$IMAGE_URI"');
    });

    test("Docker: the awslogs group is the log group the stack creates and lets the instances write to", () => {
      const stack = synthConfig(dockerConfig()).staging;
      const groups = Object.values<any>(stack.resource.aws_cloudwatch_log_group).map((g) => g.name);
      expect(groups).toContain("/app/webapp/staging/application");
    });
  });

  describe("Dockerfile", () => {
    test("multi-stage, tests in the build stage, unprivileged user, health check, ECR Public base image of the golden AMI's Node.js major", () => {
      const dockerfile = file(docker, "Dockerfile").content;
      expect(dockerfile).toContain("ARG BASE_IMAGE=public.ecr.aws/docker/library/node:22-alpine\n");
      expect(dockerfile.match(/^FROM /gm)).toHaveLength(2);
      expect(dockerfile).toContain("FROM ${BASE_IMAGE} AS build\n");
      expect(dockerfile).toContain("RUN npm test\n");
      expect(dockerfile).toContain("RUN npm prune --omit=dev\n");
      expect(dockerfile).toContain("\nUSER node\n");
      expect(dockerfile).toContain("EXPOSE 3000\n");
      const healthcheck = /^ {2}CMD (\[.*\])$/m.exec(dockerfile);
      expect(healthcheck).not.toBeNull();
      const [node, flag, probe] = JSON.parse(healthcheck![1]);
      expect([node, flag]).toEqual(["node", "-e"]);
      expect(probe).toContain("'http://127.0.0.1:' + process.env.PORT + \"/health\"");
    });

    test("the base image and the Node.js major come from the configuration", () => {
      const pinned = file(releaseFiles(dockerConfig({ baseImage: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/base/node:20.18-bookworm-slim" }), "staging"), "Dockerfile").content;
      expect(pinned).toContain("ARG BASE_IMAGE=123456789012.dkr.ecr.eu-west-1.amazonaws.com/base/node:20.18-bookworm-slim\n");
      const major = file(releaseFiles(dockerConfig({}, { goldenAmi: { nodejsMajor: 24 } }), "staging"), "Dockerfile").content;
      expect(major).toContain("ARG BASE_IMAGE=public.ecr.aws/docker/library/node:24-alpine\n");
    });
  });

  test("an unknown environment is an error that names the known ones", () => {
    expect(() => releaseFiles(defaultConfig(), "qa")).toThrow('releaseFiles: no environment "qa" (known: staging, production)');
  });
});

/** A gzipped tar of `files` (path → content), as the Node.js buildspec packs node_modules. */
function packed(files: Record<string, string>): Buffer {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "packed-"));
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  const tar = spawnSync("tar", ["--create", "--gzip", "--file", "-", ...Object.keys(files).map((f) => f.split("/")[0]).filter((f, i, a) => a.indexOf(f) === i)], { cwd: dir });
  if (tar.status !== 0) throw new Error(`tar: ${tar.stderr}`);
  return tar.stdout;
}

/** Runs a generated script with stub commands first on PATH; returns its exit code and output. */
function runWithStubs(script: string, stubs: Record<string, string>, bundle: Record<string, string | Buffer> = {}, options: { env?: Record<string, string>; cwdInBundle?: boolean } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hook-"));
  const bin = path.join(dir, "bin");
  fs.mkdirSync(bin);
  for (const [name, body] of Object.entries(stubs)) fs.writeFileSync(path.join(bin, name), `#!/bin/bash\n${body}\n`, { mode: 0o755 });
  for (const [name, content] of Object.entries(bundle)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  const file = path.join(dir, "scripts", "hook.sh");
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, script, { mode: 0o755 });
  const result = spawnSync("bash", [file], { encoding: "utf8", env: { ...options.env, PATH: `${bin}:${process.env.PATH}`, HOME: dir }, cwd: options.cwdInBundle ? dir : undefined });
  return { status: result.status, out: result.stdout + result.stderr, dir };
}

describe("hook scripts on an instance (stubbed systemctl, docker, aws, curl)", () => {
  const nodejs = releaseFiles(defaultConfig(), "staging");
  const docker = releaseFiles(dockerConfig(), "staging");
  const script = (files: ReleaseFile[], hook: string) => file(files, `scripts/${hook}.sh`).content;
  const ssm = 'case "$*" in *app-port*) echo 3000;; *health-check-path*) echo /health;; *ecr-repository-url*) echo 111111111111.dkr.ecr.eu-west-1.amazonaws.com/webapp-staging;; *) echo "unexpected aws $*" >&2; exit 1;; esac';

  test("Node.js ApplicationStop succeeds on the first deployment, when no unit exists", () => {
    const run = runWithStubs(script(nodejs, "application-stop"), { systemctl: 'echo "systemctl $*" >>"$HOME/calls"; [ "$1" != cat ] || exit 1' });
    expect(run.out).toContain("webapp.service is not installed; nothing to stop");
    expect(run.status).toBe(0);
  });

  test("Node.js ApplicationStop stops a running unit", () => {
    const run = runWithStubs(script(nodejs, "application-stop"), { systemctl: 'echo "systemctl $*" >>"$HOME/calls"' });
    expect(run.status).toBe(0);
    expect(fs.readFileSync(path.join(run.dir, "calls"), "utf8")).toContain("systemctl stop webapp.service\n");
  });

  test("Docker ApplicationStop succeeds when there is no container, and when Docker is not running", () => {
    const none = runWithStubs(script(docker, "application-stop"), { systemctl: "exit 0", docker: 'echo "docker $*" >>"$HOME/calls"' });
    expect(none.out).toContain("no container webapp; nothing to stop");
    expect(none.status).toBe(0);
    const stopped = runWithStubs(script(docker, "application-stop"), { systemctl: "exit 3", docker: "exit 1" });
    expect(stopped.out).toContain("Docker is not running; no container to stop");
    expect(stopped.status).toBe(0);
  });

  test("Docker ApplicationStop stops and removes the running container by name", () => {
    const run = runWithStubs(script(docker, "application-stop"), { systemctl: "exit 0", docker: 'echo "docker $*" >>"$HOME/calls"; [ "$1" != ps ] || echo abc123' });
    expect(run.status).toBe(0);
    expect(fs.readFileSync(path.join(run.dir, "calls"), "utf8").split("\n")).toEqual([
      "docker ps --all --quiet --filter name=^webapp$",
      "docker stop --time 30 webapp",
      "docker rm webapp",
      "",
    ]);
  });

  test("Docker BeforeInstall refuses an image from another repository", () => {
    const run = runWithStubs(script(docker, "before-install"), { aws: ssm, systemctl: "exit 0", docker: "exit 0" }, { "release/image-uri": "docker.io/library/nginx:latest\n" });
    expect(run.out).toContain("image docker.io/library/nginx:latest is not in this environment's repository 111111111111.dkr.ecr.eu-west-1.amazonaws.com/webapp-staging");
    expect(run.status).toBe(1);
  });

  test("Docker BeforeInstall logs in to the registry from SSM and pulls the image of the revision", () => {
    const image = "111111111111.dkr.ecr.eu-west-1.amazonaws.com/webapp-staging@sha256:" + "a".repeat(64);
    const run = runWithStubs(
      script(docker, "before-install"),
      { aws: `[ "$1" = ecr ] && { echo token; exit 0; }; ${ssm}`, systemctl: "exit 0", docker: 'echo "docker $*" >>"$HOME/calls"; cat >/dev/null' },
      { "release/image-uri": `${image}\n` },
    );
    expect(run.out).toBe(run.out.replace(/ERROR/, ""));
    expect(run.status).toBe(0);
    expect(fs.readFileSync(path.join(run.dir, "calls"), "utf8").split("\n")).toEqual([
      "docker login --username AWS --password-stdin 111111111111.dkr.ecr.eu-west-1.amazonaws.com",
      `docker pull --quiet ${image}`,
      "",
    ]);
  });

  test("Docker ApplicationStart replaces a leftover container and runs the revision's image with the instance ID in the log stream", () => {
    const image = "111111111111.dkr.ecr.eu-west-1.amazonaws.com/webapp-staging@sha256:" + "b".repeat(64);
    const run = runWithStubs(
      script(releaseFiles(dockerConfig({ containerRunArguments: ["--memory=512m"] }), "staging"), "application-start"),
      {
        aws: `case "$*" in *env-file*) echo "$HOME/app.env";; *) ${ssm};; esac`,
        curl: 'case "$*" in *api/token*) printf token;; *instance-id*) [[ "$*" == *"X-aws-ec2-metadata-token: token"* ]] && printf i-0abc;; *) exit 22;; esac',
        docker: 'echo "docker $*" >>"$HOME/calls"; [ "$1" != ps ] || echo old1',
      },
      { "release/image-uri": `${image}\n`, "app.env": "A=1\n" },
    );
    expect(run.status).toBe(0);
    const calls = fs.readFileSync(path.join(run.dir, "calls"), "utf8").split("\n");
    expect(calls[0]).toBe("docker ps --all --quiet --filter name=^webapp$");
    expect(calls[1]).toBe("docker rm --force webapp");
    expect(calls[2]).toBe(
      `docker run --detach --name webapp --restart unless-stopped --init --env-file ${run.dir}/app.env --env PORT=3000 --publish 3000:3000 --cap-drop ALL --security-opt no-new-privileges ` +
        `--log-driver awslogs --log-opt awslogs-region=eu-west-1 --log-opt awslogs-group=/app/webapp/staging/application --log-opt awslogs-stream=i-0abc/container ` +
        `--log-opt mode=non-blocking --log-opt max-buffer-size=4m --memory=512m ${image}`,
    );
  });

  // The whole path (buildspec → revision → AfterInstall on an instance) runs in release-scripts-run.test.ts.
  test("Node.js AfterInstall unpacks the production dependencies in place of the previous ones, owned by the application user, then needs the env-sync helper", () => {
    const run = runWithStubs(
      script(nodejs, "after-install"),
      {
        aws: 'case "$*" in *app-directory*) echo "$HOME/app";; *) exit 1;; esac',
        node: 'case "$1" in -p) echo linux-x64-abi127;; --version) echo v22.11.0;; esac',
        chown: 'echo "chown $*" >>"$HOME/calls"',
      },
      {
        "app/package.json": "{}",
        "app/release/node-runtime": "linux-x64-abi127 (node v22.11.0)\n",
        "app/release/node_modules.tar.gz": packed({ "node_modules/express/index.js": "module.exports = 2;\n" }),
        "app/node_modules/left-pad/index.js": "// of the previous release\n",
      },
    );
    expect(fs.readFileSync(path.join(run.dir, "calls"), "utf8")).toMatch(new RegExp(`^chown -R webapp:webapp ${run.dir}/app/\\.node_modules\\.\\w+/node_modules\n$`));
    expect(fs.readdirSync(path.join(run.dir, "app/node_modules"))).toEqual(["express"]);
    expect(fs.readdirSync(path.join(run.dir, "app")).filter((f) => f.startsWith(".node_modules"))).toEqual([]);
    // Off an instance the fleet's user data set up, the helper is missing: a clear failure, not a half-written env file.
    if (!fs.existsSync("/usr/local/sbin/webapp-env-sync")) {
      expect(run.out).toContain("ERROR: /usr/local/sbin/webapp-env-sync is missing: the instance was not set up by the fleet's user data");
      expect(run.status).toBe(1);
    }
  });

  test("Node.js AfterInstall refuses a revision without the packed dependencies, and dependencies built for another platform", () => {
    const missing = runWithStubs(script(nodejs, "after-install"), { aws: 'echo "$HOME/app"' }, { "app/package.json": "{}", "app/release/node-runtime": "linux-x64-abi127\n" });
    expect(missing.out).toContain("ERROR: no release/node_modules.tar.gz in the revision: it was not built by this environment's buildspec.yml");
    expect(missing.status).toBe(1);
    const arm = runWithStubs(
      script(nodejs, "after-install"),
      { aws: 'echo "$HOME/app"', node: 'case "$1" in -p) echo linux-x64-abi127;; --version) echo v22.11.0;; esac' },
      { "app/package.json": "{}", "app/release/node-runtime": "linux-arm64-abi127 (node v22.11.0)\n", "app/release/node_modules.tar.gz": "x" },
    );
    expect(arm.out).toContain("ERROR: the dependencies were built for linux-arm64-abi127 (node v22.11.0), this instance runs linux-x64-abi127 (v22.11.0)");
    expect(arm.status).toBe(1);
  });

  describe("Docker build script in CodeBuild (stubbed aws and docker)", () => {
    const build = file(docker, "release/build-image.sh").content;
    const commit = "0123456789abcdef0123456789abcdef01234567";
    const env = { ECR_REPOSITORY_URL: "111111111111.dkr.ecr.eu-west-1.amazonaws.com/webapp-staging", AWS_REGION: "eu-west-1", CODEBUILD_RESOLVED_SOURCE_VERSION: commit };
    const dockerStub = 'echo "docker $*" >>"$HOME/calls"; [ "$1" != push ] || touch "$HOME/pushed"; cat >/dev/null 2>&1 || true';
    const ecr = (describeImages: string) => `case "$*" in *get-login-password*) echo token;; *describe-images*) ${describeImages};; *) echo "unexpected aws $*" >&2; exit 1;; esac`;
    const notFound = 'echo "An error occurred (ImageNotFoundException) when calling the DescribeImages operation: The image requested does not exist" >&2; exit 254';

    test("a tag ECR does not have (ImageNotFoundException) is built and pushed; the image URI is the pushed digest", () => {
      const run = runWithStubs(build, { aws: ecr(`if [ -e "$HOME/pushed" ]; then echo sha256:${"c".repeat(64)}; else ${notFound}; fi`), docker: dockerStub }, {}, { env, cwdInBundle: true });
      expect(run.status).toBe(0);
      const calls = fs.readFileSync(path.join(run.dir, "calls"), "utf8");
      expect(calls).toContain(`docker build --pull --label org.opencontainers.image.revision=${commit} --tag ${env.ECR_REPOSITORY_URL}:${commit} .`);
      expect(calls).toContain(`docker push --quiet ${env.ECR_REPOSITORY_URL}:${commit}`);
      expect(fs.readFileSync(path.join(run.dir, "release", "image-uri"), "utf8")).toBe(`${env.ECR_REPOSITORY_URL}@sha256:${"c".repeat(64)}\n`);
    });

    test("any other describe-images error (AccessDenied) fails the build instead of passing for a missing tag", () => {
      const denied = 'echo "An error occurred (AccessDeniedException) when calling the DescribeImages operation: not authorized to perform: ecr:DescribeImages" >&2; exit 254';
      const run = runWithStubs(build, { aws: ecr(denied), docker: dockerStub }, {}, { env, cwdInBundle: true });
      expect(run.status).toBe(1);
      expect(run.out).toContain(`cannot check whether ${env.ECR_REPOSITORY_URL}:${commit} exists: An error occurred (AccessDeniedException)`);
      expect(fs.readFileSync(path.join(run.dir, "calls"), "utf8")).not.toContain("docker build");
    });

    test("a retried build of a commit whose image exists reuses it", () => {
      const run = runWithStubs(build, { aws: ecr(`echo sha256:${"d".repeat(64)}`), docker: dockerStub }, {}, { env, cwdInBundle: true });
      expect(run.status).toBe(0);
      const calls = fs.readFileSync(path.join(run.dir, "calls"), "utf8");
      expect(calls).toContain(`docker pull --quiet ${env.ECR_REPOSITORY_URL}:${commit}`);
      expect(calls).not.toContain("docker build");
    });
  });

  test("ValidateService retries until the application answers on localhost", () => {
    const run = runWithStubs(script(nodejs, "validate-service"), {
      aws: ssm,
      systemctl: "exit 0",
      sleep: "exit 0",
      curl: 'echo "$*" >>"$HOME/curl"; n=$(wc -l <"$HOME/curl"); if [ "$n" -lt 3 ]; then printf 000; exit 7; fi; printf 200',
    });
    expect(run.out).toContain("not healthy yet: 000 (attempt 1)");
    expect(run.out).toContain("healthy: http://127.0.0.1:3000/health answered 200 (attempt 3)");
    expect(run.status).toBe(0);
  });

  test("ValidateService fails at once when the application stopped", () => {
    const run = runWithStubs(script(docker, "validate-service"), { aws: ssm, docker: '[ "$1" = logs ] && echo "boom: cannot find module"; exit 0', curl: "printf 000; exit 7" });
    expect(run.out).toContain("boom: cannot find module");
    expect(run.out).toContain("ERROR: the application stopped while being checked");
    expect(run.status).toBe(1);
  });
});

describe("application.release configuration", () => {
  function problems(release: Record<string, unknown>): string[] {
    try {
      parseConfig({ app: { name: "webapp", region: "eu-west-1" }, environments: { staging: { network: { cidr: "10.10.0.0/16" }, application: { release } } } });
    } catch (e) {
      if (e instanceof ConfigError) return e.problems.map((p) => `${p.path}: received ${p.received}; allowed: ${p.allowed}`);
      throw e;
    }
    throw new Error("expected the configuration to be rejected");
  }
  const at = "environments.staging.application.release";

  test("defaults", () => {
    expect(configWith().environments.staging.application.release).toEqual({
      testCommand: "npm test",
      buildCommand: "npm run build --if-present",
      containerRunArguments: [],
      validateTimeoutSeconds: 300,
    });
  });

  test.each([
    [{ baseImage: "public.ecr.aws/docker/library/node:latest" }, `${at}.baseImage: received "public.ecr.aws/docker/library/node:latest"; allowed: an image reference with a registry, a repository and a pinned tag other than latest`],
    [{ baseImage: "node:22-alpine" }, `${at}.baseImage: received "node:22-alpine"; allowed: an image reference with a registry`],
    [{ baseImage: "public.ecr.aws/docker/library/node" }, `${at}.baseImage: received "public.ecr.aws/docker/library/node"; allowed: an image reference`],
    [{ containerRunArguments: ["--memory 512m"] }, `${at}.containerRunArguments.0: received "--memory 512m"; allowed: one docker run argument without spaces, quotes or shell syntax`],
    [{ containerRunArguments: ["--label=a'b"] }, `${at}.containerRunArguments.0: received "--label=a'b"; allowed: one docker run argument`],
    [{ validateTimeoutSeconds: 30 }, `${at}.validateTimeoutSeconds: received 30; allowed: a number of seconds from 60 to 3600`],
    [{ testCommand: "npm test\nrm -rf /" }, `${at}.testCommand: received "npm test\\nrm -rf /"; allowed: a shell command on one line, such as npm test`],
    [{ buildCommand: "  " }, `${at}.buildCommand: received "  "; allowed: a shell command on one line, such as npm run build --if-present`],
    [{ tests: "npm test" }, `${at}.tests: received an unknown key "tests"; allowed: known keys here are: baseImage, buildCommand, containerRunArguments, testCommand, validateTimeoutSeconds`],
  ])("%p is refused", (release, message) => {
    const lines = problems(release);
    expect(lines.find((l) => l.startsWith(message)) ?? lines).toEqual(expect.stringContaining(message));
  });

  test("digests and private registries are accepted base images", () => {
    for (const baseImage of ["public.ecr.aws/docker/library/node@sha256:" + "0".repeat(64), "registry.example.com:5000/team/node:22.11.0-alpine3.20"]) {
      expect(dockerConfig({ baseImage }).environments.staging.application.release.baseImage).toBe(baseImage);
    }
  });
});
