import { CloudWatchAgent } from "../constructs/cloudwatch-agent";
import { EncryptionKey } from "../constructs/encryption-key";
import { FleetAlarms } from "../constructs/fleet-alarms";
import { NotificationTopic } from "../constructs/notification-topic";
import { ReleaseParameters } from "../constructs/release-parameters";
import { Role } from "../constructs/role";
import { bareStack, ref, resource, resourcesOfType, statements, synthEnv, synthStack } from "./helpers/synth";

function setup() {
  const { stack } = bareStack();
  const key = new EncryptionKey(stack, "environment-key", { alias: "app-test", description: "test" });
  const role = new Role(stack, "instances", { roleName: "r", description: "d", assumedBy: { type: "Service", identifiers: ["ec2.amazonaws.com"] } });
  return { stack, key, role };
}

describe("CloudWatchAgent", () => {
  const { stack, key, role } = setup();
  const agent = new CloudWatchAgent(stack, "cloudwatch-agent", {
    namePrefix: "app-test",
    parameterName: "/app/test/cloudwatch-agent/config",
    logGroupPrefix: "/app/app/test",
    retentionDays: 30,
    encryptionKey: key,
    applicationLogFiles: ["/var/log/app/*.log", "/srv/app/audit.log"],
    systemLogFiles: ["/var/log/app-bootstrap.log"],
  });
  agent.grantAgent(role);
  const json = synthStack(stack);
  const parameter = resource(json, "aws_ssm_parameter", "cloudwatch_agent_config");

  test("configuration in a String parameter, escaped so the agent's own placeholders reach the instance", () => {
    expect(parameter).toMatchObject({ name: "/app/test/cloudwatch-agent/config", type: "String" });
    expect(parameter.value).toContain('"AutoScalingGroupName": "$${aws:AutoScalingGroupName}"');
    const config = JSON.parse(parameter.value.replace(/\$\$\{/g, "${"));
    expect(config.metrics.metrics_collected.mem.measurement).toEqual(["mem_used_percent"]);
    expect(config.metrics.metrics_collected.disk).toMatchObject({ resources: ["/"], measurement: ["used_percent", "inodes_free"] });
    expect(config.metrics.aggregation_dimensions).toEqual([["AutoScalingGroupName"]]);
  });

  test("application, system and deployment logs each go to their own group", () => {
    const config = JSON.parse(parameter.value.replace(/\$\$\{/g, "${"));
    const files = config.logs.logs_collected.files.collect_list.map((f: any) => [f.file_path, f.log_group_name]);
    expect(files).toEqual([
      ["/var/log/app/*.log", "/app/app/test/application"],
      ["/srv/app/audit.log", "/app/app/test/application"],
      ["/var/log/cloud-init-output.log", "/app/app/test/system"],
      ["/var/log/app-bootstrap.log", "/app/app/test/system"],
      ["/var/log/aws/codedeploy-agent/codedeploy-agent.log", "/app/app/test/deployment"],
      ["/opt/codedeploy-agent/deployment-root/deployment-logs/codedeploy-agent-deployments.log", "/app/app/test/deployment"],
    ]);
  });

  test("named files go to their group under a stream of their own", () => {
    const { stack: s2, key: k2 } = setup();
    new CloudWatchAgent(s2, "cloudwatch-agent", {
      namePrefix: "app-test",
      parameterName: "/app/test/cloudwatch-agent/config",
      logGroupPrefix: "/app/app/test",
      retentionDays: 30,
      encryptionKey: k2,
      applicationLogFiles: ["/var/log/app/*.log"],
      namedLogFiles: [
        { path: "/var/log/nginx/app-access.log", group: "application", stream: "nginx-access" },
        { path: "/var/log/nginx/error.log", group: "system", stream: "nginx-error" },
      ],
    });
    const value = resource(synthStack(s2), "aws_ssm_parameter", "cloudwatch_agent_config").value;
    const files = JSON.parse(value.replace(/\$\$\{/g, "${")).logs.logs_collected.files.collect_list;
    expect(files).toContainEqual({ file_path: "/var/log/nginx/app-access.log", log_group_name: "/app/app/test/application", log_stream_name: "{instance_id}/nginx-access" });
    expect(files).toContainEqual({ file_path: "/var/log/nginx/error.log", log_group_name: "/app/app/test/system", log_stream_name: "{instance_id}/nginx-error" });
    // Without them, nothing of the sort (the construct above).
    expect(parameter.value).not.toContain("nginx");
  });

  test("log groups with retention and the environment key", () => {
    for (const role of ["application", "system", "deployment"]) {
      expect(resource(json, "aws_cloudwatch_log_group", `cloudwatch_agent_${role}_logs`)).toMatchObject({
        name: `/app/app/test/${role}`,
        retention_in_days: 30,
        kms_key_id: ref("aws_kms_key.environment_key", "arn"),
      });
    }
  });

  test("the instance may read the configuration, write those groups, and put metrics in the agent's namespace only", () => {
    const policy = statements(json, "instances_policy");
    expect(policy[0]).toMatchObject({ actions: ["ssm:GetParameter"], resources: [ref("aws_ssm_parameter.cloudwatch_agent_config", "arn")] });
    expect(policy.find((s) => s.sid === "AgentMetrics")).toMatchObject({
      actions: ["cloudwatch:PutMetricData"],
      condition: [{ test: "StringEquals", variable: "cloudwatch:namespace", values: ["CWAgent"] }],
    });
    const logWrites = policy.filter((s) => s.actions.includes("logs:PutLogEvents")).flatMap((s) => s.resources);
    expect(logWrites).toHaveLength(6);
    expect(logWrites.every((r: string) => r.startsWith("${aws_cloudwatch_log_group.cloudwatch_agent_"))).toBe(true);
  });
});

describe("FleetAlarms", () => {
  const { stack, key } = setup();
  const topic = new NotificationTopic(stack, "notifications", { topicName: "app-test-notifications", encryptionKey: key });
  const alarms = new FleetAlarms(stack, "alarms", {
    namePrefix: "app-test",
    topic,
    loadBalancerArnSuffix: "app/alb/1",
    targetGroupArnSuffix: "targetgroup/tg/2",
    autoScalingGroupName: "app-test-fleet",
    http5xxPerMinute: 20,
    cpuHighPercent: 90,
    evaluationMinutes: 3,
  });
  const json = synthStack(stack);

  test("5xx of the ALB and of the targets, unhealthy hosts, fleet CPU", () => {
    expect(resource(json, "aws_cloudwatch_metric_alarm", "alarms_alb_5xx")).toMatchObject({
      alarm_name: "app-test-alb-5xx",
      namespace: "AWS/ApplicationELB",
      metric_name: "HTTPCode_ELB_5XX_Count",
      dimensions: { LoadBalancer: "app/alb/1" },
      statistic: "Sum",
      threshold: 20,
      period: 60,
      evaluation_periods: 3,
      datapoints_to_alarm: 3,
      treat_missing_data: "notBreaching",
    });
    expect(resource(json, "aws_cloudwatch_metric_alarm", "alarms_target_5xx").dimensions).toEqual({ LoadBalancer: "app/alb/1", TargetGroup: "targetgroup/tg/2" });
    expect(resource(json, "aws_cloudwatch_metric_alarm", "alarms_unhealthy_hosts")).toMatchObject({ metric_name: "UnHealthyHostCount", statistic: "Maximum", threshold: 1 });
    expect(resource(json, "aws_cloudwatch_metric_alarm", "alarms_cpu_high")).toMatchObject({ namespace: "AWS/EC2", dimensions: { AutoScalingGroupName: "app-test-fleet" }, threshold: 90 });
  });

  test("every alarm notifies the topic on alarm and on recovery, and is listed for CodeDeploy", () => {
    for (const alarm of Object.values(resourcesOfType(json, "aws_cloudwatch_metric_alarm"))) {
      expect(alarm.alarm_actions).toEqual([ref("aws_sns_topic.notifications", "arn")]);
      expect(alarm.ok_actions).toEqual([ref("aws_sns_topic.notifications", "arn")]);
      expect(alarm.alarm_description.length).toBeGreaterThan(20);
    }
    expect(alarms.alarmNames).toHaveLength(8);
  });
});

describe("FleetAlarms on a shared load balancer", () => {
  const { stack, key } = setup();
  const topic = new NotificationTopic(stack, "notifications", { topicName: "app-test-notifications", encryptionKey: key });
  const alarms = new FleetAlarms(stack, "alarms", {
    namePrefix: "app-test",
    topic,
    loadBalancerArnSuffix: "app/shared-alb/1",
    loadBalancerAlarm: false,
    targetGroupArnSuffix: "targetgroup/tg/2",
    autoScalingGroupName: "app-test-fleet",
  });
  const json = synthStack(stack);

  test("no alarm on the load balancer as a whole: every alarm, and so every deployment stop, is this environment's", () => {
    const all = resourcesOfType(json, "aws_cloudwatch_metric_alarm");
    expect(all.alarms_alb_5xx).toBeUndefined();
    expect(alarms.alarmNames).toHaveLength(Object.keys(all).length);
    for (const alarm of Object.values(all)) expect(alarm.dimensions.TargetGroup ?? alarm.dimensions.AutoScalingGroupName).toBeDefined();
  });
});

describe("NotificationTopic", () => {
  const { stack, key, role } = setup();
  const topic = new NotificationTopic(stack, "notifications", { topicName: "app-test-notifications", encryptionKey: key, email: "ops@example.com" });
  topic.grantPublish(role);
  const json = synthStack(stack);

  test("encrypted with the customer-managed key (CloudWatch alarms cannot use the AWS-managed SNS key)", () => {
    expect(resource(json, "aws_sns_topic", "notifications")).toMatchObject({ name: "app-test-notifications", kms_master_key_id: ref("aws_kms_key.environment_key", "arn") });
  });

  test("topic policy: CloudWatch of this account may publish; nothing without TLS", () => {
    const policy = statements(json, "notifications_policy");
    expect(policy.find((s) => s.sid === "CloudWatchAlarms")).toMatchObject({
      principals: [{ type: "Service", identifiers: ["cloudwatch.amazonaws.com"] }],
      condition: [{ test: "StringEquals", variable: "aws:SourceAccount", values: ["123456789012"] }],
    });
    expect(policy.find((s) => s.sid === "DenyInsecureTransport")).toMatchObject({ effect: "Deny" });
  });

  test("key policy: CloudWatch, and Auto Scaling's service-linked role through SNS only", () => {
    const policy = statements(json, "environment_key_policy");
    expect(policy.find((s) => s.sid === "PublishCloudwatch")).toBeDefined();
    const asg = policy.find((s) => s.sid === "AutoScalingNotifications")!;
    expect(asg.condition).toContainEqual({ test: "StringEquals", variable: "kms:ViaService", values: ["sns.eu-west-1.amazonaws.com"] });
  });

  test("optional e-mail subscription; grantPublish covers the topic and the key", () => {
    expect(resource(json, "aws_sns_topic_subscription", "notifications_email")).toMatchObject({ protocol: "email", endpoint: "ops@example.com" });
    expect(statements(json, "instances_policy")).toEqual([
      { effect: "Allow", actions: ["sns:Publish"], resources: [ref("aws_sns_topic.notifications", "arn")] },
      { effect: "Allow", actions: ["kms:Decrypt", "kms:GenerateDataKey*"], resources: [ref("aws_kms_key.environment_key", "arn")] },
    ]);
  });
});

describe("ReleaseParameters", () => {
  const { stack, key, role } = setup();
  const params = new ReleaseParameters(stack, "release-parameters", { root: "/app/test", encryptionKey: key, values: { region: "eu-west-1", "ecr-repository-url": "123.dkr.ecr/x" } });
  params.grantRead(role);
  const json = synthStack(stack);

  test("one String parameter per value under <root>/release/", () => {
    expect(resource(json, "aws_ssm_parameter", "release_parameters_ecr_repository_url")).toMatchObject({ name: "/app/test/release/ecr-repository-url", type: "String", value: "123.dkr.ecr/x" });
    expect(params.names.region).toBe("/app/test/release/region");
    expect(params.environmentPath).toBe("/app/test/env/");
  });

  test("instances read the release values and the application's parameters, and decrypt SecureStrings", () => {
    const policy = statements(json, "instances_policy");
    expect(policy[0].resources).toEqual([
      "arn:aws:ssm:eu-west-1:123456789012:parameter/app/test/release/*",
      "arn:aws:ssm:eu-west-1:123456789012:parameter/app/test/env/*",
    ]);
    // GetParametersByPath is authorized against the path string as requested: the env-sync helper's `/app/test/env/`.
    expect(policy[1]).toMatchObject({ actions: ["ssm:GetParametersByPath"], resources: ["arn:aws:ssm:eu-west-1:123456789012:parameter/app/test/env/", "arn:aws:ssm:eu-west-1:123456789012:parameter/app/test/env/*"] });
    expect(policy[2]).toMatchObject({ actions: ["kms:Decrypt", "kms:DescribeKey"] });
  });
});

describe("environment wiring", () => {
  const json = synthEnv({ environments: { qa: { network: { cidr: "10.10.0.0/16" }, application: { runtime: "docker" } } } });

  test("the fleet's Nginx logs are shipped: access log to the application group, error log to the system group", () => {
    const value = resource(json, "aws_ssm_parameter", "cloudwatch_agent_config").value;
    const files = JSON.parse(value.replace(/\$\$\{/g, "${")).logs.logs_collected.files.collect_list;
    expect(files).toContainEqual({ file_path: "/var/log/nginx/webapp-access.log", log_group_name: "/app/webapp/qa/application", log_stream_name: "{instance_id}/nginx-access" });
    expect(files).toContainEqual({ file_path: "/var/log/nginx/error.log", log_group_name: "/app/webapp/qa/system", log_stream_name: "{instance_id}/nginx-error" });
    // The same file the instances' Nginx writes its JSON access log to.
    const userData = Buffer.from(resource(json, "aws_launch_template", "fleet_template").user_data, "base64").toString("utf8");
    expect(userData).toContain("access_log /var/log/nginx/webapp-access.log fleet_proxy_json;");
  });

  test("the release parameters hold what the release files need", () => {
    const names = Object.values(resourcesOfType(json, "aws_ssm_parameter")).map((p) => p.name).sort();
    expect(names).toEqual([
      // The golden AMI's newest build (written by Image Builder, resolved by the launch template).
      "/imagebuilder/webapp-qa/golden-ami-id",
      "/webapp/qa/cloudwatch-agent/config",
      "/webapp/qa/release/app-directory",
      "/webapp/qa/release/app-port",
      "/webapp/qa/release/artifact-bucket",
      "/webapp/qa/release/ecr-repository-url",
      "/webapp/qa/release/env-file",
      "/webapp/qa/release/env-parameter-path",
      "/webapp/qa/release/health-check-path",
      "/webapp/qa/release/region",
      "/webapp/qa/release/runtime",
    ]);
  });

  test("the instance role: artifact bucket read, ECR pull for Docker, its parameters and the agent; nothing else", () => {
    const actions = [...new Set(statements(json, "fleet_role_policy").flatMap((s) => s.actions))].sort();
    expect(actions).toEqual(
      [
        "cloudwatch:PutMetricData",
        "ec2:DescribeTags",
        "ec2:DescribeVolumes",
        "ecr:BatchCheckLayerAvailability",
        "ecr:BatchGetImage",
        "ecr:GetAuthorizationToken",
        "ecr:GetDownloadUrlForLayer",
        "kms:Decrypt",
        "kms:DescribeKey",
        "logs:CreateLogStream",
        "logs:DescribeLogStreams",
        "logs:PutLogEvents",
        "s3:GetBucketLocation",
        "s3:GetObject",
        "s3:GetObjectVersion",
        "s3:ListBucket",
        "ssm:GetParameter",
        "ssm:GetParameters",
        "ssm:GetParametersByPath",
      ].sort(),
    );
  });

  test("a Node.js fleet gets no ECR permission and hop limit 1; Docker gets hop limit 2", () => {
    const nodejs = synthEnv();
    expect(statements(nodejs, "fleet_role_policy").flatMap((s) => s.actions).some((a: string) => a.startsWith("ecr:"))).toBe(false);
    expect(resource(nodejs, "aws_launch_template", "fleet_template").metadata_options.http_put_response_hop_limit).toBe(1);
    expect(resource(json, "aws_launch_template", "fleet_template").metadata_options.http_put_response_hop_limit).toBe(2);
  });

  test("the fleet boots the newest golden AMI build, or the stock Amazon Linux 2023 of its architecture when the golden AMI is off", () => {
    expect(resource(json, "aws_launch_template", "fleet_template").image_id).toBe("resolve:ssm:${aws_ssm_parameter.golden_ami_image_id.name}");
    expect(json.output.golden_ami_parameter_name.value).toBe(resource(json, "aws_ssm_parameter", "golden_ami_image_id").name);
    const stock = synthEnv({ environments: { qa: { network: { cidr: "10.10.0.0/16" }, goldenAmi: { enabled: false }, fleet: { instanceType: "m7g.large" } } } });
    expect(resource(stock, "aws_launch_template", "fleet_template").image_id).toBe("resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64");
  });
});
