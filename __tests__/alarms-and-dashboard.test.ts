import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { TerraformOutput } from "cdktf";
import { synthesize } from "../lib/synth/synth";
import { CloudWatchAgent } from "../constructs/cloudwatch-agent";
import { EncryptionKey } from "../constructs/encryption-key";
import { FleetAlarms } from "../constructs/fleet-alarms";
import { LoadBalancerAlarms } from "../constructs/load-balancer-alarms";
import { NotificationTopic } from "../constructs/notification-topic";
import { fleetGroupTerms } from "../constructs/dashboard";
import { ALARM_KINDS, DEFAULT_DEPLOYMENT_ALARMS } from "../lib/alarms";
import { loadConfigFile } from "../lib/config/load";
import { estimateStack } from "../lib/cost/estimate";
import { loadPriceTable } from "../lib/cost/prices";
import { configProblems, expectProblemLine } from "./helpers/config";
import { bareStack, configWith, ref, resource, resourcesOfType, synthConfig, synthEnv, synthStack } from "./helpers/synth";

const alarm = (json: Record<string, any>, name: string) => resource(json, "aws_cloudwatch_metric_alarm", name);
const alarmRef = (name: string) => ref(`aws_cloudwatch_metric_alarm.${name}`, "alarm_name");
const dashboardBody = (json: Record<string, any>) => JSON.parse(resource(json, "aws_cloudwatch_dashboard", "dashboard").dashboard_body);
const example = (name: string) => synthConfig(loadConfigFile(path.join(__dirname, "..", "config", "examples", `${name}.yaml`)));

describe("configuration: observability.alarms and observability.dashboard", () => {
  const env = (observability: Record<string, unknown>) => ({ staging: { network: { cidr: "10.10.0.0/16" }, observability } });
  const problems = (observability: Record<string, unknown>) => configProblems({ app: { name: "webapp", region: "eu-west-1" }, environments: env(observability) });
  const at = (field: string) => `environments.staging.observability.${field}`;

  test("defaults: memory 90 %, disk 85 %, p95 1 s, p99 2.5 s; 5xx, unhealthy hosts and CPU stop deployments; the dashboard is on", () => {
    const { alarms, dashboard } = configWith().environments.staging.observability;
    expect(alarms).toMatchObject({ memoryHighPercent: 90, diskHighPercent: 85, latencyP95Seconds: 1, latencyP99Seconds: 2.5, stopDeployments: ["5xx", "unhealthy-hosts", "cpu"] });
    expect(dashboard).toEqual({ enabled: true });
  });

  test("thresholds out of range or of the wrong type name the field, the value and the range", () => {
    expectProblemLine(problems({ alarms: { memoryHighPercent: 5 } }), at("alarms.memoryHighPercent"), "5", /memory percentage from 10 to 100/);
    expectProblemLine(problems({ alarms: { diskHighPercent: "90%" } }), at("alarms.diskHighPercent"), '"90%"', /disk percentage from 10 to 100/);
    expectProblemLine(problems({ alarms: { latencyP95Seconds: 0 } }), at("alarms.latencyP95Seconds"), "0", /seconds from 0.01 to 600/);
    expectProblemLine(problems({ alarms: { latencyP99Seconds: 601 } }), at("alarms.latencyP99Seconds"), "601", /seconds from 0.01 to 600/);
  });

  test("p99 below p95 is refused: the 99th percentile is never below the 95th", () => {
    expectProblemLine(problems({ alarms: { latencyP95Seconds: 2, latencyP99Seconds: 1.5 } }), at("alarms.latencyP99Seconds"), "1.5", /at least latencyP95Seconds \(2\)/);
    expect(configWith({ environments: env({ alarms: { latencyP95Seconds: 2, latencyP99Seconds: 2 } }) }).environments.staging.observability.alarms.latencyP99Seconds).toBe(2);
  });

  test("stopDeployments takes known alarm kinds, each once", () => {
    expectProblemLine(problems({ alarms: { stopDeployments: ["latency"] } }), at("alarms.stopDeployments.0"), '"latency"', /one of "5xx", "unhealthy-hosts", "cpu", "memory", "disk", "latency-p95", "latency-p99"/);
    expectProblemLine(problems({ alarms: { stopDeployments: ["cpu", "cpu"] } }), at("alarms.stopDeployments"), '["cpu","cpu"]', /distinct alarm kinds/);
    expectProblemLine(problems({ alarms: { stopDeployments: "cpu" } }), at("alarms.stopDeployments"), '"cpu"', /list of distinct alarm kinds/);
  });

  test("dashboard.enabled is a boolean, and dashboard takes no other key", () => {
    expectProblemLine(problems({ dashboard: { enabled: "yes" } }), at("dashboard.enabled"), '"yes"', /true or false/);
    expect(problems({ dashboard: { widgets: [] } }).join("\n")).toMatch(/observability\.dashboard.*known keys here are: enabled/);
  });
});

