import { BuildStep, codedeployAgentDropInCommands } from "../../constructs/image-components";
import { renderTemplate } from "./templates";

/**
 * Port Nginx listens on for the load balancer on fleet instances; the target group and the
 * security group rules use it, the application keeps `application.port` behind it.
 */
export const FLEET_PROXY_PORT = 80;

/** Nginx's logs on fleet instances, for the CloudWatch agent. */
export function fleetProxyLogFiles(appName: string): { readonly access: string; readonly error: string } {
  return { access: `/var/log/nginx/${appName}-access.log`, error: "/var/log/nginx/error.log" };
}

/**
 * Written by the ApplicationStart hook (templates/release/common.sh, `mark_released`) when the
 * first revision starts on an instance. Until it exists, Nginx answers the health check itself
 * (templates/fleet/nginx.conf): nothing listens on the application port before the first release.
 */
export function fleetReleasedMarker(appName: string): string {
  return `/var/lib/${appName}/first-release-started`;
}

/**
 * Written as the last step of the fleet's user data when the boot may be interrupted (warm pools):
 * until it exists, `<app>-first-boot.service` runs the user data again at each start.
 */
export function fleetFirstBootMarker(appName: string): string {
  return `/var/lib/${appName}/first-boot-done`;
}

/** What the fleet's Nginx needs to know about the traffic in front of it. */
export interface FleetProxyOptions {
  /** Path the target group's health check requests: proxied like any other, not written to the access log. */
  readonly healthCheckPath: string;
  /** Idle timeout of the load balancer in front, in seconds; Nginx keeps connections open longer. */
  readonly idleTimeoutSeconds: number;
  /** Largest request body Nginx passes to the application, in MiB. */
  readonly clientMaxBodyMiB: number;
}

/** A path safe to write into nginx.conf as it is (no quoting needed, no query string). */
const PLAIN_PATH = /^\/[A-Za-z0-9._~\/-]*$/;

export interface FleetUserDataOptions {
  readonly appName: string;
  readonly envName: string;
  readonly region: string;
  readonly runtime: "nodejs" | "docker";
  /** System user the application runs as. */
  readonly appUser: string;
  readonly appDirectory: string;
  readonly appPort: number;
  /** SSM parameter with the CloudWatch agent configuration. */
  readonly agentConfigParameter: string;
  /** SSM path whose parameters become the environment file (trailing slash). */
  readonly parameterPath: string;
  /** Environment file on the instance. */
  readonly envFile: string;
  /**
   * What a golden AMI would have baked, installed at first boot instead (instances on the stock
   * Amazon Linux image): the build steps of the configured components, each retried as often as
   * Image Builder would.
   * @default none (the image has everything)
   */
  readonly baseline?: readonly BuildStep[];
  /**
   * Whether the image (or the baseline) has the CodeDeploy agent; false when an SSM association
   * installs it, which happens after boot.
   * @default true
   */
  readonly codedeployAgent?: boolean;
  /** Nginx in front of the application. */
  readonly proxy: FleetProxyOptions;
  /**
   * The instance may be stopped in the middle of this script (a Stopped or Hibernated warm pool:
   * Auto Scaling does not wait for user data, and cloud-init runs it once). The script first
   * installs itself as `<app>-first-boot.service`, which runs it again at every start until it has
   * run to the end, before the CodeDeploy agent (docs/fleet-and-traffic.md, "Warm pools and the boot").
   * @default false
   */
  readonly resumeInterruptedBoot?: boolean;
}

/** The Nginx site of fleet instances (templates/fleet/nginx.conf). */
export function renderFleetNginxConf(o: FleetUserDataOptions): string {
  const p = o.proxy;
  return renderTemplate("fleet/nginx.conf", {
    appName: o.appName,
    envName: o.envName,
    appPort: o.appPort,
    proxyPort: FLEET_PROXY_PORT,
    idleTimeoutSeconds: p.idleTimeoutSeconds,
    keepaliveTimeoutSeconds: p.idleTimeoutSeconds + 5,
    clientMaxBodyMiB: p.clientMaxBodyMiB,
    accessLog: fleetProxyLogFiles(o.appName).access,
    // Nginx locations match the path without its query. Any other path is still proxied (by
    // `location /`), only logged too, and answers 404 before the first release.
    quietHealthCheckPath: PLAIN_PATH.test(p.healthCheckPath.split("?")[0]) ? p.healthCheckPath.split("?")[0] : false,
    releasedMarker: fleetReleasedMarker(o.appName),
  }).trimEnd();
}

/** The environment-sync helper installed on instances (also run by the deploy hooks). */
export function renderEnvSync(o: FleetUserDataOptions): string {
  return renderTemplate("fleet/env-sync.sh", { ...o }).trimEnd();
}

/**
 * First-boot user data of fleet instances (templates/fleet/user-data.sh).
 *
 * The CodeDeploy agent must not take a deployment before this script has created what the hooks
 * use (docs/decisions.md, "First boot before the agent"): an image's agent is ordered after
 * cloud-final by its drop-in and started here without waiting; without a golden AMI its build
 * steps run last; with an SSM association the drop-in is written first.
 */
export function renderFleetUserData(o: FleetUserDataOptions): string {
  const nodejs = o.runtime === "nodejs";
  const codedeployAgent = o.codedeployAgent ?? true;
  const steps = (o.baseline ?? []).map((step) => ({ ...step, body: step.commands.join(" &&\n    ") }));
  const agentBaseline = steps.filter((s) => s.component === "codedeploy-agent");
  if (agentBaseline.length > 0 && !codedeployAgent) throw new Error("renderFleetUserData: a baseline with the CodeDeploy agent's steps needs codedeployAgent (an SSM association installs it otherwise)");
  return renderTemplate("fleet/user-data.sh", {
    ...o,
    nodejs,
    docker: o.runtime === "docker",
    envSyncScript: renderEnvSync(o),
    hasBaseline: steps.length > 0,
    baseline: steps.filter((s) => s.component !== "codedeploy-agent"),
    agentBaseline,
    codedeployAgent,
    agentDropIn: codedeployAgent ? false : { commands: codedeployAgentDropInCommands() },
    serviceUnit: nodejs ? renderTemplate("fleet/app.service", { ...o }).trimEnd() : "",
    proxyPort: FLEET_PROXY_PORT,
    nginxConf: renderFleetNginxConf(o),
    resumable: o.resumeInterruptedBoot ?? false,
    firstBootDone: fleetFirstBootMarker(o.appName),
  });
}

export interface HostUserDataOptions {
  readonly appName: string;
  readonly envName: string;
  /** SSM parameter with the CloudWatch agent configuration. */
  readonly agentConfigParameter: string;
}

/** First-boot user data of a plain host (templates/host/user-data.sh): the CloudWatch agent, nothing else. */
export function renderHostUserData(o: HostUserDataOptions): string {
  return renderTemplate("host/user-data.sh", { ...o });
}
