import { AppautoscalingPolicy } from "@cdktf/provider-aws/lib/appautoscaling-policy";
import { AppautoscalingTarget } from "@cdktf/provider-aws/lib/appautoscaling-target";
import { EcsService as AwsEcsService } from "@cdktf/provider-aws/lib/ecs-service";
import { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";
import { Fn } from "cdktf";
import { Construct } from "constructs";
import { childId, pin } from "../lib/address";
import { AccountContext } from "./account-context";
import { ContainerRepository } from "./container-repository";
import { EcsCluster } from "./ecs-cluster";
import { EncryptionKey } from "./encryption-key";
import { LogGroup } from "./log-group";
import { INetwork } from "./network";
import { IPipelineDeployTarget } from "./pipeline";
import { Role } from "./role";
import { SecurityGroup } from "./security-group";
import { HealthCheckOptions, TargetGroup } from "./target-group";

export interface EcsServiceProps {
  /** `<app>-<environment>`; AWS names are `<prefix>-<serviceName>`. */
  readonly namePrefix: string;
  /** Service name; also the container's and the task family's suffix. */
  readonly serviceName: string;
  readonly cluster: EcsCluster;
  readonly network: INetwork;
  /** Private subnets the tasks (awsvpc) run in. */
  readonly subnetIds: readonly string[];
  /** The load balancer's group: the only peer admitted to awsvpc tasks. */
  readonly loadBalancerSecurityGroup: SecurityGroup;
  /** Listener the path rule is added to. */
  readonly listenerArn: string;
  /** Paths routed to the service (at most five). */
  readonly pathPatterns: readonly string[];
  /** Listener rule priority (lower first). */
  readonly priority: number;
  readonly encryptionKey: EncryptionKey;
  /** Days the service's logs are kept. */
  readonly logRetentionDays: number;
  /** @default "FARGATE" */
  readonly launchType?: "FARGATE" | "EC2";
  /** `bridge` only with launch type EC2. @default "awsvpc" */
  readonly networkMode?: "awsvpc" | "bridge";
  /** @default 8080 */
  readonly containerPort?: number;
  /** Task CPU units. @default 256 */
  readonly cpu?: number;
  /** Task memory, MiB. @default 512 */
  readonly memory?: number;
  /** Tasks at creation; autoscaling owns the count afterwards. @default minCount */
  readonly desiredCount?: number;
  /** @default 1 */
  readonly minCount?: number;
  /** @default 4 */
  readonly maxCount?: number;
  /** @default 75 */
  readonly cpuTargetPercent?: number;
  /** @default 75 */
  readonly memoryTargetPercent?: number;
  /** @default see HealthCheckOptions */
  readonly healthCheck?: HealthCheckOptions;
  /** @default 60 */
  readonly healthCheckGracePeriodSeconds?: number;
  /** @default 30 */
  readonly deregistrationDelaySeconds?: number;
  /** Tag of the first task definition's image, before the first release. @default "latest" */
  readonly initialImageTag?: string;
  /** Repository options (see ContainerRepositoryProps). @default immutable tags, 30 images, 7 days untagged */
  readonly repository?: { readonly immutableTags?: boolean; readonly keepLastImages?: number; readonly untaggedExpirationDays?: number; readonly forceDelete?: boolean };
}

/**
 * One ECS service behind a path rule of the load balancer: its ECR repository, log group, task
 * role and a separate execution role, the task definition, the target group (`ip` for awsvpc
 * tasks, `instance` for bridge tasks on their dynamic host ports), the service on its capacity
 * provider strategy, and target tracking on CPU and memory.
 *
 * Releases register new task definition revisions (the pipeline's ECS deploy action), so the
 * service ignores changes of `task_definition`; autoscaling owns `desired_count`.
 */
/** What the build hands the ECS deploy action: `[{ name, imageUri }]` per container. */
export const IMAGE_DEFINITIONS_FILE = "imagedefinitions.json";

export class EcsService extends Construct implements IPipelineDeployTarget {
  public readonly actionProvider = "ECS" as const;
  /** The ECS deploy action's configuration: this service, the image from the build's imagedefinitions.json. */
  public readonly configuration: Record<string, string>;
  public readonly serviceArn: string;
  public readonly serviceName: string;
  public readonly containerName: string;
  public readonly repository: ContainerRepository;
  public readonly logGroup: LogGroup;
  public readonly taskRole: Role;
  public readonly executionRole: Role;
  public readonly targetGroup: TargetGroup;
  /** The tasks' own group (awsvpc only). */
  public readonly securityGroup?: SecurityGroup;

  constructor(scope: Construct, id: string, props: EcsServiceProps) {
    super(scope, id);
    const context = AccountContext.of(this);
    const launchType = props.launchType ?? "FARGATE";
    const networkMode = props.networkMode ?? "awsvpc";
    if (launchType === "FARGATE" && networkMode !== "awsvpc") throw new Error(`${this.node.path}: Fargate tasks support only awsvpc networking, not ${networkMode}`);
    const port = props.containerPort ?? 8080;
    const name = `${props.namePrefix}-${props.serviceName}`;
    this.serviceName = props.serviceName;
    this.containerName = props.serviceName;

    this.repository = new ContainerRepository(this, childId(this, "repository"), {
      repositoryName: name,
      encryptionKey: props.encryptionKey,
      immutableTags: props.repository?.immutableTags,
      keepLastImages: props.repository?.keepLastImages,
      untaggedExpirationDays: props.repository?.untaggedExpirationDays,
      forceDelete: props.repository?.forceDelete,
    });
    this.logGroup = new LogGroup(this, childId(this, "logs"), {
      logGroupName: `/ecs/${props.namePrefix}/${props.serviceName}`,
      retentionDays: props.logRetentionDays,
      encryptionKey: props.encryptionKey,
    });

    const tasks = { type: "Service" as const, identifiers: [context.servicePrincipal("ecs-tasks")] };
    // Against confused deputies: only ECS acting for this account may assume the roles.
    const fromThisAccount = [{ test: "StringEquals", variable: "aws:SourceAccount", values: [context.accountId] }];
    // The execution role is the ECS agent's (pull the image, write logs); the task role is the
    // application's. Keeping them apart keeps the agent's permissions out of the application.
    this.executionRole = new Role(this, childId(this, "execution-role"), {
      roleName: `${name}-execution`,
      description: `ECS agent for ${name}: image pull and logs`,
      assumedBy: tasks,
      assumeConditions: fromThisAccount,
    });
    this.repository.grantPull(this.executionRole);
    this.logGroup.grantWrite(this.executionRole);
    this.taskRole = new Role(this, childId(this, "task-role"), {
      roleName: `${name}-task`,
      description: `Application of ${name}`,
      assumedBy: tasks,
      assumeConditions: fromThisAccount,
    });

    const task = pin(
      this,
      new EcsTaskDefinition(this, "task", {
        family: name,
        requiresCompatibilities: [launchType],
        networkMode,
        cpu: String(props.cpu ?? 256),
        memory: String(props.memory ?? 512),
        executionRoleArn: this.executionRole.roleArn,
        taskRoleArn: this.taskRole.roleArn,
        runtimePlatform: launchType === "FARGATE" ? { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" } : undefined,
        // jsonencode, not JSON.stringify: the document holds references (docs/decisions.md, Synthesis).
        containerDefinitions: Fn.jsonencode([
          {
            name: this.containerName,
            image: `${this.repository.repositoryUrl}:${props.initialImageTag ?? "latest"}`,
            essential: true,
            // Bridge tasks get a dynamic host port, so several fit on one instance.
            portMappings: [{ containerPort: port, hostPort: networkMode === "bridge" ? 0 : port, protocol: "tcp" }],
            logConfiguration: {
              logDriver: "awslogs",
              options: { "awslogs-group": this.logGroup.logGroupName, "awslogs-region": context.region, "awslogs-stream-prefix": props.serviceName },
            },
          },
        ]),
      }),
      "task",
    );

    this.targetGroup = new TargetGroup(this, childId(this, "target-group"), {
      namePrefix: props.namePrefix,
      name,
      vpcId: props.network.vpcId,
      port,
      targetType: networkMode === "awsvpc" ? "ip" : "instance",
      healthCheck: props.healthCheck,
      deregistrationDelaySeconds: props.deregistrationDelaySeconds,
    });
    const rule = this.targetGroup.routePath(props.listenerArn, props.pathPatterns, props.priority);

    if (networkMode === "awsvpc") {
      this.securityGroup = props.network.addSecurityGroup(`${props.serviceName}-tasks`, `Tasks of ${name}: container port from the load balancer only`);
      this.securityGroup.allowIngress("app", { securityGroup: props.loadBalancerSecurityGroup }, { from: port }, `Port ${port} from the load balancer`);
      this.securityGroup.allowEgress("https", { cidr: "0.0.0.0/0" }, { from: 443 }, "HTTPS to ECR, CloudWatch Logs and AWS APIs");
      props.loadBalancerSecurityGroup.allowEgress(props.serviceName, { securityGroup: this.securityGroup }, { from: port }, `Forward to ${name} tasks`);
    }

    const minCount = props.minCount ?? 1;
    const service = pin(
      this,
      new AwsEcsService(this, "service", {
        name: props.serviceName,
        cluster: props.cluster.clusterArn,
        taskDefinition: task.arn,
        desiredCount: props.desiredCount ?? minCount,
        capacityProviderStrategy: launchType === "EC2" ? props.cluster.ec2Strategy() : props.cluster.fargateStrategy(),
        platformVersion: launchType === "FARGATE" ? "LATEST" : undefined,
        deploymentCircuitBreaker: { enable: true, rollback: true },
        deploymentMinimumHealthyPercent: 100,
        deploymentMaximumPercent: 200,
        healthCheckGracePeriodSeconds: props.healthCheckGracePeriodSeconds ?? 60,
        loadBalancer: [{ targetGroupArn: this.targetGroup.targetGroupArn, containerName: this.containerName, containerPort: port }],
        networkConfiguration: this.securityGroup ? { subnets: [...props.subnetIds], securityGroups: [this.securityGroup.securityGroupId], assignPublicIp: false } : undefined,
        orderedPlacementStrategy:
          launchType === "EC2"
            ? [
                { type: "spread", field: "attribute:ecs.availability-zone" },
                { type: "binpack", field: "memory" },
              ]
            : undefined,
        enableEcsManagedTags: true,
        propagateTags: "SERVICE",
        waitForSteadyState: false,
        lifecycle: { ignoreChanges: ["desired_count", "task_definition"] },
        // A target group joins a load balancer through the rule; the strategy needs the providers associated.
        dependsOn: [rule, props.cluster.capacityProviders],
      }),
    );

    this.serviceArn = service.id;
    this.configuration = { ClusterName: props.cluster.clusterName, ServiceName: service.name, FileName: IMAGE_DEFINITIONS_FILE };

    const target = pin(
      this,
      new AppautoscalingTarget(this, "scaling", {
        serviceNamespace: "ecs",
        resourceId: `service/${props.cluster.clusterName}/${service.name}`,
        scalableDimension: "ecs:service:DesiredCount",
        minCapacity: minCount,
        maxCapacity: props.maxCount ?? 4,
      }),
      "scaling",
    );
    const metrics = { cpu: ["ECSServiceAverageCPUUtilization", props.cpuTargetPercent ?? 75], memory: ["ECSServiceAverageMemoryUtilization", props.memoryTargetPercent ?? 75] } as const;
    for (const [metric, [type, targetValue]] of Object.entries(metrics)) {
      pin(
        this,
        new AppautoscalingPolicy(this, `${metric}-policy`, {
          name: `${name}-${metric}`,
          policyType: "TargetTrackingScaling",
          serviceNamespace: target.serviceNamespace,
          resourceId: target.resourceId,
          scalableDimension: target.scalableDimension,
          targetTrackingScalingPolicyConfiguration: {
            targetValue,
            predefinedMetricSpecification: { predefinedMetricType: type },
            scaleInCooldown: 300,
            scaleOutCooldown: 60,
          },
        }),
        metric,
      );
    }
  }

  /**
   * The ECS deploy action registers a revision of the service's task definition with the new
   * image and updates the service: it passes both of the task's roles to ECS.
   */
  public grantDeploy(role: Role): void {
    role.addToPolicy(
      { actions: ["ecs:DescribeServices", "ecs:UpdateService"], resources: [this.serviceArn] },
      { sid: "EcsTaskDefinitions", actions: ["ecs:DescribeTaskDefinition", "ecs:RegisterTaskDefinition"], resources: ["*"] },
    );
    this.taskRole.grantPassRole(role, "ecs-tasks.amazonaws.com");
    this.executionRole.grantPassRole(role, "ecs-tasks.amazonaws.com");
  }
}