describe("FleetAlarms: what the CloudWatch agent collects, and latency", () => {
  function alarmsWith(props: Partial<ConstructorParameters<typeof FleetAlarms>[2]> = {}) {
    const { stack } = bareStack();
    const key = new EncryptionKey(stack, "environment-key", { alias: "app-test", description: "test" });
    const topic = new NotificationTopic(stack, "notifications", { topicName: "app-test-notifications", encryptionKey: key });
    const agent = new CloudWatchAgent(stack, "cloudwatch-agent", {
      namePrefix: "app-test",
      parameterName: "/app/test/cloudwatch-agent/config",
      logGroupPrefix: "/app/app/test",
      retentionDays: 30,
      encryptionKey: key,
      applicationLogFiles: ["/var/log/app/*.log"],
    });
    const alarms = new FleetAlarms(stack, "alarms", {
      namePrefix: "app-test",
      topic,
      loadBalancerArnSuffix: "app/alb/1",
      targetGroupArnSuffix: "targetgroup/tg/2",
      autoScalingGroupName: "app-test-fleet",
      ...props,
    });
    // Outputs resolve the lists of names and ARNs the way Terraform gets them.
    const lists = { deploymentAlarmNames: alarms.deploymentAlarmNames, deploymentAlarmArns: alarms.deploymentAlarmArns, groupAlarmNames: alarms.groupAlarmNames };
    for (const [name, value] of Object.entries(lists)) new TerraformOutput(stack, name, { value });
    const json = synthStack(stack);
    const resolve = (value: string[]) => json.output[Object.entries(lists).find(([, v]) => v === value)![0]].value;
    return { alarms, agent, json, resolve };
  }

  test("memory and disk alarms name exactly the metric the agent publishes per group: its namespace, names and aggregation", () => {
    const { agent, json } = alarmsWith({ memoryHighPercent: 80, diskHighPercent: 70 });
    const metrics = agent.configuration.metrics as any;
    expect(metrics.aggregation_dimensions).toEqual([["AutoScalingGroupName"]]);
    const expected = { namespace: metrics.namespace, dimensions: { AutoScalingGroupName: "app-test-fleet" }, statistic: "Maximum", comparison_operator: "GreaterThanThreshold" };
    // mem's measurement is named in full; disk's measurements get the plugin's prefix.
    expect(alarm(json, "alarms_memory_high")).toMatchObject({ ...expected, metric_name: metrics.metrics_collected.mem.measurement[0], threshold: 80 });
    expect(alarm(json, "alarms_disk_high")).toMatchObject({ ...expected, metric_name: `disk_${metrics.metrics_collected.disk.measurement[0]}`, threshold: 70 });
    expect(metrics.metrics_collected.disk.resources).toEqual(["/"]);
  });

  test("latency: p95 and p99 of the target group's response time, as extended statistics", () => {
    const { json } = alarmsWith({ latencyP95Seconds: 0.8, latencyP99Seconds: 3 });
    for (const [name, percentile, threshold] of [["alarms_latency_p95", "p95", 0.8], ["alarms_latency_p99", "p99", 3]] as const) {
      const a = alarm(json, name);
      expect(a).toMatchObject({
        namespace: "AWS/ApplicationELB",
        metric_name: "TargetResponseTime",
        dimensions: { LoadBalancer: "app/alb/1", TargetGroup: "targetgroup/tg/2" },
        extended_statistic: percentile,
        threshold,
        alarm_actions: [ref("aws_sns_topic.notifications", "arn")],
        ok_actions: [ref("aws_sns_topic.notifications", "arn")],
      });
      expect(a.statistic).toBeUndefined();
    }
  });

  test("by default 5xx, unhealthy hosts and CPU stop a deployment; latency, memory and disk notify only", () => {
    const { alarms, json, resolve } = alarmsWith();
    expect(DEFAULT_DEPLOYMENT_ALARMS).toEqual(["5xx", "unhealthy-hosts", "cpu"]);
    expect(alarms.alarmNames).toHaveLength(8);
    expect(resolve(alarms.deploymentAlarmNames)).toEqual(["alb_5xx", "target_5xx", "unhealthy_hosts", "cpu_high"].map((a) => alarmRef(`alarms_${a}`)));
    expect(resolve(alarms.deploymentAlarmArns)).toEqual(["alb_5xx", "target_5xx", "unhealthy_hosts", "cpu_high"].map((a) => ref(`aws_cloudwatch_metric_alarm.alarms_${a}`, "arn")));
    expect(Object.keys(resourcesOfType(json, "aws_cloudwatch_metric_alarm")).sort()).toEqual(
      ["alb_5xx", "target_5xx", "unhealthy_hosts", "cpu_high", "memory_high", "disk_high", "latency_p95", "latency_p99"].map((a) => `alarms_${a}`).sort(),
    );
  });

  test("stopDeployments picks the alarms that stop a deployment, by kind", () => {
    const stopping = (props: Parameters<typeof alarmsWith>[0]) => {
      const { alarms, resolve } = alarmsWith(props);
      return resolve(alarms.deploymentAlarmNames);
    };
    expect(stopping({ stopDeployments: ["latency-p99", "memory"] })).toEqual([alarmRef("alarms_memory_high"), alarmRef("alarms_latency_p99")]);
    expect(stopping({ stopDeployments: ["5xx"], loadBalancerAlarm: false })).toEqual([alarmRef("alarms_target_5xx")]);
    expect(alarmsWith({ stopDeployments: [] }).alarms.deploymentAlarmNames).toEqual([]);
    // Every kind has at least one alarm on a fleet.
    expect(alarmsWith({ stopDeployments: [...ALARM_KINDS] }).alarms.deploymentAlarmNames).toHaveLength(8);
  });

  test("the alarms keyed by the Auto Scaling group are CPU, memory and disk; only they ignore their dimensions, and only when releases copy the group", () => {
    const followed = alarmsWith({ autoScalingGroupFollowsReleases: true });
    expect(followed.resolve(followed.alarms.groupAlarmNames)).toEqual(["cpu_high", "memory_high", "disk_high"].map((a) => alarmRef(`alarms_${a}`)));
    for (const [name, a] of Object.entries(resourcesOfType(followed.json, "aws_cloudwatch_metric_alarm"))) {
      const byGroup = ["alarms_cpu_high", "alarms_memory_high", "alarms_disk_high"].includes(name);
      expect([name, a.lifecycle]).toEqual([name, byGroup ? { ignore_changes: ["dimensions"] } : undefined]);
    }
    for (const a of Object.values(resourcesOfType(alarmsWith().json, "aws_cloudwatch_metric_alarm"))) expect(a.lifecycle).toBeUndefined();
  });

  test("the shared load balancer's 5xx alarm and a dedicated one's are the same alarm shape (one definition)", () => {
    const { stack } = bareStack();
    const key = new EncryptionKey(stack, "environment-key", { alias: "app-shared", description: "test" });
    const topic = new NotificationTopic(stack, "notifications", { topicName: "app-shared-notifications", encryptionKey: key });
    new LoadBalancerAlarms(stack, "alarms", { namePrefix: "app-test", topic, loadBalancerArnSuffix: "app/alb/1", http5xxPerMinute: 10, evaluationMinutes: 5 });
    const shared = alarm(synthStack(stack), "alarms_alb_5xx");
    const dedicated = alarm(alarmsWith({ http5xxPerMinute: 10, evaluationMinutes: 5 }).json, "alarms_alb_5xx");
    const { alarm_description: a, ...sharedRest } = shared;
    const { alarm_description: b, ...dedicatedRest } = dedicated;
    expect(sharedRest).toEqual(dedicatedRest);
    expect(a).not.toEqual(b);
  });
});

