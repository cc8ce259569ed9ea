import * as path from "path";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { LambdaInvocation } from "@cdktf/provider-aws/lib/lambda-invocation";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { AssetType, Fn, TerraformAsset } from "cdktf";
import { Construct } from "constructs";
import { childId, pin } from "../lib/address";
import { lambdaPackage } from "../lib/lambda-package";
import { PROJECT_ROOT } from "../lib/release/templates";
import { AccountContext } from "./account-context";
import { DeploymentGroup } from "./deployment-group";
import { EncryptionKey } from "./encryption-key";
import { Fleet } from "./fleet";
import { launchFromTemplateStatement } from "./launch-template";
import { LogGroup } from "./log-group";
import { NotificationTopic } from "./notification-topic";
import { Role } from "./role";

/** The function's source, packed into a deterministic zip at synth. */
export const RECONCILER_SOURCE = path.join(PROJECT_ROOT, "templates", "fleet", "reconciler.py");

export interface FleetReconcilerProps {
  /** `<app>-<environment>`; names the function (`<prefix>-fleet-reconciler`), its role and log group. */
  readonly namePrefix: string;
  /** The blue/green fleet whose copies it keeps in line. */
  readonly fleet: Fleet;
  /** The blue/green deployment group that copies the fleet. */
  readonly deploymentGroup: DeploymentGroup;
  /** Encrypts the function's log group. */
  readonly encryptionKey: EncryptionKey;
  /** Failures of the function (an alarm on its errors) go here. */
  readonly topic: NotificationTopic;
  /**
   * The fleet's alarms keyed by one Auto Scaling group (CPU, memory, disk): the reconciler points
   * them at the live group.
   * @default no alarm follows the live group
   */
  readonly groupAlarmNames?: readonly string[];
  /**
   * The SSM parameter the launch template's `resolve:ssm:` image names: UpdateAutoScalingGroup with
   * such a template checks that the caller may read it.
   * @default the template names an AMI ID
   */
  readonly imageParameterArn?: string;
  /**
   * Days to keep the function's logs.
   * @default 30
   */
  readonly logRetentionDays?: number;
  /**
   * How often the reconciler also runs on a schedule, so the live group converges within this time
   * even when an event was missed (e.g. while traffic has moved but the termination wait runs).
   * @default "rate(15 minutes)"
   */
  readonly schedule?: string;
  /**
   * The test listener's target group (blue/green with a wait before traffic moves): while a
   * deployment of the group is Ready (installed, waiting for ContinueDeployment) the reconciler
   * attaches it to that deployment's copy of the fleet, and detaches it from every group of the
   * fleet otherwise. It runs on the deployment's READY, FAILURE and STOP events (rule
   * `<prefix>-fleet-reconciler-test-traffic`), on SUCCESS (the existing rule) and on the schedule.
   * @default no test target group
   */
  readonly testTargetGroupArn?: string;
}

/**
 * Keeps CodeDeploy's copies of a blue/green fleet obeying Terraform (docs/release-pipeline.md).
 *
 * A Python Lambda function (`templates/fleet/reconciler.py`) applies {@link Fleet.copySettings} to
 * the live group whenever it is a copy: sizes, subnets, launch template (or mixed instances policy
 * and capacity rebalance), health check, termination policies, target groups, tags, metrics,
 * scaling policies, notifications and the warm pool; and it points the
 * alarms keyed by the group (CPU, memory, disk) at the live group. It runs
 * - from Terraform, `aws_lambda_invocation` with lifecycle scope CRUD: on every apply whose settings
 *   changed (the plan shows the change as a diff of its input), and on destroy, where it deletes
 *   every copy and waits until they are gone, before the subnets, security group and launch
 *   template they use are destroyed — no AWS CLI needed on the machine that runs Terraform;
 * - from EventBridge, when a deployment of the group succeeds and on a schedule.
 */
export class FleetReconciler extends Construct {
  public readonly functionName: string;
  public readonly functionArn: string;
  public readonly role: Role;

