import { Rule } from "../engine";
import { permissionDocumentsOf, Statement } from "../iam";
import { block, blocks, isTrue, referencedAddresses, shown, StackView, strings, TfResource } from "../terraform";

const BUCKET = ["aws_s3_bucket"];
const PUBLIC_ACCESS_FLAGS = ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"];

/** Companion resources of a bucket (`aws_s3_bucket_*`) that name it in their `bucket` argument. */
function partsOf(stack: StackView, bucket: TfResource, type: string): TfResource[] {
  return stack.referrers(bucket, [type], "bucket");
}

function missing(type: string): string {
  return `no ${type} refers to this bucket`;
}

export const S3_RULES: Rule[] = [
  {
    id: "S3.PUBLIC_ACCESS_BLOCK",
    title: "Every bucket has a public access block with all four flags on.",
    rationale: "A single missing flag lets a later ACL or bucket policy make objects public; the block is the guard that survives mistakes elsewhere.",
    fix: "Add an aws_s3_bucket_public_access_block for the bucket with block_public_acls, block_public_policy, ignore_public_acls and restrict_public_buckets all true (the Bucket construct does).",
    checkov: ["CKV2_AWS_6", "CKV_AWS_53", "CKV_AWS_54", "CKV_AWS_55", "CKV_AWS_56"],
    resourceTypes: BUCKET,
    check: (bucket, stack) => {
      // An account-wide block with all four flags covers every bucket.
      if (stack.resources("aws_s3_account_public_access_block").some((a) => PUBLIC_ACCESS_FLAGS.every((f) => isTrue(a.values[f])))) return undefined;
      const blocks = partsOf(stack, bucket, "aws_s3_bucket_public_access_block");
      if (blocks.length === 0) return missing("aws_s3_bucket_public_access_block");
      return blocks.flatMap((b) => PUBLIC_ACCESS_FLAGS.filter((f) => !isTrue(b.values[f])).map((f) => `${b.address}: ${f} is ${shown(b.values[f])}`));
    },
  },
  {
    id: "S3.ENCRYPTION",
    title: "Every bucket has a default server-side encryption configuration.",
    rationale: "An explicit SSE configuration (SSE-KMS with the environment key, or SSE-S3 where a service requires it) documents and pins how data at rest is protected.",
    fix: "Add an aws_s3_bucket_server_side_encryption_configuration with apply_server_side_encryption_by_default (sse_algorithm aws:kms with a customer-managed key, or AES256 for ALB/CloudFront log buckets).",
    checkov: ["CKV_AWS_19", "CKV_AWS_145"],
    resourceTypes: BUCKET,
    check: (bucket, stack) => {
      const configs = [...partsOf(stack, bucket, "aws_s3_bucket_server_side_encryption_configuration").map((c) => c.values), ...blocks(bucket.values.server_side_encryption_configuration)];
      const algorithms = configs.flatMap((c) => blocks(c.rule).map((r) => block(r.apply_server_side_encryption_by_default).sse_algorithm));
      if (algorithms.some((a) => ["AES256", "aws:kms", "aws:kms:dsse"].includes(a))) return undefined;
      return configs.length === 0 ? missing("aws_s3_bucket_server_side_encryption_configuration") : `no rule sets a default sse_algorithm (found ${shown(algorithms)})`;
    },
  },
  {
    id: "S3.VERSIONING",
    title: "Every bucket has versioning enabled.",
    rationale: "Versions make overwrites and deletions recoverable; CodeDeploy and CodePipeline also rely on object versions of revisions.",
    fix: "Add an aws_s3_bucket_versioning for the bucket with versioning_configuration.status = \"Enabled\", and expire noncurrent versions with a lifecycle rule.",
    checkov: ["CKV_AWS_21"],
    resourceTypes: BUCKET,
    check: (bucket, stack) => {
      const versioning = partsOf(stack, bucket, "aws_s3_bucket_versioning");
      if (versioning.some((v) => block(v.values.versioning_configuration).status === "Enabled")) return undefined;
      if (blocks(bucket.values.versioning).some((v) => isTrue(v.enabled))) return undefined;
      return versioning.length === 0 ? missing("aws_s3_bucket_versioning") : `versioning_configuration.status is ${shown(block(versioning[0].values.versioning_configuration).status)}`;
    },
  },
  {
    id: "S3.TLS_ONLY",
    title: "Every bucket policy denies requests that do not use TLS, for the bucket and its objects.",
    rationale: "Without an explicit deny on aws:SecureTransport = false, S3 accepts plain HTTP requests whose credentials and data travel unencrypted.",
    fix: "Add a bucket policy statement: Effect Deny, Principal *, Action s3:*, Resource [bucket ARN, bucket ARN/*], Condition Bool aws:SecureTransport = false (lib/iam.ts denyInsecureTransport).",
    checkov: ["CKV_AWS_379"],
    resourceTypes: BUCKET,
    check: (bucket, stack) => {
      // The bucket's own (deprecated) inline `policy` argument counts too.
      const documents = [bucket, ...partsOf(stack, bucket, "aws_s3_bucket_policy")].flatMap((h) => permissionDocumentsOf(h, stack));
      if (documents.length === 0) return missing("aws_s3_bucket_policy");
      const statements = documents.flatMap((d) => d.statements);
      return statements.some((s) => deniesInsecureTransport(s, bucket)) ? undefined : "no Deny statement on aws:SecureTransport = false covers both the bucket ARN and its objects (ARN/*)";
    },
  },
  {
    id: "S3.LIFECYCLE",
    title: "Every bucket has at least one enabled lifecycle rule.",
    rationale: "Without expiry, artifacts, logs, noncurrent versions and incomplete multipart uploads accumulate and are paid for indefinitely.",
    fix: "Add an aws_s3_bucket_lifecycle_configuration with enabled rules that expire objects, noncurrent versions and incomplete multipart uploads.",
    checkov: ["CKV2_AWS_61", "CKV_AWS_300"],
    resourceTypes: BUCKET,
    check: (bucket, stack) => {
      const configs = partsOf(stack, bucket, "aws_s3_bucket_lifecycle_configuration");
      if (configs.some((c) => blocks(c.values.rule).some((r) => r.status === "Enabled"))) return undefined;
      if (blocks(bucket.values.lifecycle_rule).some((r) => isTrue(r.enabled))) return undefined;
      return configs.length === 0 ? missing("aws_s3_bucket_lifecycle_configuration") : "the lifecycle configuration has no rule with status Enabled";
    },
  },
];

function deniesInsecureTransport(s: Statement, bucket: TfResource): boolean {
  const everyone = s.principals.some((p) => p.identifiers.includes("*") && (p.type === "*" || p.type === "AWS"));
  const allActions = s.actions.some((a) => a === "*" || a === "s3:*");
  const onPlainHttp = s.conditions.some((c) => c.test === "Bool" && c.variable === "aws:SecureTransport" && strings(c.values).includes("false"));
  const ofBucket = (r: string) => referencedAddresses(r).has(bucket.address) || r === "*";
  const coversBucket = s.resources.some((r) => ofBucket(r) && !r.endsWith("/*"));
  const coversObjects = s.resources.some((r) => ofBucket(r) && (r.endsWith("/*") || r === "*"));
  return s.effect === "Deny" && everyone && allActions && onPlainHttp && coversBucket && coversObjects;
}