describe("environments: which alarms stop the deployment group", () => {
  const groupAlarms = (observability: Record<string, unknown>, deployment: Record<string, unknown> = {}) =>
    resource(synthEnv({ environments: { staging: { network: { cidr: "10.10.0.0/16" }, observability, deployment } } }), "aws_codedeploy_deployment_group", "deployment_group");

  test("by default the four alarms that were always there, so existing groups do not change", () => {
    expect(groupAlarms({}).alarm_configuration).toEqual({ enabled: true, alarms: ["alb_5xx", "target_5xx", "unhealthy_hosts", "cpu_high"].map((a) => alarmRef(`alarms_${a}`)) });
  });

  test("configured kinds, and none with rollbackOnAlarms: false", () => {
    expect(groupAlarms({ alarms: { stopDeployments: ["5xx", "latency-p95", "disk"] } }).alarm_configuration.alarms).toEqual(
      ["alb_5xx", "target_5xx", "disk_high", "latency_p95"].map((a) => alarmRef(`alarms_${a}`)),
    );
    const group = groupAlarms({ alarms: { stopDeployments: [] } });
    expect(group.alarm_configuration).toBeUndefined();
    expect(group.auto_rollback_configuration.events).toEqual(["DEPLOYMENT_FAILURE"]);
    expect(groupAlarms({ alarms: { stopDeployments: ["memory"] } }, { rollbackOnAlarms: false }).alarm_configuration).toBeUndefined();
  });

  test("the thresholds of the configuration reach the alarms", () => {
    const json = synthEnv({ environments: { staging: { network: { cidr: "10.10.0.0/16" }, observability: { alarms: { memoryHighPercent: 75, diskHighPercent: 60, latencyP95Seconds: 0.5, latencyP99Seconds: 1.2 } } } } });
    expect([alarm(json, "alarms_memory_high").threshold, alarm(json, "alarms_disk_high").threshold, alarm(json, "alarms_latency_p95").threshold, alarm(json, "alarms_latency_p99").threshold]).toEqual([75, 60, 0.5, 1.2]);
  });
});

