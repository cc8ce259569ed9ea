import { LbListenerRule } from "@cdktf/provider-aws/lib/lb-listener-rule";
import { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import { Construct } from "constructs";
import { pin } from "../lib/address";

export interface HealthCheckOptions {
  /** @default "/health" */
  readonly path?: string;
  /** @default "200-399" */
  readonly matcher?: string;
  /** @default 15 */
  readonly intervalSeconds?: number;
  /** @default 5 */
  readonly timeoutSeconds?: number;
  /** @default 2 */
  readonly healthyThreshold?: number;
  /** @default 3 */
  readonly unhealthyThreshold?: number;
}

export interface TargetGroupProps {
  /** `<app>-<environment>`; the group is named `<prefix>-<port>` unless `name` is given. */
  readonly namePrefix: string;
  /**
   * Group name (at most 32 characters), for several groups on one port.
   * @default `<namePrefix>-<port>`
   */
  readonly name?: string;
  /**
   * `instance`: targets are instances (EC2 fleets, ECS bridge tasks on their host ports). `ip`:
   * targets are network interfaces (ECS tasks in awsvpc mode, Fargate).
   * @default "instance"
   */
  readonly targetType?: "instance" | "ip";
  readonly vpcId: string;
  /** Port the instances serve on. */
  readonly port: number;
  /** @default see HealthCheckOptions */
  readonly healthCheck?: HealthCheckOptions;
  /**
   * Seconds in-flight requests get when a target leaves (deploys, scale-in).
   * @default 30
   */
  readonly deregistrationDelaySeconds?: number;
}

/** Options of {@link TargetGroup.routePath}. */
export interface RouteOptions {
  /**
   * The second group of a CodeDeploy blue/green pair: the rule forwards to both (this group 100,
   * the alternate 0) and Terraform ignores its action afterwards, since CodeDeploy rewrites the
   * weights of the rules that forward to the pair on every release (the `AWSCodeDeployRoleForECS`
   * policy grants it `elasticloadbalancing:ModifyRule`,
   * https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSCodeDeployRoleForECS.html).
   * @default a plain forward to this group, managed by Terraform
   */
  readonly alternate?: TargetGroup;
}

/**
 * A target group over HTTP with an explicit health check. The port is part of the default name
 * so a replacement (new port) can be created before the old group is destroyed.
 */
export class TargetGroup extends Construct {
  public readonly targetGroupArn: string;
  public readonly targetGroupName: string;
  /** For CloudWatch dimensions (`targetgroup/<name>/<id>`). */
  public readonly arnSuffix: string;

  constructor(scope: Construct, id: string, props: TargetGroupProps) {
    super(scope, id);
    const hc = props.healthCheck ?? {};
    const group = pin(
      this,
      new LbTargetGroup(this, "target-group", {
        name: props.name ?? `${props.namePrefix}-${props.port}`,
        port: props.port,
        protocol: "HTTP",
        targetType: props.targetType ?? "instance",
        vpcId: props.vpcId,
        deregistrationDelay: String(props.deregistrationDelaySeconds ?? 30),
        healthCheck: {
          enabled: true,
          protocol: "HTTP",
          port: "traffic-port",
          path: hc.path ?? "/health",
          matcher: hc.matcher ?? "200-399",
          interval: hc.intervalSeconds ?? 15,
          timeout: hc.timeoutSeconds ?? 5,
          healthyThreshold: hc.healthyThreshold ?? 2,
          unhealthyThreshold: hc.unhealthyThreshold ?? 3,
        },
        lifecycle: { createBeforeDestroy: true },
      }),
    );
    this.targetGroupArn = group.arn;
    this.targetGroupName = group.name;
    this.arnSuffix = group.arnSuffix;
  }

  /** Forwards requests for `hostName` on a shared listener to this group, at a fixed priority. */
  public routeHost(listenerArn: string, hostName: string, priority: number): void {
    pin(
      this,
      new LbListenerRule(this, "host-rule", {
        listenerArn,
        priority,
        condition: [{ hostHeader: { values: [hostName] } }],
        action: [{ type: "forward", targetGroupArn: this.targetGroupArn }],
      }),
      "host",
    );
  }

  /**
   * Forwards requests whose path matches one of `pathPatterns` (at most five) on `listenerArn` to
   * this group, at a fixed priority. Returns the rule, for resources that must wait for it.
   */
  public routePath(listenerArn: string, pathPatterns: readonly string[], priority: number, options: RouteOptions = {}): LbListenerRule {
    const alternate = options.alternate;
    return pin(
      this,
      new LbListenerRule(this, "path-rule", {
        listenerArn,
        priority,
        condition: [{ pathPattern: { values: [...pathPatterns] } }],
        action: [
          alternate
            ? {
                type: "forward",
                forward: {
                  targetGroup: [
                    { arn: this.targetGroupArn, weight: 100 },
                    { arn: alternate.targetGroupArn, weight: 0 },
                  ],
                },
              }
            : { type: "forward", targetGroupArn: this.targetGroupArn },
        ],
        // CodeDeploy moves the weights between the two groups on every release and leaves the
        // rule pointing at whichever group is live: Terraform writes the action once.
        lifecycle: alternate ? { ignoreChanges: ["action"] } : undefined,
      }),
      "path",
    );
  }
}
