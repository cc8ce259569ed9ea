import { DataAwsSsmParameter } from "@cdktf/provider-aws/lib/data-aws-ssm-parameter";
import { Fn, TerraformProvider, TerraformStack } from "cdktf";
import { pinName } from "../lib/address";
import { AppConfig, EnvironmentConfig } from "../lib/config/schema";
import { Architecture } from "../lib/ec2";
import { ArtifactStore } from "../constructs/artifact-store";
import { CloudWatchAgent, CloudWatchAgentProps, NamedLogFile } from "../constructs/cloudwatch-agent";
import { EncryptionKey } from "../constructs/encryption-key";
import { GoldenAmi } from "../constructs/golden-ami";
import { AccountContext } from "../constructs/account-context";
import { INetwork, Network, NetworkProps } from "../constructs/network";
import { NotificationTopic } from "../constructs/notification-topic";
import { WebAcl } from "../constructs/web-acl";
import { WafConfig } from "../lib/config/waf";

/*
 * The parts every environment stack builds the same way from its configuration, whatever runs the
 * application (fleet, host): one place maps configuration to construct properties, so platforms
 * cannot drift apart. Construct ids are fixed here, so the parts keep the same addresses in every
 * kind of stack.
 */

/** Tags on every resource of an environment (provider default tags, and what Image Builder creates). */
export function environmentTags(app: AppConfig, envName: string, env: EnvironmentConfig): Record<string, string> {
  return { ...app.tags, ...env.tags, application: app.name, environment: envName, "managed-by": "cdktf" };
}

/** What a platform decides about its VPC beyond the configuration: its security groups. */
export type NetworkRoles = Pick<NetworkProps, "appPort" | "albIngressCidrs" | "albHttps" | "sshIngressCidrs" | "loadBalancerSecurityGroup" | "instanceSecurityGroup">;

/** The environment's own VPC from `network` (required: callers check that it is configured). */
export function environmentNetwork(stack: TerraformStack, namePrefix: string, env: EnvironmentConfig, encryptionKey: EncryptionKey, roles: NetworkRoles): Network {
  const net = env.network;
  if (!net) throw new Error(`${stack.node.id}: the environment has no network section`);
  return new Network(stack, "network", {
    namePrefix,
    cidr: net.cidr,
    availabilityZones: AccountContext.of(stack).availabilityZones(net.availabilityZones?.length ?? net.azCount),
    encryptionKey,
    privateSubnets: net.privateSubnets,
    natGateways: net.natGateways,
    dataSubnets: net.dataSubnets,
    databasePort: net.databasePort,
    flowLogs: net.flowLogs.enabled ? { retentionDays: net.flowLogs.retentionDays, trafficType: net.flowLogs.trafficType } : false,
    endpoints: net.endpoints,
    ...roles,
  });
}

/**
 * The web ACL of a `waf` section (construct id `waf`, so the same addresses in every kind of stack):
 * REGIONAL on the ALB at `loadBalancerArn`, or CLOUDFRONT (no ARN: the distribution names the ACL)
 * with a us-east-1 `provider` and a log key in that region.
 */
export function environmentWebAcl(
  stack: TerraformStack,
  namePrefix: string,
  waf: WafConfig,
  logEncryptionKey: EncryptionKey,
  target: { readonly loadBalancerArn: string } | { readonly cloudFrontProvider: TerraformProvider },
): WebAcl {
  const regional = "loadBalancerArn" in target;
  return new WebAcl(stack, "waf", {
    namePrefix,
    scope: regional ? "REGIONAL" : "CLOUDFRONT",
    provider: regional ? undefined : target.cloudFrontProvider,
    loadBalancerArn: regional ? target.loadBalancerArn : undefined,
    logEncryptionKey,
    logRetentionDays: waf.logging.retentionDays,
    redactedHeaders: waf.logging.redactedHeaders,
    rateLimit: waf.rateLimit,
    rateLimitWindowSeconds: waf.rateLimitWindowSeconds,
    countRuleGroups: waf.countRuleGroups,
    countRules: waf.countRules,
  });
}

/** The artifact bucket and ECR repository of `artifacts`. */
export function environmentArtifacts(stack: TerraformStack, namePrefix: string, env: EnvironmentConfig, encryptionKey: EncryptionKey): ArtifactStore {
  const artifacts = env.artifacts;
  return new ArtifactStore(stack, "artifacts", {
    namePrefix,
    encryptionKey,
    artifactExpirationDays: artifacts.artifactExpirationDays,
    noncurrentVersionExpirationDays: artifacts.noncurrentVersionExpirationDays,
    logExpirationDays: artifacts.logExpirationDays,
    immutableTags: artifacts.containerRepository.immutableTags,
    keepLastImages: artifacts.containerRepository.keepLastImages,
    untaggedExpirationDays: artifacts.containerRepository.untaggedExpirationDays,
    forceDestroy: !env.protection,
  });
}

export interface GoldenAmiParts {
  readonly namePrefix: string;
  readonly network: INetwork;
  readonly artifacts: ArtifactStore;
  readonly encryptionKey: EncryptionKey;
  /** The image's architecture (configured, or that of the instances it boots). */
  readonly architecture: Architecture;
  readonly tags: Record<string, string>;
}

