import { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";
import { Construct } from "constructs";
import { childId, pin } from "../lib/address";
import { terraformLiteral } from "../lib/release/templates";
import { EncryptionKey } from "./encryption-key";
import { LogGroup } from "./log-group";
import { Role } from "./role";

/** Namespace of the agent's own metrics (memory, disk). */
export const AGENT_NAMESPACE = "CWAgent";

/** A file shipped to one of the agent's log groups under a stream name of its own. */
export interface NamedLogFile {
  /** Absolute path (or glob) on the instance. */
  readonly path: string;
  readonly group: "application" | "system" | "deployment";
  /** Stream name after `<instance id>/`. */
  readonly stream: string;
}

export interface CloudWatchAgentProps {
  /** `<app>-<environment>`. */
  readonly namePrefix: string;
  /** Name of the SSM parameter that holds the agent configuration (starts with /). */
  readonly parameterName: string;
  /** Prefix of the log group names, e.g. `/app/webapp/staging`. */
  readonly logGroupPrefix: string;
  readonly retentionDays: number;
  readonly encryptionKey: EncryptionKey;
  /** Files shipped to the application log group. */
  readonly applicationLogFiles: readonly string[];
  /**
   * Further files for the system log group, besides cloud-init's output.
   * @default none
   */
  readonly systemLogFiles?: readonly string[];
  /**
   * Files with a stream name of their own (for example a reverse proxy's access and error logs).
   * @default none
   */
  readonly namedLogFiles?: readonly NamedLogFile[];
  /**
   * Dimension sets the agent also publishes its metrics aggregated by (`aggregation_dimensions`),
   * each a metric whose dimensions are exactly the set: what alarms can name. A fleet's alarms name
   * the Auto Scaling group; a single host's its instance (its disk metric otherwise also carries the
   * device name, which depends on the instance type).
   * @default [["AutoScalingGroupName"]]
   */
  readonly aggregationDimensions?: ReadonlyArray<readonly ("AutoScalingGroupName" | "InstanceId")[]>;
}

/**
 * CloudWatch agent configuration stored in SSM Parameter Store (instances fetch it at boot):
 * memory and root disk metrics (`mem_used_percent`, `disk_used_percent` in CWAgent), also aggregated
 * per Auto Scaling group (or per instance), application logs, and the system logs that
 * explain a failed boot or deployment (cloud-init, CodeDeploy agent and deployments). Each log
 * group has a retention period and the environment key.
 */
export class CloudWatchAgent extends Construct {
  /** The parameter's name as literal text (instances look it up by name at boot). */
  public readonly parameterName: string;
  public readonly parameterArn: string;
  /** The parameter resource, for things that must not start before it exists. */
  public readonly parameter: SsmParameter;
  public readonly applicationLogGroup: LogGroup;
  public readonly systemLogGroup: LogGroup;
  public readonly deploymentLogGroup: LogGroup;
  /** The configuration document (for tests and docs). */
  public readonly configuration: Record<string, unknown>;

  constructor(scope: Construct, id: string, props: CloudWatchAgentProps) {
    super(scope, id);
    const group = (role: string) =>
      new LogGroup(this, childId(this, `${role}-logs`), {
        logGroupName: `${props.logGroupPrefix}/${role}`,
        retentionDays: props.retentionDays,
        encryptionKey: props.encryptionKey,
      });
    this.applicationLogGroup = group("application");
    this.systemLogGroup = group("system");
    this.deploymentLogGroup = group("deployment");

    // Literal names, not references: the document is escaped for Terraform as a whole.
    const file = (path: string, role: "application" | "system" | "deployment", stream: string) => ({
      file_path: path,
      log_group_name: `${props.logGroupPrefix}/${role}`,
      log_stream_name: `{instance_id}/${stream}`,
    });
    this.configuration = {
      agent: { metrics_collection_interval: 60, run_as_user: "root", logfile: "/opt/aws/amazon-cloudwatch-agent/logs/amazon-cloudwatch-agent.log" },
      metrics: {
        namespace: AGENT_NAMESPACE,
        // Resolved by the agent on the instance, not by Terraform.
        append_dimensions: { AutoScalingGroupName: "${aws:AutoScalingGroupName}", InstanceId: "${aws:InstanceId}" },
        aggregation_dimensions: (props.aggregationDimensions ?? [["AutoScalingGroupName"]]).map((set) => [...set]),
        metrics_collected: {
          mem: { measurement: ["mem_used_percent"] },
          disk: { measurement: ["used_percent", "inodes_free"], resources: ["/"], ignore_file_system_types: ["sysfs", "devtmpfs", "tmpfs"] },
          swap: { measurement: ["swap_used_percent"] },
        },
      },
      logs: {
        logs_collected: {
          files: {
            collect_list: [
              ...props.applicationLogFiles.map((path, i) => file(path, "application", i === 0 ? "app" : `app-${i}`)),
              file("/var/log/cloud-init-output.log", "system", "cloud-init"),
              ...(props.systemLogFiles ?? []).map((path, i) => file(path, "system", `system-${i}`)),
              ...(props.namedLogFiles ?? []).map((f) => file(f.path, f.group, f.stream)),
              file("/var/log/aws/codedeploy-agent/codedeploy-agent.log", "deployment", "agent"),
              file("/opt/codedeploy-agent/deployment-root/deployment-logs/codedeploy-agent-deployments.log", "deployment", "deployments"),
            ],
          },
        },
      },
    };

    this.parameter = pin(
      this,
      new SsmParameter(this, "parameter", {
        name: props.parameterName,
        description: `CloudWatch agent configuration of ${props.namePrefix}`,
        type: "String",
        tier: "Standard",
        value: terraformLiteral(JSON.stringify(this.configuration, null, 2)),
      }),
      "config",
    );
    this.parameterName = props.parameterName;
    this.parameterArn = this.parameter.arn;
  }

  /** What the agent on an instance needs: its configuration, the log groups, and metrics in its namespace. */
  public grantAgent(role: Role): void {
    role.addToPolicy({ actions: ["ssm:GetParameter"], resources: [this.parameterArn] });
    for (const group of [this.applicationLogGroup, this.systemLogGroup, this.deploymentLogGroup]) group.grantWrite(role);
    role.addToPolicy({
      sid: "AgentMetrics",
      actions: ["cloudwatch:PutMetricData"],
      resources: ["*"],
      conditions: [{ test: "StringEquals", variable: "cloudwatch:namespace", values: [AGENT_NAMESPACE] }],
    });
    role.addToPolicy({ sid: "AgentDimensions", actions: ["ec2:DescribeTags", "ec2:DescribeVolumes"], resources: ["*"] });
  }
}
