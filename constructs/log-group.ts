import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import { pin } from "../lib/address";
import { EncryptionKey } from "./encryption-key";
import { Role } from "./role";

export interface LogGroupProps {
  readonly logGroupName: string;
  /** Days to keep events; one of the periods CloudWatch Logs accepts. */
  readonly retentionDays: number;
  /** Key that encrypts the events; its policy is extended to admit CloudWatch Logs for this group. */
  readonly encryptionKey: EncryptionKey;
  /**
   * Provider of another region; the key must be in that region too.
   * @default the stack's default provider
   */
  readonly provider?: TerraformProvider;
}

/** A CloudWatch Logs group that always has a retention period and a customer-managed key. */
export class LogGroup extends Construct {
  public readonly logGroupName: string;
  public readonly logGroupArn: string;

  constructor(scope: Construct, id: string, props: LogGroupProps) {
    super(scope, id);
    props.encryptionKey.allowCloudWatchLogs(props.logGroupName);
    const group = pin(
      this,
      new CloudwatchLogGroup(this, "log-group", {
        name: props.logGroupName,
        retentionInDays: props.retentionDays,
        kmsKeyId: props.encryptionKey.keyArn,
        provider: props.provider,
      }),
    );
    this.logGroupName = group.name;
    this.logGroupArn = group.arn;
  }

  /** Lets `role` create streams and put events in this group. */
  public grantWrite(role: Role): void {
    role.addToPolicy({
      actions: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
      resources: [this.logGroupArn, `${this.logGroupArn}:*`],
    });
  }
}
