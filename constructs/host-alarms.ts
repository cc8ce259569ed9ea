import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { Construct } from "constructs";
import { pin } from "../lib/address";
import { AccountContext } from "./account-context";
import { AGENT_METRICS } from "../lib/alarms";
import { AGENT_NAMESPACE } from "./cloudwatch-agent";
import { NotificationTopic } from "./notification-topic";
import { notifyingAlarm } from "./notifying-alarm";

export interface HostAlarmsProps {
  /** `<app>-<environment>`; alarm names start with it. */
  readonly namePrefix: string;
  readonly topic: NotificationTopic;
  readonly instanceId: string;
  /** @default 85 */
  readonly cpuHighPercent?: number;
  /** Memory in use (the CloudWatch agent's `mem_used_percent`, aggregated by InstanceId). @default 90 */
  readonly memoryHighPercent?: number;
  /** Root file system in use (the agent's `disk_used_percent`, aggregated by InstanceId). @default 85 */
  readonly diskHighPercent?: number;
  /** @default 5 */
  readonly evaluationMinutes?: number;
}

/**
 * What a single host needs in place of an Auto Scaling group's self-healing: EC2 recovers the
 * instance (same ID, Elastic IP and volume, on healthy hardware) when the system status check
 * fails, reboots it when its own status check fails, and every alarm notifies the topic.
 */
export class HostAlarms extends Construct {
  public readonly alarmNames: string[] = [];
  public readonly alarmArns: string[] = [];

  constructor(scope: Construct, id: string, props: HostAlarmsProps) {
    super(scope, id);
    const context = AccountContext.of(this);
    const minutes = props.evaluationMinutes ?? 5;
    const topic = props.topic.topicArn;
    const automate = (action: string) => `arn:${context.partition}:automate:${context.region}:ec2:${action}`;
    const alarm = (name: string, description: string, metricName: string, threshold: number, periods: number, actions: string[], statistic = "Maximum") => {
      const created = pin(
        this,
        new CloudwatchMetricAlarm(this, name, {
          alarmName: `${props.namePrefix}-${name}`,
          alarmDescription: description,
          namespace: "AWS/EC2",
          metricName,
          dimensions: { InstanceId: props.instanceId },
          statistic,
          period: 60,
          evaluationPeriods: periods,
          datapointsToAlarm: periods,
          comparisonOperator: "GreaterThanThreshold",
          threshold,
          // A stopped host reports nothing; stopping it on purpose must not page anyone.
          treatMissingData: "notBreaching",
          alarmActions: [...actions, topic],
          okActions: [topic],
        }),
        name.replace(/-/g, "_"),
      );
      this.alarmNames.push(created.alarmName);
      this.alarmArns.push(created.arn);
    };
    alarm("system-check", "The host's system status check fails (AWS hardware or network): EC2 recovers the instance onto healthy hardware", "StatusCheckFailed_System", 0, 2, [automate("recover")]);
    alarm("instance-check", "The host's instance status check fails (kernel, memory, network configuration): EC2 reboots it", "StatusCheckFailed_Instance", 0, 3, [automate("reboot")]);
    alarm("cpu-high", `Host CPU above ${props.cpuHighPercent ?? 85}% for ${minutes} minutes`, "CPUUtilization", props.cpuHighPercent ?? 85, minutes, [], "Average");
    // The agent's aggregate by InstanceId (the environment's agent configuration asks for it).
    for (const [name, what, metricName, threshold] of [
      ["memory-high", "Memory in use", AGENT_METRICS.memory, props.memoryHighPercent ?? 90],
      ["disk-high", "Root file system in use", AGENT_METRICS.disk, props.diskHighPercent ?? 85],
    ] as const) {
      const created = notifyingAlarm(this, name, {
        namePrefix: props.namePrefix,
        description: `${what} on the host above ${threshold}% (CloudWatch agent)`,
        evaluationMinutes: minutes,
        topic: props.topic,
        namespace: AGENT_NAMESPACE,
        metricName,
        dimensions: { InstanceId: props.instanceId },
        statistic: "Maximum",
        comparisonOperator: "GreaterThanThreshold",
        threshold,
      });
      this.alarmNames.push(created.alarmName);
      this.alarmArns.push(created.arn);
    }
  }
}
