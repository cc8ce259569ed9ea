import { Testing } from "cdktf";
import { Bucket } from "../constructs/bucket";
import { BuildProject } from "../constructs/build-project";
import { CodeDeployApplication } from "../constructs/codedeploy-application";
import { DeploymentGroup, DeploymentGroupProps } from "../constructs/deployment-group";
import { EncryptionKey } from "../constructs/encryption-key";
import { IPipelineDeployTarget, Pipeline } from "../constructs/pipeline";
import { Role } from "../constructs/role";
import { bareStack, data, ref, resource, resourcesOfType, statements, Synth, synthEnv, synthStack } from "./helpers/synth";

const GITHUB = {
  provider: "github",
  connectionArn: "arn:aws:codestar-connections:eu-west-1:111122223333:connection/3f6c2a1e-8b4d-4c7a-9e2f-5d1b0a6c7e84",
  repository: "acme/webapp",
  branch: "main",
};

function env(extra: Record<string, unknown> = {}): Synth {
  return synthEnv({ environments: { staging: { network: { cidr: "10.10.0.0/16" }, ...extra } } });
}

const actions = (json: Synth, doc: string) => statements(json, doc).flatMap((s) => s.actions as string[]);
const stage = (json: Synth, name: string) => resource(json, "aws_codepipeline", "pipeline").stage.find((s: any) => s.name === name);

