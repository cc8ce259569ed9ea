import { AppautoscalingPolicy } from "@cdktf/provider-aws/lib/appautoscaling-policy";
import { AppautoscalingTarget } from "@cdktf/provider-aws/lib/appautoscaling-target";
import { EcsService as AwsEcsService } from "@cdktf/provider-aws/lib/ecs-service";
import { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";
import { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";
import { Fn } from "cdktf";
import { Construct } from "constructs";
import { childId, pin } from "../lib/address";
import { suppress } from "../policy";
import { AccountContext } from "./account-context";
import { ContainerRepository } from "./container-repository";
import { EcsCluster } from "./ecs-cluster";
import { EncryptionKey } from "./encryption-key";
import { LogGroup } from "./log-group";
import { INetwork } from "./network";
import { Role } from "./role";
import { SecurityGroup } from "./security-group";
import { HealthCheckOptions, TargetGroup } from "./target-group";
import { GREEN_TARGET_GROUP_SUFFIX } from "../lib/config/ecs";

export interface EcsServiceProps {
  /** `<app>-<environment>`; AWS names are `<prefix>-<serviceName>`. */
  readonly namePrefix: string;
  /** Service name; also the container's and the task family's suffix. */
  readonly serviceName: string;
  /**
   * Root of the environment's SSM parameters (`/<app>/<env>`): the latest task definition
   * revision Terraform registered is published at `<root>/release/<serviceName>/task-definition`.
   */
  readonly parameterRoot: string;
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
  /**
   * Image tag in the revisions Terraform registers. Releases replace the image; only a service
   * that no release has deployed yet runs it. @default "latest"
   */
  readonly initialImageTag?: string;
  /**
   * Who replaces the tasks on a release. `ECS`: rolling updates with the circuit breaker and
   * rollback ({@link grantDeploy}). `CODE_DEPLOY`: CodeDeploy blue/green (EcsBlueGreenDeployment):
   * a second, green target group, a path rule forwarding to both groups by weight, and Terraform
   * ignoring what CodeDeploy changes (docs/ecs.md, "Blue/green releases").
   * @default "ECS"
   */
  readonly deploymentController?: "ECS" | "CODE_DEPLOY";
  /** Repository options (see ContainerRepositoryProps). @default immutable tags, 30 images, 7 days untagged */
  readonly repository?: { readonly immutableTags?: boolean; readonly keepLastImages?: number; readonly untaggedExpirationDays?: number; readonly forceDelete?: boolean };
  /**
   * ECS Exec (`aws ecs execute-command`) into the service's containers: `enable_execute_command`
   * on the service and the SSM agent's permissions on the task role. Needs a cluster with an exec
   * configuration (EcsClusterProps.exec: session key, session log group). Reaches tasks started
   * after the change only (the next deployment). Only with the ECS (rolling) deployment controller.
   * @default false
   */
  readonly enableExecuteCommand?: boolean;
}

/** What the build hands the deploy step: `[{ name, imageUri }]` per container (CodePipeline's image definitions format). */
export const IMAGE_DEFINITIONS_FILE = "imagedefinitions.json";

/**
 * One ECS service behind a path rule of the load balancer: its ECR repository, log group, task
 * role and a separate execution role, the task definition, the target group (`ip` for awsvpc
 * tasks, `instance` for bridge tasks on their dynamic host ports), the service on its capacity
 * provider strategy, and target tracking on CPU and memory.
 *
 * Terraform owns the task definition's settings (size, ports, roles, logging); releases own the
 * image and which revision runs. Terraform publishes the ARN of the revision it registered in SSM
 * (`taskDefinitionParameter`), and a release registers the next revision from that one with the
 * image it built ({@link grantDeploy}, docs/release-pipeline.md "ECS releases"). The service
 * therefore ignores changes of `task_definition` (the running revision is the release's), and
 * autoscaling owns `desired_count`.
 */
export class EcsService extends Construct {
  public readonly serviceArn: string;
  public readonly serviceName: string;
  /** Name of the cluster the service runs in. */
  public readonly clusterName: string;
  public readonly containerName: string;
  /** Family of the task definition (`<prefix>-<serviceName>`); releases register their revisions in it. */
  public readonly taskFamily: string;
  /** ARN (with revision) of the latest task definition revision Terraform registered. */
  public readonly taskDefinitionArn: string;
  /** SSM parameter holding {@link taskDefinitionArn}: where releases find Terraform's latest revision. */
  public readonly taskDefinitionParameter: SsmParameter;
  public readonly repository: ContainerRepository;
  public readonly logGroup: LogGroup;
  public readonly taskRole: Role;
  public readonly executionRole: Role;
  public readonly targetGroup: TargetGroup;
  /**
   * The second target group of a `CODE_DEPLOY` service (`<prefix>-<service>-g`): CodeDeploy
   * registers each release's task set with whichever of the pair is idle.
   */
  public readonly greenTargetGroup?: TargetGroup;
  /** The tasks' own group (awsvpc only). */
  public readonly securityGroup?: SecurityGroup;
  private readonly service: AwsEcsService;
  /** `ECS` (rolling) or `CODE_DEPLOY` (blue/green). */
  public readonly deploymentController: "ECS" | "CODE_DEPLOY";
  /** Port the container listens on (the target groups' port). */
  public readonly containerPort: number;
  /** Subnets of awsvpc tasks (empty for bridge tasks). */
  public readonly taskSubnetIds: readonly string[];
  /** `FARGATE` or `EC2`. */
  public readonly launchType: "FARGATE" | "EC2";
  /** The `aws_ecs_service` resource, for resources that must wait for the service. */
  public readonly serviceResource: AwsEcsService;

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
    this.taskFamily = name;
    this.clusterName = props.cluster.clusterName;
    this.deploymentController = props.deploymentController ?? "ECS";
    this.containerPort = port;
    this.launchType = launchType;
    const blueGreen = this.deploymentController === "CODE_DEPLOY";

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
    this.taskDefinitionArn = task.arn;
    // The ARN carries the revision: it changes exactly when Terraform registers a new revision
    // (a changed setting replaces aws_ecs_task_definition), so a plan without changes leaves it alone.
    this.taskDefinitionParameter = pin(
      this,
      new SsmParameter(this, "task-definition-parameter", {
        name: `${props.parameterRoot}/release/${props.serviceName}/task-definition`,
        description: `Latest task definition revision of ${name} registered by Terraform; each release registers the next revision from it with the image it built`,
        type: "String",
        value: task.arn,
      }),
      "task_definition",
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
    if (blueGreen) {
      this.greenTargetGroup = new TargetGroup(this, childId(this, "green-target-group"), {
        namePrefix: props.namePrefix,
        name: `${name}${GREEN_TARGET_GROUP_SUFFIX}`,
        vpcId: props.network.vpcId,
        port,
        targetType: networkMode === "awsvpc" ? "ip" : "instance",
        healthCheck: props.healthCheck,
        deregistrationDelaySeconds: props.deregistrationDelaySeconds,
      });
    }
    const rule = this.targetGroup.routePath(props.listenerArn, props.pathPatterns, props.priority, { alternate: this.greenTargetGroup });

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
        // The circuit breaker exists only for the rolling (ECS) controller (Amazon ECS API reference,
        // DeploymentCircuitBreaker: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentCircuitBreaker.html);
        // a CodeDeploy deployment rolls back on failure and on alarms instead.
        deploymentCircuitBreaker: blueGreen ? undefined : { enable: true, rollback: true },
        deploymentController: blueGreen ? { type: "CODE_DEPLOY" } : undefined,
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
        enableExecuteCommand: props.enableExecuteCommand ? true : undefined,
        waitForSteadyState: false,
        // CODE_DEPLOY: each release's task set runs behind the idle group of the pair, and ECS refuses
        // UpdateService changes of the load balancer and network configuration on such a service
        // ("Unable to update network parameters on services with a CODE_DEPLOY deployment
        // controller", terraform-aws-modules/terraform-aws-ecs#239): releases carry the network
        // configuration in their AppSpec instead.
        lifecycle: { ignoreChanges: blueGreen ? ["desired_count", "task_definition", "load_balancer", "network_configuration"] : ["desired_count", "task_definition"] },
        // A target group joins a load balancer through the rule; the strategy needs the providers associated.
        dependsOn: [rule, props.cluster.capacityProviders],
      }),
    );

    this.serviceArn = service.id;
    this.serviceResource = service;
    this.service = service;
    if (props.enableExecuteCommand) {
      // UpdateService changes only the desired count, deployment configuration, grace period,
      // placement and tag options of a CODE_DEPLOY service (Amazon ECS API reference, UpdateService:
      // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_UpdateService.html;
      // hashicorp/terraform-provider-aws#19996): turning exec on or off later would fail at apply.
      if (this.deploymentController !== "ECS") throw new Error(`${this.node.path}: ECS Exec is offered for services with the ECS (rolling) deployment controller only; ECS cannot change enableExecuteCommand of a CODE_DEPLOY service`);
      props.cluster.grantExecAgent(this.taskRole);
    }
    this.taskSubnetIds = this.securityGroup ? [...props.subnetIds] : [];

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
   * Makes a deployment of this (rolling) service fail and roll back to the last completed one when
   * one of `alarmNames` goes into ALARM: the service's `alarms` block (`deploymentConfiguration.alarms`).
   * ECS watches the alarms from the first new task on and, after the old tasks are gone, for a
   * bake time it derives from the alarms' periods and evaluation counts (Amazon ECS developer
   * guide, "How CloudWatch alarms detect Amazon ECS deployment failures":
   * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-alarm-failure.html).
   * Only for the ECS (rolling) deployment controller (API reference, DeploymentAlarms:
   * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentAlarms.html): a
   * CODE_DEPLOY service gives its alarms to the CodeDeploy deployment group instead. Nothing to
   * grant: ECS evaluates the alarms itself, and the release's deploy role only updates the service.
   */
  public rollBackOnAlarms(alarmNames: readonly string[]): void {
    if (this.deploymentController !== "ECS") throw new Error(`${this.node.path}: deployment alarms of the service apply only to the ECS (rolling) deployment controller; a CODE_DEPLOY service's alarms belong to its deployment group`);
    if (alarmNames.length === 0) throw new Error(`${this.node.path}: rollBackOnAlarms needs at least one alarm name`);
    this.service.putAlarms({ alarmNames: [...alarmNames], enable: true, rollback: true });
  }

  /** Records, for the policy pack (ECS.DEPLOYMENT_ALARMS), why this rolling service does not roll back on alarms. */
  public withoutAlarmRollback(reason: string): void {
    suppress(this.service, "ECS.DEPLOYMENT_ALARMS", reason);
  }

  /**
   * What a release of this service calls (templates/ecs/deploy-buildspec.yml): read the revision
   * Terraform published, describe it, register the next revision of the family from it (tagged
   * like Terraform's), pass the task's two roles to ECS with it, update the service and follow
   * the deployment.
   */
  public grantDeploy(role: Role): void {
    const context = AccountContext.of(this);
    role.addToPolicy(
      { sid: "TerraformRevision", actions: ["ssm:GetParameter"], resources: [this.taskDefinitionParameter.arn] },
      // Task definition reads and registration have no resource type: AWS authorizes them only on
      // "*" (Service Authorization Reference, Amazon ECS; aws/containers-roadmap#929). What the new
      // revision may do is bounded by the roles it can be given (PassRole below).
      { sid: "TaskDefinitions", actions: ["ecs:DescribeTaskDefinition", "ecs:RegisterTaskDefinition"], resources: ["*"] },
      // Tags given to RegisterTaskDefinition are authorized as ecs:TagResource on the new revision,
      // with ecs:CreateAction naming the call (Amazon ECS Developer Guide, "Grant permission to tag
      // resources on creation"): only this family, only while registering.
      {
        sid: "TagNewRevisions",
        actions: ["ecs:TagResource"],
        resources: [context.arn("ecs", `task-definition/${this.taskFamily}:*`)],
        conditions: [{ test: "StringEquals", variable: "ecs:CreateAction", values: ["RegisterTaskDefinition"] }],
      },
      { sid: "RollTheService", actions: ["ecs:UpdateService", "ecs:DescribeServices"], resources: [this.serviceArn] },
    );
    this.taskRole.grantPassRole(role, "ecs-tasks.amazonaws.com");
    this.executionRole.grantPassRole(role, "ecs-tasks.amazonaws.com");
  }

  /**
   * What the prepare step of a blue/green release calls (templates/ecs/prepare-blue-green-buildspec.yml):
   * read the revision Terraform published and describe it. Registration, PassRole and the
   * deployment are the CodeDeployToECS action's, with the pipeline's role (EcsDeploymentGroup).
   */
  public grantPrepare(role: Role): void {
    role.addToPolicy(
      { sid: "TerraformRevision", actions: ["ssm:GetParameter"], resources: [this.taskDefinitionParameter.arn] },
      // DescribeTaskDefinition has no resource type: AWS authorizes it only on "*" (Service Authorization Reference, Amazon ECS).
      { sid: "TaskDefinitions", actions: ["ecs:DescribeTaskDefinition"], resources: ["*"] },
    );
  }

  /** Environment of the prepare step of a blue/green release (templates/ecs/prepare-blue-green-buildspec.yml). */
  public get prepareVariables(): Record<string, string> {
    return {
      CONTAINER_NAME: this.containerName,
      CONTAINER_PORT: String(this.containerPort),
      TASK_DEFINITION_PARAMETER: this.taskDefinitionParameter.name,
      PLATFORM_VERSION: this.launchType === "FARGATE" ? "LATEST" : "",
      SUBNET_IDS: this.securityGroup ? Fn.join(",", [...this.taskSubnetIds]) : "",
      SECURITY_GROUP_IDS: this.securityGroup ? this.securityGroup.securityGroupId : "",
    };
  }

  /** Environment of the deploy step (templates/ecs/deploy-buildspec.yml) for this service. */
  public get deployVariables(): Record<string, string> {
    return {
      CLUSTER_NAME: this.clusterName,
      SERVICE_NAME: this.serviceName,
      CONTAINER_NAME: this.containerName,
      TASK_FAMILY: this.taskFamily,
      TASK_DEFINITION_PARAMETER: this.taskDefinitionParameter.name,
    };
  }
}
