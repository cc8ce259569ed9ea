import { AutoscalingGroup, AutoscalingGroupInstanceRefresh } from "@cdktf/provider-aws/lib/autoscaling-group";
import { AutoscalingNotification } from "@cdktf/provider-aws/lib/autoscaling-notification";
import { AutoscalingPolicy } from "@cdktf/provider-aws/lib/autoscaling-policy";
import { DataAwsAutoscalingGroups } from "@cdktf/provider-aws/lib/data-aws-autoscaling-groups";
import { Fn, ITerraformDependable, Op, Token } from "cdktf";
import { Construct } from "constructs";
import { childId, pin } from "../lib/address";
import { suppress } from "../policy";
import { AccountContext } from "./account-context";
import { EncryptionKey } from "./encryption-key";
import { LaunchTemplate, InstanceRootVolume } from "./launch-template";
import { NotificationTopic } from "./notification-topic";
import { Role } from "./role";
import { SecurityGroup } from "./security-group";

/** Tag that marks every Auto Scaling group of a fleet, including the copies CodeDeploy makes. */
export const FLEET_TAG_KEY = "app:fleet";

export interface RequestScalingOptions {
  /** ALB requests per target per minute to hold. */
  readonly requestsPerTarget: number;
  /** `<alb arn suffix>/<target group arn suffix>`. */
  readonly resourceLabel: string;
}

/**
 * An Auto Scaling warm pool (`aws_autoscaling_group.warm_pool`): pre-initialized instances beside
 * the group (docs/fleet-and-traffic.md, "Capacity: warm pools, Spot and mixed instance types").
 */
export interface FleetWarmPoolOptions {
  /** @default "Stopped" (EBS volumes only are paid while warm) */
  readonly poolState?: "Stopped" | "Hibernated" | "Running";
  /** @default 1 */
  readonly minSize?: number;
  /**
   * Instances in the group and the pool together; the pool holds what is above desired capacity.
   * @default the group's maxSize
   */
  readonly maxGroupPreparedCapacity?: number;
  /** Scale-in returns instances to the pool instead of terminating them. @default false */
  readonly reuseOnScaleIn?: boolean;
}

/**
 * A mixed instances policy (`aws_autoscaling_group.mixed_instances_policy`): On-Demand base and
 * share, Spot, several instance types or attribute-based selection. The launch template must then
 * name an AMI ID, not `resolve:ssm:` (CreateAutoScalingGroup refuses it with a mixed instances
 * policy: https://github.com/hashicorp/terraform-provider-aws/issues/38767).
 */
export interface FleetPurchaseOptions {
  /** Instances that are always On-Demand. @default 0 */
  readonly onDemandBaseCapacity?: number;
  /** Percentage of capacity above the base that is On-Demand; the rest is Spot. @default 100 */
  readonly onDemandPercentageAboveBase?: number;
  /** @default "price-capacity-optimized" */
  readonly spotAllocationStrategy?: string;
  /** @default "prioritized" with instance types, "lowest-price" with instance requirements */
  readonly onDemandAllocationStrategy?: string;
  /**
   * Instance types after {@link FleetProps.instanceType}, in priority order (the overrides).
   * @default only FleetProps.instanceType
   */
  readonly instanceTypes?: readonly string[];
  /**
   * Attribute-based instance type selection instead of {@link instanceTypes}.
   * @default none
   */
  readonly instanceRequirements?: {
    readonly vcpu: { readonly min: number; readonly max?: number };
    readonly memoryMiB: { readonly min: number; readonly max?: number };
    readonly allowedInstanceTypes?: readonly string[];
  };
  /** Replace Spot instances at an elevated risk of interruption. @default true */
  readonly capacityRebalance?: boolean;
}

/**
 * Preferences of the instance refresh Terraform starts when the launch template changes
 * (`instance_refresh.preferences`; RefreshPreferences in the API reference:
 * https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_RefreshPreferences.html).
 * lib/config/instance-refresh.ts validates what AWS refuses.
 */
