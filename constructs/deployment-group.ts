import { CodedeployDeploymentConfig } from "@cdktf/provider-aws/lib/codedeploy-deployment-config";
import { CodedeployDeploymentGroup, CodedeployDeploymentGroupConfig } from "@cdktf/provider-aws/lib/codedeploy-deployment-group";
import { Construct } from "constructs";
import { childId, pin } from "../lib/address";
import { suppress } from "../policy";
import { AccountContext } from "./account-context";
import { CodeDeployApplication } from "./codedeploy-application";
import { launchFromTemplateStatement } from "./launch-template";
import { NotificationTopic } from "./notification-topic";
import type { IPipelineDeployTarget } from "./pipeline";
import { Role } from "./role";

export type NamedDeploymentConfig = "AllAtOnce" | "HalfAtATime" | "OneAtATime";

export interface MinimumHealthyHosts {
  readonly type: "HOST_COUNT" | "FLEET_PERCENT";
  readonly value: number;
}

export interface BlueGreenOptions {
  /**
   * Minutes the original fleet keeps running after traffic moved (the rollback window).
   * @default 60
   */
  readonly terminationWaitMinutes?: number;
  /**
   * Instances of the new fleet that receive the revision at a time.
   * @default "AllAtOnce"
   */
  readonly deploymentConfig?: NamedDeploymentConfig;
  /**
   * Wait before traffic moves: CodeDeploy installs the new fleet and registers none of it with the
   * target group until someone calls ContinueDeployment (`--deployment-wait-type READY_WAIT`); after
   * `minutes` without that call the deployment is stopped and the original fleet keeps serving
   * (`deployment_ready_option` STOP_DEPLOYMENT, CodeDeploy API reference "DeploymentReadyOption":
   * https://docs.aws.amazon.com/codedeploy/latest/APIReference/API_DeploymentReadyOption.html).
   * @default traffic moves as soon as the new fleet is installed (CONTINUE_DEPLOYMENT)
   */
  readonly waitForApproval?: { readonly minutes: number };
}

export interface InPlaceOptions {
  /**
   * Instances updated at a time. Ignored when {@link minimumHealthyHosts} is set.
   * @default "OneAtATime"
   */
  readonly deploymentConfig?: NamedDeploymentConfig;
  /**
   * A custom deployment configuration (`aws_codedeploy_deployment_config`).
   * @default the named configuration
   */
  readonly minimumHealthyHosts?: MinimumHealthyHosts;
}

/** What blue/green needs to copy the fleet's Auto Scaling group. */
export interface BlueGreenFleet {
  /** The role of the fleet's instance profile, passed to the copied group's instances. */
  readonly instanceRole: Role;
  /** ID of the launch template the group (and therefore its copies) launches from. */
  readonly launchTemplateId: string;
  /**
   * ARN of the SSM parameter behind the template's `resolve:ssm:` image. Whoever uses such a
   * template needs `ssm:GetParameters` on it for the value to be validated (EC2 Auto Scaling user
   * guide, "Use AWS Systems Manager parameters instead of AMI IDs in launch templates").
   * @default none (the template names an AMI ID)
   */
  readonly imageParameterArn?: string;
}

export interface DeploymentGroupProps {
  readonly application: CodeDeployApplication;
  /** Group name, unique within the application; also names the service role (`<name>-codedeploy`). */
  readonly deploymentGroupName: string;
  /** The Auto Scaling group the deployment group starts with (the fleet's live group). */
  readonly autoScalingGroupName: string;
  /** Target group the fleet serves from; deployments control its traffic. */
  readonly targetGroupName: string;
  /** "blue-green": a copy of the group per release; "in-place": the group is updated. */
  readonly mode: "blue-green" | "in-place";
  /** Required with mode "blue-green". */
  readonly fleet?: BlueGreenFleet;
  /** @default see {@link BlueGreenOptions} */
  readonly blueGreen?: BlueGreenOptions;
  /** @default see {@link InPlaceOptions} */
  readonly inPlace?: InPlaceOptions;
  /**
   * CloudWatch alarms that stop a deployment and roll it back when they fire.
   * @default none
   */
  readonly alarmNames?: readonly string[];
  /**
   * Deployment results (success, failure, rollback, stop) are published here.
   * @default no triggers
   */
  readonly notificationTopic?: NotificationTopic;
}

