import { ArtifactStore, ArtifactStoreProps } from "../constructs/artifact-store";
import { EncryptionKey } from "../constructs/encryption-key";
import { Role } from "../constructs/role";
import { bareStack, ref, resource, statements, Synth, synthStack } from "./helpers/synth";

function synthStore(props: Partial<ArtifactStoreProps> = {}, withGrants?: (store: ArtifactStore, role: Role) => void): Synth {
  const { stack } = bareStack();
  const key = new EncryptionKey(stack, "environment-key", { alias: "app-test", description: "test" });
  const store = new ArtifactStore(stack, "artifacts", { namePrefix: "app-test", encryptionKey: key, ...props });
  if (withGrants) {
    const role = new Role(stack, "consumer", { roleName: "consumer", description: "test", assumedBy: { type: "Service", identifiers: ["ec2.amazonaws.com"] } });
    withGrants(store, role);
  }
  return synthStack(stack);
}

describe("ArtifactStore bucket", () => {
  const json = synthStore();

  test("name is a prefix (S3 adds a unique suffix, no account ID needed) and force_destroy is off by default", () => {
    expect(resource(json, "aws_s3_bucket", "artifacts_bucket")).toMatchObject({ bucket_prefix: "app-test-artifacts-", force_destroy: false });
  });

  test("versioned", () => {
    expect(resource(json, "aws_s3_bucket_versioning", "artifacts_bucket").versioning_configuration).toEqual({ status: "Enabled" });
  });

  test("SSE-KMS with the environment key and an S3 bucket key", () => {
    expect(resource(json, "aws_s3_bucket_server_side_encryption_configuration", "artifacts_bucket").rule).toEqual([
      { apply_server_side_encryption_by_default: { sse_algorithm: "aws:kms", kms_master_key_id: ref("aws_kms_key.environment_key", "arn") }, bucket_key_enabled: true },
    ]);
  });

  test("all four public access block flags, and ACLs disabled", () => {
    expect(resource(json, "aws_s3_bucket_public_access_block", "artifacts_bucket")).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(resource(json, "aws_s3_bucket_ownership_controls", "artifacts_bucket").rule).toEqual({ object_ownership: "BucketOwnerEnforced" });
  });

  test("policy denies every request without TLS, on the bucket and its objects", () => {
    expect(statements(json, "artifacts_bucket_policy")).toEqual([
      {
        sid: "DenyInsecureTransport",
        effect: "Deny",
        actions: ["s3:*"],
        resources: [ref("aws_s3_bucket.artifacts_bucket", "arn"), `${ref("aws_s3_bucket.artifacts_bucket", "arn")}/*`],
        principals: [{ type: "*", identifiers: ["*"] }],
        condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
      },
    ]);
    expect(resource(json, "aws_s3_bucket_policy", "artifacts_bucket").depends_on).toEqual(["aws_s3_bucket_public_access_block.artifacts_bucket"]);
  });

  test("lifecycle: artifacts and noncurrent versions expire, uploads are aborted, logs and the build cache have their own periods", () => {
    const lifecycle = resource(json, "aws_s3_bucket_lifecycle_configuration", "artifacts_bucket");
    expect(lifecycle.depends_on).toEqual(["aws_s3_bucket_versioning.artifacts_bucket"]);
    expect(lifecycle.rule).toEqual([
      {
        id: "expire-artifacts",
        status: "Enabled",
        filter: [{ prefix: "" }],
        expiration: [{ days: 365 }],
        noncurrent_version_expiration: [{ noncurrent_days: 30 }],
        abort_incomplete_multipart_upload: [{ days_after_initiation: 7 }],
      },
      { id: "expire-image-builder-logs", status: "Enabled", filter: [{ prefix: "image-builder/" }], expiration: [{ days: 90 }] },
      // CodeBuild's S3 cache: every build replaces it.
      { id: "expire-build-cache", status: "Enabled", filter: [{ prefix: "build-cache/" }], expiration: [{ days: 30 }], noncurrent_version_expiration: [{ noncurrent_days: 1 }] },
      { id: "expired-delete-markers", status: "Enabled", filter: [{ prefix: "" }], expiration: [{ expired_object_delete_marker: true }] },
    ]);
  });

  test("expiration periods come from props", () => {
    const rules = resource(synthStore({ artifactExpirationDays: 60, noncurrentVersionExpirationDays: 5, logExpirationDays: 14 }), "aws_s3_bucket_lifecycle_configuration", "artifacts_bucket").rule;
    expect(rules[0]).toMatchObject({ expiration: [{ days: 60 }], noncurrent_version_expiration: [{ noncurrent_days: 5 }] });
    expect(rules[1]).toMatchObject({ expiration: [{ days: 14 }] });
  });

  test("forceDestroy reaches the bucket and the repository", () => {
    const unprotected = synthStore({ forceDestroy: true });
    expect(resource(unprotected, "aws_s3_bucket", "artifacts_bucket").force_destroy).toBe(true);
    expect(resource(unprotected, "aws_ecr_repository", "artifacts_repository").force_delete).toBe(true);
  });
});

