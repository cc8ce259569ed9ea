import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformOutput, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { assertUniqueAddresses } from "../lib/address";
import { AppConfig, EnvironmentConfig } from "../lib/config/schema";
import { AccountContext } from "../constructs/account-context";
import { ArtifactStore } from "../constructs/artifact-store";
import { EncryptionKey } from "../constructs/encryption-key";
import { GoldenAmi } from "../constructs/golden-ami";
import { Network } from "../constructs/network";
import { instanceArchitecture } from "../lib/ec2";
import { applyBackend } from "./backend";

export interface EnvironmentStackProps {
  readonly app: AppConfig;
  /** Environment name (a key of `environments`). */
  readonly envName: string;
  readonly environment: EnvironmentConfig;
}

/**
 * One environment, one Terraform state: network, encryption key, artifact store and golden AMI
 * (later issues add the fleet, traffic and release pipeline). Everything environment-specific
 * comes from configuration; nothing here branches on the environment's name.
 */
export class EnvironmentStack extends TerraformStack {
  public readonly namePrefix: string;
  public readonly network: Network;
  public readonly encryptionKey: EncryptionKey;
  public readonly artifacts: ArtifactStore;
  /** Absent when `goldenAmi.enabled` is false. */
  public readonly goldenAmi?: GoldenAmi;

  constructor(scope: Construct, id: string, props: EnvironmentStackProps) {
    super(scope, id);
    const { app, envName, environment: env } = props;
    const region = env.region ?? app.region;
    this.namePrefix = `${app.name}-${envName}`;

    const tags = { ...app.tags, ...env.tags, application: app.name, environment: envName, "managed-by": "cdktf" };
    new AwsProvider(this, "aws", {
      region,
      allowedAccountIds: env.accountId ? [env.accountId] : undefined,
      defaultTags: [{ tags }],
    });
    applyBackend(this, { appName: app.name, envName, region, backend: env.backend });

    const context = new AccountContext(this, { region, accountId: env.accountId, availabilityZones: env.network.availabilityZones });

    this.encryptionKey = new EncryptionKey(this, "environment-key", {
      alias: this.namePrefix,
      description: `Encrypts ${this.namePrefix}: artifacts, images, logs and notifications`,
      deletionWindowDays: env.encryption.keyDeletionWindowDays,
    });

    const net = env.network;
    this.network = new Network(this, "network", {
      namePrefix: this.namePrefix,
      cidr: net.cidr,
      availabilityZones: context.availabilityZones(net.availabilityZones?.length ?? net.azCount),
      appPort: env.fleet.appPort,
      encryptionKey: this.encryptionKey,
      privateSubnets: net.privateSubnets,
      natGateways: net.natGateways,
      dataSubnets: net.dataSubnets,
      databasePort: net.databasePort,
      albIngressCidrs: net.albIngressCidrs,
      sshIngressCidrs: net.sshIngressCidrs,
      flowLogs: net.flowLogs.enabled ? { retentionDays: net.flowLogs.retentionDays, trafficType: net.flowLogs.trafficType } : false,
    });

    const artifacts = env.artifacts;
    this.artifacts = new ArtifactStore(this, "artifacts", {
      namePrefix: this.namePrefix,
      encryptionKey: this.encryptionKey,
      artifactExpirationDays: artifacts.artifactExpirationDays,
      noncurrentVersionExpirationDays: artifacts.noncurrentVersionExpirationDays,
      logExpirationDays: artifacts.logExpirationDays,
      immutableTags: artifacts.containerRepository.immutableTags,
      keepLastImages: artifacts.containerRepository.keepLastImages,
      untaggedExpirationDays: artifacts.containerRepository.untaggedExpirationDays,
      forceDestroy: !env.protection,
    });

    const ami = env.goldenAmi;
    if (ami.enabled) {
      this.goldenAmi = new GoldenAmi(this, "golden-ami", {
        namePrefix: this.namePrefix,
        network: this.network,
        artifacts: this.artifacts,
        encryptionKey: this.encryptionKey,
        components: ami.components,
        nodejsMajor: ami.nodejsMajor,
        architecture: ami.architecture ?? instanceArchitecture(env.fleet.instanceType),
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
        tags,
      });
    }

    this.output("vpc_id", this.network.vpcId, "VPC of the environment");
    this.output("public_subnet_ids", this.network.publicSubnetIds, "Public subnets, one per availability zone");
    this.output("private_subnet_ids", this.network.privateSubnetIds, "Private application subnets (empty when disabled)");
    this.output("data_subnet_ids", this.network.dataSubnetIds, "Isolated data subnets (empty when disabled)");
    this.output("artifact_bucket_name", this.artifacts.bucket.bucketName, "S3 bucket for build artifacts and pipeline revisions");
    this.output("ecr_repository_url", this.artifacts.repository.repositoryUrl, "ECR repository for container images");
    this.output("kms_key_arn", this.encryptionKey.keyArn, "Customer-managed key of the environment");
    if (this.goldenAmi) {
      this.output("golden_ami_id", this.goldenAmi.imageId, "AMI built by Image Builder in the environment's region (the fleet's image)");
      this.output("golden_ami_image_arn", this.goldenAmi.imageArn, "Image Builder image (build version) that produced golden_ami_id");
      if (this.goldenAmi.pipelineArn) {
        this.output("golden_ami_pipeline_arn", this.goldenAmi.pipelineArn, "Scheduled Image Builder pipeline; start a rebuild with aws imagebuilder start-image-pipeline-execution");
      }
    }

    this.node.addValidation({ validate: () => (assertUniqueAddresses(this), []) });
  }

  protected output(name: string, value: string | string[], description: string): void {
    new TerraformOutput(this, name, { value, description });
  }
}