/** The golden AMI of `goldenAmi`, or undefined when it is disabled. */
export function environmentGoldenAmi(stack: TerraformStack, env: EnvironmentConfig, parts: GoldenAmiParts): GoldenAmi | undefined {
  const ami = env.goldenAmi;
  if (!ami.enabled) return undefined;
  return new GoldenAmi(stack, "golden-ami", {
    namePrefix: parts.namePrefix,
    network: parts.network,
    artifacts: parts.artifacts,
    encryptionKey: parts.encryptionKey,
    components: ami.components,
    nodejsMajor: ami.nodejsMajor,
    architecture: parts.architecture,
    parentImage: ami.parentImage,
    rootVolume: ami.rootVolume,
    instanceTypes: ami.instanceTypes,
    terminateInstanceOnFailure: ami.terminateInstanceOnFailure,
    notificationTopicArn: ami.notificationTopicArn,
    buildTimeoutMinutes: ami.buildTimeoutMinutes,
    imageTests: ami.imageTests,
    pipeline: ami.pipeline,
    distribution: ami.distribution,
    // Build instances and AMIs are created by Image Builder, out of reach of the provider's default tags.
    tags: parts.tags,
  });
}

/** The environment's SNS topic (alarms, events), encrypted with its key. */
export function environmentNotifications(stack: TerraformStack, namePrefix: string, env: EnvironmentConfig, encryptionKey: EncryptionKey): NotificationTopic {
  return new NotificationTopic(stack, "notifications", { topicName: `${namePrefix}-notifications`, encryptionKey, email: env.notifications.email });
}

/**
 * The CloudWatch agent's configuration (SSM parameter) and log groups of an environment's
 * machines: memory and disk metrics, the application's log files and the first-boot log.
 */
export function environmentCloudWatchAgent(
  stack: TerraformStack,
  app: AppConfig,
  envName: string,
  env: EnvironmentConfig,
  encryptionKey: EncryptionKey,
  namedLogFiles?: readonly NamedLogFile[],
  aggregationDimensions?: CloudWatchAgentProps["aggregationDimensions"],
): CloudWatchAgent {
  return new CloudWatchAgent(stack, "cloudwatch-agent", {
    namedLogFiles,
    aggregationDimensions,
    namePrefix: `${app.name}-${envName}`,
    parameterName: `/${app.name}/${envName}/cloudwatch-agent/config`,
    logGroupPrefix: `/app/${app.name}/${envName}`,
    retentionDays: env.observability.logRetentionDays,
    encryptionKey,
    applicationLogFiles: env.observability.applicationLogFiles ?? [`/var/log/${app.name}/*.log`],
    systemLogFiles: [`/var/log/${app.name}-bootstrap.log`],
  });
}

/** The newest Amazon Linux 2023 image of an architecture, resolved by EC2 at launch from AWS's public parameter. */
export function stockImageId(architecture: Architecture): string {
  return `resolve:ssm:${stockImageParameter(architecture)}`;
}

const RESOLVE_SSM_PREFIX = "resolve:ssm:";

function stockImageParameter(architecture: Architecture): string {
  return `/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${architecture}`;
}

/** The image a launch template starts instances from, and the parameter EC2 reads it from at launch. */
export interface LaunchImage {
  /** `ami-...` when pinned, otherwise `resolve:ssm:<parameter>`. */
  readonly imageId: string;
  /**
   * ARN of the parameter behind `resolve:ssm:`; whoever launches from the template (or creates an
   * Auto Scaling group on it) needs `ssm:GetParameters` on it. Absent when the AMI is pinned.
   */
  readonly parameterArn?: string;
  /**
   * Read at plan time: the parameter's AMI ID when the template was made, for a group whose mixed
   * instances policy refuses `resolve:ssm:` (see {@link launchImage}).
   */
  readonly readAtPlan?: boolean;
}

/**
 * What an environment's instances launch: `goldenAmi.pinnedImageId` when set; otherwise the newest
 * golden AMI build, or without a golden AMI the newest stock Amazon Linux 2023, both resolved by
 * EC2 at each launch, so a new build reaches the next release or scale-out without a Terraform run.
 */
export function launchImage(stack: TerraformStack, env: EnvironmentConfig, goldenAmi: GoldenAmi | undefined, architecture: Architecture): LaunchImage {
  const pinned = env.goldenAmi.pinnedImageId;
  if (pinned) return { imageId: pinned };
  if (env.platform === "fleet" && env.fleet.purchase.enabled) {
    // CreateAutoScalingGroup with a mixed instances policy refuses a template whose image is
    // `resolve:ssm:` ("Invalid id ... expecting ami-", hashicorp/terraform-provider-aws#38767): the
    // template names the AMI ID Terraform reads from the same parameter at plan time. A new build
    // reaches the template (a new version, `$Latest`) on the next apply, not at the next launch.
    // The golden AMI's parameter is read through its resource (trimprefix of the template value), so
    // on the first apply the read waits for the parameter to exist.
    const name = goldenAmi ? Fn.trimprefix(goldenAmi.latestImageId, RESOLVE_SSM_PREFIX) : stockImageParameter(architecture);
    const parameter = pinName(new DataAwsSsmParameter(stack, "launch-image", { name }), "launch_image");
    // `insecure_value`: an AMI ID is no secret, and the template's image_id must not be sensitive.
    return { imageId: parameter.insecureValue, readAtPlan: true };
  }
  if (goldenAmi) return { imageId: goldenAmi.latestImageId, parameterArn: goldenAmi.imageParameterArn };
  // AWS's public parameters have no account in their ARN.
  return { imageId: stockImageId(architecture), parameterArn: AccountContext.of(stack).arn("ssm", `parameter${stockImageParameter(architecture)}`, { account: "" }) };
}
