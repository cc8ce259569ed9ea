import { Config, EnvironmentConfig } from "../config/schema";
import { renderEnvSync } from "./user-data";
import { renderTemplate } from "./templates";

/** Where things are on a plain host; shared by the deploy script, the playbook and the stack. */
export interface HostLayout {
  readonly appName: string;
  readonly envName: string;
  readonly region: string;
  readonly appPort: number;
  /** `/<app>/<env>/env/`: the application's parameters (the fleet's convention, constructs/release-parameters.ts). */
  readonly parameterPath: string;
  /** `/etc/<app>/app.env`, as on the fleet. */
  readonly envFile: string;
  /** The Compose project's directory. */
  readonly appDirectory: string;
  /** Current and previous image of the host (`current`, `previous`). */
  readonly stateDirectory: string;
  /** CloudWatch Logs group of the container's output (the agent's application group). */
  readonly logGroup: string;
  /** SSM document the workflow sends. */
  readonly documentName: string;
  /** SSM parameter holding the host's instance ID, which the workflow targets. */
  readonly instanceIdParameter: string;
  readonly deploy: EnvironmentConfig["host"]["deploy"];
  readonly ansible: EnvironmentConfig["host"]["ansible"];
  readonly hostName?: string;
}

export function hostLayout(appConfig: Pick<Config["app"], "name" | "region">, envName: string, env: EnvironmentConfig): HostLayout {
  const app = appConfig.name;
  return {
    appName: app,
    envName,
    region: env.region ?? appConfig.region,
    appPort: env.application.port,
    parameterPath: `/${app}/${envName}/env/`,
    envFile: `/etc/${app}/app.env`,
    appDirectory: env.application.directory ?? `/opt/${app}`,
    stateDirectory: `/var/lib/${app}/deploy`,
    logGroup: `/app/${app}/${envName}/application`,
    documentName: `${app}-${envName}-deploy`,
    instanceIdParameter: `/${app}/${envName}/release/host-instance-id`,
    deploy: env.host.deploy,
    ansible: env.host.ansible,
    hostName: env.host.hostName,
  };
}

/** The environment-sync helper of a host: the fleet's, with root as the env file's group (Compose reads it as root). */
function hostEnvSync(l: HostLayout): string {
  return renderEnvSync({
    appName: l.appName,
    envName: l.envName,
    region: l.region,
    runtime: "docker",
    appUser: "root",
    appDirectory: l.appDirectory,
    appPort: l.appPort,
    agentConfigParameter: "",
    parameterPath: l.parameterPath,
    envFile: l.envFile,
    proxy: { healthCheckPath: l.deploy.healthCheckPath, idleTimeoutSeconds: 60, clientMaxBodyMiB: 1 },
  });
}

/** The Compose file the deploy script writes (templates/host/compose.yaml). */
export function renderHostCompose(l: HostLayout): string {
  return renderTemplate("host/compose.yaml", { ...l }).trimEnd();
}

/**
 * The deploy script the SSM document runs (templates/host/deploy.sh), with `repositoryUrl` as
 * given (a Terraform reference in the stack, the URL itself in tests).
 */
export function renderHostDeployScript(l: HostLayout, repositoryUrl: string): string {
  return renderTemplate("host/deploy.sh", {
    ...l,
    ...l.deploy,
    repositoryUrl,
    envSyncScript: hostEnvSync(l),
    composeFile: renderHostCompose(l),
  });
}

/** Docker Compose plugin the playbook installs (github.com/docker/compose releases, checked against the release's .sha256). */
export const COMPOSE_PLUGIN_VERSION = "2.29.7";
/** Caddy, from ECR Public's mirror of the Docker official image (no Docker Hub rate limit). */
export const CADDY_IMAGE = "public.ecr.aws/docker/library/caddy:2.8.4-alpine";

/** A generated file of `generated/<env>/` (same shape as release-files' ReleaseFile). */
export interface HostFile {
  readonly path: string;
  readonly content: string;
  readonly mode?: number;
}

/**
 * The Ansible playbook of a host (`host.ansible.enabled`) under `ansible/`: the playbook, the
 * Caddyfile, Caddy's Compose project, the env-sync helper and the image prune timer. The
 * inventory is the stack's `ansible_inventory` output (its group is `<app>_<env>`).
 */
export function hostAnsibleFiles(l: HostLayout): HostFile[] {
  const siteAddress = l.hostName ?? ":80";
  const view = {
    ...l,
    ...l.ansible,
    acmeEmail: l.ansible.acmeEmail ?? false,
    healthCheckPath: l.deploy.healthCheckPath,
    inventoryGroup: `${l.appName}_${l.envName}`.replace(/-/g, "_"),
    composeVersion: COMPOSE_PLUGIN_VERSION,
    caddyImage: CADDY_IMAGE,
    agentConfigParameter: `/${l.appName}/${l.envName}/cloudwatch-agent/config`,
    siteAddress,
  };
  const file = (name: string, template: string, mode?: number): HostFile => ({ path: `ansible/${name}`, content: renderTemplate(`host/ansible/${template}`, view), ...(mode ? { mode } : {}) });
  return [
    file("playbook.yml", "playbook.yml"),
    file("files/Caddyfile", "Caddyfile"),
    file("files/caddy-compose.yaml", "caddy-compose.yaml"),
    { path: `ansible/files/${l.appName}-env-sync`, content: `${hostEnvSync(l)}\n`, mode: 0o755 },
    file(`files/${l.appName}-image-prune.service`, "image-prune.service"),
    file(`files/${l.appName}-image-prune.timer`, "image-prune.timer"),
  ];
}
