import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import { childId, pin } from "../lib/address";
import { PolicyStatement } from "../lib/iam";
import { AccountContext } from "./account-context";
import { PolicyDocument } from "./policy-document";
import { Role } from "./role";

export interface EncryptionKeyProps {
  /** Alias without the `alias/` prefix. */
  readonly alias: string;
  readonly description: string;
  /**
   * Days between scheduling deletion and the key being deleted.
   * @default 30
   */
  readonly deletionWindowDays?: number;
  /**
   * Provider of another region (e.g. us-east-1 for what CloudFront's WAF logs to); `region` names it.
   * @default the stack's default provider and region
   */
  readonly provider?: TerraformProvider;
  /**
   * Region of `provider`: key policy statements for regional services (CloudWatch Logs) name it.
   * @default the stack's region
   */
  readonly region?: string;
}

/**
 * A customer-managed KMS key with yearly rotation. Its key policy delegates to IAM (account root)
 * and admits AWS services only for the uses other constructs declare (`allowCloudWatchLogs`,
 * `allowServiceToPublish`), each narrowed by conditions.
 */
export class EncryptionKey extends Construct {
  public readonly keyArn: string;
  public readonly keyId: string;
  public readonly aliasName: string;
  public readonly keyPolicy: PolicyDocument;
  private readonly context: AccountContext;
  private readonly region: string;

  constructor(scope: Construct, id: string, props: EncryptionKeyProps) {
    super(scope, id);
    this.context = AccountContext.of(this);
    this.region = props.region ?? this.context.region;
    this.keyPolicy = new PolicyDocument(this, childId(this, "policy"), {
      statements: [
        {
          // The default key policy: without it IAM policies cannot grant use of the key and the key
          // becomes unmanageable. Access is then decided by IAM (the grant* helpers).
          sid: "EnableIamPolicies",
          actions: ["kms:*"],
          resources: ["*"],
          principals: [{ type: "AWS", identifiers: [`arn:${this.context.partition}:iam::${this.context.accountId}:root`] }],
        },
      ],
    });
    const key = pin(
      this,
      new KmsKey(this, "key", {
        description: props.description,
        enableKeyRotation: true,
        deletionWindowInDays: props.deletionWindowDays ?? 30,
        policy: this.keyPolicy.json,
        provider: props.provider,
      }),
    );
    const alias = pin(this, new KmsAlias(this, "alias", { name: `alias/${props.alias}`, targetKeyId: key.keyId, provider: props.provider }));
    this.keyArn = key.arn;
    this.keyId = key.keyId;
    this.aliasName = alias.name;
  }

  public addToResourcePolicy(...statements: PolicyStatement[]): void {
    this.keyPolicy.addStatements(...statements);
  }

  /** Lets CloudWatch Logs encrypt the named log group with this key. */
  public allowCloudWatchLogs(logGroupName: string): void {
    const c = this.context;
    this.addToResourcePolicy({
      sid: `Logs${pascal(logGroupName)}`,
      actions: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
      resources: ["*"],
      principals: [{ type: "Service", identifiers: [`logs.${this.region}.${c.urlSuffix}`] }],
      conditions: [{ test: "ArnEquals", variable: "kms:EncryptionContext:aws:logs:arn", values: [c.arn("logs", `log-group:${logGroupName}`, { region: this.region })] }],
    });
  }

  /**
   * Lets an AWS service principal (e.g. `cloudwatch.amazonaws.com`) use the key to publish to
   * encrypted resources of this account, such as SNS topics.
   */
  public allowServiceToPublish(servicePrincipal: string): void {
    this.addToResourcePolicy({
      sid: `Publish${pascal(servicePrincipal.split(".")[0])}`,
      actions: ["kms:Decrypt", "kms:GenerateDataKey*"],
      resources: ["*"],
      principals: [{ type: "Service", identifiers: [servicePrincipal] }],
      conditions: [{ test: "StringEquals", variable: "aws:SourceAccount", values: [this.context.accountId] }],
    });
  }

  /** IAM grant: encrypt and decrypt data with this key. */
  public grantEncryptDecrypt(role: Role): void {
    role.addToPolicy({ actions: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*", "kms:DescribeKey"], resources: [this.keyArn] });
  }

  /** IAM grant: decrypt data encrypted with this key. */
  public grantDecrypt(role: Role): void {
    role.addToPolicy({ actions: ["kms:Decrypt", "kms:DescribeKey"], resources: [this.keyArn] });
  }
}

/** IAM statement ids allow only letters and digits. */
function pascal(text: string): string {
  return text
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join("");
}