describe("dashboard of a fleet environment", () => {
  const json = synthEnv({ environments: { staging: { network: { cidr: "10.10.0.0/16" }, deployment: { mode: "blue-green" } } } });
  const body = dashboardBody(json);
  const titles = body.widgets.map((w: any) => w.properties.title);

  test("one dashboard named after the environment, with its name as an output", () => {
    expect(resource(json, "aws_cloudwatch_dashboard", "dashboard").dashboard_name).toBe("webapp-staging");
    expect(json.output.dashboard_name.value).toBe("${aws_cloudwatch_dashboard.dashboard.dashboard_name}");
  });

  test("requests, 5xx, latency percentiles, hosts, CPU, memory and disk, deployment alarms, NAT bytes, on a two-column grid", () => {
    expect(titles).toEqual([
      "Requests per minute",
      "5xx per minute",
      "Response time (seconds)",
      "Healthy and unhealthy targets",
      "Fleet CPU (%), per Auto Scaling group",
      "Memory and root disk in use (%), fullest instance per group",
      "Alarms that stop a deployment",
      "NAT gateway bytes per minute",
    ]);
    expect(body.widgets.map((w: any) => [w.x, w.y, w.width, w.height])).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((i) => [(i % 2) * 12, Math.floor(i / 2) * 6, 12, 6]));
    const latency = body.widgets[2].properties.metrics;
    expect(latency.map((m: any[]) => m[m.length - 1].stat)).toEqual(["p50", "p95", "p99"]);
    expect(latency[0].slice(0, 6)).toEqual(["AWS/ApplicationELB", "TargetResponseTime", "TargetGroup", "${aws_lb_target_group.target_group.arn_suffix}", "LoadBalancer", "${aws_lb.load_balancer_alb.arn_suffix}"]);
  });

  test("instance widgets find every Auto Scaling group of the fleet by SEARCH: the bootstrap group and CodeDeploy's copies", () => {
    const expressions = body.widgets.slice(4, 6).flatMap((w: any) => w.properties.metrics.map((m: any[]) => m[0].expression));
    const groups = '(AutoScalingGroupName="webapp-staging-fleet" OR AutoScalingGroupName=CodeDeploy_webapp-staging_d)';
    expect(fleetGroupTerms(resource(json, "aws_autoscaling_group", "fleet_asg").name, resource(json, "aws_codedeploy_deployment_group", "deployment_group").deployment_group_name)).toBe(groups);
    expect(expressions).toEqual([
      `SEARCH('{AWS/EC2,AutoScalingGroupName} MetricName="CPUUtilization" ${groups}', 'Average', 60)`,
      `SEARCH('{CWAgent,AutoScalingGroupName} MetricName="mem_used_percent" ${groups}', 'Maximum', 60)`,
      `SEARCH('{CWAgent,AutoScalingGroupName} MetricName="disk_used_percent" ${groups}', 'Maximum', 60)`,
    ]);
  });

  test("the alarm widget shows the alarms that stop deployments; the NAT widget each NAT gateway", () => {
    expect(body.widgets[6]).toMatchObject({ type: "alarm", properties: { alarms: ["alb_5xx", "target_5xx", "unhealthy_hosts", "cpu_high"].map((a) => ref(`aws_cloudwatch_metric_alarm.alarms_${a}`, "arn")) } });
    expect(body.widgets[7].properties.metrics.map((m: any[]) => m.slice(0, 4))).toEqual([
      ["AWS/NATGateway", "BytesOutToDestination", "NatGatewayId", "${aws_nat_gateway.network_nat_0.id}"],
      ["AWS/NATGateway", "BytesInFromDestination", "NatGatewayId", "${aws_nat_gateway.network_nat_0.id}"],
    ]);
  });

  test("off with observability.dashboard.enabled: false, and the cost estimate counts it only when on", () => {
    const off = synthEnv({ environments: { staging: { network: { cidr: "10.10.0.0/16" }, observability: { dashboard: { enabled: false } } } } });
    expect(resourcesOfType(off, "aws_cloudwatch_dashboard")).toEqual({});
    expect(off.output.dashboard_name).toBeUndefined();
    const table = loadPriceTable();
    const line = (terraform: Record<string, any>) => estimateStack({ stack: "webapp-staging", terraform }, table).lines.find((l) => l.component === "CloudWatch dashboards");
    expect(line(json)).toMatchObject({ quantity: "1", min: table.global.dashboardMonth, max: table.global.dashboardMonth });
    expect(line(off)).toBeUndefined();
  });
});

