// CodeDeploy blue/green for ECS services (issue 16, item 5): configuration rules, the service and
// its target group pair, the CodeDeploy application, group and configuration, the test listener,
// the alarms on both groups, and the release path (prepare step + CodeDeployToECS).
import * as path from "path";
import * as YAML from "yaml";
import { loadConfigFile, parseConfig } from "../lib/config/load";
import { blueGreenSettings, PREDEFINED_ECS_DEPLOYMENT_CONFIGS } from "../lib/config/ecs";
import { configProblems, expectProblemLine } from "./helpers/config";
import { coverageOf } from "./helpers/iam-coverage";
import { lintShell } from "./helpers/shell";
import { ref, resource, resourcesOfType, statements, Synth, synthConfig } from "./helpers/synth";

const root = path.join(__dirname, "..");

const api = () => ({ name: "api", launchType: "FARGATE", containerPort: 8080, cpu: 512, memory: 1024, pathPatterns: ["/api/*"], priority: 10 });
const web = () => ({ name: "web", launchType: "EC2", networkMode: "bridge", containerPort: 3000, cpu: 256, memory: 512, pathPatterns: ["/*"], priority: 100 });
const blueGreen = (extra: Record<string, unknown> = {}) => ({ type: "blue-green", ...extra });

function ecsConfig(mutate: (services: any[], env: any) => void = () => undefined): any {
  const services: any[] = [api(), web()];
  const env: any = { platform: "ecs", protection: false, network: { cidr: "10.30.0.0/16" }, ecs: { services } };
  mutate(services, env);
  return { app: { name: "shop", region: "eu-west-1" }, environments: { staging: env } };
}
const problems = (mutate: (services: any[], env: any) => void) => configProblems(ecsConfig(mutate));
const at = "environments.staging.ecs.services";