export interface FleetInstanceRefreshOptions {
  /** @default 90 */
  readonly minHealthyPercentage?: number;
  /** 100 to 200, at most minHealthyPercentage + 100. @default 100 (terminate before launching) */
  readonly maxHealthyPercentage?: number;
  /** Unique, ascending, the last 100. @default none: the whole group in one pass */
  readonly checkpointPercentages?: readonly number[];
  /** Only with checkpointPercentages. @default 3600 (AWS's default) */
  readonly checkpointDelaySeconds?: number;
  /** @default false */
  readonly skipMatching?: boolean;
  /**
   * Needs an AMI ID in the template (no `resolve:ssm:`). With provider 5.100 a rollback restores
   * the version Terraform has just saved on the group (hashicorp/terraform-provider-aws#34189).
   * @default false
   */
  readonly autoRollback?: boolean;
  /** @default "Ignore" */
  readonly scaleInProtectedInstances?: "Refresh" | "Ignore" | "Wait";
  /** @default "Ignore" */
  readonly standbyInstances?: "Terminate" | "Ignore" | "Wait";
}

export interface FleetProps {
  /** `<app>-<environment>`; names the group (`<prefix>-fleet`), template, role and tags. */
  readonly namePrefix: string;
  /** AMI for the launch template. */
  readonly imageId: string;
  readonly instanceType: string;
  readonly subnetIds: readonly string[];
  readonly securityGroup: SecurityGroup;
  readonly encryptionKey: EncryptionKey;
  /** Plain-text user data. */
  readonly userData: string;
  readonly minSize: number;
  readonly maxSize: number;
  /** Target groups the instances register with; health checks then come from the load balancer. */
  readonly targetGroupArns: readonly string[];
  /**
   * Capacity at creation; ignored afterwards (Auto Scaling and CodeDeploy own it).
   * @default minSize
   */
  readonly desiredCapacity?: number;
  /**
   * Give instances a public IP (public subnets have no NAT).
   * @default false
   */
  readonly associatePublicIp?: boolean;
  /**
   * Containers run on the instances: IMDSv2 hop limit 2 so they reach instance credentials.
   * @default false
   */
  readonly containers?: boolean;
  /** @default 30 GiB gp3 */
  readonly rootVolume?: InstanceRootVolume;
  /** @default false */
  readonly detailedMonitoring?: boolean;
  /** @default none */
  readonly keyName?: string;
  /** @default 300 */
  readonly healthCheckGracePeriodSeconds?: number;
  /** @default 50 */
  readonly cpuTargetPercent?: number;
  /** @default no request-count policy */
  readonly requestScaling?: RequestScalingOptions;
  /** @default 300 */
  readonly instanceWarmupSeconds?: number;
  /** @default ["OldestLaunchTemplate", "OldestInstance"] */
  readonly terminationPolicies?: readonly string[];
  /**
   * Launch, terminate and error events go here.
   * @default no notifications
   */
  readonly notificationTopic?: NotificationTopic;
  /**
   * Pin the group to the template's latest version and roll instances (instance refresh) when it
   * changes; `true` is {@link FleetInstanceRefreshOptions} with every default. For in-place
   * deployments; blue/green fleets follow `$Latest` instead, because CodeDeploy's copies of the
   * group are not managed by Terraform. Alarms that fail the refresh: {@link Fleet.failRefreshOn}.
   * @default false
   */
  readonly instanceRefresh?: boolean | FleetInstanceRefreshOptions;
  /** Tags on instances and volumes. @default {} */
  readonly instanceTags?: Readonly<Record<string, string>>;
  /**
   * What instances read at boot (SSM parameters...): the group is created after them.
   * @default none
   */
  readonly dependsOn?: readonly ITerraformDependable[];
  /**
   * CodeDeploy blue/green copies the group on every release. The scaling policies and notifications
   * Terraform attaches then live on the bootstrap group only (they go with it), and
   * {@link Fleet.copySettings} is what a {@link FleetReconciler} applies to the copies.
   * @default false
   */
  readonly copiedByReleases?: boolean;
  /**
   * A warm pool on the bootstrap group (and, through {@link Fleet.copySettings}, on every copy).
   * Not with {@link purchase}.
   * @default no warm pool
   */
  readonly warmPool?: FleetWarmPoolOptions;
  /**
   * Launch through a mixed instances policy instead of the launch template alone. The template's
   * `imageId` must then be an AMI ID.
   * @default the launch template alone: On-Demand instances of instanceType
   */
  readonly purchase?: FleetPurchaseOptions;
}

