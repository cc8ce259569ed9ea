import * as path from "path";
import { loadConfigFile, parseConfig } from "../lib/config/load";
import { configProblems, expectProblemLine } from "./helpers/config";
import { lintShell } from "./helpers/shell";
import { fargateMemorySizes, patternCovers } from "../lib/config/ecs";
import { EcsEnvironmentStack } from "../stacks/ecs-environment-stack";
import { EnvironmentStack } from "../stacks/environment-stack";
import { buildApp } from "../lib/synth/build-app";
import { Testing } from "cdktf";
import { releaseFiles } from "../lib/release/release-files";
import * as YAML from "yaml";
import { data, ref, resource, resourcesOfType, statements, Synth, synthConfig } from "./helpers/synth";

const root = path.join(__dirname, "..");

const api = () => ({ name: "api", launchType: "FARGATE", containerPort: 8080, cpu: 512, memory: 1024, pathPatterns: ["/api/*"], priority: 10 });
const web = () => ({ name: "web", launchType: "EC2", networkMode: "bridge", containerPort: 3000, cpu: 256, memory: 512, pathPatterns: ["/*"], priority: 100 });

/** A valid ECS configuration; `mutate` edits it before validation. */
function ecsConfig(mutate: (c: any) => void = () => undefined): any {
  const config: any = {
    app: { name: "shop", region: "eu-west-1" },
    environments: {
      staging: { platform: "ecs", protection: false, network: { cidr: "10.30.0.0/16" }, ecs: { services: [api(), web()] } },
    },
  };
  mutate(config);
  return config;
}

function problems(mutate: (c: any) => void): string[] {
  return configProblems(ecsConfig(mutate));
}

function expectProblem(mutate: (c: any) => void, path: string, received: string, allowed: RegExp): void {
  expectProblemLine(problems(mutate), path, received, allowed);
}

const services = (c: any) => c.environments.staging.ecs.services;
const at = "environments.staging.ecs.services";

