import { Construct } from "constructs";
import { AGENT_METRICS, AlarmKind, DEFAULT_DEPLOYMENT_ALARMS } from "../lib/alarms";
import { AGENT_NAMESPACE } from "./cloudwatch-agent";
import { loadBalancer5xxMetric } from "./load-balancer-alarms";
import { NotificationTopic } from "./notification-topic";
import { AlarmMetric, notifyingAlarm } from "./notifying-alarm";

export interface FleetAlarmsProps {
  /** `<app>-<environment>`; alarm names start with it. */
  readonly namePrefix: string;
  readonly topic: NotificationTopic;
  /** `app/<alb name>/<id>`. */
  readonly loadBalancerArnSuffix: string;
  /**
   * Alarm on the 5xx the load balancer answers itself. A load balancer shared with other
   * environments leaves it out: that metric has no target group dimension, so it would count every
   * environment's errors, and with it in {@link FleetAlarms.deploymentAlarmNames} one environment's
   * errors would stop and roll back another's deployment. The stack that owns the shared load
   * balancer alarms on it instead (LoadBalancerAlarms).
   * @default true
   */
  readonly loadBalancerAlarm?: boolean;
  /** `targetgroup/<name>/<id>`. */
  readonly targetGroupArnSuffix: string;
  /** The live Auto Scaling group. */
  readonly autoScalingGroupName: string;
  /**
   * The live group changes with every release (CodeDeploy blue/green copies it): the alarms keyed by
   * the group (CPU, memory, disk: {@link FleetAlarms.groupAlarmNames}) are created on
   * {@link autoScalingGroupName} and then left to the fleet reconciler, which points them at each
   * new copy (`ignore_changes` on their dimensions).
   * @default false
   */
  readonly autoScalingGroupFollowsReleases?: boolean;
  /** @default 10 */
  readonly http5xxPerMinute?: number;
  /** @default 85 */
  readonly cpuHighPercent?: number;
  /**
   * Memory in use (the CloudWatch agent's `mem_used_percent`) on the fleet's fullest instance.
   * @default 90
   */
  readonly memoryHighPercent?: number;
  /**
   * Root file system in use (the agent's `disk_used_percent`) on the fleet's fullest instance.
   * @default 85
   */
  readonly diskHighPercent?: number;
  /**
   * 95th percentile of the target group's response time, in seconds.
   * @default 1
   */
  readonly latencyP95Seconds?: number;
  /**
   * 99th percentile of the target group's response time, in seconds.
   * @default 2.5
   */
  readonly latencyP99Seconds?: number;
  /** @default 1 */
  readonly unhealthyHosts?: number;
  /** @default 5 */
  readonly evaluationMinutes?: number;
  /**
   * The kinds of alarm that stop (and roll back) a deployment ({@link FleetAlarms.deploymentAlarmNames}).
   * @default DEFAULT_DEPLOYMENT_ALARMS: 5xx, unhealthy hosts, CPU
   */
  readonly stopDeployments?: readonly AlarmKind[];
}

/**
 * Alarms on what users notice and what precedes it: 5xx from the load balancer (unless it is
 * shared) and from the targets, unhealthy targets, response time (p95, p99) of the target group,
 * and the fleet's CPU, memory and root disk. Alarm and recovery both notify the topic; CodeDeploy
 * rolls a deployment back on those of the kinds in {@link FleetAlarmsProps.stopDeployments}.
 *
 * What follows the live fleet through blue/green releases: the target group's metrics (5xx,
 * unhealthy hosts, latency) by themselves, since every copy of the group registers in the same
 * target group; CPU, memory and disk are keyed by the Auto Scaling group's name, which changes
 * with each copy, so the fleet reconciler repoints them (an alarm cannot use a SEARCH expression
 * to find the live group: docs/observability.md).
 */
export class FleetAlarms extends Construct {
  /** Every alarm of this construct; each watches this environment only (its target group, its fleet, or a load balancer no other environment uses). */
  public readonly alarmNames: string[] = [];
  /** The alarms that stop and roll back this environment's deployments. */
  public readonly deploymentAlarmNames: string[] = [];
  /** ARNs of {@link deploymentAlarmNames} (a dashboard shows their state). */
  public readonly deploymentAlarmArns: string[] = [];
  /** The alarms keyed by the Auto Scaling group's name (CPU, memory, disk), which the reconciler points at the live group. */
  public readonly groupAlarmNames: string[] = [];
  /** The alarm on the fleet's CPU, which watches one Auto Scaling group. */
  public readonly cpuAlarmName: string;
  private readonly byKind = new Map<AlarmKind, string[]>();