/** A target tracking policy as the Auto Scaling API takes it (`PutScalingPolicy`). */
export interface TargetTrackingPolicySetting {
  readonly name: string;
  readonly targetTracking: {
    readonly PredefinedMetricSpecification: { readonly PredefinedMetricType: string; readonly ResourceLabel?: string };
    readonly TargetValue: number;
  };
}

/**
 * Everything Terraform configures on the bootstrap group, in the shape the Auto Scaling API takes:
 * the desired state of every copy CodeDeploy makes (see constructs/fleet-reconciler.ts).
 */
export interface FleetCopySettings {
  readonly fleetTag: string;
  readonly bootstrapGroupName: string;
  readonly minSize: number;
  readonly maxSize: number;
  readonly subnetIds: readonly string[];
  readonly targetGroupArns: readonly string[];
  readonly healthCheckType: string;
  readonly healthCheckGracePeriod: number;
  readonly defaultInstanceWarmup: number;
  readonly terminationPolicies: readonly string[];
  readonly launchTemplateId: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly enabledMetrics: readonly string[];
  readonly scalingPolicies: readonly TargetTrackingPolicySetting[];
  readonly notificationTopicArn?: string;
  readonly notificationTypes: readonly string[];
  /** `PutWarmPool` arguments; absent: the copy must have no warm pool. */
  readonly warmPool?: {
    readonly PoolState: string;
    readonly MinSize: number;
    readonly MaxGroupPreparedCapacity?: number;
    readonly InstanceReusePolicy: { readonly ReuseOnScaleIn: boolean };
  };
  /** `MixedInstancesPolicy` of UpdateAutoScalingGroup (launch template at `$Latest`); absent: the launch template alone. */
  readonly mixedInstancesPolicy?: Record<string, unknown>;
  readonly capacityRebalance: boolean;
}

/**
 * The application fleet: instance role and profile, launch template, Auto Scaling group,
 * target tracking policies and notifications.
 *
 * CodeDeploy blue/green replaces the group with a copy on every release and deletes the original,
 * outside Terraform (terraform-provider-aws#4678). So Terraform owns a *bootstrap* group that it
 * creates only while no group of the fleet exists or while the bootstrap group itself is alive; it
 * finds the live group by the {@link FLEET_TAG_KEY} tag (CodeDeploy copies tags), and everything
 * attached to "the" group (policies, notifications, alarms) targets {@link liveGroupName}.
 * After any number of releases the next plan creates, destroys and resizes no fleet
 * (docs/release-pipeline.md).
 */
export class Fleet extends Construct {
  public readonly role: Role;
  public readonly launchTemplate: LaunchTemplate;
  /** Name of the group Terraform creates first. */
  public readonly bootstrapGroupName: string;
  /** Name of the group serving now: the bootstrap group, or CodeDeploy's latest copy. */
  public readonly liveGroupName: string;
  /** Value of the {@link FLEET_TAG_KEY} tag on every group of this fleet. */
  public readonly fleetTag: string;
  /** The bootstrap group's settings, for the copies CodeDeploy makes of it. */
  public readonly copySettings: FleetCopySettings;
  /** The bootstrap group (`aws_autoscaling_group.fleet_asg`). */
  private readonly group: AutoscalingGroup;
  /** Its `instance_refresh` block without alarms; absent: no instance refresh. */
  private readonly refresh?: AutoscalingGroupInstanceRefresh;