  constructor(scope: Construct, id: string, props: FleetReconcilerProps) {
    super(scope, id);
    const context = AccountContext.of(this);
    const name = `${props.namePrefix}-fleet-reconciler`;
    const settings = {
      ...props.fleet.copySettings,
      applicationName: props.deploymentGroup.application.applicationName,
      deploymentGroupName: props.deploymentGroup.deploymentGroupName,
      groupAlarmNames: [...(props.groupAlarmNames ?? [])],
      ...(props.testTargetGroupArn ? { testTargetGroupArn: props.testTargetGroupArn } : {}),
    };

    const logs = new LogGroup(this, childId(this, "logs"), {
      logGroupName: `/aws/lambda/${name}`,
      retentionDays: props.logRetentionDays ?? 30,
      encryptionKey: props.encryptionKey,
    });
    this.role = new Role(this, childId(this, "role"), {
      roleName: name,
      description: `Keeps CodeDeploy's copies of ${props.fleet.bootstrapGroupName} in line with Terraform`,
      assumedBy: { type: "Service", identifiers: [context.servicePrincipal("lambda")] },
    });
    logs.grantWrite(this.role);
    const copies = context.arn("autoscaling", `autoScalingGroup:*:autoScalingGroupName/CodeDeploy_${props.deploymentGroup.deploymentGroupName}_*`);
    this.role.addToPolicy(
      {
        sid: "ReadGroups",
        // Describe actions of Auto Scaling have no resource-level permissions.
        actions: ["autoscaling:DescribeAutoScalingGroups", "autoscaling:DescribePolicies"],
        resources: ["*"],
      },
      {
        sid: "ManageCopies",
        actions: [
          "autoscaling:UpdateAutoScalingGroup",
          "autoscaling:DeleteAutoScalingGroup",
          "autoscaling:AttachLoadBalancerTargetGroups",
          "autoscaling:DetachLoadBalancerTargetGroups",
          "autoscaling:CreateOrUpdateTags",
          "autoscaling:EnableMetricsCollection",
          "autoscaling:PutScalingPolicy",
          "autoscaling:DeletePolicy",
          "autoscaling:PutNotificationConfiguration",
          // The configuration's warm pool on the live copy (templates/fleet/reconciler.py, reconcile_warm_pool).
          "autoscaling:PutWarmPool",
          "autoscaling:DeleteWarmPool",
        ],
        resources: [copies],
      },
      // UpdateAutoScalingGroup with a launch template checks that the caller may launch from it.
      launchFromTemplateStatement(context, props.fleet.launchTemplate.launchTemplateId),
      {
        sid: "ReadDeploymentGroup",
        actions: ["codedeploy:GetDeploymentGroup"],
        resources: [props.deploymentGroup.deploymentGroupArn],
      },
    );
    props.fleet.role.grantPassRole(this.role, "ec2.amazonaws.com");
    if (props.testTargetGroupArn) {
      // Which deployment of the group waits (status Ready): its copy gets the test target group.
      // Attaching and detaching it needs nothing new: ManageCopies covers the copies, and the
      // bootstrap group never gets it (a deployment's green fleet is always a copy).
      this.role.addToPolicy({ sid: "FindWaitingDeployment", actions: ["codedeploy:ListDeployments"], resources: [props.deploymentGroup.deploymentGroupArn] });
    }
    if (props.imageParameterArn) {
      this.role.addToPolicy({ sid: "ResolveLaunchImage", actions: ["ssm:GetParameters"], resources: [props.imageParameterArn] });
    }
    if (settings.groupAlarmNames.length > 0) {
      this.role.addToPolicy({
        sid: "PointGroupAlarms",
        actions: ["cloudwatch:DescribeAlarms", "cloudwatch:PutMetricAlarm"],
        resources: settings.groupAlarmNames.map((alarm) => context.arn("cloudwatch", `alarm:${alarm}`)),
      });
    }

    const source = lambdaPackage("fleet-reconciler", [RECONCILER_SOURCE]);
    const asset = new TerraformAsset(this, "package", { path: source.file, type: AssetType.FILE });
    const fn = pin(
      this,
      new LambdaFunction(this, "function", {
        functionName: name,
        description: `Applies Terraform's settings of ${props.fleet.bootstrapGroupName} to CodeDeploy's copies`,
        role: this.role.roleArn,
        runtime: "python3.12",
        handler: "reconciler.handler",
        filename: asset.path,
        sourceCodeHash: source.sha256,
        // Deleting copies on destroy waits for their instances to terminate.
        timeout: 900,
        memorySize: 256,
        environment: { variables: { FLEET_SETTINGS: Fn.jsonencode(settings) } },
        loggingConfig: { logFormat: "Text", logGroup: logs.logGroupName },
        dependsOn: [this.role.inlinePolicy!],
      }),
      "function",
    );
    this.functionName = fn.functionName;
    this.functionArn = fn.arn;

    // Terraform's own invocations: apply (when the settings change) and destroy.
    pin(
      this,
      new LambdaInvocation(this, "invocation", {
        functionName: fn.functionName,
        input: Fn.jsonencode({ settings }),
        lifecycleScope: "CRUD",
        dependsOn: [this.role.inlinePolicy!],
      }),
      "apply",
    );

    const events = pin(
      this,
      new CloudwatchEventRule(this, "deployment-succeeded", {
        name: `${name}-deployment-succeeded`,
        description: `A deployment of ${props.deploymentGroup.deploymentGroupName} succeeded: its copy of the fleet gets Terraform's settings`,
        eventPattern: Fn.jsonencode({
          source: ["aws.codedeploy"],
          "detail-type": ["CodeDeploy Deployment State-change Notification"],
          detail: { state: ["SUCCESS"], application: [settings.applicationName], deploymentGroup: [settings.deploymentGroupName] },
        }),
      }),
      "deployment_succeeded",
    );
    const schedule = pin(
      this,
      new CloudwatchEventRule(this, "schedule", {
        name: `${name}-schedule`,
        description: `Converges the live group of ${props.fleet.bootstrapGroupName} even when an event was missed`,
        scheduleExpression: props.schedule ?? "rate(15 minutes)",
      }),
      "schedule",
    );
    // Blue/green with a test listener: the test target group follows the waiting deployment's copy.
    // CodeDeploy's deployment events include READY for blue/green ("Ready": the new fleet is
    // installed and traffic can be rerouted; CodeDeploy user guide, "Monitoring deployments with
    // Amazon SNS event notifications", https://docs.aws.amazon.com/codedeploy/latest/userguide/monitoring-sns-event-notifications.html).
    // SUCCESS reaches the function through the rule above; the schedule converges a missed event.
    const testTraffic = props.testTargetGroupArn
      ? pin(
          this,
          new CloudwatchEventRule(this, "test-traffic", {
            name: `${name}-test-traffic`,
            description: `A deployment of ${props.deploymentGroup.deploymentGroupName} waits before traffic moves, or ended: the test target group follows its copy of the fleet`,
            eventPattern: Fn.jsonencode({
              source: ["aws.codedeploy"],
              "detail-type": ["CodeDeploy Deployment State-change Notification"],
              detail: { state: ["READY", "FAILURE", "STOP"], application: [settings.applicationName], deploymentGroup: [settings.deploymentGroupName] },
            }),
          }),
          "test_traffic",
        )
      : undefined;
    const rules: Array<readonly [CloudwatchEventRule, string]> = [
      [events, "deployment_succeeded"],
      [schedule, "schedule"],
      ...(testTraffic ? [[testTraffic, "test_traffic"] as const] : []),
    ];
    for (const [rule, address] of rules) {
      pin(this, new CloudwatchEventTarget(this, `${address.replace(/_/g, "-")}-target`, { rule: rule.name, arn: fn.arn }), `${address}_target`);
      pin(
        this,
        new LambdaPermission(this, `${address.replace(/_/g, "-")}-permission`, {
          statementId: `events-${address.replace(/_/g, "-")}`,
          action: "lambda:InvokeFunction",
          functionName: fn.functionName,
          principal: context.servicePrincipal("events"),
          sourceArn: rule.arn,
        }),
        `${address}_permission`,
      );
    }

    pin(
      this,
      new CloudwatchMetricAlarm(this, "errors", {
        alarmName: `${name}-errors`,
        alarmDescription: `The fleet reconciler failed: CodeDeploy's copy of ${props.fleet.bootstrapGroupName} may not have Terraform's settings (see ${logs.logGroupName})`,
        namespace: "AWS/Lambda",
        metricName: "Errors",
        dimensions: { FunctionName: fn.functionName },
        statistic: "Sum",
        period: 300,
        evaluationPeriods: 1,
        threshold: 1,
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        treatMissingData: "notBreaching",
        alarmActions: [props.topic.topicArn],
        okActions: [props.topic.topicArn],
      }),
      "errors",
    );
  }
}
