import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { Construct } from "constructs";
import { childId, pin } from "../lib/address";
import { AccountContext } from "./account-context";
import { EncryptionKey } from "./encryption-key";
import { PolicyDocument } from "./policy-document";
import { Role } from "./role";

export interface NotificationTopicProps {
  readonly topicName: string;
  /** Customer-managed key: the AWS-managed SNS key cannot be used by CloudWatch alarms. */
  readonly encryptionKey: EncryptionKey;
  /**
   * Address subscribed by e-mail (AWS sends a confirmation message).
   * @default no subscription
   */
  readonly email?: string;
}

/**
 * The environment's SNS topic for fleet events, alarms and deployment results, encrypted with the
 * environment key. Publishers are admitted explicitly: CloudWatch alarms (topic and key policy),
 * EC2 Auto Scaling through its service-linked role (key policy; the topic policy's owner
 * statement covers it) and roles given {@link grantPublish}.
 */
export class NotificationTopic extends Construct {
  public readonly topicArn: string;
  private readonly encryptionKey: EncryptionKey;

  constructor(scope: Construct, id: string, props: NotificationTopicProps) {
    super(scope, id);
    const context = AccountContext.of(this);
    this.encryptionKey = props.encryptionKey;
    const topic = pin(this, new SnsTopic(this, "topic", { name: props.topicName, kmsMasterKeyId: props.encryptionKey.keyArn }));
    this.topicArn = topic.arn;

    const policy = new PolicyDocument(this, childId(this, "policy"), {
      statements: [
        {
          sid: "AccountOwner",
          actions: ["sns:Publish", "sns:Subscribe", "sns:GetTopicAttributes", "sns:SetTopicAttributes", "sns:ListSubscriptionsByTopic"],
          resources: [topic.arn],
          principals: [{ type: "AWS", identifiers: [`arn:${context.partition}:iam::${context.accountId}:root`] }],
        },
        {
          sid: "CloudWatchAlarms",
          actions: ["sns:Publish"],
          resources: [topic.arn],
          principals: [{ type: "Service", identifiers: ["cloudwatch.amazonaws.com"] }],
          conditions: [{ test: "StringEquals", variable: "aws:SourceAccount", values: [context.accountId] }],
        },
        {
          sid: "DenyInsecureTransport",
          effect: "Deny",
          actions: ["sns:Publish"],
          resources: [topic.arn],
          principals: [{ type: "*", identifiers: ["*"] }],
          conditions: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
        },
      ],
    });
    pin(this, new SnsTopicPolicy(this, "topic-policy", { arn: topic.arn, policy: policy.json }));

    props.encryptionKey.allowServiceToPublish("cloudwatch.amazonaws.com");
    // Auto Scaling publishes with its service-linked role. Naming the role as a principal would make
    // the key policy invalid in an account where the role does not exist yet, so it is matched by
    // ARN condition instead.
    props.encryptionKey.addToResourcePolicy({
      sid: "AutoScalingNotifications",
      actions: ["kms:Decrypt", "kms:GenerateDataKey*"],
      resources: ["*"],
      principals: [{ type: "AWS", identifiers: ["*"] }],
      conditions: [
        { test: "StringEquals", variable: "kms:CallerAccount", values: [context.accountId] },
        {
          test: "ArnLike",
          variable: "aws:PrincipalArn",
          values: [`arn:${context.partition}:iam::${context.accountId}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling*`],
        },
        { test: "StringEquals", variable: "kms:ViaService", values: [`sns.${context.region}.${context.urlSuffix}`] },
      ],
    });

    if (props.email) {
      pin(this, new SnsTopicSubscription(this, "email", { topicArn: topic.arn, protocol: "email", endpoint: props.email }), "email");
    }
  }

  /** Lets `role` publish to the topic (and use the key for it). */
  public grantPublish(role: Role): void {
    role.addToPolicy({ actions: ["sns:Publish"], resources: [this.topicArn] });
    role.addToPolicy({ actions: ["kms:Decrypt", "kms:GenerateDataKey*"], resources: [this.encryptionKey.keyArn] });
  }
}