describe("ECS configuration", () => {
  test("the example is valid: ECS platform, two services, staging and production", () => {
    const config = loadConfigFile(path.join(root, "config/examples/ecs.yaml"));
    expect(Object.keys(config.environments)).toEqual(["staging", "production"]);
    for (const env of Object.values(config.environments)) {
      expect(env.platform).toBe("ecs");
      expect(env.ecs!.services.map((s) => [s.name, s.launchType, s.networkMode])).toEqual([
        ["api", "FARGATE", "awsvpc"],
        ["web", "EC2", "bridge"],
      ]);
    }
  });

  test("defaults: platform fleet, no ecs section; service defaults", () => {
    const fleet = parseConfig({ app: { name: "shop", region: "eu-west-1" }, environments: { qa: { network: { cidr: "10.10.0.0/16" } } } });
    expect(fleet.environments.qa.platform).toBe("fleet");
    expect(fleet.environments.qa.ecs).toBeUndefined();
    const service = parseConfig(ecsConfig((c) => (services(c)[0] = { name: "api", pathPatterns: ["/api/*"], priority: 1 }))).environments.staging.ecs!.services[0];
    expect(service).toMatchObject({ launchType: "FARGATE", networkMode: "awsvpc", cpu: 256, memory: 512, cpuTargetPercent: 75, memoryTargetPercent: 75, healthCheckPath: "/health" });
  });

  test("Fargate with bridge networking is refused", () => {
    expectProblem((c) => (services(c)[0].networkMode = "bridge"), `${at}.0.networkMode`, '"bridge"', /"awsvpc" for a FARGATE service/);
  });

  test.each([
    [256, 4096, /cpu 256: 512, 1024 or 2048 MiB/],
    [512, 512, /cpu 512: 1024 to 4096 in steps of 1024 MiB/],
    [1024, 9216, /cpu 1024: 2048 to 8192 in steps of 1024 MiB/],
    [2048, 4608, /cpu 2048: 4096 to 16384 in steps of 1024 MiB/],
    [4096, 31744, /cpu 4096: 8192 to 30720 in steps of 1024 MiB/],
    [8192, 17408, /cpu 8192: 16384 to 61440 in steps of 4096 MiB/],
    [16384, 36864, /cpu 16384: 32768 to 122880 in steps of 8192 MiB/],
  ])("Fargate refuses cpu %i with memory %i", (cpu, memory, allowed) => {
    expectProblem((c) => Object.assign(services(c)[0], { cpu, memory }), `${at}.0.memory`, String(memory), allowed);
  });

  test("Fargate CPU sizes outside the table are refused; EC2 takes any size", () => {
    expectProblem((c) => (services(c)[0].cpu = 768), `${at}.0.cpu`, "768", /a Fargate CPU size: one of 256, 512, 1024, 2048, 4096, 8192, 16384/);
    expect(() => parseConfig(ecsConfig((c) => Object.assign(services(c)[1], { cpu: 768, memory: 700 })))).not.toThrow();
  });

  test("the Fargate table", () => {
    expect(fargateMemorySizes(256)).toEqual([512, 1024, 2048]);
    expect(fargateMemorySizes(512)).toEqual([1024, 2048, 3072, 4096]);
    expect(fargateMemorySizes(8192)).toEqual([16384, 20480, 24576, 28672, 32768, 36864, 40960, 45056, 49152, 53248, 57344, 61440]);
    expect(fargateMemorySizes(16384)[0]).toBe(32768);
    expect(fargateMemorySizes(16384).at(-1)).toBe(122880);
    expect(fargateMemorySizes(300)).toEqual([]);
  });

  test("two services with the same path pattern collide", () => {
    expectProblem((c) => (services(c)[1].pathPatterns = ["/api/*"]), `${at}.1.pathPatterns.0`, '"/api/*"', /a path pattern no other service uses: service api already routes \/api\/\*/);
  });

  test("a pattern shadowed by a rule evaluated earlier is refused", () => {
    expectProblem(
      (c) => {
        services(c)[1].priority = 5; // web's /* now comes before api's /api/*
      },
      `${at}.0.pathPatterns.0`,
      '"/api/*"',
      /service web's \/\* \(priority 5, evaluated first\) does not already match/,
    );
    expect(patternCovers("/*", "/api/*")).toBe(true);
    expect(patternCovers("/api/*", "/*")).toBe(false);
    expect(patternCovers("/api/v?/*", "/api/v1/*")).toBe(true);
    expect(patternCovers("/api/*", "/static/*")).toBe(false);
  });

  test("duplicate service names and priorities are refused", () => {
    expectProblem((c) => Object.assign(services(c)[1], { name: "api" }), `${at}.1.name`, '"api"', /a name no other service has: services\.0 is already called api/);
    expectProblem((c) => Object.assign(services(c)[1], { priority: 10 }), `${at}.1.priority`, "10", /a priority no other service uses: service api has 10/);
  });

  test("counts: min ≤ desired ≤ max; capacity min ≤ max; some Fargate weight", () => {
    expectProblem((c) => Object.assign(services(c)[0], { minCount: 5, maxCount: 3, desiredCount: 4 }), `${at}.0.minCount`, "5", /no larger than maxCount \(3\)/);
    expectProblem((c) => Object.assign(services(c)[0], { minCount: 1, maxCount: 3, desiredCount: 4 }), `${at}.0.desiredCount`, "4", /from minCount \(1\) to maxCount \(3\)/);
    expectProblem((c) => (c.environments.staging.ecs.capacity = { minSize: 4, maxSize: 2 }), "environments.staging.ecs.capacity.minSize", "4", /no larger than capacity\.maxSize \(2\)/);
    expectProblem((c) => (c.environments.staging.ecs.capacity = { fargateWeight: 0, fargateSpotWeight: 0 }), "environments.staging.ecs.capacity.fargateWeight", "0", /a weight above 0/);
  });

  test("field errors: path patterns, ports, unknown keys", () => {
    expectProblem((c) => (services(c)[0].pathPatterns = []), `${at}.0.pathPatterns`, "[]", /between 1 and 5 path patterns/);
    expectProblem((c) => (services(c)[0].pathPatterns = ["api/*"]), `${at}.0.pathPatterns.0`, '"api/*"', /an ALB path pattern starting with \//);
    expectProblem((c) => (services(c)[0].launchType = "LAMBDA"), `${at}.0.launchType`, '"LAMBDA"', /one of "FARGATE", "EC2"/);
    expectProblem((c) => (services(c)[0].image = "nginx"), `${at}.0.image`, 'an unknown key "image"', /known keys here are: .*initialImageTag/);
  });

  test("service names must fit the target group name with the app and environment", () => {
    expectProblem(
      (c) => {
        c.app.name = "bookshop-eu";
        services(c)[0].name = "checkout-api-v2";
      },
      `${at}.0.name`,
      '"checkout-api-v2"',
      /a shorter name: "<app>-<env>-<service>" names the target group, at most 32 characters, and "bookshop-eu-staging-checkout-api-v2" has 35/,
    );
    expect(() => parseConfig(ecsConfig((c) => Object.assign(c.app, { name: "bookshop-eu" }) && (services(c)[0].name = "checkout-api")))).not.toThrow();
  });

  test("ecs only with platform ecs, and required there", () => {
    expectProblem((c) => delete c.environments.staging.platform, "environments.staging.ecs", '{"containerInsights":"enabled"', /nothing unless platform is "ecs"/);
    expectProblem((c) => delete c.environments.staging.ecs, "environments.staging.ecs", "nothing", /an ecs section with at least one service, required when platform is "ecs"/);
  });

  test("ECS environments: dedicated ALB, no CloudFront, private subnets", () => {
    expectProblem((c) => (c.environments.staging.loadBalancer = { mode: "shared", hostName: "a.example.com", hostedZoneId: "Z0123456789ABCDEFGHIJ" }), "environments.staging.loadBalancer.mode", '"shared"', /"dedicated" when platform is "ecs"/);
    expectProblem((c) => (c.environments.staging.loadBalancer = { cdn: { enabled: true } }), "environments.staging.loadBalancer.cdn.enabled", "true", /false when platform is "ecs"/);
    expectProblem((c) => (c.environments.staging.network = { cidr: "10.30.0.0/16", privateSubnets: false, natGateways: "none" }), "environments.staging.network.privateSubnets", "false", /true when platform is "ecs"/);
  });

  test("fleet-only sections given to an ECS environment are refused; in defaults they stay with fleet environments", () => {
    expectProblem((c) => (c.environments.staging.fleet = { instanceType: "t3.small" }), "environments.staging.fleet", "a fleet section", /no fleet section when platform is "ecs" \(its stack does not read it; ECS settings live under ecs/);
    expectProblem((c) => (c.environments.staging.goldenAmi = { enabled: false }), "environments.staging.goldenAmi", "a goldenAmi section", /no goldenAmi section/);
    expectProblem((c) => (c.environments.staging.database = { enabled: true }), "environments.staging.database", "a database section", /no database section when platform is "ecs"/);
    const mixed = parseConfig(
      ecsConfig((c) => {
        c.defaults = { fleet: { instanceType: "t3.large" }, goldenAmi: { nodejsMajor: 20 }, observability: { logRetentionDays: 14 }, ecs: c.environments.staging.ecs };
        delete c.environments.staging.ecs;
        c.environments.production = { network: { cidr: "10.40.0.0/16" } };
      }),
    );
    expect(mixed.environments.production.ecs).toBeUndefined();
    expect(mixed.environments.staging.ecs!.services.map((s) => s.name)).toEqual(["api", "web"]);
    expect(mixed.environments.production.fleet.instanceType).toBe("t3.large");
    expect(mixed.environments.staging.observability.logRetentionDays).toBe(14);
  });

  test("all problems at once, with field errors of other sections", () => {
    const lines = problems((c) => {
      services(c)[0].networkMode = "bridge";
      services(c)[1].pathPatterns = ["/api/*"];
      c.environments.staging.network.cidr = "10.0.0.1/16";
    });
    expect(lines.map((l) => l.split(":")[0])).toEqual(
      expect.arrayContaining(["environments.staging.network.cidr", `${at}.0.networkMode`, `${at}.1.pathPatterns.0`]),
    );
  });
});

describe("EcsEnvironmentStack", () => {
  const config = loadConfigFile(path.join(root, "config/examples/ecs.yaml"));
  const stacks = synthConfig(config);
  const staging: Synth = stacks.staging;
  const production: Synth = stacks.production;

  test("buildApp creates an EcsEnvironmentStack for platform ecs and EnvironmentStack otherwise", () => {
    const app = Testing.app({ stackTraces: false });
    const mixed = parseConfig(ecsConfig((c) => (c.environments.production = { network: { cidr: "10.40.0.0/16" } })));
    const built = buildApp(app, mixed);
    expect(built.map((s) => [s.node.id, s.constructor.name])).toEqual([
      ["shop-staging", EcsEnvironmentStack.name],
      ["shop-production", EnvironmentStack.name],
    ]);
  });

  test("cluster with Container Insights; Fargate, Fargate Spot and the EC2 capacity provider", () => {
    expect(resource(staging, "aws_ecs_cluster", "cluster")).toMatchObject({ name: "shop-staging", setting: [{ name: "containerInsights", value: "enabled" }] });
    const providers = resource(staging, "aws_ecs_cluster_capacity_providers", "cluster_capacity_providers");
    expect(providers.capacity_providers).toEqual(["FARGATE", "FARGATE_SPOT", ref("aws_ecs_capacity_provider.cluster_ec2", "name")]);
    expect(providers.default_capacity_provider_strategy).toEqual([
      { capacity_provider: "FARGATE", base: 0, weight: 1 },
      { capacity_provider: "FARGATE_SPOT", weight: 3 },
    ]);
  });

  test("EC2 capacity: ECS-optimized AL2023 image of the architecture, cluster in user data, IMDS hop limit 1", () => {
    const template = resource(staging, "aws_launch_template", "cluster_template");
    expect(template.image_id).toBe("resolve:ssm:/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id");
    expect(resource(production, "aws_launch_template", "cluster_template").image_id).toBe("resolve:ssm:/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id");
    const userData = Buffer.from(template.user_data, "base64").toString("utf8");
    expect(userData).toContain("ECS_CLUSTER=shop-staging\n");
    expect(userData).toContain("/etc/ecs/ecs.config");
    expect(template.metadata_options.http_put_response_hop_limit).toBe(1);
    expect(lintShell(userData)).toEqual([]);
    expect(template.iam_instance_profile).toEqual({ arn: ref("aws_iam_instance_profile.cluster_instance_role", "arn") });
  });

  test("scale-in protection and managed termination protection go together; the group is force-deleted after the cluster's services", () => {
    const stagingGroup = resource(staging, "aws_autoscaling_group", "cluster_capacity");
    const productionGroup = resource(production, "aws_autoscaling_group", "cluster_capacity");
    expect(stagingGroup.protect_from_scale_in).toBe(false);
    expect(resource(staging, "aws_ecs_capacity_provider", "cluster_ec2").auto_scaling_group_provider.managed_termination_protection).toBe("DISABLED");
    expect(productionGroup.protect_from_scale_in).toBe(true);
    const provider = resource(production, "aws_ecs_capacity_provider", "cluster_ec2");
    expect(provider.auto_scaling_group_provider).toMatchObject({
      auto_scaling_group_arn: ref("aws_autoscaling_group.cluster_capacity", "arn"),
      managed_termination_protection: "ENABLED",
      managed_draining: "ENABLED",
      managed_scaling: { status: "ENABLED", target_capacity: 90 },
    });
    expect(provider.name).toBe("cp-shop-production-ec2");
    expect(productionGroup.tag).toContainEqual({ key: "AmazonECSManaged", value: "true", propagate_at_launch: true });
    expect(productionGroup.force_delete).toBe(true);
    expect(productionGroup.depends_on).toEqual(["aws_ecs_cluster.cluster"]);
    expect(productionGroup.lifecycle).toEqual({ ignore_changes: ["desired_capacity"] });
    expect(resource(production, "aws_autoscaling_notification", "cluster_notifications")).toMatchObject({
      group_names: [ref("aws_autoscaling_group.cluster_capacity", "name")],
      topic_arn: ref("aws_sns_topic.notifications", "arn"),
      depends_on: ["aws_autoscaling_group.cluster_capacity"],
    });
    expect(productionGroup.vpc_zone_identifier).toEqual([0, 1, 2].map((i) => ref(`aws_subnet.network_private_${i}`, "id")));
  });

  test("the capacity group carries the stack's default (cost) tags, propagated to its instances; its own tags win", () => {
    const defaults = staging.provider.aws[0].default_tags[0].tags;
    expect(defaults).toMatchObject({ team: "platform", application: "shop", environment: "staging" });
    const tags = resource(staging, "aws_autoscaling_group", "cluster_capacity").tag;
    for (const [key, value] of Object.entries(defaults)) expect(tags).toContainEqual({ key, value, propagate_at_launch: true });
    expect(tags.filter((t: { key: string }) => t.key === "Name")).toEqual([{ key: "Name", value: "shop-staging-container-instance", propagate_at_launch: true }]);
    expect(new Set(tags.map((t: { key: string }) => t.key)).size).toBe(tags.length);
  });

  test("path rules: one per service on the serving listener, configured priorities, forward to the service's group", () => {
    expect(resource(staging, "aws_lb_listener_rule", "service_api_target_group_path")).toMatchObject({
      listener_arn: ref("aws_lb_listener.load_balancer_http", "arn"),
      priority: 10,
      condition: [{ path_pattern: { values: ["/api/*"] } }],
      action: [{ type: "forward", target_group_arn: ref("aws_lb_target_group.service_api_target_group", "arn") }],
    });
    expect(resource(production, "aws_lb_listener_rule", "service_web_target_group_path")).toMatchObject({
      listener_arn: ref("aws_lb_listener.load_balancer_https", "arn"),
      priority: 100,
      condition: [{ path_pattern: { values: ["/*"] } }],
    });
    expect(resource(staging, "aws_lb_listener", "load_balancer_http").default_action).toEqual([
      { type: "fixed-response", fixed_response: { content_type: "text/plain", status_code: "404", message_body: "Not found" } },
    ]);
  });

  test("target groups: ip for awsvpc (Fargate), instance for bridge (EC2)", () => {
    expect(resource(staging, "aws_lb_target_group", "service_api_target_group")).toMatchObject({ name: "shop-staging-api", target_type: "ip", port: 8080, health_check: { path: "/api/health" } });
    expect(resource(staging, "aws_lb_target_group", "service_web_target_group")).toMatchObject({ name: "shop-staging-web", target_type: "instance", port: 3000, health_check: { path: "/health" } });
  });

  test("awsvpc tasks: private subnets, no public IP, a group that admits the container port from the ALB only", () => {
    const service = resource(staging, "aws_ecs_service", "service_api");
    expect(service.network_configuration).toEqual({ assign_public_ip: false, security_groups: [ref("aws_security_group.network_api_tasks", "id")], subnets: [0, 1].map((i) => ref(`aws_subnet.network_private_${i}`, "id")) });
    expect(resource(staging, "aws_vpc_security_group_ingress_rule", "network_api_tasks_app_from_network_alb")).toMatchObject({
      from_port: 8080,
      to_port: 8080,
      referenced_security_group_id: ref("aws_security_group.network_alb", "id"),
    });
    expect(service.capacity_provider_strategy).toEqual([
      { capacity_provider: "FARGATE", base: 0, weight: 1 },
      { capacity_provider: "FARGATE_SPOT", weight: 3 },
    ]);
  });

  test("bridge tasks: dynamic host ports, admitted from the ALB on the ephemeral range; EC2 capacity provider strategy", () => {
    const service = resource(staging, "aws_ecs_service", "service_web");
    expect(service.network_configuration).toBeUndefined();
    expect(service.capacity_provider_strategy).toEqual([{ capacity_provider: ref("aws_ecs_capacity_provider.cluster_ec2", "name"), base: 0, weight: 1 }]);
    expect(resource(staging, "aws_ecs_task_definition", "service_web_task").container_definitions).toContain('"hostPort" = 0');
    expect(resource(staging, "aws_vpc_security_group_ingress_rule", "network_container_instances_dynamic_ports_from_network_alb")).toMatchObject({ from_port: 32768, to_port: 65535 });
  });

  test("services: circuit breaker with rollback, autoscaling owns the count, releases own the task definition", () => {
    const service = resource(staging, "aws_ecs_service", "service_api");
    expect(service.deployment_circuit_breaker).toEqual({ enable: true, rollback: true });
    expect(service.lifecycle).toEqual({ ignore_changes: ["desired_count", "task_definition"] });
    expect(service.depends_on).toEqual(["aws_lb_listener_rule.service_api_target_group_path", "aws_ecs_cluster_capacity_providers.cluster_capacity_providers"]);
  });

  test("task definitions: sizes, separate task and execution roles, awslogs to the service's group", () => {
    const task = resource(staging, "aws_ecs_task_definition", "service_api_task");
    expect(task).toMatchObject({ family: "shop-staging-api", cpu: "512", memory: "1024", network_mode: "awsvpc", requires_compatibilities: ["FARGATE"] });
    expect(task.task_role_arn).toBe(ref("aws_iam_role.service_api_task_role", "arn"));
    expect(task.execution_role_arn).toBe(ref("aws_iam_role.service_api_execution_role", "arn"));
    expect(task.container_definitions).toContain("aws_cloudwatch_log_group.service_api_logs.name");
    expect(task.container_definitions).toContain("${aws_ecr_repository.service_api_repository.repository_url}:latest");
    expect(resource(staging, "aws_cloudwatch_log_group", "service_api_logs")).toMatchObject({ name: "/ecs/shop-staging/api", retention_in_days: 30 });
  });

  test("the execution role pulls from its own repository and writes its own logs; without ECS Exec the task role has no grants", () => {
    const actions = statements(staging, "service_api_execution_role_policy").flatMap((s) => s.resources.map((r: string) => `${s.actions.join(",")} ${r}`));
    expect(actions).toEqual(
      expect.arrayContaining([
        `ecr:BatchCheckLayerAvailability,ecr:GetDownloadUrlForLayer,ecr:BatchGetImage ${ref("aws_ecr_repository.service_api_repository", "arn")}`,
        `logs:CreateLogStream,logs:PutLogEvents,logs:DescribeLogStreams ${ref("aws_cloudwatch_log_group.service_api_logs", "arn")}`,
      ]),
    );
    expect(actions.join("\n")).not.toContain("service_web");
    // Production leaves ECS Exec off; staging's task roles get the exec agent's grants (ecs-alarms-exec.test.ts).
    expect(resourcesOfType(production, "aws_iam_role_policy").service_api_task_role).toBeUndefined();
    const trust = data(staging, "aws_iam_policy_document", "service_api_task_role_trust").statement[0];
    expect(trust.principals).toEqual([{ type: "Service", identifiers: ["ecs-tasks.amazonaws.com"] }]);
    expect(trust.condition).toEqual([{ test: "StringEquals", variable: "aws:SourceAccount", values: [ref("data.aws_caller_identity.current", "account_id")] }]);
  });

  test("autoscaling per service on CPU and memory at 75%, min and max from the configuration", () => {
    expect(resource(production, "aws_appautoscaling_target", "service_api_scaling")).toMatchObject({
      service_namespace: "ecs",
      resource_id: `service/shop-production/${ref("aws_ecs_service.service_api", "name")}`,
      scalable_dimension: "ecs:service:DesiredCount",
      min_capacity: 2,
      max_capacity: 6,
    });
    for (const [metric, type] of [
      ["cpu", "ECSServiceAverageCPUUtilization"],
      ["memory", "ECSServiceAverageMemoryUtilization"],
    ]) {
      expect(resource(production, "aws_appautoscaling_policy", `service_api_${metric}`).target_tracking_scaling_policy_configuration).toMatchObject({
        target_value: 75,
        predefined_metric_specification: { predefined_metric_type: type },
      });
    }
  });

  test("an ECR repository per service; DNS alias with a host name", () => {
    expect(Object.keys(resourcesOfType(staging, "aws_ecr_repository")).sort()).toEqual(["service_api_repository", "service_web_repository"]);
    expect(resource(production, "aws_ecr_repository", "service_api_repository")).toMatchObject({ name: "shop-production-api", image_tag_mutability: "IMMUTABLE", force_delete: false });
    expect(resource(staging, "aws_ecr_repository", "service_api_repository").force_delete).toBe(true);
    expect(resource(production, "aws_route53_record", "dns_a")).toMatchObject({ name: "shop.example.com", alias: { name: ref("aws_lb.load_balancer_alb", "dns_name") } });
    expect(staging.resource.aws_route53_record).toBeUndefined();
    expect(production.output.url.value).toBe("https://shop.example.com");
  });

  test("no fleet or golden AMI resources in an ECS stack; CodeDeploy only for blue-green services (web)", () => {
    const types = Object.keys(staging.resource);
    expect(types.filter((t) => /imagebuilder/.test(t))).toEqual([]);
    expect(types.filter((t) => /codedeploy/.test(t)).flatMap((t) => Object.keys(staging.resource[t])).filter((name) => !name.startsWith("service_web_"))).toEqual([]);
    expect(staging.resource.aws_autoscaling_group.fleet_asg).toBeUndefined();
  });

  test("a Fargate-only configuration has no EC2 capacity", () => {
    const json = synthConfig(parseConfig(ecsConfig((c) => (c.environments.staging.ecs.services = [api()])))).staging;
    expect(json.resource.aws_autoscaling_group).toBeUndefined();
    expect(json.resource.aws_ecs_capacity_provider).toBeUndefined();
    expect(resource(json, "aws_ecs_cluster_capacity_providers", "cluster_capacity_providers").capacity_providers).toEqual(["FARGATE", "FARGATE_SPOT"]);
  });

  test("a pipeline per service: source, build (Docker, imagedefinitions.json), approval where protected, deploy by a CodeBuild project of its own", () => {
    const pipeline = resource(production, "aws_codepipeline", "service_api_pipeline");
    expect(pipeline.stage.map((s: any) => s.name)).toEqual(["Source", "Build", "Approve", "Deploy"]);
    expect(resource(staging, "aws_codepipeline", "service_api_pipeline").stage.map((s: any) => s.name)).toEqual(["Source", "Build", "Deploy"]);
    expect(pipeline.stage[0].action[0].configuration.S3ObjectKey).toBe("pipeline-source/api.zip");
    expect(resource(production, "aws_codepipeline", "service_web_pipeline").stage[0].action[0].configuration.S3ObjectKey).toBe("pipeline-source/web.zip");
    // Not CodePipeline's ECS action: it derives each revision from the one the service runs, so
    // Terraform's task definition changes would never arrive (docs/release-pipeline.md "ECS releases").
    expect(pipeline.stage[3].action).toEqual([
      expect.objectContaining({
        category: "Build",
        provider: "CodeBuild",
        input_artifacts: ["build"],
        configuration: { ProjectName: ref("aws_codebuild_project.service_api_deploy_project", "name") },
      }),
    ]);
    expect(pipeline.stage[3].action[0].output_artifacts).toBeUndefined();
    const project = resource(production, "aws_codebuild_project", "service_web_build_project");
    expect(project.environment.privileged_mode).toBe(true);
    expect(project.environment.image).toBe("aws/codebuild/amazonlinux-aarch64-standard:3.0"); // web runs on m7g (arm64)
    expect(resource(production, "aws_codebuild_project", "service_api_build_project").environment.image).toBe("aws/codebuild/amazonlinux-x86_64-standard:5.0");
    expect(project.environment.environment_variable).toEqual(
      expect.arrayContaining([
        { name: "REPOSITORY_URI", value: ref("aws_ecr_repository.service_web_repository", "repository_url"), type: "PLAINTEXT" },
        { name: "CONTAINER_NAME", value: "web", type: "PLAINTEXT" },
      ]),
    );
    const buildspec = YAML.parse(project.source.buildspec.replace(/\$\$\{/g, "${"));
    expect(buildspec.artifacts.files).toEqual(["imagedefinitions.json"]);
    expect(buildspec.phases.post_build.commands.join("\n")).toContain('"$CONTAINER_NAME" "$REPOSITORY_URI:$IMAGE_TAG" > imagedefinitions.json');
  });

  test("the deploy project: no Docker, no cache, the service's names and the parameter with Terraform's revision", () => {
    const deploy = resource(staging, "aws_codebuild_project", "service_api_deploy_project");
    expect(deploy).toMatchObject({ name: "shop-staging-api-deploy", build_timeout: 60, artifacts: { type: "CODEPIPELINE" }, source: { type: "CODEPIPELINE" } });
    expect(deploy.environment).toMatchObject({ privileged_mode: false, image: "aws/codebuild/amazonlinux-x86_64-standard:5.0", compute_type: "BUILD_GENERAL1_SMALL" });
    expect(deploy.cache).toBeUndefined();
    expect(Object.fromEntries(deploy.environment.environment_variable.map((v: any) => [v.name, v.value]))).toEqual({
      CLUSTER_NAME: "shop-staging",
      SERVICE_NAME: "api",
      CONTAINER_NAME: "api",
      TASK_FAMILY: "shop-staging-api",
      TASK_DEFINITION_PARAMETER: ref("aws_ssm_parameter.service_api_task_definition", "name"),
      DEPLOY_TIMEOUT_SECONDS: "3300",
    });
    expect(resource(staging, "aws_ssm_parameter", "service_web_task_definition")).toMatchObject({
      name: "/shop/staging/release/web/task-definition",
      type: "String",
      value: ref("aws_ecs_task_definition.service_web_task", "arn"),
    });
    expect(resource(production, "aws_ssm_parameter", "service_api_task_definition").name).toBe("/shop/production/release/api/task-definition");
  });

  test("the deploy role reads Terraform's revision, registers and tags revisions of its family only, rolls only its service, passes only its task's two roles", () => {
    const policy = statements(production, "service_api_deploy_role_policy");
    const sid = (id: string) => policy.find((s) => s.sid === id);
    expect(sid("TerraformRevision")).toMatchObject({ actions: ["ssm:GetParameter"], resources: [ref("aws_ssm_parameter.service_api_task_definition", "arn")] });
    expect(sid("TaskDefinitions")).toMatchObject({ actions: ["ecs:DescribeTaskDefinition", "ecs:RegisterTaskDefinition"], resources: ["*"] });
    expect(sid("TagNewRevisions")).toMatchObject({
      actions: ["ecs:TagResource"],
      condition: [{ test: "StringEquals", variable: "ecs:CreateAction", values: ["RegisterTaskDefinition"] }],
    });
    expect(sid("TagNewRevisions")!.resources).toEqual([expect.stringMatching(/:task-definition\/shop-production-api:\*$/)]);
    expect(sid("RollTheService")).toMatchObject({ actions: ["ecs:UpdateService", "ecs:DescribeServices"], resources: [ref("aws_ecs_service.service_api", "id")] });
    const passed = policy.filter((s) => s.actions.includes("iam:PassRole"));
    expect(passed.flatMap((s) => s.resources).sort()).toEqual([ref("aws_iam_role.service_api_execution_role", "arn"), ref("aws_iam_role.service_api_task_role", "arn")].sort());
    for (const s of passed) expect(s.condition).toEqual([{ test: "StringEquals", variable: "iam:PassedToService", values: ["ecs-tasks.amazonaws.com"] }]);
    // The other service's deploy role has none of this service's resources.
    // (web is blue-green: its release step is the prepare project, __tests__/ecs-blue-green.test.ts.)
    expect(JSON.stringify(statements(production, "service_web_prepare_role_policy"))).not.toMatch(/service_api_|shop-production-api/);
  });

  test("neither the pipeline role nor the build role may touch ECS or pass roles; the pipeline starts the deploy project", () => {
    const pipeline = statements(production, "service_api_pipeline_role_policy");
    const build = statements(production, "service_api_build_role_policy");
    for (const policy of [pipeline, build]) {
      expect(policy.flatMap((s) => s.actions).filter((a: string) => /^ecs:|^iam:PassRole$/.test(a))).toEqual([]);
    }
    expect(pipeline).toContainEqual(
      expect.objectContaining({ actions: ["codebuild:StartBuild", "codebuild:BatchGetBuilds", "codebuild:StopBuild"], resources: [ref("aws_codebuild_project.service_api_deploy_project", "arn")] }),
    );
  });

  test("no fleet release files (appspec, hook scripts) for ECS environments", () => {
    expect(releaseFiles(config, "staging")).toEqual([]);
  });

  test("pipeline.enabled: false keeps the build projects and drops the pipelines", () => {
    const json = synthConfig(parseConfig(ecsConfig((c) => (c.environments.staging.pipeline = { enabled: false })))).staging;
    expect(Object.keys(resourcesOfType(json, "aws_codebuild_project")).sort()).toEqual(["service_api_build_project", "service_web_build_project"]);
    expect(json.resource.aws_codepipeline).toBeUndefined();
  });

  test("golden snapshot: the ECS example's staging stack", () => {
    expect(staging).toMatchSnapshot();
  });
});
