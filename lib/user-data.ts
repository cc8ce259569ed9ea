import { renderTemplate } from "./templates";

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
}

/** The environment-sync helper installed on instances (also run by the deploy hooks). */
export function renderEnvSync(o: FleetUserDataOptions): string {
  return renderTemplate("fleet/env-sync.sh", { ...o }).trimEnd();
}

/** First-boot user data of fleet instances (templates/fleet/user-data.sh). */
export function renderFleetUserData(o: FleetUserDataOptions): string {
  const nodejs = o.runtime === "nodejs";
  return renderTemplate("fleet/user-data.sh", {
    ...o,
    nodejs,
    docker: o.runtime === "docker",
    envSyncScript: renderEnvSync(o),
    serviceUnit: nodejs ? renderTemplate("fleet/app.service", { ...o }).trimEnd() : "",
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
