import { AutoscalingGroup } from "@cdktf/provider-aws/lib/autoscaling-group";
import { EcsCapacityProvider } from "@cdktf/provider-aws/lib/ecs-capacity-provider";
import { EcsCluster as AwsEcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import { EcsClusterCapacityProviders } from "@cdktf/provider-aws/lib/ecs-cluster-capacity-providers";
import { EcsServiceCapacityProviderStrategy } from "@cdktf/provider-aws/lib/ecs-service";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { Construct } from "constructs";
import { childId, pin } from "../lib/address";
import { instanceArchitecture } from "../lib/ec2";
import { autoScalingGroupTags } from "../lib/tags";
import { renderTemplate } from "../lib/release/templates";
import { AccountContext } from "./account-context";
import { EncryptionKey } from "./encryption-key";
import { allowAutoScalingToUseKey, notifyGroupEvents } from "./fleet";
import { LaunchTemplate } from "./launch-template";
import { LogGroup } from "./log-group";
import { NotificationTopic } from "./notification-topic";
import { PolicyDocument } from "./policy-document";
import { Role } from "./role";
import { SecurityGroup } from "./security-group";

/** AWS's public parameters that name the current ECS-optimized Amazon Linux 2023 AMI, per architecture. */
export const ECS_OPTIMIZED_AMI_PARAMETERS = {
  x86_64: "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id",
  arm64: "/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id",
} as const;

export interface Ec2CapacityOptions {
  readonly instanceType: string;
  /** Private subnets the container instances run in. */
  readonly subnetIds: readonly string[];
  readonly securityGroup: SecurityGroup;
  /** Encrypts the root volumes. */
  readonly encryptionKey: EncryptionKey;
  readonly minSize: number;
  readonly maxSize: number;
  /**
   * Managed scaling target: how full ECS keeps the instances, in percent.
   * @default 100
   */
  readonly targetCapacityPercent?: number;
  /**
   * Protect instances from scale-in and let ECS decide (managed termination protection): an
   * instance is removed only when it runs no tasks.
   * @default true
   */
  readonly scaleInProtection?: boolean;
  /** @default 30 */
  readonly rootVolumeSizeGb?: number;
  /**
   * AMI of the instances.
   * @default `resolve:ssm:` the ECS-optimized Amazon Linux 2023 image of the instance type's architecture
   */
  readonly imageId?: string;
  /** Tags on instances and volumes. @default {} */
  readonly instanceTags?: Readonly<Record<string, string>>;
  /**
   * Launch, terminate and error events of the group go here.
   * @default no notifications
   */
  readonly notificationTopic?: NotificationTopic;
}

export interface FargateCapacityOptions {
  /** Tasks of each service that always run on regular Fargate. @default 0 */
  readonly base?: number;
  /** @default 1 */
  readonly weight?: number;
  /** Share on Fargate Spot; 0 keeps Spot out. @default 0 */
  readonly spotWeight?: number;
}

export interface EcsExecOptions {
  /** Days the session log group keeps each command and its output. */
  readonly logRetentionDays: number;
  /** Encrypts the session log group (the exec key encrypts the sessions themselves). */
  readonly logEncryptionKey: EncryptionKey;
  /**
   * Days between scheduling deletion of the exec key and its deletion.
   * @default 30
   */
  readonly keyDeletionWindowDays?: number;
}

export interface EcsClusterProps {
  /** Cluster name; the container instances' user data names it, so it is literal text. */
  readonly clusterName: string;
  /** @default "enabled" */
  readonly containerInsights?: "enabled" | "enhanced" | "disabled";
  /** @default { base: 0, weight: 1, spotWeight: 0 } */
  readonly fargate?: FargateCapacityOptions;
  /**
   * An Auto Scaling group of container instances behind a capacity provider with managed scaling.
   * @default no EC2 capacity (Fargate only)
   */
  readonly ec2Capacity?: Ec2CapacityOptions;
  /**
   * ECS Exec, audited: a KMS key of its own for the sessions, a KMS-encrypted log group that gets
   * every command and its output (`logging = "OVERRIDE"`), and a managed policy for operators.
   * Services opt in with `enableExecuteCommand`.
   * @default no ECS Exec configuration (services cannot turn it on)
   */
  readonly exec?: EcsExecOptions;
}

/** What an ECS Exec session needs on the cluster: see {@link EcsCluster.exec}. */
export interface EcsExecConfiguration {
  /** Encrypts the data channel between the operator's client and the container. */
  readonly key: EncryptionKey;
  /** Receives each session's commands and output. */
  readonly logGroup: LogGroup;
  /** Managed policy to attach to the operators allowed to open sessions (ecs:ExecuteCommand on this cluster's tasks). */
  readonly operatorPolicyArn: string;
}

/**
 * An ECS cluster with Container Insights and its capacity providers: FARGATE and FARGATE_SPOT,
 * and optionally an EC2 capacity provider over an Auto Scaling group of ECS-optimized instances.
 *
 * Destroy order (terraform-provider-aws#18849): services go first (they wait for the capacity
 * provider association), then the association, the capacity provider, the group and last the
 * cluster, which the group depends on because a cluster with registered instances cannot be
 * deleted. The group is force-deleted: with managed termination protection its instances stay
 * protected from scale-in after the capacity provider is gone, and a plain delete would wait for
 * a scale-in that never happens.
 */
export class EcsCluster extends Construct {
  public readonly clusterName: string;
  public readonly clusterArn: string;
  /** Set when the cluster has EC2 capacity. */
  public readonly ec2CapacityProviderName?: string;
  /** Role of the container instances (EC2 capacity only). */
  public readonly instanceRole?: Role;
  /** What services must wait for: the cluster's capacity provider association. */
  public readonly capacityProviders: EcsClusterCapacityProviders;
  /** Set when the cluster is configured for ECS Exec ({@link EcsClusterProps.exec}). */
  public readonly exec?: EcsExecConfiguration;
  private readonly fargate: Required<FargateCapacityOptions>;

  constructor(scope: Construct, id: string, props: EcsClusterProps) {
    super(scope, id);
    const context = AccountContext.of(this);
    this.fargate = { base: props.fargate?.base ?? 0, weight: props.fargate?.weight ?? 1, spotWeight: props.fargate?.spotWeight ?? 0 };
    if (this.fargate.weight + this.fargate.spotWeight < 1) throw new Error(`${this.node.path}: fargate weight or spotWeight must be above 0`);

    // ECS Exec (Amazon ECS developer guide, "Using Amazon ECS Exec", logging and encryption:
    // https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec.html). A key of its own:
    // the task roles get kms:Decrypt on it, which on the environment key would reach every
    // ciphertext that key protects. OVERRIDE sends each session's commands and output to a group
    // of its own; cloud_watch_encryption_enabled makes the agent refuse a group without a KMS key.
    const exec = props.exec;
    const execKey = exec
      ? new EncryptionKey(this, childId(this, "exec-key"), {
          alias: `${props.clusterName}-ecs-exec`,
          description: `Encrypts ECS Exec sessions of ${props.clusterName}`,
          deletionWindowDays: exec.keyDeletionWindowDays,
        })
      : undefined;
    const execLogs = exec
      ? new LogGroup(this, childId(this, "exec-logs"), { logGroupName: `/ecs-exec/${props.clusterName}`, retentionDays: exec.logRetentionDays, encryptionKey: exec.logEncryptionKey })
      : undefined;
    const cluster = pin(
      this,
      new AwsEcsCluster(this, "cluster", {
        name: props.clusterName,
        setting: [{ name: "containerInsights", value: props.containerInsights ?? "enabled" }],
        configuration:
          execKey && execLogs
            ? {
                executeCommandConfiguration: {
                  kmsKeyId: execKey.keyArn,
                  logging: "OVERRIDE",
                  logConfiguration: { cloudWatchLogGroupName: execLogs.logGroupName, cloudWatchEncryptionEnabled: true },
                },
              }
            : undefined,
      }),
    );
    this.clusterName = props.clusterName;
    this.clusterArn = cluster.arn;
    if (execKey && execLogs) {
      this.exec = { key: execKey, logGroup: execLogs, operatorPolicyArn: this.execOperatorPolicy(execKey).arn };
    }

    const providers = ["FARGATE", "FARGATE_SPOT"];
    const ec2 = props.ec2Capacity;
    if (ec2) {
      this.instanceRole = new Role(this, childId(this, "instance-role"), {
        roleName: `${props.clusterName}-container-instance`,
        description: `Container instances of ${props.clusterName}`,
        assumedBy: { type: "Service", identifiers: [context.servicePrincipal("ec2")] },
        managedPolicies: ["service-role/AmazonEC2ContainerServiceforEC2Role", "AmazonSSMManagedInstanceCore"],
        instanceProfile: true,
      });
      allowAutoScalingToUseKey(ec2.encryptionKey, context);
      const template = new LaunchTemplate(this, childId(this, "template"), {
        templateName: `${props.clusterName}-container-instance`,
        imageId: ec2.imageId ?? `resolve:ssm:${ECS_OPTIMIZED_AMI_PARAMETERS[instanceArchitecture(ec2.instanceType)]}`,
        instanceType: ec2.instanceType,
        instanceProfileArn: this.instanceRole.instanceProfileArn!,
        securityGroupIds: [ec2.securityGroup.securityGroupId],
        encryptionKey: ec2.encryptionKey,
        userData: renderTemplate("ecs/user-data.sh", { clusterName: props.clusterName }),
        // Hop limit 1: bridge-mode containers cannot reach the instance's credentials; tasks get
        // theirs from the ECS agent (task roles), awsvpc tasks are blocked by ECS_AWSVPC_BLOCK_IMDS.
        metadataHopLimit: 1,
        rootVolume: { sizeGb: ec2.rootVolumeSizeGb ?? 30, type: "gp3" },
        instanceTags: ec2.instanceTags,
      });
      const protect = ec2.scaleInProtection ?? true;
      const group = pin(
        this,
        new AutoscalingGroup(this, "capacity-group", {
          name: `${props.clusterName}-capacity`,
          minSize: ec2.minSize,
          maxSize: ec2.maxSize,
          desiredCapacity: ec2.minSize,
          vpcZoneIdentifier: [...ec2.subnetIds],
          healthCheckType: "EC2",
          healthCheckGracePeriod: 300,
          protectFromScaleIn: protect,
          forceDelete: true,
          launchTemplate: { id: template.launchTemplateId, version: "$Latest" },
          enabledMetrics: ["GroupDesiredCapacity", "GroupInServiceInstances", "GroupMinSize", "GroupMaxSize", "GroupPendingInstances", "GroupTerminatingInstances", "GroupTotalInstances"],
          // The stack's default tags too: provider default_tags do not reach Auto Scaling groups.
          tag: autoScalingGroupTags(this, [
            { key: "Name", value: `${props.clusterName}-container-instance`, propagateAtLaunch: true },
            // ECS managed scaling requires the tag on the group (ECS adds it too; declaring it avoids drift).
            { key: "AmazonECSManaged", value: "true", propagateAtLaunch: true },
          ]),
          // Managed scaling owns the size after creation.
          lifecycle: { ignoreChanges: ["desired_capacity"] },
          dependsOn: [cluster],
        }),
        "capacity",
      );
      if (ec2.notificationTopic) notifyGroupEvents(this, group.name, ec2.notificationTopic, [group]);
      const provider = pin(
        this,
        new EcsCapacityProvider(this, "ec2-provider", {
          // Capacity provider names may not start with "aws", "ecs" or "fargate".
          name: `cp-${props.clusterName}-ec2`,
          autoScalingGroupProvider: {
            autoScalingGroupArn: group.arn,
            managedTerminationProtection: protect ? "ENABLED" : "DISABLED",
            managedDraining: "ENABLED",
            managedScaling: {
              status: "ENABLED",
              targetCapacity: ec2.targetCapacityPercent ?? 100,
              minimumScalingStepSize: 1,
              maximumScalingStepSize: 10,
              instanceWarmupPeriod: 300,
            },
          },
        }),
        "ec2",
      );
      this.ec2CapacityProviderName = provider.name;
      providers.push(provider.name);
    }

    this.capacityProviders = pin(
      this,
      new EcsClusterCapacityProviders(this, "capacity-providers", {
        clusterName: cluster.name,
        capacityProviders: providers,
        defaultCapacityProviderStrategy: this.fargateStrategy(),
      }),
      "capacity_providers",
    );
  }

  /**
   * What the SSM agent ECS starts in each task of a service with ECS Exec needs from the task
   * role (Amazon ECS developer guide, "Using Amazon ECS Exec", IAM permissions:
   * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec.html): the Session
   * Manager channels (no resource type: "*"), the exec key to decrypt the session's data key, and
   * the session log group (DescribeLogGroups, with which the agent checks the group's encryption,
   * has no resource scope either).
   */
  public grantExecAgent(role: Role): void {
    if (!this.exec) throw new Error(`${this.node.path}: the cluster has no ECS Exec configuration; give it exec for services with enableExecuteCommand`);
    const group = this.exec.logGroup.logGroupArn;
    role.addToPolicy(
      {
        sid: "ExecSessionChannels",
        actions: ["ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"],
        resources: ["*"],
      },
      { sid: "ExecSessionKey", actions: ["kms:Decrypt"], resources: [this.exec.key.keyArn] },
      { sid: "ExecLogGroupCheck", actions: ["logs:DescribeLogGroups"], resources: ["*"] },
      { sid: "ExecSessionLogs", actions: ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"], resources: [group, `${group}:*`] },
    );
  }

  /**
   * A managed policy for the people allowed to open sessions: `aws ecs execute-command` on this
   * cluster's tasks only, DescribeTasks/ListTasks to find them, and kms:GenerateDataKey on the
   * exec key, which the client needs to encrypt the session. ECS starts the SSM session itself, so
   * operators need no ssm:StartSession; the policy denies it on the cluster's tasks, so a session
   * that bypasses ECS Exec (and its log) cannot be opened with it (same guide, "Limiting access
   * to the Start Session action").
   */
  private execOperatorPolicy(key: EncryptionKey): IamPolicy {
    const context = AccountContext.of(this);
    const tasks = context.arn("ecs", `task/${this.clusterName}/*`);
    // Scoped by resource ARN, not by the ecs:cluster condition key: ExecuteCommand compares that
    // key with the request's cluster parameter as given, so a short name against an ARN would be
    // refused (Amazon ECS API reference, ExecuteCommand:
    // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ExecuteCommand.html).
    const document = new PolicyDocument(this, childId(this, "exec-operator-document"), {
      statements: [
        { sid: "ExecuteCommand", actions: ["ecs:ExecuteCommand"], resources: [this.clusterArn, tasks] },
        { sid: "DescribeTasks", actions: ["ecs:DescribeTasks"], resources: [tasks] },
        { sid: "ListTasks", actions: ["ecs:ListTasks"], resources: ["*"] },
        { sid: "EncryptSession", actions: ["kms:GenerateDataKey"], resources: [key.keyArn] },
        { sid: "NoUnloggedSessions", effect: "Deny", actions: ["ssm:StartSession"], resources: [tasks] },
      ],
    });
    return pin(
      this,
      new IamPolicy(this, "exec-operator-policy", {
        name: `${this.clusterName}-ecs-exec`,
        description: `Open ECS Exec sessions in the tasks of ${this.clusterName} (aws ecs execute-command); sessions are encrypted and logged`,
        policy: document.json,
      }),
      "exec_operator",
    );
  }

  /** Where FARGATE services run: regular Fargate (base, weight) and Fargate Spot (weight). */
  public fargateStrategy(): EcsServiceCapacityProviderStrategy[] {
    const { base, weight, spotWeight } = this.fargate;
    return [
      ...(weight > 0 || base > 0 ? [{ capacityProvider: "FARGATE", base, weight }] : []),
      ...(spotWeight > 0 ? [{ capacityProvider: "FARGATE_SPOT", weight: spotWeight }] : []),
    ];
  }

  /** Where EC2 services run: the EC2 capacity provider, which scales the group for them. */
  public ec2Strategy(): EcsServiceCapacityProviderStrategy[] {
    if (!this.ec2CapacityProviderName) throw new Error(`${this.node.path}: the cluster has no EC2 capacity; give it ec2Capacity for EC2 services`);
    return [{ capacityProvider: this.ec2CapacityProviderName, base: 0, weight: 1 }];
  }
}
