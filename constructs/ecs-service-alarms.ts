import { Construct } from "constructs";
import { AlarmKind, DEFAULT_DEPLOYMENT_ALARMS } from "../lib/alarms";
import { NotificationTopic } from "./notification-topic";
import { AlarmMetric, notifyingAlarm } from "./notifying-alarm";

export interface EcsServiceAlarmsProps {
  /** `<app>-<environment>-<service>`; alarm names start with it. */
  readonly namePrefix: string;
  readonly topic: NotificationTopic;
  readonly clusterName: string;
  /** The ECS service's name (the `ServiceName` dimension of AWS/ECS). */
  readonly serviceName: string;
  /** `app/<alb name>/<id>` of the load balancer in front of the service. */
  readonly loadBalancerArnSuffix: string;
  /** `targetgroup/<name>/<id>` of the service's target group. */
  readonly targetGroupArnSuffix: string;
  /**
   * `targetgroup/<name>/<id>` of a blue/green service's second (green) target group. CodeDeploy
   * moves the traffic between the pair on every release, so the 5xx and latency alarms exist for
   * both groups (`<name>-green`): whichever group is live, and the replacement during a canary or
   * linear shift, is watched, and a deployment stops on either.
   * @default one target group (rolling deployments keep the group)
   */
  readonly greenTargetGroupArnSuffix?: string;
  /** @default 85 */
  readonly cpuHighPercent?: number;
  /** Average memory of the service's tasks, percent of what they reserve. @default 90 */
  readonly memoryHighPercent?: number;
  /** @default 10 */
  readonly http5xxPerMinute?: number;
  /** @default 1 */
  readonly latencyP95Seconds?: number;
  /** @default 2.5 */
  readonly latencyP99Seconds?: number;
  /** @default 5 */
  readonly evaluationMinutes?: number;
  /**
   * The kinds of alarm listed in {@link EcsServiceAlarms.deploymentAlarmNames}, for whatever stops
   * the service's deployments on alarms.
   * @default DEFAULT_DEPLOYMENT_ALARMS
   */
  readonly stopDeployments?: readonly AlarmKind[];
}

/**
 * Alarms of one ECS service, sent to the environment's topic on alarm and on recovery: the service's
 * CPU and memory utilization (AWS/ECS by ClusterName and ServiceName, published for every service
 * without Container Insights), and through its target group the application's 5xx and response time
 * (p95, p99). A rolling deployment keeps the service and the target group, so the alarms keep
 * watching the live tasks without anything repointing them; a blue/green service's target-group
 * alarms exist for both groups of its pair ({@link EcsServiceAlarmsProps.greenTargetGroupArnSuffix}).
 */
export class EcsServiceAlarms extends Construct {
  public readonly alarmNames: string[] = [];
  public readonly alarmArns: string[] = [];
  /** The alarms of the kinds in {@link EcsServiceAlarmsProps.stopDeployments}. */
  public readonly deploymentAlarmNames: string[] = [];

  constructor(scope: Construct, id: string, props: EcsServiceAlarmsProps) {
    super(scope, id);
    const stops = new Set(props.stopDeployments ?? DEFAULT_DEPLOYMENT_ALARMS);
    const alarm = (name: string, kind: AlarmKind, description: string, metric: AlarmMetric & { threshold: number }) => {
      const created = notifyingAlarm(this, name, {
        namePrefix: props.namePrefix,
        description,
        evaluationMinutes: props.evaluationMinutes ?? 5,
        topic: props.topic,
        ...metric,
      });
      this.alarmNames.push(created.alarmName);
      this.alarmArns.push(created.arn);
      if (stops.has(kind)) this.deploymentAlarmNames.push(created.alarmName);
    };
    const service = { ClusterName: props.clusterName, ServiceName: props.serviceName };
    const groups: Array<[string, string]> = [["", props.targetGroupArnSuffix]];
    if (props.greenTargetGroupArnSuffix) groups.push(["-green", props.greenTargetGroupArnSuffix]);
    const cpu = props.cpuHighPercent ?? 85;
    const memory = props.memoryHighPercent ?? 90;
    const http5xx = props.http5xxPerMinute ?? 10;

    alarm("cpu-high", "cpu", `CPU of ${props.serviceName}'s tasks above ${cpu}% of what they reserve (scaling is not keeping up)`, {
      namespace: "AWS/ECS",
      metricName: "CPUUtilization",
      dimensions: service,
      statistic: "Average",
      comparisonOperator: "GreaterThanThreshold",
      threshold: cpu,
    });
    alarm("memory-high", "memory", `Memory of ${props.serviceName}'s tasks above ${memory}% of what they reserve (tasks near their limit are killed)`, {
      namespace: "AWS/ECS",
      metricName: "MemoryUtilization",
      dimensions: service,
      statistic: "Average",
      comparisonOperator: "GreaterThanThreshold",
      threshold: memory,
    });
    for (const [suffix, targetGroup] of groups) {
      const tg = { LoadBalancer: props.loadBalancerArnSuffix, TargetGroup: targetGroup };
      const which = suffix ? " (green target group)" : "";
      alarm(`target-5xx${suffix}`, "5xx", `${props.serviceName} answered ${http5xx}+ 5xx per minute${which}`, {
        namespace: "AWS/ApplicationELB",
        metricName: "HTTPCode_Target_5XX_Count",
        dimensions: tg,
        statistic: "Sum",
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        threshold: http5xx,
      });
      for (const [name, percentile, seconds] of [
        ["latency-p95", "p95", props.latencyP95Seconds ?? 1],
        ["latency-p99", "p99", props.latencyP99Seconds ?? 2.5],
      ] as const) {
        alarm(`${name}${suffix}`, name, `${percentile} response time of ${props.serviceName} above ${seconds} s${which}`, {
          namespace: "AWS/ApplicationELB",
          metricName: "TargetResponseTime",
          dimensions: tg,
          extendedStatistic: percentile,
          comparisonOperator: "GreaterThanThreshold",
          threshold: seconds,
        });
      }
    }
  }
}