describe("ArtifactStore repository", () => {
  test("scan on push, immutable tags, KMS, no force delete by default", () => {
    expect(resource(synthStore(), "aws_ecr_repository", "artifacts_repository")).toMatchObject({
      name: "app-test",
      image_tag_mutability: "IMMUTABLE",
      image_scanning_configuration: { scan_on_push: true },
      encryption_configuration: [{ encryption_type: "KMS", kms_key: ref("aws_kms_key.environment_key", "arn") }],
      force_delete: false,
    });
  });

  test("mutable tags on request", () => {
    expect(resource(synthStore({ immutableTags: false }), "aws_ecr_repository", "artifacts_repository").image_tag_mutability).toBe("MUTABLE");
  });

  test("lifecycle policy expires untagged images, then keeps the last N", () => {
    const policy = JSON.parse(resource(synthStore({ keepLastImages: 12, untaggedExpirationDays: 3 }), "aws_ecr_lifecycle_policy", "artifacts_repository").policy);
    expect(policy.rules).toEqual([
      expect.objectContaining({ rulePriority: 1, selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 3 }, action: { type: "expire" } }),
      expect.objectContaining({ rulePriority: 2, selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 12 }, action: { type: "expire" } }),
    ]);
  });
});

describe("ArtifactStore grants", () => {
  test("grantRead on a prefix: objects and listing scoped to it, plus decrypt on the key", () => {
    const json = synthStore({}, (store, role) => store.bucket.grantRead(role, "releases/"));
    const arn = ref("aws_s3_bucket.artifacts_bucket", "arn");
    expect(statements(json, "consumer_policy")).toEqual([
      { effect: "Allow", actions: ["s3:GetObject", "s3:GetObjectVersion"], resources: [`${arn}/releases/*`] },
      { effect: "Allow", actions: ["s3:ListBucket", "s3:GetBucketLocation"], resources: [arn], condition: [{ test: "StringLike", variable: "s3:prefix", values: ["releases/*"] }] },
      { effect: "Allow", actions: ["kms:Decrypt", "kms:DescribeKey"], resources: [ref("aws_kms_key.environment_key", "arn")] },
    ]);
  });

  test("grantWrite: put on the prefix and encrypt with the key; repeated grants add nothing", () => {
    const json = synthStore({}, (store, role) => {
      store.bucket.grantWrite(role, "logs/");
      store.bucket.grantWrite(role, "logs/");
    });
    const policy = statements(json, "consumer_policy");
    expect(policy).toHaveLength(2);
    expect(policy[0]).toMatchObject({ actions: ["s3:PutObject", "s3:AbortMultipartUpload"], resources: [`${ref("aws_s3_bucket.artifacts_bucket", "arn")}/logs/*`] });
    expect(policy[1].actions).toContain("kms:GenerateDataKey*");
  });

  test("grantPull: the auth token (not resource-scoped in the ECR API) and pulls from this repository only", () => {
    const json = synthStore({}, (store, role) => store.repository.grantPull(role));
    const policy = statements(json, "consumer_policy");
    expect(policy[0]).toMatchObject({ sid: "EcrAuthToken", actions: ["ecr:GetAuthorizationToken"], resources: ["*"] });
    expect(policy[1]).toMatchObject({ actions: ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"], resources: [ref("aws_ecr_repository.artifacts_repository", "arn")] });
  });

  test("grantPush adds the upload actions on this repository only", () => {
    const policy = statements(synthStore({}, (store, role) => store.repository.grantPush(role)), "consumer_policy");
    const upload = policy.find((s) => s.actions.includes("ecr:PutImage"));
    expect(upload?.resources).toEqual([ref("aws_ecr_repository.artifacts_repository", "arn")]);
  });
});
