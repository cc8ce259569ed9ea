import { ImagebuilderComponent } from "@cdktf/provider-aws/lib/imagebuilder-component";
import { ImagebuilderDistributionConfiguration } from "@cdktf/provider-aws/lib/imagebuilder-distribution-configuration";
import { ImagebuilderImage } from "@cdktf/provider-aws/lib/imagebuilder-image";
import { ImagebuilderImagePipeline } from "@cdktf/provider-aws/lib/imagebuilder-image-pipeline";
import { ImagebuilderImageRecipe } from "@cdktf/provider-aws/lib/imagebuilder-image-recipe";
import { ImagebuilderInfrastructureConfiguration } from "@cdktf/provider-aws/lib/imagebuilder-infrastructure-configuration";
import { ImagebuilderLifecyclePolicy } from "@cdktf/provider-aws/lib/imagebuilder-lifecycle-policy";
import { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";
import { Fn, ITerraformDependable, TerraformIterator, TerraformResource, Token } from "cdktf";
import { Construct } from "constructs";
import { childId, pin, snake } from "../lib/address";
import { Architecture, instanceArchitecture } from "../lib/ec2";
import { contentVersion, cronProblem, DEFAULT_NODEJS_MAJOR, IMAGE_COMPONENTS, ImageComponentName, NODEJS_MAJORS, TIMEZONE_PATTERN } from "../lib/image-builder";
import { AccountContext } from "./account-context";
import { ArtifactStore, IMAGE_BUILDER_LOG_PREFIX } from "./artifact-store";
import { EncryptionKey } from "./encryption-key";
import { componentDocument, renderComponentDocument } from "./image-components";
import { INetwork } from "./network";
import { Role } from "./role";
import { SecurityGroup } from "./security-group";

export type RootVolumeType = "gp3" | "gp2" | "io1" | "io2";

export interface RootVolumeOptions {
  /**
   * Size in GiB (the Amazon Linux 2023 image needs 8).
   * @default 30
   */
  readonly sizeGiB?: number;
  /** @default "gp3" */
  readonly type?: RootVolumeType;
  /**
   * Provisioned IOPS: required for io1 and io2, optional for gp3, not allowed for gp2.
   * @default none (gp3 includes 3000)
   */
  readonly iops?: number;
}

export interface GoldenAmiPipelineOptions {
  /** Image Builder's six-field cron, e.g. `cron(0 3 ? * SUN *)`. */
  readonly schedule: string;
  /**
   * `updates-available`: build only when the parent image has a newer release; `always`: build at
   * every scheduled time.
   * @default "updates-available"
   */
  readonly startCondition?: "updates-available" | "always";
  /** @default "Etc/UTC" */
  readonly timezone?: string;
}

export interface GoldenAmiDistributionOptions {
  /**
   * AMI name; must contain `{{ imagebuilder:buildDate }}` so every build's name is unique.
   * @default "<namePrefix>-golden-ami-{{ imagebuilder:buildDate }}"
   */
  readonly amiName?: string;
  /**
   * Tags on the AMIs (added to {@link GoldenAmiProps.tags}).
   * @default none
   */
  readonly amiTags?: Record<string, string>;
  /**
   * Regions the AMI is copied to besides the stack's own.
   * @default []
   */
  readonly additionalRegions?: readonly string[];
}

/**
 * What the golden AMI's lifecycle policy keeps. Every other image of the current recipe version is
 * deleted with its AMIs (every distribution region) and their snapshots. Never deleted: the image
 * Terraform built (its state refers to it; tagged {@link GOLDEN_AMI_RETAIN_TAG}), AMIs that launched
 * an instance within `keepLaunchedWithinDays`, and AMIs an operator tagged {@link GOLDEN_AMI_RETAIN_TAG}
 * `=true` (tag an AMI before pinning it with goldenAmi.pinnedImageId).
 */
export interface GoldenAmiRetentionOptions {
  /**
   * Newest images kept (the newest is the one launch templates resolve); 1 to 1000.
   * @default 5
   */
  readonly keepImages?: number;
  /**
   * AMIs that launched an instance within this many days are kept whatever their age; 1 to 365.
   * @default 30
   */
  readonly keepLaunchedWithinDays?: number;
}

/** Tag (value `true`) that keeps an Image Builder image or an AMI from the golden AMI's lifecycle policy. */
export const GOLDEN_AMI_RETAIN_TAG = "golden-ami:retain";

export interface GoldenAmiProps {
  /** `<app>-<environment>`; prefixes every name. */
  readonly namePrefix: string;
  /** The build runs in its first private subnet (NAT is its way out) with a group of its own. */
  readonly network: INetwork;
  /** Logs go to the bucket under {@link IMAGE_BUILDER_LOG_PREFIX}; the build may pull from the repository. */
  readonly artifacts: ArtifactStore;
  /** Encrypts the image's root volume (and so its snapshots). */
  readonly encryptionKey: EncryptionKey;
  /**
   * Components to install; the recipe runs them in the order of {@link IMAGE_COMPONENTS}.
   * @default all of IMAGE_COMPONENTS
   */
  readonly components?: readonly ImageComponentName[];
  /**
   * Node.js major of the `nodejs` component, one of {@link NODEJS_MAJORS}.
   * @default 22
   */
  readonly nodejsMajor?: number;
  /**
   * CPU architecture of the image; the build instance types must match it.
   * @default "x86_64"
   */
  readonly architecture?: Architecture;
  /**
   * Image the recipe starts from: an Image Builder image ARN, `ssm:<parameter>` or an AMI ID.
   * @default the Image Builder managed Amazon Linux 2023 image of the architecture, version x.x.x (the newest at build time)
   */
  readonly parentImage?: string;
  /** @default { sizeGiB: 30, type: "gp3" } */
  readonly rootVolume?: RootVolumeOptions;
  /**
   * Build and test instance types.
   * @default ["m6i.large", "m5.large"] for x86_64, ["m7g.large", "m6g.large"] for arm64
   */
  readonly instanceTypes?: readonly string[];
  /**
   * Terminate the build instance when a build fails (false keeps it for debugging).
   * @default true
   */
  readonly terminateInstanceOnFailure?: boolean;
  /**
   * SNS topic notified of every build's result.
   * @default none
   */
  readonly notificationTopicArn?: string;
  /**
   * How long `terraform apply` waits for a build, tests included.
   * @default 120
   */
  readonly buildTimeoutMinutes?: number;
  /**
   * Test the image on an instance launched from it before it becomes available.
   * @default true
   */
  readonly imageTests?: boolean;
  /**
   * A scheduled pipeline for periodic rebuilds.
   * @default none
   */
  readonly pipeline?: GoldenAmiPipelineOptions;
  /** @default name "<namePrefix>-golden-ami-{{ imagebuilder:buildDate }}", the stack's region only */
  readonly distribution?: GoldenAmiDistributionOptions;
  /**
   * Tags for build instances and AMIs, which the provider's default tags do not reach.
   * @default none
   */
  readonly tags?: Record<string, string>;
  /**
   * Deregister replaced AMIs and delete their snapshots (an Image Builder lifecycle policy); `false`
   * keeps every build. See {@link GoldenAmiRetentionOptions}.
   * @default { keepImages: 5, keepLaunchedWithinDays: 30 }
   */
  readonly retention?: GoldenAmiRetentionOptions | false;
}

const DEFAULT_INSTANCE_TYPES: Record<Architecture, readonly string[]> = {
  x86_64: ["m6i.large", "m5.large"],
  arm64: ["m7g.large", "m6g.large"],
};

const START_CONDITION = {
  "updates-available": "EXPRESSION_MATCH_AND_DEPENDENCY_UPDATES_AVAILABLE",
  always: "EXPRESSION_MATCH_ONLY",
} as const;

/** Root device of Amazon Linux 2023. */
const ROOT_DEVICE = "/dev/xvda";

/**
 * The application's golden AMI, built by EC2 Image Builder: one component per piece of software
 * (documents generated from typed data), a recipe on Amazon Linux 2023 with an encrypted root
 * volume, build infrastructure in a private subnet behind an HTTPS-only security group, logs in the
 * artifact bucket, an instance role of its own, a distribution configuration, the image itself
 * (built during `terraform apply`) and an optional scheduled pipeline. Every build, scheduled or
 * not, publishes its AMI ID in an SSM parameter that launch templates resolve at launch
 * ({@link GoldenAmi.latestImageId}), so a rebuild reaches the next instance that starts.
 *
 * Component and recipe versions are derived from their content and replaced create-before-destroy:
 * a change publishes a new version next to the old one instead of failing with
 * ResourceAlreadyExistsException, and unchanged content plans no change.
 */
export class GoldenAmi extends Construct {
  /**
   * ID of the AMI Terraform's own build produced in the stack's region. Scheduled pipeline builds
   * do not change it: launch templates take {@link latestImageId} instead.
   */
  public readonly imageId: string;
  /**
   * `resolve:ssm:<`{@link imageParameterName}`>`: EC2 resolves it to the newest build's AMI each
   * time an instance launches. For launch templates (not for `aws_instance`, see `instanceImageId`).
   */
  public readonly latestImageId: string;
  /**
   * SSM parameter (data type `aws:ec2:image`) that holds the newest build's AMI ID in the stack's
   * region: Terraform creates it with {@link imageId}, every later build (pipeline or Terraform)
   * overwrites it through the distribution configuration.
   */
  public readonly imageParameterName: string;
  public readonly imageParameterArn: string;
  /** ARN of the Image Builder image (build version) that produced {@link imageId}. */
  public readonly imageArn: string;
  public readonly recipeArn: string;
  /** Set when a pipeline is configured. */
  public readonly pipelineArn?: string;
  public readonly role: Role;
  public readonly securityGroup: SecurityGroup;
  /** Content-derived version of each included component. */
  public readonly componentVersions: Readonly<Partial<Record<ImageComponentName, string>>>;
  public readonly recipeVersion: string;

  constructor(scope: Construct, id: string, props: GoldenAmiProps) {
    super(scope, id);
    const context = AccountContext.of(this);
    const prefix = props.namePrefix;
    const name = `${prefix}-golden-ami`;
    const architecture = props.architecture ?? "x86_64";
    const included = this.validateComponents(props.components ?? IMAGE_COMPONENTS);
    const nodejsMajor = props.nodejsMajor ?? DEFAULT_NODEJS_MAJOR;
    const volume = { sizeGiB: props.rootVolume?.sizeGiB ?? 30, type: props.rootVolume?.type ?? "gp3", iops: props.rootVolume?.iops };
    const instanceTypes = props.instanceTypes ?? DEFAULT_INSTANCE_TYPES[architecture];
    const buildTimeout = props.buildTimeoutMinutes ?? 120;
    const amiName = props.distribution?.amiName ?? `${name}-{{ imagebuilder:buildDate }}`;
    const additionalRegions = props.distribution?.additionalRegions ?? [];
    const tags = props.tags ?? {};
    this.imageParameterName = imageParameterName(prefix);
    this.imageParameterArn = context.arn("ssm", `parameter${this.imageParameterName}`);
    this.validate({ nodejsMajor, volume, instanceTypes, architecture, buildTimeout, amiName, additionalRegions, region: context.region, props });

    if (props.network.subnetIds("private").length === 0) {
      throw new Error(
        `${this.node.path}: the network has no private subnets; the build instance needs one with NAT (Image Builder gives it no public IP, and the network's subnets assign none)`,
      );
    }
    const subnetId = props.network.subnetId("private", 0);

    // Components: one resource each, named after the component; its version follows its content.
    const componentVersions: Partial<Record<ImageComponentName, string>> = {};
    const components = included.map((component) => {
      const document = componentDocument(component, { region: context.region, urlSuffix: context.urlSuffix, nodejsMajor, namePrefix: prefix });
      const content = {
        name: `${prefix}-${component}`,
        platform: "Linux",
        description: document.description,
        supportedOsVersions: ["Amazon Linux 2023"],
        data: renderComponentDocument(document),
      };
      const version = contentVersion(content);
      componentVersions[component] = version;
      return pin(
        this,
        new ImagebuilderComponent(this, `component-${component}`, {
          ...content,
          version,
          lifecycle: { createBeforeDestroy: true },
        }),
        snake(component),
      );
    });
    this.componentVersions = componentVersions;

    const parentImage = props.parentImage ?? `arn:${context.partition}:imagebuilder:${context.region}:aws:image/amazon-linux-2023-${architecture === "arm64" ? "arm64" : "x86"}/x.x.x`;
    const ebs = {
      volumeSize: volume.sizeGiB,
      volumeType: volume.type,
      iops: volume.iops,
      encrypted: "true",
      deleteOnTermination: "true",
    };
    const recipeContent = {
      name,
      description: `Golden AMI of ${prefix}: ${included.join(", ")} on ${parentImage}`,
      parentImage,
      components: included.map((c) => ({ name: `${prefix}-${c}`, version: componentVersions[c] })),
      blockDevice: { deviceName: ROOT_DEVICE, ...ebs, kmsKey: props.encryptionKey.node.path },
      systemsManagerAgent: { uninstallAfterBuild: false },
    };
    this.recipeVersion = contentVersion(recipeContent);
    const recipe = pin(
      this,
      new ImagebuilderImageRecipe(this, "recipe", {
        name,
        version: this.recipeVersion,
        description: recipeContent.description,
        parentImage,
        component: components.map((c) => ({ componentArn: c.arn })),
        blockDeviceMapping: [{ deviceName: ROOT_DEVICE, ebs: { ...ebs, kmsKeyId: props.encryptionKey.keyArn } }],
        // The fleet uses Session Manager: keep the agent Amazon Linux ships with.
        systemsManagerAgent: { uninstallAfterBuild: false },
        lifecycle: { createBeforeDestroy: true },
      }),
    );
    this.recipeArn = recipe.arn;

    // The build instance's own role, never the application instances' role. Its name contains
    // "imagebuilder": AWSImageBuilderFullAccess lets operators pass only such instance profiles.
    this.role = new Role(this, childId(this, "role"), {
      roleName: `${prefix}-imagebuilder`,
      description: `Build and test instances of ${prefix}'s golden AMI`,
      assumedBy: { type: "Service", identifiers: [context.servicePrincipal("ec2")] },
      managedPolicies: ["AmazonSSMManagedInstanceCore", "EC2InstanceProfileForImageBuilder", "EC2InstanceProfileForImageBuilderECRContainerBuilds"],
      instanceProfile: true,
    });
    props.artifacts.bucket.grantWrite(this.role, IMAGE_BUILDER_LOG_PREFIX);
    props.artifacts.repository.grantPull(this.role);

    this.securityGroup = new SecurityGroup(this, childId(this, "builder"), {
      vpcId: props.network.vpcId,
      groupName: `${prefix}-imagebuilder`,
      description: `Image Builder build and test instances of ${prefix}: HTTPS out only`,
    });
    // Everything a build reaches is HTTPS: SSM and Image Builder endpoints, S3 (logs, the CodeDeploy
    // installer and its package), the Amazon Linux repositories. DNS and time sync use link-local
    // addresses that security groups do not filter.
    this.securityGroup.allowEgress("https", { cidr: "0.0.0.0/0" }, { from: 443 }, "HTTPS to AWS APIs, S3 and the Amazon Linux package repositories");

    const infrastructure = pin(
      this,
      new ImagebuilderInfrastructureConfiguration(this, "infrastructure", {
        name,
        description: `Build and test instances of ${prefix}'s golden AMI`,
        instanceProfileName: this.role.instanceProfileName!,
        instanceTypes: [...instanceTypes],
        subnetId,
        securityGroupIds: [this.securityGroup.securityGroupId],
        terminateInstanceOnFailure: props.terminateInstanceOnFailure ?? true,
        // Nothing on the build instance runs in a container, so the token need not cross a hop.
        instanceMetadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 },
        logging: { s3Logs: { s3BucketName: props.artifacts.bucket.bucketName, s3KeyPrefix: IMAGE_BUILDER_LOG_PREFIX.replace(/\/$/, "") } },
        snsTopicArn: props.notificationTopicArn,
        resourceTags: { ...tags, Name: `${prefix}-imagebuilder` },
      }),
    );

    const distribution = pin(
      this,
      new ImagebuilderDistributionConfiguration(this, "distribution", {
        name,
        description: `Where and under which name ${prefix}'s golden AMI is published`,
        distribution: [context.region, ...additionalRegions].map((region) => ({
          region,
          amiDistributionConfiguration: {
            name: amiName,
            description: `Golden AMI of ${prefix}`,
            amiTags: { ...tags, ...props.distribution?.amiTags, Name: `${prefix}-golden-ami` },
          },
          // Every build, Terraform's and the pipeline's, publishes its AMI where the fleet reads it.
          ssmParameterConfiguration: region === context.region ? [{ parameterName: this.imageParameterName, dataType: "aws:ec2:image" }] : undefined,
        })),
      }),
    );

    const testsConfiguration = {
      imageTestsEnabled: props.imageTests ?? true,
      // Ignored by the service (API reference, ImageTestsConfiguration); set to the value it stores
      // so that a read never differs from the configuration and forces a rebuild.
      timeoutMinutes: 720,
    };
    const image = pin(
      this,
      new ImagebuilderImage(this, "image", {
        imageRecipeArn: recipe.arn,
        infrastructureConfigurationArn: infrastructure.arn,
        distributionConfigurationArn: distribution.arn,
        imageTestsConfiguration: testsConfiguration,
        timeouts: { create: `${buildTimeout}m` },
        // Terraform's state refers to this image: the lifecycle policy (retireReplacedImages) skips it.
        tags: { [GOLDEN_AMI_RETAIN_TAG]: "true" },
        // The build starts the moment the resource is created: its instance needs the route to
        // NAT and every permission of its role already in place, not merely their names.
        dependsOn: [...props.network.egressDependencies("private", 0), ...resourcesOf(this.role)],
        lifecycle: { createBeforeDestroy: true },
      }),
    );
    this.imageArn = image.arn;
    // One AMI per distribution region; the stack's own is the one its fleet launches.
    const amis = TerraformIterator.fromList(image.outputResources.get(0).amis);
    this.imageId = Token.asString(Fn.one(amis.forExpressionForList(`val.image if val.region == "${context.region}"`)));
    this.latestImageId = `${RESOLVE_SSM}${this.publishImageParameter(prefix).name}`;

    if (props.pipeline) {
      const pipeline = pin(
        this,
        new ImagebuilderImagePipeline(this, "pipeline", {
          name,
          description: `Scheduled rebuilds of ${prefix}'s golden AMI`,
          imageRecipeArn: recipe.arn,
          infrastructureConfigurationArn: infrastructure.arn,
          distributionConfigurationArn: distribution.arn,
          imageTestsConfiguration: testsConfiguration,
          schedule: {
            scheduleExpression: props.pipeline.schedule,
            pipelineExecutionStartCondition: START_CONDITION[props.pipeline.startCondition ?? "updates-available"],
            timezone: props.pipeline.timezone ?? "Etc/UTC",
          },
          status: "ENABLED",
        }),
      );
      this.pipelineArn = pipeline.arn;
    }

    if (props.retention !== false) this.retireReplacedImages(name, recipe, props.retention ?? {});
  }

  /**
   * An Image Builder lifecycle policy that deletes replaced images of the current recipe version
   * with their AMIs and snapshots (Image Builder user guide, "Manage image lifecycle"; without it
   * every weekly build's AMI and snapshot stay, and DeleteImage alone does not deregister them).
   *
   * - Selection by recipe name and version: provider 5.100 accepts only a literal version
   *   (`^[0-9]+\.[0-9]+\.[0-9]+$`, not the API's `x.x.x` wildcard), so images of an earlier recipe
   *   version (a component change) fall out of the selection; at most `keepImages` of them remain,
   *   named `<namePrefix>-golden-ami-*`, to deregister by hand (docs/decisions.md, "Golden AMI").
   * - The role: trusted by `imagebuilder.amazonaws.com`, with the AWS managed
   *   EC2ImageBuilderLifecycleExecutionPolicy, which is scoped by the `CreatedBy: EC2 Image Builder`
   *   tag Image Builder puts on its AMIs and snapshots (the policy's own conditions) and so reaches
   *   nothing else; deleting a snapshot encrypted with the environment key needs no KMS grant.
   */
  private retireReplacedImages(recipeName: string, recipe: ImagebuilderImageRecipe, options: GoldenAmiRetentionOptions): void {
    const keepImages = options.keepImages ?? 5;
    const keepLaunchedWithinDays = options.keepLaunchedWithinDays ?? 30;
    if (!Number.isInteger(keepImages) || keepImages < 1 || keepImages > 1000) {
      throw new Error(`${this.node.path}: retention.keepImages ${keepImages} must be a whole number from 1 to 1000`);
    }
    if (!Number.isInteger(keepLaunchedWithinDays) || keepLaunchedWithinDays < 1 || keepLaunchedWithinDays > 365) {
      throw new Error(`${this.node.path}: retention.keepLaunchedWithinDays ${keepLaunchedWithinDays} must be a whole number of days from 1 to 365`);
    }
    const context = AccountContext.of(this);
    const role = new Role(this, childId(this, "lifecycle-role"), {
      roleName: `${recipeName}-lifecycle`,
      description: `Image Builder lifecycle actions on ${recipeName}: deregisters replaced AMIs and deletes their snapshots`,
      assumedBy: { type: "Service", identifiers: [context.servicePrincipal("imagebuilder")] },
      managedPolicies: ["service-role/EC2ImageBuilderLifecycleExecutionPolicy"],
    });
    const retain = { [GOLDEN_AMI_RETAIN_TAG]: "true" };
    pin(
      this,
      new ImagebuilderLifecyclePolicy(this, "lifecycle", {
        name: recipeName,
        description: `Keeps the ${keepImages} newest golden AMIs of ${recipeName} (and any launched within ${keepLaunchedWithinDays} days); deregisters the rest and deletes their snapshots`,
        executionRole: role.roleArn,
        resourceType: "AMI_IMAGE",
        status: "ENABLED",
        resourceSelection: [{ recipe: [{ name: recipeName, semanticVersion: recipe.version }] }],
        policyDetail: [
          {
            action: [{ type: "DELETE", includeResources: [{ amis: true, snapshots: true }] }],
            filter: [{ type: "COUNT", value: keepImages }],
            exclusionRules: [{ tagMap: retain, amis: [{ tagMap: retain, lastLaunched: [{ unit: "DAYS", value: keepLaunchedWithinDays }] }] }],
          },
        ],
        // The policy is checked against its role when it is created.
        dependsOn: resourcesOf(role),
      }),
      "lifecycle",
    );
  }

  /**
   * The parameter the distribution configuration writes each build's AMI ID to, owned by Terraform
   * so that `terraform destroy` removes it. Image Builder creates a missing parameter and updates an
   * existing one (API reference, SsmParameterConfiguration.parameterName); the image Terraform builds
   * is distributed before this resource is created, so the parameter usually exists by then:
   * `overwrite` adopts it instead of failing with ParameterAlreadyExists (and on an environment whose
   * image predates the distribution's parameter, creates it with that image). Later builds change the
   * value, which Terraform ignores: a plan after a scheduled build stays empty.
   *
   * Who writes it: Image Builder's service-linked role (the images and the pipeline set no execution
   * role), whose policy allows `ssm:PutParameter` and `ssm:GetParameter` on `parameter/imagebuilder/*`
   * and `ec2:DescribeImages`, which the `aws:ec2:image` validation needs (AWS managed policy
   * AWSServiceRoleForImageBuilder; Image Builder user guide, "Prerequisites for SSM output
   * parameters"). Hence the `/imagebuilder/` prefix: no grant of ours, and no custom execution role
   * (which would rebuild the image and need the broad EC2ImageBuilderExecutionPolicy).
   */
  private publishImageParameter(prefix: string): SsmParameter {
    return pin(
      this,
      new SsmParameter(this, "image-parameter", {
        name: this.imageParameterName,
        description: `AMI of ${prefix}'s newest golden AMI build, resolved by launch templates at launch; Image Builder updates it with every build`,
        type: "String",
        // EC2 resolves only aws:ec2:image parameters for launch templates and instance refreshes,
        // and Parameter Store then checks the value is an AMI before storing it.
        dataType: "aws:ec2:image",
        insecureValue: this.imageId,
        overwrite: true,
        // Image Builder writes the value (and may write a description of its own with it): neither
        // is Terraform's to reset once the parameter exists.
        lifecycle: { ignoreChanges: ["insecure_value", "description"] },
      }),
      "image_id",
    );
  }

  private validateComponents(components: readonly string[]): ImageComponentName[] {
    const known = IMAGE_COMPONENTS as readonly string[];
    for (const component of components) {
      if (!known.includes(component)) {
        throw new Error(`${this.node.path}: components has ${JSON.stringify(component)}; allowed: ${IMAGE_COMPONENTS.map((c) => JSON.stringify(c)).join(", ")}`);
      }
    }
    if (components.length === 0) throw new Error(`${this.node.path}: components is empty; the recipe needs at least one`);
    if (new Set(components).size !== components.length) throw new Error(`${this.node.path}: components ${JSON.stringify(components)} lists a component twice`);
    // A fixed order: reordering the list changes neither the recipe nor its version.
    return IMAGE_COMPONENTS.filter((c) => components.includes(c));
  }

  private validate(v: {
    nodejsMajor: number;
    volume: { sizeGiB: number; type: string; iops?: number };
    instanceTypes: readonly string[];
    architecture: Architecture;
    buildTimeout: number;
    amiName: string;
    additionalRegions: readonly string[];
    region: string;
    props: GoldenAmiProps;
  }): void {
    const fail = (message: string) => {
      throw new Error(`${this.node.path}: ${message}`);
    };
    if (!(NODEJS_MAJORS as readonly number[]).includes(v.nodejsMajor)) {
      fail(`nodejsMajor ${v.nodejsMajor} is not packaged by Amazon Linux 2023; allowed: ${NODEJS_MAJORS.join(", ")}`);
    }
    if (!Number.isInteger(v.volume.sizeGiB) || v.volume.sizeGiB < 8 || v.volume.sizeGiB > 16384) {
      fail(`rootVolume.sizeGiB ${v.volume.sizeGiB} must be a whole number of GiB from 8 (the Amazon Linux 2023 image) to 16384`);
    }
    if ((v.volume.type === "io1" || v.volume.type === "io2") && v.volume.iops === undefined) fail(`rootVolume.iops is required for ${v.volume.type} volumes`);
    if (v.volume.type === "gp2" && v.volume.iops !== undefined) fail(`rootVolume.iops ${v.volume.iops} is not allowed for gp2 (its IOPS follow its size)`);
    if (v.instanceTypes.length === 0) fail("instanceTypes is empty; give at least one");
    for (const type of v.instanceTypes) {
      if (!Token.isUnresolved(type) && instanceArchitecture(type) !== v.architecture) {
        fail(`instanceTypes has ${type}, an ${instanceArchitecture(type)} type; the image is ${v.architecture}`);
      }
    }
    if (!Number.isInteger(v.buildTimeout) || v.buildTimeout < 30 || v.buildTimeout > 1440) {
      fail(`buildTimeoutMinutes ${v.buildTimeout} must be a whole number from 30 to 1440`);
    }
    if (!/\{\{ *imagebuilder:buildDate *\}\}/.test(v.amiName)) {
      fail(`distribution.amiName ${JSON.stringify(v.amiName)} must contain {{ imagebuilder:buildDate }} so every build gets a unique AMI name`);
    }
    for (const region of v.additionalRegions) {
      if (region === v.region) fail(`distribution.additionalRegions has ${region}, the stack's own region, which always receives the AMI`);
    }
    if (new Set(v.additionalRegions).size !== v.additionalRegions.length) fail(`distribution.additionalRegions ${JSON.stringify(v.additionalRegions)} lists a region twice`);
    const pipeline = v.props.pipeline;
    if (pipeline && !Token.isUnresolved(pipeline.schedule)) {
      const problem = cronProblem(pipeline.schedule);
      if (problem) fail(`pipeline.schedule ${JSON.stringify(pipeline.schedule)} is not an Image Builder cron expression like cron(0 3 ? * SUN *): ${problem}`);
    }
    if (pipeline?.timezone !== undefined && !TIMEZONE_PATTERN.test(pipeline.timezone)) {
      fail(`pipeline.timezone ${JSON.stringify(pipeline.timezone)} is not an IANA time zone name such as Etc/UTC`);
    }
  }
}

const RESOLVE_SSM = "resolve:ssm:";

/**
 * Name of the parameter that holds the newest golden AMI of `<namePrefix>`. It must stay under
 * `/imagebuilder/`, the only parameters Image Builder's service-linked role may write.
 */
export function imageParameterName(namePrefix: string): string {
  return `/imagebuilder/${namePrefix}/golden-ami-id`;
}

/** Every resource of a construct, for `depends_on`. */
function resourcesOf(construct: Construct): ITerraformDependable[] {
  return construct.node.findAll().filter((c): c is TerraformResource => c instanceof TerraformResource);
}
