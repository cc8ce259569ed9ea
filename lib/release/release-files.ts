import * as YAML from "yaml";
import { Config, EnvironmentConfig } from "../config/schema";
import { ciFile } from "./ci-files";
import { githubActionsWorkflow } from "./github-actions-workflow";
import { hostAnsibleFiles, hostLayout } from "./host-files";
import { renderTemplate } from "./templates";

/** One file of an application repository's release files, relative to `generated/<env>/`. */
export interface ReleaseFile {
  /** Path relative to the environment's directory, with `/` separators. */
  readonly path: string;
  readonly content: string;
  /** File mode; 0o755 for scripts. @default 0o644 */
  readonly mode?: number;
}

/** CodeDeploy lifecycle hooks the release files implement, in the order CodeDeploy runs them. */
export const HOOKS = ["ApplicationStop", "BeforeInstall", "AfterInstall", "ApplicationStart", "ValidateService"] as const;
export type Hook = (typeof HOOKS)[number];

/** Script of each hook (`scripts/<name>.sh`). */
export const HOOK_SCRIPTS: Record<Hook, string> = {
  ApplicationStop: "application-stop",
  BeforeInstall: "before-install",
  AfterInstall: "after-install",
  ApplicationStart: "application-start",
  ValidateService: "validate-service",
};

/** Seconds per hook; ValidateService comes from application.release.validateTimeoutSeconds. */
const HOOK_TIMEOUTS: Record<Exclude<Hook, "ValidateService">, number> = {
  ApplicationStop: 120,
  // Docker pulls the image here.
  BeforeInstall: 600,
  // Node.js unpacks the production dependencies the build packed (no registry, no compiler).
  AfterInstall: 600,
  ApplicationStart: 180,
};

/** What the health check leaves of the ValidateService timeout for the script's own start and SSM reads. */
const VALIDATE_MARGIN_SECONDS = 30;
/** Seconds `docker stop` waits for the application to exit after SIGTERM. */
const STOP_GRACE_SECONDS = 30;

/**
 * Node.js: the production dependencies CodeBuild installed, packed by the buildspec, unpacked by
 * AfterInstall. A tar archive rather than `node_modules/` in the revision: the CodeBuild zip and the
 * CodeDeploy agent's copy both turn symlinks (`node_modules/.bin/*`) into copies
 * (aws-codedeploy-agent#152), and tar keeps them and the file modes.
 */
export const NODE_MODULES_ARCHIVE = "release/node_modules.tar.gz";
/** Node.js: what the dependencies were built for (`NODE_RUNTIME_PROBE` in CodeBuild), checked on each instance. */
export const NODE_RUNTIME_RECORD = "release/node-runtime";
/**
 * Platform, architecture and module ABI of the running Node.js: native modules (`.node` files)
 * load only where all three are the ones they were compiled for. The ABI
 * (`process.versions.modules`) is fixed within a Node.js major.
 */
export const NODE_RUNTIME_PROBE = 'process.platform + "-" + process.arch + "-abi" + process.versions.modules';

/** Name of the file that marks a directory of `generated/` as written by synthesis. */
export const MARKER_FILE = ".release-files";

const SCRIPT_MODE = 0o755;

/** The facts of one environment the release files are made of (all known at synth time). */
export interface ReleaseContext {
  readonly appName: string;
  readonly envName: string;
  readonly region: string;
  readonly runtime: "nodejs" | "docker";
  readonly appUser: string;
  readonly appDirectory: string;
  readonly appPort: number;
  readonly healthCheckPath: string;
  /** `/<app>/<env>/release/`: the SSM path whose values Terraform writes at apply. */
  readonly releaseParameterPath: string;
  readonly nodejsMajor: number;
  readonly immutableTags: boolean;
  readonly release: EnvironmentConfig["application"]["release"];
}

export function releaseContext(config: Config, envName: string): ReleaseContext {
  const env = config.environments[envName];
  if (!env) throw new Error(`releaseFiles: no environment ${JSON.stringify(envName)} (known: ${Object.keys(config.environments).join(", ")})`);
  const appName = config.app.name;
  return {
    appName,
    envName,
    region: env.region ?? config.app.region,
    runtime: env.application.runtime,
    // The fleet's user data creates a system user named after the application.
    appUser: appName,
    appDirectory: env.application.directory ?? `/opt/${appName}`,
    appPort: env.application.port,
    // A host has no load balancer: its deploy script's health path is the one the image checks too.
    healthCheckPath: env.platform === "host" ? env.host.deploy.healthCheckPath : env.loadBalancer.healthCheck.path,
    releaseParameterPath: `/${appName}/${envName}/release/`,
    nodejsMajor: env.goldenAmi.nodejsMajor,
    immutableTags: env.artifacts.containerRepository.immutableTags,
    release: env.application.release,
  };
}

/**
 * The release files of one environment: appspec.yml, the hook scripts, buildspec.yml and, for
 * the Docker runtime, the Dockerfile and the image build script. Pure and deterministic: the same
 * configuration gives byte-identical files. Values Terraform learns only at apply (ECR URL,
 * bucket, ...) are not in them: the scripts read them from SSM Parameter Store at deploy time,
 * the buildspec through `env.parameter-store`.
 */
