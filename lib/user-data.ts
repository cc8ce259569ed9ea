import { BuildStep } from "../constructs/image-components";
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
    baseline: (o.baseline ?? []).map((step) => ({ ...step, body: step.commands.join(" &&\n    ") })),
    codedeployAgent: o.codedeployAgent ?? true,
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
