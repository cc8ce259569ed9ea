import { TerraformOutput } from "cdktf";
import { Construct } from "constructs";
import { AccountContext } from "../constructs/account-context";
import { Bucket } from "../constructs/bucket";
import { CiIdentity } from "../constructs/ci-identity";
import { EcsService } from "../constructs/ecs-service";
import { EncryptionKey } from "../constructs/encryption-key";
import { CiConfig } from "../lib/config/ci";
import { ciRoleName } from "../lib/release/ci-files";

/*
 * The identity of a third-party CI (ci.provider, docs/ci-providers.md) and exactly the calls its
 * generated file makes (lib/release/ci-files.ts; __tests__/iam-coverage.test.ts checks each one).
 * Nothing is created for ci.provider codepipeline.
 */

export interface FleetCiProps {
  readonly appName: string;
  readonly envName: string;
  readonly ci: CiConfig;
  /** The artifact bucket and the key of the pipeline's S3 source. */
  readonly bucket: Bucket;
  readonly objectKey: string;
  /** The key that encrypts the bucket's objects. */
  readonly encryptionKey: EncryptionKey;
  /** Name of the release parameter that holds the bucket's name. */
  readonly bucketParameterName: string;
}

/** Fleet: read the bucket's name, put the source zip under the one key the pipeline watches. */
export function fleetCiIdentity(scope: Construct, props: FleetCiProps): CiIdentity | undefined {
  if (props.ci.provider === "codepipeline") return undefined;
  const identity = new CiIdentity(scope, "ci", { roleName: ciRoleName(props.appName, props.envName), ci: props.ci });
  const context = AccountContext.of(scope);
  identity.role.addToPolicy(
    { sid: "ArtifactBucketName", actions: ["ssm:GetParameter"], resources: [context.arn("ssm", `parameter${props.bucketParameterName}`)] },
    // The object itself, not a prefix: the CI can start a release and do nothing else with the bucket.
    { sid: "PipelineSource", actions: ["s3:PutObject", "s3:AbortMultipartUpload"], resources: [`${props.bucket.bucketArn}/${props.objectKey}`] },
  );
  // SSE-KMS with the environment key: PutObject needs GenerateDataKey, multipart uploads Decrypt.
  props.encryptionKey.grantEncryptDecrypt(identity.role);
  output(scope, identity);
  return identity;
}

/** ECS: push each service's image, register the next revision from Terraform's latest, roll the service. */
export function ecsCiIdentity(scope: Construct, appName: string, envName: string, ci: CiConfig, services: readonly EcsService[]): CiIdentity | undefined {
  if (ci.provider === "codepipeline") return undefined;
  const identity = new CiIdentity(scope, "ci", { roleName: ciRoleName(appName, envName), ci });
  for (const service of services) {
    service.repository.grantPush(identity.role);
    service.grantDeploy(identity.role);
  }
  output(scope, identity);
  return identity;
}

function output(scope: Construct, identity: CiIdentity): void {
  new TerraformOutput(scope, "ci_role_arn", { value: identity.role.roleArn, description: "IAM role the environment's CI assumes (docs/ci-providers.md)" });
  if (identity.oidcProviderArn) {
    new TerraformOutput(scope, "ci_oidc_provider_arn", { value: identity.oidcProviderArn, description: "OIDC provider the CI role trusts" });
  }
}
