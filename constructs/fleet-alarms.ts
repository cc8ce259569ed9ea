import { CloudwatchMetricAlarm, CloudwatchMetricAlarmConfig } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { Construct } from "constructs";
import { pin } from "../lib/address";
import { NotificationTopic } from "./notification-topic";

export interface FleetAlarmsProps {
  /** `<app>-<environment>`; alarm names start with it. */
  readonly namePrefix: string;
  readonly topic: NotificationTopic;
  /** `app/<alb name>/<id>`. */
  readonly loadBalancerArnSuffix: string;
  /** `targetgroup/<name>/<id>`. */
  readonly targetGroupArnSuffix: string;
  /** The live Auto Scaling group. */
  readonly autoScalingGroupName: string;
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
 * Alarms on what users notice and what precedes it: 5xx from the load balancer and from the
 * targets, unhealthy targets, and fleet CPU. Alarm and recovery both notify the topic; CodeDeploy
 * rolls a deployment back on any of them ({@link alarmNames}).
 */
export class FleetAlarms extends Construct {
  public readonly alarmNames: string[] = [];

  constructor(scope: Construct, id: string, props: FleetAlarmsProps) {
    super(scope, id);
    const minutes = props.evaluationMinutes ?? 5;
    type MetricConfig = Pick<CloudwatchMetricAlarmConfig, "namespace" | "metricName" | "dimensions" | "statistic" | "comparisonOperator" | "threshold">;
    const alarm = (name: string, description: string, config: MetricConfig) => {
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
        }),
        name.replace(/-/g, "_"),
      );
      this.alarmNames.push(created.alarmName);
    };
    const lb = { LoadBalancer: props.loadBalancerArnSuffix };
    const tg = { LoadBalancer: props.loadBalancerArnSuffix, TargetGroup: props.targetGroupArnSuffix };
    const http5xx = props.http5xxPerMinute ?? 10;

    alarm("alb-5xx", `The load balancer answered ${http5xx}+ 5xx per minute itself (no healthy target, timeouts)`, {
      namespace: "AWS/ApplicationELB",
      metricName: "HTTPCode_ELB_5XX_Count",
      dimensions: lb,
      statistic: "Sum",
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      threshold: http5xx,
    });
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
    alarm("cpu-high", `Fleet CPU above ${props.cpuHighPercent ?? 85}% (scaling is not keeping up)`, {
      namespace: "AWS/EC2",
      metricName: "CPUUtilization",
      dimensions: { AutoScalingGroupName: props.autoScalingGroupName },
      statistic: "Average",
      comparisonOperator: "GreaterThanThreshold",
      threshold: props.cpuHighPercent ?? 85,
    });
  }
}