  constructor(scope: Construct, id: string, props: FleetProps) {
    super(scope, id);
    const context = AccountContext.of(this);
    this.fleetTag = props.namePrefix;
    this.bootstrapGroupName = `${props.namePrefix}-fleet`;

    this.role = new Role(this, childId(this, "role"), {
      roleName: `${props.namePrefix}-instance`,
      description: `Instances of ${props.namePrefix}`,
      assumedBy: { type: "Service", identifiers: [context.servicePrincipal("ec2")] },
      managedPolicies: ["AmazonSSMManagedInstanceCore"],
      instanceProfile: true,
    });

    allowAutoScalingToUseKey(props.encryptionKey, context);
    this.launchTemplate = new LaunchTemplate(this, childId(this, "template"), {
      templateName: props.namePrefix,
      imageId: props.imageId,
      instanceType: props.instanceType,
      instanceProfileArn: this.role.instanceProfileArn!,
      securityGroupIds: [props.securityGroup.securityGroupId],
      encryptionKey: props.encryptionKey,
      userData: props.userData,
      associatePublicIp: props.associatePublicIp,
      metadataHopLimit: props.containers ? 2 : 1,
      rootVolume: props.rootVolume,
      detailedMonitoring: props.detailedMonitoring,
      keyName: props.keyName,
      instanceTags: props.instanceTags,
      // A Hibernated warm pool needs instances launched with hibernation enabled.
      hibernation: props.warmPool?.poolState === "Hibernated",
    });

    const groups = pin(
      this,
      new DataAwsAutoscalingGroups(this, "groups", { filter: [{ name: `tag:${FLEET_TAG_KEY}`, values: [this.fleetTag] }] }),
      "groups",
    );
    // (`Op.eq(x, 0)` renders as `== undefined` in cdktf 0.21, hence `< 1`.)
    const bootstrapAlive = Op.or(Op.lt(Fn.lengthOf(groups.names), 1), Fn.contains(groups.names, this.bootstrapGroupName));
    this.liveGroupName = Token.asString(Fn.conditional(bootstrapAlive, this.bootstrapGroupName, Fn.element(Fn.sort(groups.names), 0)));

    const instanceRefresh = props.instanceRefresh !== undefined && props.instanceRefresh !== false;
    const warmup = props.instanceWarmupSeconds ?? 300;
    const copied = props.copiedByReleases ?? false;
    const bootstrapCount = Token.asNumber(Fn.conditional(bootstrapAlive, 1, 0));
    const healthCheckType = props.targetGroupArns.length > 0 ? "ELB" : "EC2";
    const gracePeriod = props.healthCheckGracePeriodSeconds ?? 300;
    const terminationPolicies = [...(props.terminationPolicies ?? ["OldestLaunchTemplate", "OldestInstance"])];
    // Provider default_tags do not reach Auto Scaling groups nor, through them, their instances'
    // launches: the group carries the cost tags itself (propagated, as CodeDeploy's copies do).
    const groupTags: Record<string, string> = { ...(props.instanceTags ?? {}), Name: `${props.namePrefix}-app`, [FLEET_TAG_KEY]: this.fleetTag };
    const policies: TargetTrackingPolicySetting[] = [
      { name: "cpu-target-tracking", targetTracking: { PredefinedMetricSpecification: { PredefinedMetricType: "ASGAverageCPUUtilization" }, TargetValue: props.cpuTargetPercent ?? 50 } },
      ...(props.requestScaling
        ? [
            {
              name: "requests-per-target-tracking",
              targetTracking: {
                PredefinedMetricSpecification: { PredefinedMetricType: "ALBRequestCountPerTarget", ResourceLabel: props.requestScaling.resourceLabel },
                TargetValue: props.requestScaling.requestsPerTarget,
              },
            },
          ]
        : []),
    ];
    if (props.warmPool && props.purchase) {
      throw new Error(`${this.node.path}: warmPool and purchase exclude each other: PutWarmPool refuses a group with a mixed instances policy or Spot (https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_PutWarmPool.html)`);
    }
    if (props.purchase && props.imageId.startsWith("resolve:ssm:")) {
      throw new Error(
        `${this.node.path}: a mixed instances policy needs an AMI ID in the launch template, not ${props.imageId} (CreateAutoScalingGroup refuses it: https://github.com/hashicorp/terraform-provider-aws/issues/38767)`,
      );
    }
    const mixed = props.purchase ? mixedInstancesPolicy(props.instanceType, props.purchase) : undefined;
    const warmPool = props.warmPool
      ? {
          PoolState: props.warmPool.poolState ?? "Stopped",
          MinSize: props.warmPool.minSize ?? 1,
          ...(props.warmPool.maxGroupPreparedCapacity !== undefined ? { MaxGroupPreparedCapacity: props.warmPool.maxGroupPreparedCapacity } : {}),
          InstanceReusePolicy: { ReuseOnScaleIn: props.warmPool.reuseOnScaleIn ?? false },
        }
      : undefined;
    const capacityRebalance = props.purchase ? (props.purchase.capacityRebalance ?? true) : false;
    const templateVersion = instanceRefresh ? Token.asString(this.launchTemplate.latestVersion) : "$Latest";
    this.refresh = refreshBlock(props.instanceRefresh, warmup);
    const group = pin(
      this,
      new AutoscalingGroup(this, "asg", {
        name: this.bootstrapGroupName,
        count: bootstrapCount,
        minSize: props.minSize,
        maxSize: props.maxSize,
        desiredCapacity: props.desiredCapacity ?? props.minSize,
        vpcZoneIdentifier: [...props.subnetIds],
        targetGroupArns: [...props.targetGroupArns],
        healthCheckType,
        healthCheckGracePeriod: gracePeriod,
        defaultInstanceWarmup: warmup,
        terminationPolicies,
        // Instances cannot pass the load balancer's health check before the first release; do not
        // make `terraform apply` wait for them.
        waitForCapacityTimeout: "0",
        enabledMetrics: [...ENABLED_METRICS],
        // With a mixed instances policy the template is named there, not at the top level.
        launchTemplate: mixed ? undefined : { id: this.launchTemplate.launchTemplateId, version: templateVersion },
        mixedInstancesPolicy: mixed ? mixedInstancesPolicyBlock(mixed, this.launchTemplate.launchTemplateId, templateVersion) : undefined,
        capacityRebalance: mixed ? capacityRebalance : undefined,
        warmPool: warmPool
          ? {
              poolState: warmPool.PoolState,
              minSize: warmPool.MinSize,
              maxGroupPreparedCapacity: warmPool.MaxGroupPreparedCapacity,
              instanceReusePolicy: { reuseOnScaleIn: warmPool.InstanceReusePolicy.ReuseOnScaleIn },
            }
          : undefined,
        // terraform destroy deletes the warm pool before the group; its instances are disposable.
        forceDeleteWarmPool: warmPool ? true : undefined,
        instanceRefresh: this.refresh,
        tag: Object.entries(groupTags)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([key, value]) => ({ key, value, propagateAtLaunch: true })),
        lifecycle: { ignoreChanges: ["desired_capacity"] },
        dependsOn: props.dependsOn ? [...props.dependsOn] : undefined,
      }),
      "asg",
    );
    this.group = group;