/**
 * A CodeDeploy deployment group for an Auto Scaling fleet behind a target group, blue/green or
 * in-place, with automatic rollback (on failure, and on alarms when given), SNS triggers and a
 * service role: the AWS managed `AWSCodeDeployRole` plus, for blue/green with a launch template,
 * passing the instance role and launching from that one template.
 *
 * Blue/green and Terraform: CodeDeploy repoints the group at its copy of the Auto Scaling group
 * after every release. The group is created with the fleet's *live* group and then ignores
 * `autoscaling_groups` (docs/decisions.md, "Release pipeline").
 */
export class DeploymentGroup extends Construct implements IPipelineDeployTarget {
  public readonly deploymentGroupName: string;
  public readonly deploymentGroupArn: string;
  public readonly deploymentConfigName: string;
  public readonly role: Role;
  public readonly application: CodeDeployApplication;
  public readonly actionProvider = "CodeDeploy" as const;
  public readonly configuration: Record<string, string>;
  private readonly deploymentConfigArn: string;

  constructor(scope: Construct, id: string, props: DeploymentGroupProps) {
    super(scope, id);
    const context = AccountContext.of(this);
    this.application = props.application;
    const blueGreen = props.mode === "blue-green";
    if (blueGreen && !props.fleet) throw new Error(`${this.node.path}: fleet: received nothing; allowed: the instance role and launch template, required for blue/green`);
    if (blueGreen && props.inPlace) throw new Error(`${this.node.path}: inPlace: received options; allowed: nothing with mode "blue-green"`);
    if (!blueGreen && props.blueGreen) throw new Error(`${this.node.path}: blueGreen: received options; allowed: nothing with mode "in-place"`);
    const wait = props.blueGreen?.terminationWaitMinutes ?? 60;
    if (wait < 0 || wait > 2880) throw new Error(`${this.node.path}: terminationWaitMinutes: received ${wait}; allowed: 0 to 2880`);
    const ready = props.blueGreen?.waitForApproval?.minutes;
    if (ready !== undefined && !(Number.isInteger(ready) && ready >= 1 && ready <= 2880)) {
      throw new Error(`${this.node.path}: waitForApproval.minutes: received ${ready}; allowed: a whole number from 1 to 2880`);
    }

    this.role = new Role(this, childId(this, "role"), {
      roleName: `${props.deploymentGroupName}-codedeploy`,
      description: `CodeDeploy deployment group ${props.deploymentGroupName}`,
      assumedBy: { type: "Service", identifiers: [context.servicePrincipal("codedeploy")] },
      managedPolicies: ["service-role/AWSCodeDeployRole"],
    });
    if (blueGreen) {
      // Copying a group that launches from a template: CreateAutoScalingGroup checks that the caller
      // may launch from the template and pass its instance profile's role.
      this.role.addToPolicy(
        launchFromTemplateStatement(context, props.fleet!.launchTemplateId),
        {
          sid: "TagAtLaunch",
          actions: ["ec2:CreateTags"],
          resources: [context.arn("ec2", "*")],
          conditions: [{ test: "StringEquals", variable: "ec2:CreateAction", values: ["RunInstances"] }],
        },
      );
      if (props.fleet!.imageParameterArn) {
        this.role.addToPolicy({ sid: "ResolveLaunchImage", actions: ["ssm:GetParameters"], resources: [props.fleet!.imageParameterArn] });
      }
      props.fleet!.instanceRole.grantPassRole(this.role, "ec2.amazonaws.com");
    }
    props.notificationTopic?.grantPublish(this.role);

    if (!blueGreen && props.inPlace?.minimumHealthyHosts) {
      const hosts = props.inPlace.minimumHealthyHosts;
      const config = pin(
        this,
        new CodedeployDeploymentConfig(this, "config", {
          deploymentConfigName: `${props.deploymentGroupName}-in-place`,
          computePlatform: "Server",
          minimumHealthyHosts: { type: hosts.type, value: hosts.value },
        }),
        "config",
      );
      this.deploymentConfigName = config.deploymentConfigName;
    } else {
      const named = blueGreen ? (props.blueGreen?.deploymentConfig ?? "AllAtOnce") : (props.inPlace?.deploymentConfig ?? "OneAtATime");
      this.deploymentConfigName = `CodeDeployDefault.${named}`;
    }
    this.deploymentConfigArn = context.arn("codedeploy", `deploymentconfig:${this.deploymentConfigName}`);

    const alarms = [...(props.alarmNames ?? [])];
    const group = pin(
      this,
      new CodedeployDeploymentGroup(this, "group", {
        appName: props.application.applicationName,
        deploymentGroupName: props.deploymentGroupName,
        serviceRoleArn: this.role.roleArn,
        deploymentConfigName: this.deploymentConfigName,
        autoscalingGroups: [props.autoScalingGroupName],
        deploymentStyle: { deploymentOption: "WITH_TRAFFIC_CONTROL", deploymentType: blueGreen ? "BLUE_GREEN" : "IN_PLACE" },
        loadBalancerInfo: { targetGroupInfo: [{ name: props.targetGroupName }] },
        blueGreenDeploymentConfig: blueGreen
          ? {
              deploymentReadyOption:
                ready === undefined ? { actionOnTimeout: "CONTINUE_DEPLOYMENT" } : { actionOnTimeout: "STOP_DEPLOYMENT", waitTimeInMinutes: ready },
              greenFleetProvisioningOption: { action: "COPY_AUTO_SCALING_GROUP" },
              terminateBlueInstancesOnDeploymentSuccess: { action: "TERMINATE", terminationWaitTimeInMinutes: wait },
            }
          : undefined,
        ...rollbackAndTriggers(alarms, props.notificationTopic),
        // Instances launched while a deployment runs (scale-out) get the revision right after it.
        outdatedInstancesStrategy: "UPDATE",
        // After a blue/green release CodeDeploy owns the list: it points at its copy of the group,
        // and during the termination wait both groups exist. Terraform sets it only on creation.
        lifecycle: blueGreen ? { ignoreChanges: ["autoscaling_groups"] } : undefined,
      }),
      "group",
    );
    if (alarms.length === 0) {
      suppress(group, "CODEDEPLOY.ALARMS", "the configuration turns alarm-based rollback off (deployment.rollbackOnAlarms: false)");
    }
    this.deploymentGroupName = group.deploymentGroupName;
    this.deploymentGroupArn = group.arn;
    this.configuration = { ApplicationName: props.application.applicationName, DeploymentGroupName: group.deploymentGroupName };
  }