describe("deployment configuration", () => {
  test("rolling by default; blue-green defaults: 10% canary after 5 minutes (a predefined configuration), 60 minutes' wait, no test listener", () => {
    const config = parseConfig(ecsConfig((s) => (s[0].deployment = blueGreen())));
    const [apiService, webService] = config.environments.staging.ecs!.services;
    expect(webService.deployment).toEqual({ type: "rolling" });
    expect(blueGreenSettings(webService)).toBeUndefined();
    expect(blueGreenSettings(apiService)).toEqual({
      trafficShift: "canary",
      steps: { percentage: 10, intervalMinutes: 5 },
      terminationWaitMinutes: 60,
      testListener: undefined,
      predefinedConfig: "CodeDeployDefault.ECSCanary10Percent5Minutes",
    });
  });

  test("each shift CodeDeploy predefines maps to its configuration; others to none", () => {
    const settings = (d: Record<string, unknown>) => blueGreenSettings(parseConfig(ecsConfig((s) => (s[0].deployment = blueGreen(d)))).environments.staging.ecs!.services[0])!;
    expect(settings({ trafficShift: "all-at-once" })).toMatchObject({ steps: undefined, predefinedConfig: "CodeDeployDefault.ECSAllAtOnce" });
    expect(settings({ trafficShift: "linear", intervalMinutes: 3 }).predefinedConfig).toBe("CodeDeployDefault.ECSLinear10PercentEvery3Minutes");
    expect(settings({ trafficShift: "linear", intervalMinutes: 1 }).predefinedConfig).toBe("CodeDeployDefault.ECSLinear10PercentEvery1Minutes");
    expect(settings({ intervalMinutes: 15 }).predefinedConfig).toBe("CodeDeployDefault.ECSCanary10Percent15Minutes");
    expect(settings({ percentage: 20, intervalMinutes: 15 })).toMatchObject({ steps: { percentage: 20, intervalMinutes: 15 }, predefinedConfig: undefined });
    expect(PREDEFINED_ECS_DEPLOYMENT_CONFIGS.map((c) => c.name)).toHaveLength(5);
  });

  test("blue-green options with a rolling deployment are refused, each by name", () => {
    const lines = problems((s) => (s[0].deployment = { type: "rolling", trafficShift: "linear", testListener: { port: 8443, allowedCidrs: ["10.0.0.0/8"] } }));
    expectProblemLine(lines, `${at}.0.deployment.trafficShift`, '"linear"', /nothing unless deployment.type is "blue-green"/);
    expectProblemLine(lines, `${at}.0.deployment.testListener`, "", /nothing unless deployment.type is "blue-green"/);
  });

  test("steps with an all-at-once shift are refused", () => {
    const lines = problems((s) => (s[0].deployment = blueGreen({ trafficShift: "all-at-once", percentage: 20 })));
    expectProblemLine(lines, `${at}.0.deployment.percentage`, "20", /nothing with trafficShift "all-at-once"/);
  });

  test("percentage from 1 to 99, interval from 1 to 2880 minutes, termination wait from 0 to 2880", () => {
    expectProblemLine(problems((s) => (s[0].deployment = blueGreen({ percentage: 100 }))), `${at}.0.deployment.percentage`, "100", /a percentage of traffic from 1 to 99/);
    expectProblemLine(problems((s) => (s[0].deployment = blueGreen({ percentage: 0 }))), `${at}.0.deployment.percentage`, "0", /from 1 to 99/);
    expectProblemLine(problems((s) => (s[0].deployment = blueGreen({ intervalMinutes: 0 }))), `${at}.0.deployment.intervalMinutes`, "0", /from 1 to 2880/);
    expectProblemLine(problems((s) => (s[0].deployment = blueGreen({ terminationWaitMinutes: 2881 }))), `${at}.0.deployment.terminationWaitMinutes`, "2881", /from 0 to 2880/);
    expectProblemLine(problems((s) => (s[0].deployment = blueGreen({ trafficShift: "fast" }))), `${at}.0.deployment.trafficShift`, '"fast"', /one of "all-at-once", "canary", "linear"/);
  });

  test("the test listener: allowed CIDRs required and non-empty, valid CIDRs", () => {
    expectProblemLine(problems((s) => (s[0].deployment = blueGreen({ testListener: { port: 8443, allowedCidrs: [] } }))), `${at}.0.deployment.testListener.allowedCidrs`, "", /at least one CIDR/);
    expect(problems((s) => (s[0].deployment = blueGreen({ testListener: { port: 8443 } }))).some((l) => l.startsWith(`${at}.0.deployment.testListener.allowedCidrs`))).toBe(true);
    expectProblemLine(problems((s) => (s[0].deployment = blueGreen({ testListener: { port: 8443, allowedCidrs: ["10.0.0.1/8"] } }))), `${at}.0.deployment.testListener.allowedCidrs.0`, '"10.0.0.1/8"', /CIDR in network form/);
    for (const open of ["0.0.0.0/0", "::/0"]) {
      expectProblemLine(problems((s) => (s[0].deployment = blueGreen({ testListener: { port: 8443, allowedCidrs: ["10.0.0.0/8", open] } }))), `${at}.0.deployment.testListener.allowedCidrs`, "", /never the whole internet/);
    }
  });

  test("the test port is neither a production port nor another service's test port", () => {
    for (const port of [80, 443]) {
      expectProblemLine(problems((s) => (s[0].deployment = blueGreen({ testListener: { port, allowedCidrs: ["10.0.0.0/8"] } }))), `${at}.0.deployment.testListener.port`, String(port), /a port other than 80 and 443/);
    }
    const lines = problems((s) => {
      s[0].deployment = blueGreen({ testListener: { port: 8443, allowedCidrs: ["10.0.0.0/8"] } });
      s[1].deployment = blueGreen({ testListener: { port: 8443, allowedCidrs: ["10.0.0.0/8"] } });
    });
    expectProblemLine(lines, `${at}.1.deployment.testListener.port`, "8443", /no other service's test listener uses: service api has 8443/);
  });

  test("a blue-green service's name leaves room for the green target group's suffix", () => {
    // "shopxyz-staging-abcdefghijklmno": 31 characters, fine for one group, 33 with "-g".
    const named = (type: string) => {
      const config = ecsConfig((s) => ((s[1].name = "abcdefghijklmno"), (s[1].deployment = { type })));
      config.app.name = "shopxyz";
      return configProblems(config);
    };
    expectProblemLine(named("blue-green"), `${at}.1.name`, '"abcdefghijklmno"', /second target group is "<app>-<env>-<service>-g", at most 32 characters, and "shopxyz-staging-abcdefghijklmno-g" has 33/);
    expect(() => parseConfig((() => { const c = ecsConfig((s) => (s[1].name = "abcdefghijklmno")); c.app.name = "shopxyz"; return c; })())).not.toThrow();
  });

  test("blue-green needs the pipeline (its CodeDeploy action releases the service)", () => {
    expectProblemLine(
      problems((s, env) => ((s[0].deployment = blueGreen()), (env.pipeline = { enabled: false }))),
      "environments.staging.ecs.services.0.deployment.type",
      '"blue-green"',
      /"rolling" while pipeline.enabled is false/,
    );
  });
});

describe("a blue-green service (the ECS example's web service)", () => {
  const config = loadConfigFile(path.join(root, "config/examples/ecs.yaml"));
  const stacks = synthConfig(config);
  const staging: Synth = stacks.staging;
  const production: Synth = stacks.production;

  test("the example turns blue-green on for web only", () => {
    for (const env of Object.values(config.environments)) {
      expect(env.ecs!.services.map((s) => [s.name, s.deployment.type])).toEqual([
        ["api", "rolling"],
        ["web", "blue-green"],
      ]);
    }
  });

  test("the service: CODE_DEPLOY controller, no circuit breaker, Terraform ignores what releases and CodeDeploy change", () => {
    const service = resource(production, "aws_ecs_service", "service_web");
    expect(service.deployment_controller).toEqual({ type: "CODE_DEPLOY" });
    expect(service.deployment_circuit_breaker).toBeUndefined();
    expect(service.lifecycle.ignore_changes).toEqual(["desired_count", "task_definition", "load_balancer", "network_configuration"]);
    expect(service.load_balancer).toEqual([{ target_group_arn: ref("aws_lb_target_group.service_web_target_group", "arn"), container_name: "web", container_port: 3000 }]);
    // The rolling service is unchanged.
    const rolling = resource(production, "aws_ecs_service", "service_api");
    expect(rolling.deployment_controller).toBeUndefined();
    expect(rolling.deployment_circuit_breaker).toEqual({ enable: true, rollback: true });
    expect(rolling.lifecycle.ignore_changes).toEqual(["desired_count", "task_definition"]);
  });

  test("two target groups, the same settings; the path rule forwards to both by weight and its action is CodeDeploy's after creation", () => {
    const blue = resource(production, "aws_lb_target_group", "service_web_target_group");
    const green = resource(production, "aws_lb_target_group", "service_web_green_target_group");
    expect(blue.name).toBe("shop-production-web");
    expect(green.name).toBe("shop-production-web-g");
    expect({ ...green, name: blue.name }).toEqual(blue);
    const rule = resource(production, "aws_lb_listener_rule", "service_web_target_group_path");
    expect(rule.action).toEqual([
      {
        type: "forward",
        forward: {
          target_group: [
            { arn: ref("aws_lb_target_group.service_web_target_group", "arn"), weight: 100 },
            { arn: ref("aws_lb_target_group.service_web_green_target_group", "arn"), weight: 0 },
          ],
        },
      },
    ]);
    expect(rule.lifecycle).toEqual({ ignore_changes: ["action"] });
    expect(resource(production, "aws_lb_listener_rule", "service_api_target_group_path").lifecycle).toBeUndefined();
    expect(resourcesOfType(production, "aws_lb_target_group").service_api_green_target_group).toBeUndefined();
  });

  test("CodeDeploy: an ECS application, a blue/green group over the pair with the production and test routes, termination wait, rollback on failure and alarms", () => {
    expect(resource(production, "aws_codedeploy_app", "service_web_deployment_application")).toEqual({ name: "shop-production-web", compute_platform: "ECS" });
    const group = resource(production, "aws_codedeploy_deployment_group", "service_web_deployment_group");
    expect(group).toMatchObject({
      deployment_group_name: "shop-production-web",
      deployment_config_name: "CodeDeployDefault.ECSCanary10Percent5Minutes",
      deployment_style: { deployment_option: "WITH_TRAFFIC_CONTROL", deployment_type: "BLUE_GREEN" },
      ecs_service: { cluster_name: "shop-production", service_name: "web" },
      blue_green_deployment_config: {
        deployment_ready_option: { action_on_timeout: "CONTINUE_DEPLOYMENT" },
        terminate_blue_instances_on_deployment_success: { action: "TERMINATE", termination_wait_time_in_minutes: 30 },
      },
      auto_rollback_configuration: { enabled: true, events: ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"] },
      depends_on: ["aws_ecs_service.service_web"],
    });
    expect(group.load_balancer_info.target_group_pair_info).toEqual({
      prod_traffic_route: { listener_arns: [ref("aws_lb_listener.load_balancer_https", "arn")] },
      test_traffic_route: { listener_arns: [ref("aws_lb_listener.service_web_deployment_test_listener", "arn")] },
      target_group: [{ name: ref("aws_lb_target_group.service_web_target_group", "name") }, { name: ref("aws_lb_target_group.service_web_green_target_group", "name") }],
    });
    // Staging has no certificate: the production route is the HTTP listener.
    expect(resource(staging, "aws_codedeploy_deployment_group", "service_web_deployment_group").load_balancer_info.target_group_pair_info.prod_traffic_route).toEqual({
      listener_arns: [ref("aws_lb_listener.load_balancer_http", "arn")],
    });
    expect(resourcesOfType(production, "aws_codedeploy_deployment_group").service_api_deployment_group).toBeUndefined();
    expect(production.resource.aws_codedeploy_deployment_config).toBeUndefined();
  });

  test("rollback alarms: the kinds that stop deployments, the target group alarms on both groups of the pair", () => {
    const group = resource(production, "aws_codedeploy_deployment_group", "service_web_deployment_group");
    expect(group.alarm_configuration).toEqual({
      enabled: true,
      alarms: ["cpu_high", "target_5xx", "target_5xx_green"].map((a) => ref(`aws_cloudwatch_metric_alarm.service_web_alarms_${a}`, "alarm_name")),
    });
    const green = resource(production, "aws_cloudwatch_metric_alarm", "service_web_alarms_target_5xx_green");
    expect(green.dimensions).toEqual({ LoadBalancer: ref("aws_lb.load_balancer_alb", "arn_suffix"), TargetGroup: ref("aws_lb_target_group.service_web_green_target_group", "arn_suffix") });
    expect(green.alarm_name).toBe("shop-production-web-target-5xx-green");
    expect(resource(production, "aws_cloudwatch_metric_alarm", "service_web_alarms_latency_p99_green").dimensions.TargetGroup).toBe(ref("aws_lb_target_group.service_web_green_target_group", "arn_suffix"));
    expect(resourcesOfType(production, "aws_cloudwatch_metric_alarm").service_api_alarms_target_5xx_green).toBeUndefined();
  });

  test("the test listener: its own port, HTTPS with the environment's certificate where there is one, forwarding to the green group; reachable from the configured CIDRs only", () => {
    const listener = resource(production, "aws_lb_listener", "service_web_deployment_test_listener");
    expect(listener).toMatchObject({ port: 8443, protocol: "HTTPS", certificate_arn: expect.stringMatching(/^arn:aws:acm:/), lifecycle: { ignore_changes: ["default_action"] } });
    expect(listener.default_action[0].forward.target_group[0]).toEqual({ arn: ref("aws_lb_target_group.service_web_green_target_group", "arn"), weight: 100 });
    expect(resource(staging, "aws_lb_listener", "service_web_deployment_test_listener")).toMatchObject({ port: 8443, protocol: "HTTP" });
    expect(resource(staging, "aws_lb_listener", "service_web_deployment_test_listener").certificate_arn).toBeUndefined();
    const ingress = Object.values(resourcesOfType(production, "aws_vpc_security_group_ingress_rule")).filter((r: any) => r.from_port === 8443);
    expect(ingress).toEqual([expect.objectContaining({ cidr_ipv4: "10.0.0.0/8", from_port: 8443, to_port: 8443, ip_protocol: "tcp" })]);
  });

  test("without a test listener: no listener, no ingress, no test route", () => {
    const json = synthConfig(parseConfig(ecsConfig((s) => (s[0].deployment = blueGreen())))).staging;
    expect(Object.keys(resourcesOfType(json, "aws_lb_listener"))).toEqual(["load_balancer_http"]);
    expect(resource(json, "aws_codedeploy_deployment_group", "service_api_deployment_group").load_balancer_info.target_group_pair_info.test_traffic_route).toBeUndefined();
  });

  test("a shift CodeDeploy does not predefine gets a deployment configuration of its own (TimeBasedLinear / TimeBasedCanary), created before the old one goes", () => {
    const json = synthConfig(parseConfig(ecsConfig((s) => (s[0].deployment = blueGreen({ trafficShift: "linear", percentage: 25, intervalMinutes: 2 }))))).staging;
    const config = resource(json, "aws_codedeploy_deployment_config", "service_api_deployment_config");
    expect(config).toEqual({
      deployment_config_name: "shop-staging-api-linear-25pct-2min",
      compute_platform: "ECS",
      traffic_routing_config: { type: "TimeBasedLinear", time_based_linear: { interval: 2, percentage: 25 } },
      lifecycle: { create_before_destroy: true },
    });
    expect(resource(json, "aws_codedeploy_deployment_group", "service_api_deployment_group").deployment_config_name).toBe(ref("aws_codedeploy_deployment_config.service_api_deployment_config", "deployment_config_name"));
    const canary = synthConfig(parseConfig(ecsConfig((s) => (s[0].deployment = blueGreen({ percentage: 20 }))))).staging;
    expect(resource(canary, "aws_codedeploy_deployment_config", "service_api_deployment_config").traffic_routing_config).toEqual({ type: "TimeBasedCanary", time_based_canary: { interval: 5, percentage: 20 } });
  });

  test("the CodeDeploy role: trusted by CodeDeploy of this account, AWSCodeDeployRoleForECS, publishes results to the topic", () => {
    const role = resource(production, "aws_iam_role", "service_web_deployment_role");
    expect(role.name).toBe("shop-production-web-codedeploy");
    expect(JSON.stringify(production.data.aws_iam_policy_document.service_web_deployment_role_trust ?? role.assume_role_policy)).toMatch(/codedeploy/);
    const attachments = Object.values(resourcesOfType(production, "aws_iam_role_policy_attachment")).filter((a: any) => a.role === ref("aws_iam_role.service_web_deployment_role", "name"));
    expect(attachments.map((a: any) => a.policy_arn)).toEqual([expect.stringMatching(/:iam::aws:policy\/AWSCodeDeployRoleForECS$/)]);
  });

  test("the pipeline: Deploy stage = Prepare (CodeBuild, writes the release artifact) then CodeDeployToECS with the image placeholder", () => {
    const pipeline = resource(production, "aws_codepipeline", "service_web_pipeline");
    expect(pipeline.stage.map((s: any) => s.name)).toEqual(["Source", "Build", "Approve", "Deploy"]);
    const [prepare, deploy] = pipeline.stage[3].action;
    expect(prepare).toMatchObject({ name: "Prepare", category: "Build", provider: "CodeBuild", run_order: 1, input_artifacts: ["build"], output_artifacts: ["release"] });
    expect(prepare.configuration).toEqual({ ProjectName: ref("aws_codebuild_project.service_web_prepare_project", "name") });
    expect(deploy).toMatchObject({ name: "Deploy", category: "Deploy", provider: "CodeDeployToECS", run_order: 2, input_artifacts: ["release"] });
    expect(deploy.configuration).toEqual({
      ApplicationName: ref("aws_codedeploy_app.service_web_deployment_application", "name"),
      DeploymentGroupName: ref("aws_codedeploy_deployment_group.service_web_deployment_group", "deployment_group_name"),
      TaskDefinitionTemplateArtifact: "release",
      TaskDefinitionTemplatePath: "taskdef.json",
      AppSpecTemplateArtifact: "release",
      AppSpecTemplatePath: "appspec.yaml",
      Image1ArtifactName: "release",
      Image1ContainerName: "IMAGE1_NAME",
    });
    // The rolling service keeps its CodeBuild deploy step, with no run order.
    const rolling = resource(production, "aws_codepipeline", "service_api_pipeline").stage[3].action;
    expect(rolling).toHaveLength(1);
    expect(rolling[0].run_order).toBeUndefined();
    expect(resourcesOfType(production, "aws_codebuild_project").service_web_deploy_project).toBeUndefined();
  });

  test("the pipeline role registers and tags revisions of the family, passes only the task's two roles to ECS, and deploys only this group", () => {
    const policy = statements(production, "service_web_pipeline_role_policy");
    const has = (action: string) => policy.filter((s) => s.actions.includes(action));
    expect(has("codedeploy:CreateDeployment").flatMap((s) => s.resources)).toEqual([ref("aws_codedeploy_deployment_group.service_web_deployment_group", "arn")]);
    expect(has("codedeploy:GetDeploymentConfig").flatMap((s) => s.resources)).toEqual([expect.stringMatching(/:deploymentconfig:CodeDeployDefault\.ECSCanary10Percent5Minutes$/)]);
    expect(has("ecs:RegisterTaskDefinition").flatMap((s) => s.resources)).toEqual(["*"]);
    expect(has("ecs:TagResource")).toEqual([
      expect.objectContaining({ resources: [expect.stringMatching(/:task-definition\/shop-production-web:\*$/)], condition: [{ test: "StringEquals", variable: "ecs:CreateAction", values: ["RegisterTaskDefinition"] }] }),
    ]);
    const passed = has("iam:PassRole");
    expect(passed.flatMap((s) => s.resources).sort()).toEqual([ref("aws_iam_role.service_web_execution_role", "arn"), ref("aws_iam_role.service_web_task_role", "arn")].sort());
    for (const s of passed) expect(s.condition).toEqual([{ test: "StringEquals", variable: "iam:PassedToService", values: ["ecs-tasks.amazonaws.com"] }]);
    expect(policy.flatMap((s) => s.actions)).not.toContain("ecs:UpdateService");
    expect(JSON.stringify(policy)).not.toMatch(/service_api_/);
  });

  test("the prepare project: reads Terraform's revision only; its variables; its buildspec writes the three files and passes shellcheck", () => {
    const project = resource(staging, "aws_codebuild_project", "service_web_prepare_project");
    expect(project).toMatchObject({ name: "shop-staging-web-prepare", build_timeout: 15 });
    expect(project.environment).toMatchObject({ privileged_mode: false, compute_type: "BUILD_GENERAL1_SMALL" });
    expect(Object.fromEntries(project.environment.environment_variable.map((v: any) => [v.name, v.value]))).toEqual({
      CONTAINER_NAME: "web",
      CONTAINER_PORT: "3000",
      TASK_DEFINITION_PARAMETER: ref("aws_ssm_parameter.service_web_task_definition", "name"),
      PLATFORM_VERSION: "",
      SUBNET_IDS: "",
      SECURITY_GROUP_IDS: "",
    });
    const policy = statements(staging, "service_web_prepare_role_policy");
    expect(policy.filter((s) => s.sid).map((s) => [s.sid, s.actions])).toEqual([
      ["TerraformRevision", ["ssm:GetParameter"]],
      ["TaskDefinitions", ["ecs:DescribeTaskDefinition"]],
    ]);
    expect(policy.flatMap((s) => s.actions).filter((a: string) => /^ecs:(Register|Update)|^iam:PassRole$|^codedeploy:/.test(a))).toEqual([]);
    const buildspec = YAML.parse(project.source.buildspec.replace(/\$\$\{/g, "${"));
    expect(buildspec.artifacts.files).toEqual(["taskdef.json", "appspec.yaml", "imageDetail.json"]);
    const script = buildspec.phases.build.commands.join("\n");
    expect(script).toContain('.image = "<IMAGE1_NAME>"');
    expect(script).toContain('TaskDefinition: "<TASK_DEFINITION>"');
    expect(lintShell(script)).toEqual([]);
  });

  test("an awsvpc (Fargate) blue-green service hands its subnets, group and platform version to the AppSpec", () => {
    const json = synthConfig(parseConfig(ecsConfig((s) => (s[0].deployment = blueGreen())))).staging;
    const vars = Object.fromEntries(resource(json, "aws_codebuild_project", "service_api_prepare_project").environment.environment_variable.map((v: any) => [v.name, v.value]));
    expect(vars.PLATFORM_VERSION).toBe("LATEST");
    expect(vars.SECURITY_GROUP_IDS).toBe(ref("aws_security_group.network_api_tasks", "id"));
    expect(vars.SUBNET_IDS).toMatch(/^\$\{join\(",", \[/);
  });
});

describe("IAM coverage of the prepare step", () => {
  test("the prepare buildspec's calls are allowed by its role, on Terraform's parameter", () => {
    const config = loadConfigFile(path.join(root, "config/examples/ecs.yaml"));
    const evaluated = coverageOf(config, synthConfig(config)).evaluated.filter((e) => e.stack === "shop-staging" && /web-prepare/.test(e.roleName));
    // CodeBuild's own calls (artifacts, logs, the key) plus the two of the buildspec.
    expect([...new Set(evaluated.map((e) => e.action))].filter((a) => /^(ecs|ssm|iam|codedeploy):/.test(a)).sort()).toEqual(["ecs:DescribeTaskDefinition", "ssm:GetParameter"]);
    expect(evaluated.find((e) => e.action === "ssm:GetParameter")!.resource).toMatch(/:parameter\/shop\/staging\/release\/web\/task-definition$/);
    expect(evaluated.every((e) => e.decision.allowed)).toBe(true);
  });
});
