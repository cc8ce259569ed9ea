import { Construct } from "constructs";
import { NotificationTopic } from "./notification-topic";
import { AlarmMetric, notifyingAlarm } from "./notifying-alarm";

/**
 * The 5xx an ALB answers itself (no healthy target, target connection errors, timeouts). CloudWatch
 * publishes `HTTPCode_ELB_5XX_Count` per load balancer (and zone) only, never per target group
 * (Elastic Load Balancing User Guide, "CloudWatch metrics for your Application Load Balancer"):
 * on a load balancer shared by several environments it counts all of their errors.
 */
export function loadBalancer5xxMetric(loadBalancerArnSuffix: string): AlarmMetric {
  return {
    namespace: "AWS/ApplicationELB",
    metricName: "HTTPCode_ELB_5XX_Count",
    dimensions: { LoadBalancer: loadBalancerArnSuffix },
    statistic: "Sum",
    comparisonOperator: "GreaterThanOrEqualToThreshold",
  };
}

export interface LoadBalancerAlarmsProps {
  /** `<app>-shared`; alarm names start with it. */
  readonly namePrefix: string;
  readonly topic: NotificationTopic;
  /** `app/<alb name>/<id>`. */
  readonly loadBalancerArnSuffix: string;
  /** @default 10 */
  readonly http5xxPerMinute?: number;
  /** @default 5 */
  readonly evaluationMinutes?: number;
}

/**
 * Alarms on a load balancer as a whole, for the stack that owns a shared ALB: its own 5xx, sent
 * to that stack's topic (alarm and recovery). They stop no deployment: an environment's CodeDeploy
 * group rolls back only on alarms of its own target group and fleet (FleetAlarms), so one
 * environment's errors never roll back another's release.
 */
export class LoadBalancerAlarms extends Construct {
  public readonly alarmNames: string[] = [];

  constructor(scope: Construct, id: string, props: LoadBalancerAlarmsProps) {
    super(scope, id);
    const http5xx = props.http5xxPerMinute ?? 10;
    const alarm = notifyingAlarm(this, "alb-5xx", {
      namePrefix: props.namePrefix,
      description: `The shared load balancer answered ${http5xx}+ 5xx per minute itself (no healthy target, timeouts), for any of its environments`,
      evaluationMinutes: props.evaluationMinutes ?? 5,
      topic: props.topic,
      threshold: http5xx,
      ...loadBalancer5xxMetric(props.loadBalancerArnSuffix),
    });
    this.alarmNames.push(alarm.alarmName);
  }
}