    // With copies, the policies and notifications Terraform attaches go with the bootstrap group
    // (`count` follows it) and the reconciler puts the same ones on every copy: no plan churn.
    const attachTo = copied ? this.bootstrapGroupName : this.liveGroupName;
    const attachCount = copied ? bootstrapCount : undefined;
    const policyIds: Record<string, [string, string]> = { "cpu-target-tracking": ["cpu-policy", "cpu"], "requests-per-target-tracking": ["request-policy", "requests"] };
    for (const policy of policies) {
      const [id, address] = policyIds[policy.name];
      const spec = policy.targetTracking.PredefinedMetricSpecification;
      pin(
        this,
        new AutoscalingPolicy(this, id, {
          count: attachCount,
          name: policy.name,
          autoscalingGroupName: attachTo,
          policyType: "TargetTrackingScaling",
          targetTrackingConfiguration: {
            predefinedMetricSpecification: { predefinedMetricType: spec.PredefinedMetricType, resourceLabel: spec.ResourceLabel },
            targetValue: policy.targetTracking.TargetValue,
          },
          dependsOn: [group],
        }),
        address,
      );
    }
    if (props.notificationTopic) notifyGroupEvents(this, attachTo, props.notificationTopic, [group], attachCount);

    this.copySettings = {
      fleetTag: this.fleetTag,
      bootstrapGroupName: this.bootstrapGroupName,
      minSize: props.minSize,
      maxSize: props.maxSize,
      subnetIds: [...props.subnetIds],
      targetGroupArns: [...props.targetGroupArns],
      healthCheckType,
      healthCheckGracePeriod: gracePeriod,
      defaultInstanceWarmup: warmup,
      terminationPolicies,
      launchTemplateId: this.launchTemplate.launchTemplateId,
      tags: groupTags,
      enabledMetrics: [...ENABLED_METRICS],
      scalingPolicies: policies,
      notificationTopicArn: props.notificationTopic?.topicArn,
      notificationTypes: [...GROUP_NOTIFICATIONS],
      warmPool,
      mixedInstancesPolicy: mixed ? { ...mixed, LaunchTemplate: { ...mixed.LaunchTemplate, LaunchTemplateSpecification: { LaunchTemplateId: this.launchTemplate.launchTemplateId, Version: "$Latest" } } } : undefined,
      capacityRebalance,
    };
  }

  /**
   * CloudWatch alarms that fail the instance refresh when they go into ALARM (AlarmSpecification;
   * with autoRollback, Auto Scaling then rolls back). Up to 10 alarms (API reference,
   * https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_AlarmSpecification.html). The
   * group refers to the alarms, so an alarm added in the same apply exists before a refresh starts.
   */
  public failRefreshOn(alarmNames: readonly string[]): void {
    if (!this.refresh) throw new Error(`${this.node.path}: failRefreshOn needs instanceRefresh`);
    if (alarmNames.length > 10) throw new Error(`${this.node.path}: an instance refresh watches at most 10 alarms, received ${alarmNames.length}`);
    const preferences = { ...this.refresh.preferences, alarmSpecification: alarmNames.length > 0 ? { alarms: [...alarmNames] } : undefined };
    this.group.putInstanceRefresh({ ...this.refresh, preferences });
    if (alarmNames.length === 0) suppress(this.group, "ASG.INSTANCE_REFRESH_ALARMS", "the configuration lets the instance refresh watch no alarm (fleet.instanceRefresh.alarms: [])");
  }
}