describe("dashboards of other environments", () => {
  test("an environment on a shared load balancer leaves out the ALB's own 5xx (every environment's) and has no NAT of its own", () => {
    const qa = example("shared-alb").qa;
    const body = dashboardBody(qa);
    expect(body.widgets[1].properties.metrics.map((m: any[]) => m[1])).toEqual(["HTTPCode_Target_5XX_Count"]);
    expect(body.widgets.map((w: any) => w.properties.title)).not.toContain("NAT gateway bytes per minute");
  });

  test("ECS: per-service traffic, CPU and memory, every service alarm, NAT bytes", () => {
    const staging = example("ecs").staging;
    const body = dashboardBody(staging);
    expect(body.widgets.map((w: any) => w.properties.title)).toEqual([
      "Requests per minute",
      "5xx per minute",
      "Response time (seconds)",
      "Healthy and unhealthy targets",
      "Service CPU (% of reserved)",
      "Service memory (% of reserved)",
      "Service alarms",
      "NAT gateway bytes per minute",
    ]);
    expect(body.widgets[0].properties.metrics.map((m: any[]) => [m[3], m[m.length - 1].label])).toEqual([
      ["${aws_lb_target_group.service_api_target_group.arn_suffix}", "api requests"],
      ["${aws_lb_target_group.service_web_target_group.arn_suffix}", "web requests"],
      ["${aws_lb_target_group.service_web_green_target_group.arn_suffix}", "web (green) requests"],
    ]);
    expect(body.widgets[4].properties.metrics).toEqual([
      ["AWS/ECS", "CPUUtilization", "ClusterName", "shop-staging", "ServiceName", "api", { label: "api" }],
      ["AWS/ECS", "CPUUtilization", "ClusterName", "shop-staging", "ServiceName", "web", { label: "web" }],
    ]);
    // Five per service, and web (blue-green) has its 5xx, p95 and p99 alarms on the green target group too.
    expect(body.widgets[6].properties.alarms).toHaveLength(13);
  });

  test("host: CPU, the agent's memory and disk found by instance, status checks, the host's alarms", () => {
    const staging = example("hosts").staging;
    const body = dashboardBody(staging);
    expect(body.widgets.map((w: any) => w.properties.title)).toEqual(["Host CPU (%)", "Host memory and disk in use (%)", "Status checks failed", "Host alarms"]);
    expect(body.widgets[1].properties.metrics.map((m: any[]) => m[0].expression)).toEqual([
      `SEARCH('Namespace="CWAgent" MetricName="mem_used_percent" InstanceId="\${aws_instance.host_instance.id}"', 'Maximum', 60)`,
      `SEARCH('Namespace="CWAgent" MetricName="disk_used_percent" InstanceId="\${aws_instance.host_instance.id}"', 'Maximum', 60)`,
    ]);
    expect(body.widgets[3].properties.alarms).toEqual(["system_check", "instance_check", "cpu_high", "memory_high", "disk_high"].map((a) => ref(`aws_cloudwatch_metric_alarm.alarms_${a}`, "arn")));
  });
});