  /** Lets `role` (a pipeline's) register revisions and start and follow deployments of this group. */
  public grantDeploy(role: Role): void {
    role.addToPolicy(
      { actions: ["codedeploy:GetApplication", "codedeploy:GetApplicationRevision", "codedeploy:RegisterApplicationRevision"], resources: [this.application.applicationArn] },
      { actions: ["codedeploy:CreateDeployment", "codedeploy:GetDeployment"], resources: [this.deploymentGroupArn] },
      { actions: ["codedeploy:GetDeploymentConfig"], resources: [this.deploymentConfigArn] },
    );
  }
}

/**
 * What every deployment group of the project has, EC2 or ECS: rollback on failure, and on `alarms`
 * when there are any (stop and roll back), and deployment results published to `topic`.
 */
export function rollbackAndTriggers(
  alarms: readonly string[],
  topic?: NotificationTopic,
): Pick<CodedeployDeploymentGroupConfig, "autoRollbackConfiguration" | "alarmConfiguration" | "triggerConfiguration"> {
  return {
    autoRollbackConfiguration: { enabled: true, events: ["DEPLOYMENT_FAILURE", ...(alarms.length > 0 ? ["DEPLOYMENT_STOP_ON_ALARM"] : [])] },
    alarmConfiguration: alarms.length > 0 ? { enabled: true, alarms: [...alarms] } : undefined,
    triggerConfiguration: topic
      ? [
          {
            triggerName: "deployment-results",
            triggerTargetArn: topic.topicArn,
            triggerEvents: ["DeploymentSuccess", "DeploymentFailure", "DeploymentStop", "DeploymentRollback"],
          },
        ]
      : undefined,
  };
}