  constructor(scope: Construct, id: string, props: FleetAlarmsProps) {
    super(scope, id);
    const minutes = props.evaluationMinutes ?? 5;
    const stops = new Set(props.stopDeployments ?? DEFAULT_DEPLOYMENT_ALARMS);
    const follows = props.autoScalingGroupFollowsReleases ?? false;
    const alarm = (name: string, kind: AlarmKind, description: string, metric: AlarmMetric & { threshold: number }, byGroup = false) => {
      const created = notifyingAlarm(this, name, {
        namePrefix: props.namePrefix,
        description,
        evaluationMinutes: minutes,
        topic: props.topic,
        ignoreChanges: byGroup && follows ? ["dimensions"] : undefined,
        ...metric,
      });
      this.alarmNames.push(created.alarmName);
      this.byKind.set(kind, [...(this.byKind.get(kind) ?? []), created.alarmName]);
      if (stops.has(kind)) {
        this.deploymentAlarmNames.push(created.alarmName);
        this.deploymentAlarmArns.push(created.arn);
      }
      if (byGroup) this.groupAlarmNames.push(created.alarmName);
      return created.alarmName;
    };
    const tg = { LoadBalancer: props.loadBalancerArnSuffix, TargetGroup: props.targetGroupArnSuffix };
    const group = { AutoScalingGroupName: props.autoScalingGroupName };
    const http5xx = props.http5xxPerMinute ?? 10;

    if (props.loadBalancerAlarm ?? true) {
      alarm("alb-5xx", "5xx", `The load balancer answered ${http5xx}+ 5xx per minute itself (no healthy target, timeouts)`, {
        ...loadBalancer5xxMetric(props.loadBalancerArnSuffix),
        threshold: http5xx,
      });
    }
    alarm("target-5xx", "5xx", `The application answered ${http5xx}+ 5xx per minute`, {
      namespace: "AWS/ApplicationELB",
      metricName: "HTTPCode_Target_5XX_Count",
      dimensions: tg,
      statistic: "Sum",
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      threshold: http5xx,
    });
    alarm("unhealthy-hosts", "unhealthy-hosts", `${props.unhealthyHosts ?? 1}+ targets fail the health check`, {
      namespace: "AWS/ApplicationELB",
      metricName: "UnHealthyHostCount",
      dimensions: tg,
      statistic: "Maximum",
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      threshold: props.unhealthyHosts ?? 1,
    });
    this.cpuAlarmName = alarm(
      "cpu-high",
      "cpu",
      `Fleet CPU above ${props.cpuHighPercent ?? 85}% (scaling is not keeping up)`,
      { namespace: "AWS/EC2", metricName: "CPUUtilization", dimensions: group, statistic: "Average", comparisonOperator: "GreaterThanThreshold", threshold: props.cpuHighPercent ?? 85 },
      true,
    );
    // The agent's per-group aggregate (aggregation_dimensions [["AutoScalingGroupName"]]) keeps each
    // instance's value as a data point: Maximum is the fullest instance, which is the one that fails.
    const memory = props.memoryHighPercent ?? 90;
    alarm(
      "memory-high",
      "memory",
      `Memory in use above ${memory}% on an instance of the fleet (CloudWatch agent)`,
      { namespace: AGENT_NAMESPACE, metricName: AGENT_METRICS.memory, dimensions: group, statistic: "Maximum", comparisonOperator: "GreaterThanThreshold", threshold: memory },
      true,
    );
    const disk = props.diskHighPercent ?? 85;
    alarm(
      "disk-high",
      "disk",
      `Root file system above ${disk}% full on an instance of the fleet (CloudWatch agent)`,
      { namespace: AGENT_NAMESPACE, metricName: AGENT_METRICS.disk, dimensions: group, statistic: "Maximum", comparisonOperator: "GreaterThanThreshold", threshold: disk },
      true,
    );
    for (const [name, kind, percentile, seconds] of [
      ["latency-p95", "latency-p95", "p95", props.latencyP95Seconds ?? 1],
      ["latency-p99", "latency-p99", "p99", props.latencyP99Seconds ?? 2.5],
    ] as const) {
      alarm(name, kind, `${percentile} response time of the application above ${seconds} s`, {
        namespace: "AWS/ApplicationELB",
        metricName: "TargetResponseTime",
        dimensions: tg,
        extendedStatistic: percentile,
        comparisonOperator: "GreaterThanThreshold",
        threshold: seconds,
      });
    }
  }

  /** Names of this construct's alarms of the given kinds (e.g. for an instance refresh's alarm specification). */
  public alarmNamesOf(kinds: readonly AlarmKind[]): string[] {
    return kinds.flatMap((kind) => this.byKind.get(kind) ?? []);
  }
}
