import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketNotification } from "@cdktf/provider-aws/lib/s3-bucket-notification";
import { S3BucketLifecycleConfiguration, S3BucketLifecycleConfigurationRule } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { Construct } from "constructs";
import { childId, pin } from "../lib/address";
import { denyInsecureTransport, PolicyStatement } from "../lib/iam";
import { EncryptionKey } from "./encryption-key";
import { PolicyDocument } from "./policy-document";
import { Role } from "./role";

export interface LifecycleRule {
  /** Rule id, unique within the bucket. */
  readonly id: string;
  /**
   * Objects the rule applies to.
   * @default "" (the whole bucket)
   */
  readonly prefix?: string;
  /** Days after which current versions expire. @default never */
  readonly expirationDays?: number;
  /** Days after which noncurrent versions are deleted. @default never */
  readonly noncurrentVersionExpirationDays?: number;
  /** Days after which incomplete multipart uploads are aborted. @default never */
  readonly abortIncompleteMultipartUploadDays?: number;
}

export interface BucketProps {
  /** Prefix of the bucket name; S3 appends a unique suffix, so no account ID is needed for global uniqueness. */
  readonly bucketPrefix: string;
  /**
   * Key for SSE-KMS (with an S3 bucket key). Without one the bucket uses SSE-S3 (AES-256), which is
   * what ALB access logs and CloudFront logs require.
   * @default SSE-S3
   */
  readonly encryptionKey?: EncryptionKey;
  /**
   * Lifecycle rules. A rule that removes expired delete markers is always added.
   * @default none besides the delete-marker cleanup
   */
  readonly lifecycleRules?: readonly LifecycleRule[];
  /**
   * Let `terraform destroy` delete a bucket that still holds objects.
   * @default false
   */
  readonly forceDestroy?: boolean;
}

/**
 * A private S3 bucket as production needs it: versioned, encrypted, all four public access
 * block flags, bucket-owner-enforced object ownership (no ACLs), a policy that refuses non-TLS
 * requests, and lifecycle rules. Other constructs extend its policy or take grants.
 */
export class Bucket extends Construct {
  public readonly bucketName: string;
  public readonly bucketArn: string;
  public readonly bucketRegionalDomainName: string;
  public readonly policy: PolicyDocument;
  /** The attached bucket policy, for resources that must wait for it. */
  public readonly policyResource: S3BucketPolicy;
  public readonly encryptionKey?: EncryptionKey;
  private readonly bucketId: string;
  private eventBridge?: S3BucketNotification;

  constructor(scope: Construct, id: string, props: BucketProps) {
    super(scope, id);
    this.encryptionKey = props.encryptionKey;
    const bucket = pin(this, new S3Bucket(this, "bucket", { bucketPrefix: props.bucketPrefix, forceDestroy: props.forceDestroy ?? false }));
    this.bucketName = bucket.bucket;
    this.bucketId = bucket.id;
    this.bucketArn = bucket.arn;
    this.bucketRegionalDomainName = bucket.bucketRegionalDomainName;

    const versioning = pin(
      this,
      new S3BucketVersioningA(this, "versioning", { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } }),
    );
    pin(
      this,
      new S3BucketServerSideEncryptionConfigurationA(this, "encryption", {
        bucket: bucket.id,
        rule: [
          props.encryptionKey
            ? { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: props.encryptionKey.keyArn }, bucketKeyEnabled: true }
            : { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
        ],
      }),
    );
    const publicAccess = pin(
      this,
      new S3BucketPublicAccessBlock(this, "public-access-block", {
        bucket: bucket.id,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      }),
    );
    pin(this, new S3BucketOwnershipControls(this, "ownership", { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } }));

    this.policy = new PolicyDocument(this, childId(this, "policy"), {
      statements: [denyInsecureTransport([bucket.arn, `${bucket.arn}/*`])],
    });
    // A policy put before the public access block exists can be refused as "public"; order them.
    this.policyResource = pin(this, new S3BucketPolicy(this, "bucket-policy", { bucket: bucket.id, policy: this.policy.json, dependsOn: [publicAccess] }));

    const rules: S3BucketLifecycleConfigurationRule[] = (props.lifecycleRules ?? []).map(toRule);
    rules.push({ id: "expired-delete-markers", status: "Enabled", filter: [{ prefix: "" }], expiration: [{ expiredObjectDeleteMarker: true }] });
    // Lifecycle rules on noncurrent versions need versioning to be in place first (provider docs).
    pin(this, new S3BucketLifecycleConfiguration(this, "lifecycle", { bucket: bucket.id, rule: rules, dependsOn: [versioning] }));
  }

  /**
   * Sends the bucket's events to EventBridge (for rules such as a pipeline's S3 source). A bucket
   * has one notification configuration, so this is the only place that creates it.
   */
  public enableEventBridge(): void {
    this.eventBridge ??= pin(this, new S3BucketNotification(this, "notification", { bucket: this.bucketId, eventbridge: true }), "notification");
  }

  public addToResourcePolicy(...statements: PolicyStatement[]): void {
    this.policy.addStatements(...statements);
  }

  /** Read objects under `prefix` (and list that prefix). */
  public grantRead(role: Role, prefix = ""): void {
    role.addToPolicy(
      { actions: ["s3:GetObject", "s3:GetObjectVersion"], resources: [`${this.bucketArn}/${prefix}*`] },
      { actions: ["s3:ListBucket", "s3:GetBucketLocation"], resources: [this.bucketArn], ...(prefix ? { conditions: [{ test: "StringLike", variable: "s3:prefix", values: [`${prefix}*`] }] } : {}) },
    );
    this.encryptionKey?.grantDecrypt(role);
  }

  /** Write objects under `prefix`. */
  public grantWrite(role: Role, prefix = ""): void {
    role.addToPolicy({ actions: ["s3:PutObject", "s3:AbortMultipartUpload"], resources: [`${this.bucketArn}/${prefix}*`] });
    this.encryptionKey?.grantEncryptDecrypt(role);
  }

  public grantReadWrite(role: Role, prefix = ""): void {
    this.grantRead(role, prefix);
    this.grantWrite(role, prefix);
  }
}

function toRule(rule: LifecycleRule): S3BucketLifecycleConfigurationRule {
  return {
    id: rule.id,
    status: "Enabled",
    filter: [{ prefix: rule.prefix ?? "" }],
    expiration: rule.expirationDays !== undefined ? [{ days: rule.expirationDays }] : undefined,
    noncurrentVersionExpiration: rule.noncurrentVersionExpirationDays !== undefined ? [{ noncurrentDays: rule.noncurrentVersionExpirationDays }] : undefined,
    abortIncompleteMultipartUpload:
      rule.abortIncompleteMultipartUploadDays !== undefined ? [{ daysAfterInitiation: rule.abortIncompleteMultipartUploadDays }] : undefined,
  };
}