/** The `instance_refresh` block of {@link FleetProps.instanceRefresh}, without alarms. */
function refreshBlock(option: boolean | FleetInstanceRefreshOptions | undefined, warmupSeconds: number): AutoscalingGroupInstanceRefresh | undefined {
  if (option === undefined || option === false) return undefined;
  const o: FleetInstanceRefreshOptions = option === true ? {} : option;
  const checkpoints = o.checkpointPercentages ?? [];
  if (o.checkpointDelaySeconds !== undefined && checkpoints.length === 0) throw new Error("Fleet: instanceRefresh.checkpointDelaySeconds needs checkpointPercentages (RefreshPreferences.CheckpointDelay)");
  return {
    strategy: "Rolling",
    // A new template version starts the refresh (the provider's default trigger); no `triggers`:
    // the group's other arguments (sizes, subnets, target groups) change without replacing instances.
    preferences: {
      minHealthyPercentage: o.minHealthyPercentage ?? 90,
      maxHealthyPercentage: o.maxHealthyPercentage ?? 100,
      instanceWarmup: String(warmupSeconds),
      checkpointPercentages: checkpoints.length > 0 ? [...checkpoints] : undefined,
      checkpointDelay: checkpoints.length > 0 ? String(o.checkpointDelaySeconds ?? 3600) : undefined,
      skipMatching: o.skipMatching ?? false,
      autoRollback: o.autoRollback ?? false,
      scaleInProtectedInstances: o.scaleInProtectedInstances ?? "Ignore",
      standbyInstances: o.standbyInstances ?? "Ignore",
    },
  };
}

/** A mixed instances policy in the Auto Scaling API's shape, without its launch template specification. */
interface MixedPolicy {
  readonly InstancesDistribution: {
    readonly OnDemandBaseCapacity: number;
    readonly OnDemandPercentageAboveBaseCapacity: number;
    readonly OnDemandAllocationStrategy: string;
    readonly SpotAllocationStrategy: string;
  };
  readonly LaunchTemplate: { readonly Overrides: readonly Record<string, unknown>[] };
}

function mixedInstancesPolicy(instanceType: string, p: FleetPurchaseOptions): MixedPolicy {
  const req = p.instanceRequirements;
  if (req && (p.instanceTypes ?? []).length > 0) throw new Error("Fleet: purchase.instanceTypes and purchase.instanceRequirements exclude each other");
  const range = (r: { min: number; max?: number }) => ({ Min: r.min, ...(r.max !== undefined ? { Max: r.max } : {}) });
  const overrides: Record<string, unknown>[] = req
    ? [
        {
          InstanceRequirements: {
            VCpuCount: range(req.vcpu),
            MemoryMiB: range(req.memoryMiB),
            ...(req.allowedInstanceTypes ? { AllowedInstanceTypes: [...req.allowedInstanceTypes] } : {}),
          },
        },
      ]
    : [instanceType, ...(p.instanceTypes ?? [])].map((type) => ({ InstanceType: type }));
  return {
    InstancesDistribution: {
      OnDemandBaseCapacity: p.onDemandBaseCapacity ?? 0,
      OnDemandPercentageAboveBaseCapacity: p.onDemandPercentageAboveBase ?? 100,
      OnDemandAllocationStrategy: p.onDemandAllocationStrategy ?? (req ? "lowest-price" : "prioritized"),
      SpotAllocationStrategy: p.spotAllocationStrategy ?? "price-capacity-optimized",
    },
    LaunchTemplate: { Overrides: overrides },
  };
}