describe("BuildProject (through the environment)", () => {
  const json = env();
  const project = resource(json, "aws_codebuild_project", "build_project");

  test("driven by CodePipeline with the repository's buildspec.yml, encrypted output, own role", () => {
    expect(project.source).toEqual({ type: "CODEPIPELINE" });
    expect(project.artifacts).toEqual({ type: "CODEPIPELINE" });
    expect(project.encryption_key).toBe(ref("aws_kms_key.environment_key", "arn"));
    expect(project.service_role).toBe(ref("aws_iam_role.build_role", "arn"));
  });

  test("nodejs runtime: application build, never privileged, the variables the buildspec reads", () => {
    expect(project.environment).toMatchObject({ privileged_mode: false, type: "LINUX_CONTAINER", image: "aws/codebuild/amazonlinux-x86_64-standard:5.0", compute_type: "BUILD_GENERAL1_SMALL" });
    expect(Object.fromEntries(project.environment.environment_variable.map((v: any) => [v.name, v.value]))).toEqual({
      APP_NAME: "webapp",
      APP_ENV: "staging",
      RELEASE_PARAMETER_PATH: "/webapp/staging/release/",
      IMAGE_TAG_ENV: "staging",
    });
    expect(actions(json, "build_role_policy")).not.toContain("ecr:PutImage");
  });

  test("logs to a managed log group with the observability retention, encrypted", () => {
    expect(project.logs_config).toEqual({ cloudwatch_logs: { status: "ENABLED", group_name: ref("aws_cloudwatch_log_group.build_logs", "name") }, s3_logs: { status: "DISABLED" } });
    expect(resource(json, "aws_cloudwatch_log_group", "build_logs")).toMatchObject({ name: "/aws/codebuild/webapp-staging", retention_in_days: 30, kms_key_id: ref("aws_kms_key.environment_key", "arn") });
  });

  test("role: its log group, the environment bucket and key, the release parameters; nothing else", () => {
    const resources = statements(json, "build_role_policy").flatMap((s) => s.resources as string[]);
    for (const r of resources) {
      expect(r).toMatch(/aws_cloudwatch_log_group\.build_logs|aws_s3_bucket\.artifacts_bucket|aws_kms_key\.environment_key|parameter\/webapp\/staging\/(release|env)/);
    }
    expect(actions(json, "build_role_policy")).toEqual(expect.arrayContaining(["logs:PutLogEvents", "s3:PutObject", "s3:GetObject", "ssm:GetParameters", "kms:GenerateDataKey*"]));
  });

  test("docker runtime: privileged, push to the environment repository, the configured image tag", () => {
    const docker = env({ application: { runtime: "docker" }, build: { imageTag: "stg", computeType: "BUILD_GENERAL1_MEDIUM", timeoutMinutes: 45 } });
    const p = resource(docker, "aws_codebuild_project", "build_project");
    expect(p.environment).toMatchObject({ privileged_mode: true, compute_type: "BUILD_GENERAL1_MEDIUM" });
    expect(p.build_timeout).toBe(45);
    expect(p.environment.environment_variable).toContainEqual({ name: "IMAGE_TAG_ENV", value: "stg", type: "PLAINTEXT" });
    const push = statements(docker, "build_role_policy").find((s) => s.actions.includes("ecr:PutImage"));
    expect(push?.resources).toEqual([ref("aws_ecr_repository.artifacts_repository", "arn")]);
  });

  test("Graviton fleets build on ARM (an image, and the native modules of a Node.js bundle, must match the instances)", () => {
    const arm = resource(env({ fleet: { instanceType: "m7g.large" } }), "aws_codebuild_project", "build_project");
    expect(arm.environment).toMatchObject({ type: "ARM_CONTAINER", image: "aws/codebuild/amazonlinux-aarch64-standard:3.0" });
  });

  test("Node.js: the buildspec's cache (npm's download cache) lives in the artifact bucket under the project's prefix, with a grant on that prefix only", () => {
    expect(project.cache).toEqual({ type: "S3", location: `${ref("aws_s3_bucket.artifacts_bucket", "bucket")}/build-cache/webapp-staging` });
    const cache = statements(json, "build_role_policy").find((s) => s.sid === "BuildCache");
    expect(cache).toEqual({ sid: "BuildCache", effect: "Allow", actions: ["s3:GetObject", "s3:PutObject"], resources: [`${ref("aws_s3_bucket.artifacts_bucket", "arn")}/build-cache/webapp-staging/*`] });
    // Every build replaces the cache: replaced versions go after a day, an unused cache after 30.
    const rules = resource(json, "aws_s3_bucket_lifecycle_configuration", "artifacts_bucket").rule;
    expect(rules.find((r: any) => r.id === "expire-build-cache")).toMatchObject({
      status: "Enabled",
      filter: [{ prefix: "build-cache/" }],
      expiration: [{ days: 30 }],
      noncurrent_version_expiration: [{ noncurrent_days: 1 }],
    });
  });

  test("Docker builds have no build cache (their dependencies are image layers) and no cache grant", () => {
    const docker = env({ application: { runtime: "docker" } });
    expect(resource(docker, "aws_codebuild_project", "build_project").cache).toBeUndefined();
    expect(statements(docker, "build_role_policy").find((s) => s.sid === "BuildCache")).toBeUndefined();
  });

  test("build log retention can differ from the application logs'", () => {
    expect(resource(env({ build: { logRetentionDays: 7 } }), "aws_cloudwatch_log_group", "build_logs").retention_in_days).toBe(7);
  });
});