describe("ECS service alarms", () => {
  const staging = example("ecs").staging;
  const topic = ref("aws_sns_topic.notifications", "arn");

  test("CPU and memory of each service, 5xx and p95/p99 latency of its target group, each notifying the topic", () => {
    for (const service of ["api", "web"]) {
      const a = (name: string) => alarm(staging, `service_${service}_alarms_${name}`);
      const dims = { ClusterName: "shop-staging", ServiceName: service };
      expect(a("cpu_high")).toMatchObject({ alarm_name: `shop-staging-${service}-cpu-high`, namespace: "AWS/ECS", metric_name: "CPUUtilization", dimensions: dims, statistic: "Average", threshold: 85 });
      expect(a("memory_high")).toMatchObject({ namespace: "AWS/ECS", metric_name: "MemoryUtilization", dimensions: dims, threshold: 90 });
      const tg = { LoadBalancer: "${aws_lb.load_balancer_alb.arn_suffix}", TargetGroup: `\${aws_lb_target_group.service_${service}_target_group.arn_suffix}` };
      expect(a("target_5xx")).toMatchObject({ metric_name: "HTTPCode_Target_5XX_Count", dimensions: tg, statistic: "Sum" });
      expect(a("latency_p95")).toMatchObject({ metric_name: "TargetResponseTime", dimensions: tg, extended_statistic: "p95" });
      expect(a("latency_p99")).toMatchObject({ metric_name: "TargetResponseTime", dimensions: tg, extended_statistic: "p99" });
      for (const name of ["cpu_high", "memory_high", "target_5xx", "latency_p95", "latency_p99"]) expect([name, a(name).alarm_actions, a(name).ok_actions]).toEqual([name, [topic], [topic]]);
    }
  });
});

describe("host alarms on the agent's metrics", () => {
  const staging = example("hosts").staging;

  test("memory and disk alarms name the agent's aggregate by InstanceId, which the host's agent configuration asks for", () => {
    const config = JSON.parse(resource(staging, "aws_ssm_parameter", "cloudwatch_agent_config").value.replace(/\$\$\{/g, "${"));
    expect(config.metrics.aggregation_dimensions).toEqual([["InstanceId"]]);
    for (const [name, metric] of [["memory_high", "mem_used_percent"], ["disk_high", "disk_used_percent"]]) {
      expect(alarm(staging, `alarms_${name}`)).toMatchObject({ namespace: "CWAgent", metric_name: metric, dimensions: { InstanceId: "${aws_instance.host_instance.id}" }, statistic: "Maximum" });
    }
  });
});

describe("config/examples/dedicated-https-cdn.yaml", () => {
  test("its p99 latency alarm stops deployments besides the default ones; its thresholds reach the alarms", () => {
    const production = example("dedicated-https-cdn").production;
    expect(resource(production, "aws_codedeploy_deployment_group", "deployment_group").alarm_configuration.alarms).toEqual(
      ["alb_5xx", "target_5xx", "unhealthy_hosts", "cpu_high", "latency_p99"].map((a) => alarmRef(`alarms_${a}`)),
    );
    expect([alarm(production, "alarms_latency_p95").threshold, alarm(production, "alarms_latency_p99").threshold, alarm(production, "alarms_memory_high").threshold]).toEqual([0.5, 1.5, 85]);
  });
});

describe("the dashboard body in HCL output (--hcl, eject)", () => {
  test("it is a heredoc with exactly the JSON output's text: the SEARCH expressions' quotes survive", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dashboard-hcl-"));
    try {
      const configFile = path.join(__dirname, "..", "config", "default.yaml");
      await synthesize({ configFile, outdir: path.join(dir, "hcl"), format: "hcl", generatedDir: path.join(dir, "generated-hcl") });
      await synthesize({ configFile, outdir: path.join(dir, "json"), generatedDir: path.join(dir, "generated-json") });
      const hcl = fs.readFileSync(path.join(dir, "hcl", "stacks", "webapp-staging", "cdk.tf"), "utf8");
      const json = JSON.parse(fs.readFileSync(path.join(dir, "json", "stacks", "webapp-staging", "cdk.tf.json"), "utf8"));
      const heredoc = /^ {2}dashboard_body += trimsuffix\(<<EOF\n([\s\S]*?)\nEOF\n\s*, "\\n"\)$/m.exec(hcl);
      expect(heredoc).not.toBeNull();
      expect(heredoc![1]).toBe(resource(json, "aws_cloudwatch_dashboard", "dashboard").dashboard_body);
      expect(heredoc![1]).toContain('MetricName=\\"CPUUtilization\\"');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