export function releaseFiles(config: Config, envName: string): ReleaseFile[] {
  const c = releaseContext(config, envName);
  if (config.environments[envName].platform === "host") return hostReleaseFiles(config, c);
  // ECS services build with the buildspec inside their CodeBuild project (templates/ecs) and
  // deploy with the ECS action: their repository needs only its Dockerfile.
  // With a third-party CI (ci.provider), its file as well (lib/release/ci-files.ts).
  const ci = ciFile(config, envName);
  if (config.environments[envName].platform === "ecs") {
    return ci ? [ci, { path: MARKER_FILE, content: renderTemplate("release/marker.txt", { appName: c.appName, envName: c.envName, runtime: c.runtime }) }].sort(byPath) : [];
  }
  const docker = c.runtime === "docker";
  const view = {
    appName: c.appName,
    envName: c.envName,
    appUser: c.appUser,
    unit: `${c.appName}.service`,
    containerName: c.appName,
    envSync: `/usr/local/sbin/${c.appName}-env-sync`,
    nodejsMajor: c.nodejsMajor,
    // Same name as the CloudWatch agent's application log group (constructs/cloudwatch-agent.ts).
    logGroup: `/app/${c.appName}/${c.envName}/application`,
    stopGraceSeconds: STOP_GRACE_SECONDS,
    validateTimeoutSeconds: c.release.validateTimeoutSeconds,
    containerRunArguments: c.release.containerRunArguments,
    dependenciesArchive: NODE_MODULES_ARCHIVE,
    runtimeRecord: NODE_RUNTIME_RECORD,
    nodeRuntimeProbe: NODE_RUNTIME_PROBE,
  };
  const common = renderTemplate("release/common.sh", { ...c }).trimEnd();
  const healthCheck = renderTemplate("release/health-check.sh", {
    validateTimeoutSeconds: c.release.validateTimeoutSeconds,
    healthCheckBudgetSeconds: c.release.validateTimeoutSeconds - VALIDATE_MARGIN_SECONDS,
  }).trimEnd();

  const files: ReleaseFile[] = [
    { path: "appspec.yml", content: yamlFile(appspec(c), `CodeDeploy AppSpec of ${c.appName}-${c.envName} (${c.runtime})`) },
    { path: "buildspec.yml", content: yamlFile(docker ? dockerBuildspec(c) : nodejsBuildspec(c), `CodeBuild buildspec of ${c.appName}-${c.envName} (${c.runtime})`) },
    ...HOOKS.map((hook) => ({
      path: `scripts/${HOOK_SCRIPTS[hook]}.sh`,
      content: renderTemplate(`release/${c.runtime}/${HOOK_SCRIPTS[hook]}.sh`, { ...view, common, healthCheck }),
      mode: SCRIPT_MODE,
    })),
    { path: MARKER_FILE, content: renderTemplate("release/marker.txt", { appName: c.appName, envName: c.envName, runtime: c.runtime }) },
  ];
  if (docker) {
    files.push(
      { path: "Dockerfile", content: renderTemplate("release/docker/Dockerfile", dockerfileView(c)) },
      { path: ".dockerignore", content: renderTemplate("release/docker/dockerignore", {}) },
      { path: "release/build-image.sh", content: renderTemplate("release/docker/build-image.sh", { ...c }), mode: SCRIPT_MODE },
    );
  }
  if (ci) files.push(ci);
  return files.sort(byPath);
}

function byPath(a: ReleaseFile, b: ReleaseFile): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

/**
 * A plain host (`platform: host`) has no CodeBuild or CodeDeploy: Ansible installs releases. Its
 * files are the GitHub Actions workflow that builds and pushes the image (with `githubActions`),
 * at the repository path the workflow names, and the Dockerfile and .dockerignore it builds with.
 */