describe("DeploymentGroup (through the environment)", () => {
  const json = env();
  const group = resource(json, "aws_codedeploy_deployment_group", "deployment_group");

  test("application on the Server platform", () => {
    expect(resource(json, "aws_codedeploy_app", "codedeploy_application")).toEqual({ name: "webapp-staging", compute_platform: "Server" });
  });

  test("blue/green by default: copy the group, continue when ready, terminate the old fleet after 60 minutes, all at once", () => {
    expect(group.deployment_style).toEqual({ deployment_option: "WITH_TRAFFIC_CONTROL", deployment_type: "BLUE_GREEN" });
    expect(group.blue_green_deployment_config).toEqual({
      deployment_ready_option: { action_on_timeout: "CONTINUE_DEPLOYMENT" },
      green_fleet_provisioning_option: { action: "COPY_AUTO_SCALING_GROUP" },
      terminate_blue_instances_on_deployment_success: { action: "TERMINATE", termination_wait_time_in_minutes: 60 },
    });
    expect(group.deployment_config_name).toBe("CodeDeployDefault.AllAtOnce");
    expect(group.load_balancer_info).toEqual({ target_group_info: [{ name: ref("aws_lb_target_group.target_group", "name") }] });
  });

  test("drift-free: starts with the fleet's live group, then leaves the list to CodeDeploy", () => {
    expect(group.autoscaling_groups).toEqual([expect.stringContaining("data.aws_autoscaling_groups.fleet_groups.names")]);
    expect(group.autoscaling_groups[0]).toContain('"webapp-staging-fleet"');
    expect(group.lifecycle).toEqual({ ignore_changes: ["autoscaling_groups"] });
  });

  test("rollback on failure and on the fleet alarms; results to the topic", () => {
    expect(group.auto_rollback_configuration).toEqual({ enabled: true, events: ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"] });
    expect(group.alarm_configuration).toEqual({
      enabled: true,
      alarms: ["alb_5xx", "target_5xx", "unhealthy_hosts", "cpu_high"].map((a) => ref(`aws_cloudwatch_metric_alarm.alarms_${a}`, "alarm_name")),
    });
    expect(group.trigger_configuration).toEqual([
      {
        trigger_name: "deployment-results",
        trigger_target_arn: ref("aws_sns_topic.notifications", "arn"),
        trigger_events: ["DeploymentSuccess", "DeploymentFailure", "DeploymentStop", "DeploymentRollback"],
      },
    ]);
  });

  test("service role: AWSCodeDeployRole, launching from the fleet template only, passing the instance role to EC2 only, publishing results", () => {
    expect(resourcesOfType(json, "aws_iam_role_policy_attachment").deployment_role_aws_code_deploy_role.policy_arn).toBe("arn:aws:iam::aws:policy/service-role/AWSCodeDeployRole");
    const docs = statements(json, "deployment_role_policy");
    expect(docs.find((s) => s.sid === "LaunchFromFleetTemplate")).toMatchObject({
      actions: ["ec2:RunInstances"],
      condition: [{ test: "ArnLike", variable: "ec2:LaunchTemplate", values: [expect.stringContaining(":launch-template/${aws_launch_template.fleet_template.id}")] }],
    });
    expect(docs.find((s) => s.actions.includes("iam:PassRole"))).toMatchObject({
      resources: [ref("aws_iam_role.fleet_role", "arn")],
      condition: [{ test: "StringEquals", variable: "iam:PassedToService", values: ["ec2.amazonaws.com"] }],
    });
    expect(docs.flatMap((s) => s.resources)).not.toContain("*");
    expect(docs.find((s) => s.actions.includes("sns:Publish"))?.resources).toEqual([ref("aws_sns_topic.notifications", "arn")]);
  });

  test("blue/green wait before traffic moves: STOP_DEPLOYMENT after the configured minutes, nothing else changes", () => {
    const g = resource(env({ deployment: { blueGreen: { waitForApproval: { minutes: 240 } } } }), "aws_codedeploy_deployment_group", "deployment_group");
    expect(g.blue_green_deployment_config).toEqual({
      ...group.blue_green_deployment_config,
      deployment_ready_option: { action_on_timeout: "STOP_DEPLOYMENT", wait_time_in_minutes: 240 },
    });
    // A stop at the timeout is not a failure: no rollback event is added (the old fleet never stopped serving).
    expect(g.auto_rollback_configuration).toEqual(group.auto_rollback_configuration);
  });

  test("blue/green options: termination wait and deployment configuration", () => {
    const g = resource(env({ deployment: { blueGreen: { terminationWaitMinutes: 0, deploymentConfig: "HalfAtATime" } } }), "aws_codedeploy_deployment_group", "deployment_group");
    expect(g.blue_green_deployment_config.terminate_blue_instances_on_deployment_success.termination_wait_time_in_minutes).toBe(0);
    expect(g.deployment_config_name).toBe("CodeDeployDefault.HalfAtATime");
  });

  test("in-place: traffic control, one at a time by default, Terraform keeps the group list, no launch permissions", () => {
    const inPlace = env({ deployment: { mode: "in-place" } });
    const g = resource(inPlace, "aws_codedeploy_deployment_group", "deployment_group");
    expect(g.deployment_style).toEqual({ deployment_option: "WITH_TRAFFIC_CONTROL", deployment_type: "IN_PLACE" });
    expect(g.deployment_config_name).toBe("CodeDeployDefault.OneAtATime");
    expect(g.blue_green_deployment_config).toBeUndefined();
    expect(g.lifecycle).toBeUndefined();
    expect(g.outdated_instances_strategy).toBe("UPDATE");
    expect(actions(inPlace, "deployment_role_policy")).not.toContain("ec2:RunInstances");
    expect(actions(inPlace, "deployment_role_policy")).not.toContain("iam:PassRole");
  });

  test("in-place with a named or a custom minimum-healthy-hosts configuration", () => {
    expect(resource(env({ deployment: { mode: "in-place", inPlace: { deploymentConfig: "HalfAtATime" } } }), "aws_codedeploy_deployment_group", "deployment_group").deployment_config_name).toBe(
      "CodeDeployDefault.HalfAtATime",
    );
    const custom = env({ deployment: { mode: "in-place", inPlace: { minimumHealthyHosts: { type: "FLEET_PERCENT", value: 75 } } } });
    expect(resource(custom, "aws_codedeploy_deployment_config", "deployment_config")).toEqual({
      deployment_config_name: "webapp-staging-in-place",
      compute_platform: "Server",
      minimum_healthy_hosts: { type: "FLEET_PERCENT", value: 75 },
    });
    expect(resource(custom, "aws_codedeploy_deployment_group", "deployment_group").deployment_config_name).toBe(ref("aws_codedeploy_deployment_config.deployment_config", "deployment_config_name"));
  });

  test("rollbackOnAlarms: false keeps failure rollback only", () => {
    const g = resource(env({ deployment: { rollbackOnAlarms: false } }), "aws_codedeploy_deployment_group", "deployment_group");
    expect(g.auto_rollback_configuration).toEqual({ enabled: true, events: ["DEPLOYMENT_FAILURE"] });
    expect(g.alarm_configuration).toBeUndefined();
  });
});

describe("Pipeline (through the environment)", () => {
  test("V2, artifacts in the environment bucket under the environment key, source → build → approval → deploy", () => {
    const json = env();
    const pipeline = resource(json, "aws_codepipeline", "pipeline");
    expect(pipeline).toMatchObject({ name: "webapp-staging", pipeline_type: "V2", role_arn: ref("aws_iam_role.pipeline_role", "arn") });
    expect(pipeline.artifact_store).toEqual([
      { location: ref("aws_s3_bucket.artifacts_bucket", "bucket"), type: "S3", encryption_key: { id: ref("aws_kms_key.environment_key", "arn"), type: "KMS" } },
    ]);
    expect(pipeline.stage.map((s: any) => s.name)).toEqual(["Source", "Build", "Approve", "Deploy"]);
    expect(stage(json, "Build").action[0]).toMatchObject({ provider: "CodeBuild", input_artifacts: ["source"], output_artifacts: ["build"], configuration: { ProjectName: ref("aws_codebuild_project.build_project", "name") } });
    expect(stage(json, "Deploy").action[0]).toMatchObject({
      provider: "CodeDeploy",
      input_artifacts: ["build"],
      configuration: { ApplicationName: ref("aws_codedeploy_app.codedeploy_application", "name"), DeploymentGroupName: ref("aws_codedeploy_deployment_group.deployment_group", "deployment_group_name") },
    });
    expect(stage(json, "Approve").action[0]).toMatchObject({ category: "Approval", provider: "Manual", configuration: { NotificationArn: ref("aws_sns_topic.notifications", "arn") } });
    expect(json.output.pipeline_name.value).toBe(ref("aws_codepipeline.pipeline", "name"));
  });

  test("manual approval follows protection, and the configuration overrides it", () => {
    const names = (json: Synth) => resource(json, "aws_codepipeline", "pipeline").stage.map((s: any) => s.name);
    expect(names(env({ protection: false }))).toEqual(["Source", "Build", "Deploy"]);
    expect(names(env({ protection: false, pipeline: { manualApproval: true } }))).toContain("Approve");
    expect(names(env({ pipeline: { manualApproval: false } }))).not.toContain("Approve");
  });

  test("GitHub through a connection: V2 push trigger on the branch, no change detection on the action, UseConnection on that connection only", () => {
    const json = env({ pipeline: { source: GITHUB } });
    const pipeline = resource(json, "aws_codepipeline", "pipeline");
    expect(stage(json, "Source").action[0]).toMatchObject({
      provider: "CodeStarSourceConnection",
      output_artifacts: ["source"],
      configuration: { ConnectionArn: GITHUB.connectionArn, FullRepositoryId: "acme/webapp", BranchName: "main", OutputArtifactFormat: "CODE_ZIP", DetectChanges: "false" },
    });
    expect(pipeline.trigger).toEqual([{ provider_type: "CodeStarSourceConnection", git_configuration: { source_action_name: "Source", push: [{ branches: { includes: ["main"] } }] } }]);
    expect(statements(json, "pipeline_role_policy").find((s) => s.actions.includes("codestar-connections:UseConnection"))?.resources).toEqual([GITHUB.connectionArn]);
    // Only the fleet reconciler's rules (constructs/fleet-reconciler.ts): no source-change rule.
    expect(Object.keys(resourcesOfType(json, "aws_cloudwatch_event_rule"))).toEqual(["fleet_reconciler_deployment_succeeded", "fleet_reconciler_schedule"]);
  });

  test("Bitbucket uses the same connection action", () => {
    const json = env({ pipeline: { source: { ...GITHUB, provider: "bitbucket", repository: "acme/shop" } } });
    expect(stage(json, "Source").action[0].configuration.FullRepositoryId).toBe("acme/shop");
  });

  test("CodeCommit: EventBridge rule on the branch starts the pipeline, no polling, repository-scoped role", () => {
    const json = env({ pipeline: { source: { provider: "codecommit", repository: "shop", branch: "develop" } } });
    expect(stage(json, "Source").action[0]).toMatchObject({ provider: "CodeCommit", configuration: { RepositoryName: "shop", BranchName: "develop", PollForSourceChanges: "false" } });
    // jsonencode(...) so that HCL output can hold the references in it.
    const pattern = resource(json, "aws_cloudwatch_event_rule", "pipeline_source_change").event_pattern;
    expect(pattern).toMatch(/^\$\{jsonencode\(\{"source" = \["aws\.codecommit"\]/);
    expect(pattern).toContain('"referenceType" = ["branch"], "referenceName" = ["develop"]');
    expect(pattern).toContain('"resources" = ["arn:aws:codecommit:eu-west-1:${data.aws_caller_identity.current.account_id}:shop"]');
    expect(resource(json, "aws_cloudwatch_event_target", "pipeline_source_change")).toMatchObject({ arn: ref("aws_codepipeline.pipeline", "arn"), role_arn: ref("aws_iam_role.pipeline_events_role", "arn") });
    expect(statements(json, "pipeline_events_role_policy")).toEqual([expect.objectContaining({ actions: ["codepipeline:StartPipelineExecution"], resources: [ref("aws_codepipeline.pipeline", "arn")] })]);
    expect(statements(json, "pipeline_role_policy").find((s) => s.actions.includes("codecommit:GetBranch"))?.resources).toEqual(["arn:aws:codecommit:eu-west-1:${data.aws_caller_identity.current.account_id}:shop"]);
    expect(resource(json, "aws_codepipeline", "pipeline").trigger).toBeUndefined();
  });

  test("S3 (the default source): an object in the environment bucket, EventBridge notifications on the bucket", () => {
    const json = env({ pipeline: { source: { provider: "s3", objectKey: "releases/app.zip" } } });
    expect(stage(json, "Source").action[0]).toMatchObject({ provider: "S3", configuration: { S3Bucket: ref("aws_s3_bucket.artifacts_bucket", "bucket"), S3ObjectKey: "releases/app.zip", PollForSourceChanges: "false" } });
    expect(resource(json, "aws_s3_bucket_notification", "artifacts_bucket_notification")).toEqual({ bucket: ref("aws_s3_bucket.artifacts_bucket", "id"), eventbridge: true });
    expect(resource(json, "aws_cloudwatch_event_rule", "pipeline_source_change").event_pattern).toContain(
      '"detail" = {"bucket" = {"name" = [aws_s3_bucket.artifacts_bucket.bucket]}, "object" = {"key" = ["releases/app.zip"]}}',
    );
    expect(json.output.pipeline_source_location.value).toBe("s3://${aws_s3_bucket.artifacts_bucket.bucket}/releases/app.zip");
    expect(stage(env(), "Source").action[0].configuration.S3ObjectKey).toBe("pipeline-source/source.zip");
  });

  test("pipeline role: build, deploy and approval topic, each scoped", () => {
    const json = env();
    const docs = statements(json, "pipeline_role_policy");
    expect(docs.find((s) => s.actions.includes("codebuild:StartBuild"))?.resources).toEqual([ref("aws_codebuild_project.build_project", "arn")]);
    expect(docs.find((s) => s.actions.includes("codedeploy:CreateDeployment"))?.resources).toEqual([ref("aws_codedeploy_deployment_group.deployment_group", "arn")]);
    expect(docs.find((s) => s.actions.includes("codedeploy:GetDeploymentConfig"))?.resources).toEqual([
      "arn:aws:codedeploy:eu-west-1:${data.aws_caller_identity.current.account_id}:deploymentconfig:CodeDeployDefault.AllAtOnce",
    ]);
    expect(docs.find((s) => s.actions.includes("sns:Publish"))?.resources).toEqual([ref("aws_sns_topic.notifications", "arn")]);
    expect(docs.flatMap((s) => s.actions)).not.toContain("iam:PassRole");
    expect(docs.flatMap((s) => s.resources)).not.toContain("*");
  });

  test("pipeline.enabled: false keeps the build project and deployment group, nothing else", () => {
    const json = env({ pipeline: { enabled: false } });
    expect(resourcesOfType(json, "aws_codepipeline")).toEqual({});
    // The fleet reconciler's rules stay (releases may still come from elsewhere); no pipeline rule.
    expect(Object.keys(resourcesOfType(json, "aws_cloudwatch_event_rule"))).toEqual(["fleet_reconciler_deployment_succeeded", "fleet_reconciler_schedule"]);
    expect(json.output.pipeline_name).toBeUndefined();
    expect(json.output.codebuild_project_name.value).toBe(ref("aws_codebuild_project.build_project", "name"));
    expect(json.output.codedeploy_deployment_group_name.value).toBe(ref("aws_codedeploy_deployment_group.deployment_group", "deployment_group_name"));
  });
});

describe("Pipeline with another deploy target", () => {
  test("a pluggable target (e.g. ECS) supplies the deploy action and grants the pipeline role", () => {
    const { stack } = bareStack();
    const key = new EncryptionKey(stack, "environment-key", { alias: "app-test", description: "test" });
    const bucket = new Bucket(stack, "artifacts", { bucketPrefix: "app-test-", encryptionKey: key });
    const build = new BuildProject(stack, "build", { projectName: "app-test", encryptionKey: key, artifactBucket: bucket, logRetentionDays: 14 });
    const granted: Role[] = [];
    const ecs: IPipelineDeployTarget = {
      actionProvider: "ECS",
      configuration: { ClusterName: "app-test", ServiceName: "web", FileName: "imagedefinitions.json" },
      grantDeploy: (role) => {
        granted.push(role);
        role.addToPolicy({ actions: ["ecs:UpdateService"], resources: ["arn:aws:ecs:eu-west-1:123456789012:service/app-test/web"] });
      },
    };
    const pipeline = new Pipeline(stack, "pipeline", { pipelineName: "app-test", artifactBucket: bucket, encryptionKey: key, source: { kind: "s3", objectKey: "src.zip" }, build, deployTarget: ecs });
    const json = synthStack(stack);
    expect(granted).toEqual([pipeline.role]);
    const deploy = resource(json, "aws_codepipeline", "pipeline").stage.find((s: any) => s.name === "Deploy");
    expect(deploy.action[0]).toMatchObject({ provider: "ECS", configuration: { ClusterName: "app-test", ServiceName: "web", FileName: "imagedefinitions.json" } });
    expect(data(json, "aws_iam_policy_document", "pipeline_role_policy").statement.flatMap((s: any) => s.actions)).toContain("ecs:UpdateService");
    expect(Testing.synth(stack)).not.toContain("privileged_mode\": true");
  });

  test("build timeouts outside CodeBuild's range are refused", () => {
    const { stack } = bareStack();
    const key = new EncryptionKey(stack, "environment-key", { alias: "app-test", description: "test" });
    const bucket = new Bucket(stack, "artifacts", { bucketPrefix: "app-test-", encryptionKey: key });
    expect(() => new BuildProject(stack, "build", { projectName: "x", encryptionKey: key, artifactBucket: bucket, logRetentionDays: 14, timeoutMinutes: 600 })).toThrow(
      /timeoutMinutes: received 600; allowed: 5 to 480/,
    );
  });
});

describe("DeploymentGroup constructor checks", () => {
  const make = (props: Partial<DeploymentGroupProps>) => {
    const { stack } = bareStack();
    const application = new CodeDeployApplication(stack, "codedeploy", { applicationName: "app-test" });
    return () =>
      new DeploymentGroup(stack, "deployment", { application, deploymentGroupName: "app-test", autoScalingGroupName: "asg", targetGroupName: "tg", mode: "blue-green", ...props });
  };

  test("blue/green needs the fleet's instance role and launch template", () => {
    expect(make({})).toThrow(/fleet: received nothing; allowed: the instance role and launch template, required for blue\/green/);
  });

  test("options of the other mode are refused", () => {
    expect(make({ mode: "in-place", blueGreen: { terminationWaitMinutes: 5 } })).toThrow(/blueGreen: received options; allowed: nothing with mode "in-place"/);
  });

  test("the wait before traffic moves is 1 to 2880 whole minutes", () => {
    for (const minutes of [0, 2881, 2.5]) {
      const { stack } = bareStack();
      const application = new CodeDeployApplication(stack, "codedeploy", { applicationName: "app-test" });
      const instanceRole = new Role(stack, "instances", { roleName: "app-test-instances", description: "test", assumedBy: { type: "Service", identifiers: ["ec2.amazonaws.com"] } });
      expect(
        () =>
          new DeploymentGroup(stack, "deployment", {
            application,
            deploymentGroupName: "app-test",
            autoScalingGroupName: "asg",
            targetGroupName: "tg",
            mode: "blue-green",
            fleet: { instanceRole, launchTemplateId: "lt-0123456789abcdef0" },
            blueGreen: { waitForApproval: { minutes } },
          }),
      ).toThrow(`waitForApproval.minutes: received ${minutes}; allowed: a whole number from 1 to 2880`);
    }
  });

  test("an in-place group needs no fleet and gets no launch permissions", () => {
    const { stack } = bareStack();
    const application = new CodeDeployApplication(stack, "codedeploy", { applicationName: "app-test" });
    new DeploymentGroup(stack, "deployment", { application, deploymentGroupName: "app-test", autoScalingGroupName: "asg", targetGroupName: "tg", mode: "in-place" });
    const json = synthStack(stack);
    expect(resource(json, "aws_codedeploy_deployment_group", "deployment_group")).toMatchObject({ autoscaling_groups: ["asg"], deployment_config_name: "CodeDeployDefault.OneAtATime" });
    expect(json.data?.aws_iam_policy_document?.deployment_role_policy).toBeUndefined();
  });
});

describe("shared load balancer mode", () => {
  test("the deployment group controls the environment's own target group on the shared ALB", () => {
    const { synthConfig } = require("./helpers/synth");
    const { loadConfigFile } = require("../lib/config/load");
    const stacks = synthConfig(loadConfigFile(require("path").join(__dirname, "..", "config", "examples", "shared-alb.yaml")));
    const g = resource(stacks.staging, "aws_codedeploy_deployment_group", "deployment_group");
    expect(g.load_balancer_info.target_group_info[0].name).toBe(ref("aws_lb_target_group.target_group", "name"));
    expect(resourcesOfType(stacks.shared, "aws_codedeploy_deployment_group")).toEqual({});
  });
});