/** The same policy as the provider's `mixed_instances_policy` block. */
function mixedInstancesPolicyBlock(policy: MixedPolicy, launchTemplateId: string, version: string) {
  const d = policy.InstancesDistribution;
  const range = (r: { Min: number; Max?: number }) => ({ min: r.Min, max: r.Max });
  return {
    instancesDistribution: {
      onDemandBaseCapacity: d.OnDemandBaseCapacity,
      onDemandPercentageAboveBaseCapacity: d.OnDemandPercentageAboveBaseCapacity,
      onDemandAllocationStrategy: d.OnDemandAllocationStrategy,
      spotAllocationStrategy: d.SpotAllocationStrategy,
    },
    launchTemplate: {
      launchTemplateSpecification: { launchTemplateId, version },
      override: policy.LaunchTemplate.Overrides.map((o: any) =>
        o.InstanceRequirements
          ? {
              instanceRequirements: {
                vcpuCount: range(o.InstanceRequirements.VCpuCount),
                memoryMib: range(o.InstanceRequirements.MemoryMiB),
                allowedInstanceTypes: o.InstanceRequirements.AllowedInstanceTypes,
              },
            }
          : { instanceType: o.InstanceType as string },
      ),
    },
  };
}

const ENABLED_METRICS = ["GroupDesiredCapacity", "GroupInServiceInstances", "GroupMinSize", "GroupMaxSize", "GroupPendingInstances", "GroupTerminatingInstances", "GroupTotalInstances"];
const GROUP_NOTIFICATIONS = ["autoscaling:EC2_INSTANCE_LAUNCH", "autoscaling:EC2_INSTANCE_TERMINATE", "autoscaling:EC2_INSTANCE_LAUNCH_ERROR", "autoscaling:EC2_INSTANCE_TERMINATE_ERROR"];

/**
 * Publishes a group's launch, terminate and error events to `topic`, as
 * `aws_autoscaling_notification.<owner>_notifications`.
 */
export function notifyGroupEvents(owner: Construct, groupName: string, topic: NotificationTopic, dependsOn: ITerraformDependable[], count?: number): void {
  pin(
    owner,
    new AutoscalingNotification(owner, "notifications", {
      count,
      groupNames: [groupName],
      topicArn: topic.topicArn,
      notifications: [...GROUP_NOTIFICATIONS],
      dependsOn,
    }),
    "notifications",
  );
}

/**
 * EC2 Auto Scaling launches instances with its service-linked role, which needs the key to create
 * encrypted volumes (and CodeDeploy's group copies launch through the same role). The role is
 * matched by ARN condition: naming a role that does not exist yet would invalidate the key policy.
 */
export function allowAutoScalingToUseKey(key: EncryptionKey, context: AccountContext): void {
  const slr = `arn:${context.partition}:iam::${context.accountId}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling*`;
  const principal = [{ type: "AWS" as const, identifiers: ["*"] }];
  const conditions = [
    { test: "StringEquals", variable: "kms:CallerAccount", values: [context.accountId] },
    { test: "ArnLike", variable: "aws:PrincipalArn", values: [slr] },
  ];
  key.addToResourcePolicy(
    {
      sid: "AutoScalingEbsVolumes",
      actions: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
      resources: ["*"],
      principals: principal,
      conditions,
    },
    {
      sid: "AutoScalingEbsGrants",
      actions: ["kms:CreateGrant"],
      resources: ["*"],
      principals: principal,
      conditions: [...conditions, { test: "Bool", variable: "kms:GrantIsForAWSResource", values: ["true"] }],
    },
  );
}