function hostReleaseFiles(config: Config, c: ReleaseContext): ReleaseFile[] {
  const files: ReleaseFile[] = [{ path: MARKER_FILE, content: renderTemplate("release/marker.txt", { appName: c.appName, envName: c.envName, runtime: c.runtime }) }];
  const workflow = githubActionsWorkflow(config, c.envName);
  const github = config.environments[c.envName].githubActions;
  if (workflow && github) {
    const inContext = (name: string) => (github.context === "." ? name : `${github.context.replace(/\/+$/, "")}/${name}`);
    files.push(
      workflow,
      { path: github.dockerfile, content: renderTemplate("release/docker/Dockerfile", dockerfileView(c)) },
      { path: inContext(".dockerignore"), content: renderTemplate("release/docker/dockerignore", {}) },
    );
  }
  const env = config.environments[c.envName];
  if (env.host.ansible.enabled) files.push(...hostAnsibleFiles(hostLayout(config.app, c.envName, env)));
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * Every file of the `generated/` directory for a configuration: the README and each
 * environment's release files under `<env>/`.
 */
export function generatedFiles(config: Config): ReleaseFile[] {
  return [
    { path: "README.md", content: renderTemplate("release/README.md", {}) },
    ...Object.keys(config.environments)
      .sort()
      .flatMap((env) => releaseFiles(config, env).map((f) => ({ ...f, path: `${env}/${f.path}` }))),
  ];
}

function yamlFile(data: Record<string, unknown>, title: string): string {
  const doc = new YAML.Document(data);
  doc.commentBefore = ` ${title}.\n Generated by cdktf-ec2-release (npm run synth); regenerate instead of editing.`;
  // No line folding: commands stay on the line they were written on.
  return doc.toString({ lineWidth: 0 });
}

function appspec(c: ReleaseContext): Record<string, unknown> {
  const docker = c.runtime === "docker";
  const hooks: Record<string, unknown> = {};
  for (const hook of HOOKS) {
    const timeout = hook === "ValidateService" ? c.release.validateTimeoutSeconds : HOOK_TIMEOUTS[hook];
    hooks[hook] = [{ location: `scripts/${HOOK_SCRIPTS[hook]}.sh`, timeout, runas: "root" }];
  }
  // CodeDeploy expects the literal 0.0; a plain number would be written as 0.
  const version = new YAML.Scalar(0);
  version.minFractionDigits = 1;
  return {
    version,
    os: "linux",
    // Node.js: the whole revision is the application. Docker: the image is pulled by the hooks;
    // the revision's image-uri is kept on the instance as the record of what runs there.
    files: docker ? [{ source: "release", destination: `${c.appDirectory}/release` }] : [{ source: "/", destination: c.appDirectory }],
    // Files left by a failed or manual install must not block the next deployment.
    file_exists_behavior: "OVERWRITE",
    permissions: [
      docker
        ? { object: `${c.appDirectory}/release`, pattern: "**", owner: "root", group: c.appUser, mode: "0640", type: ["file"] }
        : { object: c.appDirectory, pattern: "**", owner: c.appUser, group: c.appUser, type: ["directory", "file"] },
    ],
    hooks,
  };
}

function nodejsBuildspec(c: ReleaseContext): Record<string, unknown> {
  return {
    version: 0.2,
    env: {
      shell: "bash",
      variables: { NPM_CONFIG_UPDATE_NOTIFIER: "false", NPM_CONFIG_FUND: "false" },
    },
    phases: {
      // The Node.js major of the golden AMI (goldenAmi.nodejsMajor): tested with what runs, and
      // native modules are compiled for its ABI. The project builds on the fleet's architecture and
      // on Amazon Linux 2023, the instances' OS (constructs/build-project.ts, BUILD_IMAGES).
      install: { "runtime-versions": { nodejs: c.nodejsMajor } },
      pre_build: { commands: ["npm ci --no-audit"] },
      build: {
        commands: [
          c.release.testCommand,
          c.release.buildCommand,
          // Production dependencies only, installed once here for every instance of the release:
          // instances run no npm (no registry access, no compiler, no minutes per instance).
          "npm prune --omit=dev --no-audit",
          "mkdir -p release node_modules",
          `node -p '${NODE_RUNTIME_PROBE} + " (node " + process.version + ")"' > ${NODE_RUNTIME_RECORD}`,
          `tar --create --gzip --file ${NODE_MODULES_ARCHIVE} node_modules`,
        ],
      },
    },
    // The revision: the built application with appspec.yml and scripts/ at its root, and its
    // production dependencies packed in release/ (node_modules itself stays out: see
    // NODE_MODULES_ARCHIVE).
    artifacts: {
      files: ["**/*"],
      "exclude-paths": ["node_modules/**/*", ".git/**/*"],
    },
    // npm's download cache, kept in the artifact bucket between builds (the project's S3 cache).
    cache: { paths: ["/root/.npm/**/*"] },
  };
}

function dockerBuildspec(c: ReleaseContext): Record<string, unknown> {
  return {
    version: 0.2,
    env: {
      shell: "bash",
      // Written by Terraform at apply; the build role may read the release parameters.
      "parameter-store": { ECR_REPOSITORY_URL: `${c.releaseParameterPath}ecr-repository-url` },
    },
    phases: {
      // Tests run in the Dockerfile's build stage.
      build: { commands: ["bash release/build-image.sh"] },
    },
    // The revision: appspec.yml, the hook scripts and the image URI they deploy.
    artifacts: {
      files: ["appspec.yml", "scripts/**/*", "release/image-uri"],
    },
  };
}

function dockerfileView(c: ReleaseContext): Record<string, unknown> {
  const probe = `fetch('http://127.0.0.1:' + process.env.PORT + ${JSON.stringify(c.healthCheckPath)}).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`;
  return {
    appName: c.appName,
    envName: c.envName,
    appPort: c.appPort,
    baseImage: c.release.baseImage ?? defaultBaseImage(c.nodejsMajor),
    testCommand: c.release.testCommand,
    buildCommand: c.release.buildCommand,
    healthCheckCommand: JSON.stringify(["node", "-e", probe]),
  };
}

/** Node.js from ECR Public's Docker official images mirror: no Docker Hub pull rate limit in CodeBuild. */
export function defaultBaseImage(nodejsMajor: number): string {
  return `public.ecr.aws/docker/library/node:${nodejsMajor}-alpine`;
}
