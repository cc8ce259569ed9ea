import { CloudwatchMetricAlarm, CloudwatchMetricAlarmConfig } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { Construct } from "constructs";
import { pin } from "../lib/address";
import { loadBalancer5xxMetric } from "./load-balancer-alarms";
import { NotificationTopic } from "./notification-topic";

export interface FleetAlarmsProps {
  /** `<app>-<environment>`; alarm names start with it. */
  readonly namePrefix: string;
  readonly topic: NotificationTopic;
  /** `app/<alb name>/<id>`. */
  readonly loadBalancerArnSuffix: string;
  /**
   * Alarm on the 5xx the load balancer answers itself. A load balancer shared with other
   * environments leaves it out: that metric has no target group dimension, so it would count every
   * environment's errors, and with it in {@link FleetAlarms.alarmNames} one environment's errors
   * would stop and roll back another's deployment. The stack that owns the shared load balancer
   * alarms on it instead (LoadBalancerAlarms).
   * @default true
   */
  readonly loadBalancerAlarm?: boolean;
  /** `targetgroup/<name>/<id>`. */
  readonly targetGroupArnSuffix: string;
  /** The live Auto Scaling group. */
  readonly autoScalingGroupName: string;
  /**
   * The live group changes with every release (CodeDeploy blue/green copies it): the CPU alarm is
   * created on {@link autoScalingGroupName} and then left to the fleet reconciler, which points it
   * at each new copy (`ignore_changes` on its dimensions).
   * @default false
   */
  readonly autoScalingGroupFollowsReleases?: boolean;
  /** @default 10 */
  readonly http5xxPerMinute?: number;
  /** @default 85 */
  readonly cpuHighPercent?: number;
  /** @default 1 */
  readonly unhealthyHosts?: number;
  /** @default 5 */
  readonly evaluationMinutes?: number;
}

/**
 * Alarms on what users notice and what precedes it: 5xx from the load balancer (unless it is
 * shared) and from the targets, unhealthy targets, and fleet CPU. Alarm and recovery both notify
 * the topic; CodeDeploy rolls a deployment back on any of them ({@link alarmNames}).
 */
export class FleetAlarms extends Construct {
  /**
   * Every alarm of this construct. Each watches this environment only (its target group, its
   * fleet, or a load balancer no other environment uses), so each may stop its deployments.
   */
  public readonly alarmNames: string[] = [];
  /** The alarm on the fleet's CPU, which watches one Auto Scaling group. */
  public readonly cpuAlarmName: string;

  constructor(scope: Construct, id: string, props: FleetAlarmsProps) {
    super(scope, id);
    const minutes = props.evaluationMinutes ?? 5;
    type MetricConfig = Pick<CloudwatchMetricAlarmConfig, "namespace" | "metricName" | "dimensions" | "statistic" | "comparisonOperator" | "threshold">;
    const alarm = (name: string, description: string, config: MetricConfig, ignoreChanges?: string[]) => {
      const created = pin(
        this,
        new CloudwatchMetricAlarm(this, name, {
          alarmName: `${props.namePrefix}-${name}`,
          alarmDescription: description,
          period: 60,
          evaluationPeriods: minutes,
          datapointsToAlarm: minutes,
          treatMissingData: "notBreaching",
          alarmActions: [props.topic.topicArn],
          okActions: [props.topic.topicArn],
          ...config,
          lifecycle: ignoreChanges ? { ignoreChanges } : undefined,
        }),
        name.replace(/-/g, "_"),
      );
      this.alarmNames.push(created.alarmName);
      return created.alarmName;
    };
    const tg = { LoadBalancer: props.loadBalancerArnSuffix, TargetGroup: props.targetGroupArnSuffix };
    const http5xx = props.http5xxPerMinute ?? 10;

    if (props.loadBalancerAlarm ?? true) {
      alarm("alb-5xx", `The load balancer answered ${http5xx}+ 5xx per minute itself (no healthy target, timeouts)`, {
        ...loadBalancer5xxMetric(props.loadBalancerArnSuffix),
        threshold: http5xx,
      });
    }
    alarm("target-5xx", `The application answered ${http5xx}+ 5xx per minute`, {
      namespace: "AWS/ApplicationELB",
      metricName: "HTTPCode_Target_5XX_Count",
      dimensions: tg,
      statistic: "Sum",
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      threshold: http5xx,
    });
    alarm("unhealthy-hosts", `${props.unhealthyHosts ?? 1}+ targets fail the health check`, {
      namespace: "AWS/ApplicationELB",
      metricName: "UnHealthyHostCount",
      dimensions: tg,
      statistic: "Maximum",
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      threshold: props.unhealthyHosts ?? 1,
    });
    this.cpuAlarmName = alarm("cpu-high", `Fleet CPU above ${props.cpuHighPercent ?? 85}% (scaling is not keeping up)`, {
      namespace: "AWS/EC2",
      metricName: "CPUUtilization",
      dimensions: { AutoScalingGroupName: props.autoScalingGroupName },
      statistic: "Average",
      comparisonOperator: "GreaterThanThreshold",
      threshold: props.cpuHighPercent ?? 85,
    }, props.autoScalingGroupFollowsReleases ? ["dimensions"] : undefined);
  }
}
