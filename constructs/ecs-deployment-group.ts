import { CodedeployApp } from "@cdktf/provider-aws/lib/codedeploy-app";
import { CodedeployDeploymentConfig } from "@cdktf/provider-aws/lib/codedeploy-deployment-config";
import { CodedeployDeploymentGroup } from "@cdktf/provider-aws/lib/codedeploy-deployment-group";
import { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
import { Construct } from "constructs";
import { childId, pin } from "../lib/address";
import { suppress } from "../policy";
import { AccountContext } from "./account-context";
import { BuildProject } from "./build-project";
import { rollbackAndTriggers } from "./deployment-group";
import { EcsService } from "./ecs-service";
import { NotificationTopic } from "./notification-topic";
import type { IPipelineDeployTarget } from "./pipeline";
import { Role } from "./role";
import { SecurityGroup } from "./security-group";

/** How production traffic moves from the original task set to the new one. */
export interface EcsTrafficShift {
  readonly type: "all-at-once" | "canary" | "linear";
  /** Canary: the first step; linear: every step. Required for canary and linear (1 to 99). */
  readonly percentage?: number;
  /** Minutes between the steps. Required for canary and linear. */
  readonly intervalMinutes?: number;
  /**
   * CodeDeploy's predefined configuration for this shift (`CodeDeployDefault.ECS...`), when there
   * is one; otherwise the group gets a deployment configuration of its own.
   * @default a custom configuration (all-at-once: CodeDeployDefault.ECSAllAtOnce)
   */
  readonly predefinedConfig?: string;
}

/** A listener on a port of its own that sends test traffic to the replacement task set. */
export interface EcsTestListenerProps {
  readonly port: number;
  /** Who may reach the port (never everyone by default). At least one. */
  readonly allowedCidrs: readonly string[];
}

export interface EcsDeploymentGroupProps {
  /** A service with `deploymentController: "CODE_DEPLOY"` (and so a green target group). */
  readonly service: EcsService;
  /** `<app>-<environment>`; the application, group and role are `<prefix>-<service>`. */
  readonly namePrefix: string;
  /** The shared listener that carries the service's path rule (CodeDeploy's production traffic route). */
  readonly productionListenerArn: string;
  readonly loadBalancerArn: string;
  /** The load balancer's group; test listener ingress is added to it. */
  readonly loadBalancerSecurityGroup: SecurityGroup;
  readonly trafficShift: EcsTrafficShift;
  /** Minutes the original task set keeps running after all traffic moved (0 to 2880). @default 60 */
  readonly terminationWaitMinutes?: number;
  /** @default no test listener */
  readonly testListener?: EcsTestListenerProps;
  /**
   * HTTPS for the test listener (the environment's certificate and policy).
   * @default HTTP
   */
  readonly https?: { readonly certificateArn: string; readonly sslPolicy?: string };
  /**
   * Alarms that stop a deployment and roll it back (at most 10, CodeDeploy's limit).
   * @default none: rollback on failure only
   */
  readonly alarmNames?: readonly string[];
  /** @default no triggers */
  readonly notificationTopic?: NotificationTopic;
}

/** CodeDeploy's limit of alarms per deployment group (CreateDeploymentGroup, AlarmConfiguration). */
export const MAX_DEPLOYMENT_GROUP_ALARMS = 10;

/**
 * CodeDeploy blue/green for one ECS service (compute platform ECS): the application, the
 * deployment group over the service's target group pair, the production route (the shared
 * listener whose path rule forwards to the pair) and an optional test route on a listener of its
 * own that only the configured CIDRs reach, a custom deployment configuration for shifts CodeDeploy
 * has no predefined configuration for, and the service role (the AWS managed
 * `AWSCodeDeployRoleForECS`: ECS task sets, listener and rule changes, alarms, SNS).
 *
 * A release (CodePipeline's `CodeDeployToECS` action, {@link grantDeploy}) registers the next task
 * definition revision and starts a deployment: CodeDeploy starts a replacement task set behind the
 * idle group, moves the test route to it, shifts production traffic by the configuration, and
 * deletes the original task set after the termination wait; a failure or an alarm rolls the
 * traffic back (docs/ecs.md, "Blue/green releases").
 */
export class EcsDeploymentGroup extends Construct implements IPipelineDeployTarget {
  public readonly applicationName: string;
  public readonly applicationArn: string;
  public readonly deploymentGroupName: string;
  public readonly deploymentGroupArn: string;
  public readonly deploymentConfigName: string;
  public readonly role: Role;
  /** ARN of the test listener, when there is one. */
  public readonly testListenerArn?: string;
  public readonly actionProvider = "CodeDeployToECS" as const;
  public readonly configuration: Record<string, string>;
  /** The step before the action: builds taskdef.json, appspec.yaml and imageDetail.json ({@link usePrepareProject}). */
  public prepare?: { readonly project: BuildProject; readonly outputArtifact: string };
  private readonly deploymentConfigArn: string;
  private readonly service: EcsService;

  constructor(scope: Construct, id: string, props: EcsDeploymentGroupProps) {
    super(scope, id);
    const context = AccountContext.of(this);
    const service = props.service;
    this.service = service;
    const green = service.greenTargetGroup;
    if (service.deploymentController !== "CODE_DEPLOY" || !green) {
      throw new Error(`${this.node.path}: service ${service.serviceName}: deploymentController "${service.deploymentController}"; allowed: "CODE_DEPLOY" (a service with a green target group)`);
    }
    const shift = props.trafficShift;
    if (shift.type !== "all-at-once" && (shift.percentage === undefined || shift.intervalMinutes === undefined)) {
      throw new Error(`${this.node.path}: trafficShift ${shift.type}: needs percentage and intervalMinutes`);
    }
    const wait = props.terminationWaitMinutes ?? 60;
    if (!Number.isInteger(wait) || wait < 0 || wait > 2880) throw new Error(`${this.node.path}: terminationWaitMinutes: received ${wait}; allowed: 0 to 2880`);
    const alarms = [...(props.alarmNames ?? [])];
    if (alarms.length > MAX_DEPLOYMENT_GROUP_ALARMS) throw new Error(`${this.node.path}: alarmNames: received ${alarms.length}; allowed: at most ${MAX_DEPLOYMENT_GROUP_ALARMS}`);
    if (props.testListener && props.testListener.allowedCidrs.length === 0) {
      throw new Error(`${this.node.path}: testListener.allowedCidrs: received none; allowed: at least one CIDR (the test port is never open to everyone by default)`);
    }
    const name = `${props.namePrefix}-${service.serviceName}`;

    const app = pin(this, new CodedeployApp(this, "application", { name, computePlatform: "ECS" }), "application");
    this.applicationName = app.name;
    this.applicationArn = app.arn;

    if (shift.predefinedConfig || shift.type === "all-at-once") {
      this.deploymentConfigName = shift.predefinedConfig ?? "CodeDeployDefault.ECSAllAtOnce";
    } else {
      // TimeBasedCanary / TimeBasedLinear (CodeDeploy API reference, TrafficRoutingConfig:
      // https://docs.aws.amazon.com/codedeploy/latest/APIReference/API_TrafficRoutingConfig.html).
      // The name carries the shift, so a changed shift is a new configuration, created before the
      // group moves to it and the old one is deleted.
      const step = { interval: shift.intervalMinutes!, percentage: shift.percentage! };
      const config = pin(
        this,
        new CodedeployDeploymentConfig(this, "config", {
          deploymentConfigName: `${name}-${shift.type}-${shift.percentage}pct-${shift.intervalMinutes}min`,
          computePlatform: "ECS",
          trafficRoutingConfig:
            shift.type === "canary" ? { type: "TimeBasedCanary", timeBasedCanary: step } : { type: "TimeBasedLinear", timeBasedLinear: step },
          lifecycle: { createBeforeDestroy: true },
        }),
        "config",
      );
      this.deploymentConfigName = config.deploymentConfigName;
    }
    this.deploymentConfigArn = context.arn("codedeploy", `deploymentconfig:${this.deploymentConfigName}`);

    // AWSCodeDeployRoleForECS: task sets, listeners and rules, alarms, SNS, and iam:PassRole of task
    // roles to ECS only (https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSCodeDeployRoleForECS.html;
    // Amazon ECS developer guide, "Amazon ECS CodeDeploy IAM Role").
    this.role = new Role(this, childId(this, "role"), {
      roleName: `${name}-codedeploy`,
      description: `CodeDeploy blue/green deployments of ECS service ${name}`,
      assumedBy: { type: "Service", identifiers: [context.servicePrincipal("codedeploy")] },
      assumeConditions: [{ test: "StringEquals", variable: "aws:SourceAccount", values: [context.accountId] }],
      managedPolicies: ["AWSCodeDeployRoleForECS"],
    });

    let testListener: LbListener | undefined;
    if (props.testListener) {
      const port = props.testListener.port;
      props.testListener.allowedCidrs.forEach((cidr, i) =>
        props.loadBalancerSecurityGroup.allowIngress(`${service.serviceName}-test-${i}`, { cidr }, { from: port }, `Test listener of ${name} (the release's new tasks before production traffic moves)`),
      );
      testListener = pin(
        this,
        new LbListener(this, "test-listener", {
          loadBalancerArn: props.loadBalancerArn,
          port,
          protocol: props.https ? "HTTPS" : "HTTP",
          certificateArn: props.https?.certificateArn,
          sslPolicy: props.https ? (props.https.sslPolicy ?? "ELBSecurityPolicy-TLS13-1-2-2021-06") : undefined,
          defaultAction: [
            {
              type: "forward",
              forward: {
                targetGroup: [
                  { arn: green.targetGroupArn, weight: 100 },
                  { arn: service.targetGroup.targetGroupArn, weight: 0 },
                ],
              },
            },
          ],
          // CodeDeploy points the test route at each release's replacement group.
          lifecycle: { ignoreChanges: ["default_action"] },
        }),
        "test_listener",
      );
      this.testListenerArn = testListener.arn;
    }

    const group = pin(
      this,
      new CodedeployDeploymentGroup(this, "group", {
        appName: app.name,
        deploymentGroupName: name,
        serviceRoleArn: this.role.roleArn,
        deploymentConfigName: this.deploymentConfigName,
        deploymentStyle: { deploymentOption: "WITH_TRAFFIC_CONTROL", deploymentType: "BLUE_GREEN" },
        ecsService: { clusterName: service.clusterName, serviceName: service.serviceName },
        loadBalancerInfo: {
          targetGroupPairInfo: {
            prodTrafficRoute: { listenerArns: [props.productionListenerArn] },
            testTrafficRoute: testListener ? { listenerArns: [testListener.arn] } : undefined,
            targetGroup: [{ name: service.targetGroup.targetGroupName }, { name: green.targetGroupName }],
          },
        },
        blueGreenDeploymentConfig: {
          deploymentReadyOption: { actionOnTimeout: "CONTINUE_DEPLOYMENT" },
          terminateBlueInstancesOnDeploymentSuccess: { action: "TERMINATE", terminationWaitTimeInMinutes: wait },
        },
        ...rollbackAndTriggers(alarms, props.notificationTopic),
        // The service must exist (with its CODE_DEPLOY controller) before the group names it.
        dependsOn: [service.serviceResource],
      }),
      "group",
    );
    if (alarms.length === 0) {
      suppress(group, "CODEDEPLOY.ALARMS", "the configuration turns alarm-based rollback off (ecs.rollbackOnAlarms: false)");
    }
    props.notificationTopic?.grantPublish(this.role);
    this.deploymentGroupName = group.deploymentGroupName;
    this.deploymentGroupArn = group.arn;
    this.configuration = {
      ApplicationName: app.name,
      DeploymentGroupName: group.deploymentGroupName,
      TaskDefinitionTemplateArtifact: RELEASE_ARTIFACT,
      TaskDefinitionTemplatePath: "taskdef.json",
      AppSpecTemplateArtifact: RELEASE_ARTIFACT,
      AppSpecTemplatePath: "appspec.yaml",
      Image1ArtifactName: RELEASE_ARTIFACT,
      Image1ContainerName: IMAGE_PLACEHOLDER,
    };
  }

  /** Sets the CodeBuild project that writes the action's input artifact ({@link RELEASE_ARTIFACT}) from the build's. */
  public usePrepareProject(project: BuildProject): void {
    this.prepare = { project, outputArtifact: RELEASE_ARTIFACT };
  }

  /**
   * What CodePipeline's CodeDeployToECS action calls with the pipeline's role: it registers the
   * task definition from taskdef.json (with the image filled in, and the revision's tags, so
   * `ecs:TagResource` on the new revision of this family only), passes the task's two roles to
   * ECS, registers the AppSpec revision and starts and follows the deployment (AWS CodePipeline
   * user guide, "Amazon Elastic Container Service and CodeDeploy blue-green deploy action
   * reference", service role permissions:
   * https://docs.aws.amazon.com/codepipeline/latest/userguide/action-reference-ECSbluegreen.html).
   */
  public grantDeploy(role: Role): void {
    const context = AccountContext.of(this);
    role.addToPolicy(
      { actions: ["codedeploy:GetApplication", "codedeploy:GetApplicationRevision", "codedeploy:RegisterApplicationRevision"], resources: [this.applicationArn] },
      { actions: ["codedeploy:CreateDeployment", "codedeploy:GetDeployment"], resources: [this.deploymentGroupArn] },
      { actions: ["codedeploy:GetDeploymentConfig"], resources: [this.deploymentConfigArn] },
      // Registration has no resource type: AWS authorizes it only on "*" (Service Authorization
      // Reference, Amazon ECS); what the revision may do is bounded by the roles it may be given.
      { sid: "RegisterRevisions", actions: ["ecs:RegisterTaskDefinition"], resources: ["*"] },
      {
        sid: "TagNewRevisions",
        actions: ["ecs:TagResource"],
        resources: [context.arn("ecs", `task-definition/${this.service.taskFamily}:*`)],
        conditions: [{ test: "StringEquals", variable: "ecs:CreateAction", values: ["RegisterTaskDefinition"] }],
      },
    );
    this.service.taskRole.grantPassRole(role, "ecs-tasks.amazonaws.com");
    this.service.executionRole.grantPassRole(role, "ecs-tasks.amazonaws.com");
  }
}

/** Output artifact of the prepare step: taskdef.json, appspec.yaml, imageDetail.json. */
export const RELEASE_ARTIFACT = "release";
/** The image placeholder of taskdef.json (`<IMAGE1_NAME>`), replaced by imageDetail.json's ImageURI. */
export const IMAGE_PLACEHOLDER = "IMAGE1_NAME";
