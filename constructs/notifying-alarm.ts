import { CloudwatchMetricAlarm, CloudwatchMetricAlarmConfig } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { Construct } from "constructs";
import { pin } from "../lib/address";
import { NotificationTopic } from "./notification-topic";

/** What one alarm watches: a metric with a plain statistic, or a percentile (`extendedStatistic`). */
export type AlarmMetric = Pick<CloudwatchMetricAlarmConfig, "namespace" | "metricName" | "dimensions" | "statistic" | "extendedStatistic" | "comparisonOperator">;

export interface NotifyingAlarmProps extends AlarmMetric {
  /** `<prefix>-<id>` names the alarm. */
  readonly namePrefix: string;
  readonly description: string;
  readonly threshold: number;
  /** One-minute periods the condition must last (all of them breaching). */
  readonly evaluationMinutes: number;
  readonly topic: NotificationTopic;
  /**
   * Arguments Terraform sets on creation only (e.g. `dimensions` of an alarm that something else
   * points at the live Auto Scaling group).
   * @default none
   */
  readonly ignoreChanges?: string[];
}

/**
 * The alarm shape every alarm of an environment shares: one-minute periods, the condition for
 * `evaluationMinutes` in a row, missing data not breaching (a fleet scaled to zero or a quiet target
 * group must not page anyone), and the topic notified on alarm and on recovery. Its address is
 * `<owner id>_<id in snake case>`, its name `<namePrefix>-<id>`.
 */
export function notifyingAlarm(owner: Construct, id: string, props: NotifyingAlarmProps): CloudwatchMetricAlarm {
  const { namePrefix, description, evaluationMinutes, topic, ignoreChanges, ...metric } = props;
  return pin(
    owner,
    new CloudwatchMetricAlarm(owner, id, {
      alarmName: `${namePrefix}-${id}`,
      alarmDescription: description,
      period: 60,
      evaluationPeriods: evaluationMinutes,
      datapointsToAlarm: evaluationMinutes,
      treatMissingData: "notBreaching",
      alarmActions: [topic.topicArn],
      okActions: [topic.topicArn],
      ...metric,
      lifecycle: ignoreChanges ? { ignoreChanges } : undefined,
    }),
    id.replace(/-/g, "_"),
  );
}
