// The fleet reconciler (constructs/fleet-reconciler.ts, templates/fleet/reconciler.py): what it
// is given, when it runs, what it may do. The emulator tier runs it (scripts/e2e.mjs).
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { unzipSync } from "fflate";
import { RECONCILER_SOURCE } from "../constructs/fleet-reconciler";
import { lambdaPackage } from "../lib/lambda-package";
import { actionMatches, resourceMatches } from "./helpers/iam-coverage";
import { configWith, resource, resourcesOfType, statements, Synth, synthConfig } from "./helpers/synth";

const stacks = synthConfig(
  configWith({
    environments: {
      staging: { network: { cidr: "10.10.0.0/16" }, deployment: { mode: "in-place" } },
      production: { network: { cidr: "10.20.0.0/16" }, deployment: { mode: "blue-green" }, fleet: { minSize: 2, maxSize: 6 } },
    },
  }),
);
const production: Synth = stacks.production;
const staging: Synth = stacks.staging;
const prefix = "webapp-production";

/** The `jsonencode({...})` argument as the object it encodes (references kept as text). */
function encoded(expression: string): Record<string, any> {
  const body = expression.replace(/^\$\{jsonencode\(/, "").replace(/\)\}$/, "");
  const json = body.replace(/"([^"]+)" = /g, '"$1": ').replace(/(?<=[[:,]\s*)((?:aws|data)_?[a-z0-9_]*\.[a-z0-9_.]+)/g, '"$1"');
  return JSON.parse(json);
}

describe("blue/green environment", () => {
  const fn = resource(production, "aws_lambda_function", "fleet_reconciler_function");
  const invocation = resource(production, "aws_lambda_invocation", "fleet_reconciler_apply");
  const settings = encoded(fn.environment.variables.FLEET_SETTINGS);

  test("a Python function with room to wait for copies to go, logging to its encrypted group", () => {
    expect(fn).toMatchObject({ function_name: `${prefix}-fleet-reconciler`, runtime: "python3.12", handler: "reconciler.handler", timeout: 900 });
    expect(fn.logging_config.log_group).toBe("${aws_cloudwatch_log_group.fleet_reconciler_logs.name}");
    expect(resource(production, "aws_cloudwatch_log_group", "fleet_reconciler_logs").kms_key_id).toMatch(/aws_kms_key\./);
    expect(fn.depends_on).toEqual(["aws_iam_role_policy.fleet_reconciler_role"]);
  });

  test("the package is the reconciler, deterministic, and its hash is the source_code_hash", () => {
    const a = lambdaPackage("fleet-reconciler", [RECONCILER_SOURCE]);
    const b = lambdaPackage("fleet-reconciler", [RECONCILER_SOURCE]);
    expect(a).toEqual(b);
    expect(fn.source_code_hash).toBe(a.sha256);
    const files = unzipSync(fs.readFileSync(a.file));
    expect(Object.keys(files)).toEqual(["reconciler.py"]);
    expect(Buffer.from(files["reconciler.py"]).toString()).toBe(fs.readFileSync(RECONCILER_SOURCE, "utf8"));
    expect(fn.filename).toMatch(/^assets\/fleet-reconciler_package_[0-9A-F]+\/[0-9A-F]+\/fleet-reconciler\.zip$/);
  });

  test("Terraform invokes it on create, on every change of the settings and on destroy", () => {
    expect(invocation.lifecycle_scope).toBe("CRUD");
    expect(invocation.function_name).toBe("${aws_lambda_function.fleet_reconciler_function.function_name}");
    // The same settings as the function's environment, so the plan shows a settings change as a diff.
    expect(invocation.input).toBe(fn.environment.variables.FLEET_SETTINGS.replace("${jsonencode({", '${jsonencode({"settings" = {').replace(/\)\}$/, "})}"));
    // It must still be allowed to act when Terraform destroys it: its policy goes after it.
    expect(invocation.depends_on).toEqual(["aws_iam_role_policy.fleet_reconciler_role"]);
  });

  test("the settings are the bootstrap group's, in the API's shape", () => {
    const group = resource(production, "aws_autoscaling_group", "fleet_asg");
    expect(settings).toMatchObject({
      fleetTag: prefix,
      bootstrapGroupName: group.name,
      minSize: group.min_size,
      maxSize: group.max_size,
      healthCheckType: group.health_check_type,
      healthCheckGracePeriod: group.health_check_grace_period,
      defaultInstanceWarmup: group.default_instance_warmup,
      terminationPolicies: group.termination_policies,
      enabledMetrics: group.enabled_metrics,
      launchTemplateId: "aws_launch_template.fleet_template.id",
      targetGroupArns: ["aws_lb_target_group.target_group.arn"],
      notificationTopicArn: "aws_sns_topic.notifications.arn",
      deploymentGroupName: "aws_codedeploy_deployment_group.deployment_group.deployment_group_name",
      groupAlarmNames: ["cpu_high", "memory_high", "disk_high"].map((a) => `aws_cloudwatch_metric_alarm.alarms_${a}.alarm_name`),
    });
    expect(settings.subnetIds).toEqual(group.vpc_zone_identifier.map((s: string) => s.replace(/^\$\{|\}$/g, "")));
    expect(Object.fromEntries(group.tag.map((t: any) => [t.key, t.value]))).toEqual(settings.tags);
    expect(settings.scalingPolicies.map((p: any) => p.name)).toEqual(["cpu-target-tracking"]);
  });

  test("EventBridge runs it when a deployment of this group succeeds, and on a schedule", () => {
    const rule = resource(production, "aws_cloudwatch_event_rule", "fleet_reconciler_deployment_succeeded");
    expect(rule.event_pattern).toContain('"state" = ["SUCCESS"]');
    expect(rule.event_pattern).toContain('"deploymentGroup" = [aws_codedeploy_deployment_group.deployment_group.deployment_group_name]');
    expect(resource(production, "aws_cloudwatch_event_rule", "fleet_reconciler_schedule").schedule_expression).toBe("rate(15 minutes)");
    for (const address of ["deployment_succeeded", "schedule"]) {
      expect(resource(production, "aws_cloudwatch_event_target", `fleet_reconciler_${address}_target`).arn).toBe("${aws_lambda_function.fleet_reconciler_function.arn}");
      expect(resource(production, "aws_lambda_permission", `fleet_reconciler_${address}_permission`)).toMatchObject({
        principal: "events.amazonaws.com",
        source_arn: `\${aws_cloudwatch_event_rule.fleet_reconciler_${address}.arn}`,
      });
    }
  });

  test("its failures alarm to the environment's topic", () => {
    expect(resource(production, "aws_cloudwatch_metric_alarm", "fleet_reconciler_errors")).toMatchObject({
      metric_name: "Errors",
      namespace: "AWS/Lambda",
      alarm_actions: ["${aws_sns_topic.notifications.arn}"],
    });
  });

  describe("least privilege, both ways", () => {
    const granted = statements(production, "fleet_reconciler_role_policy");
    const source = fs.readFileSync(RECONCILER_SOURCE, "utf8");
    const clients: Record<string, string> = { asg: "autoscaling", cloudwatch: "cloudwatch", codedeploy: "codedeploy" };
    const pascal = (s: string) => s.replace(/(^|_)([a-z])/g, (_m, _u, c: string) => c.toUpperCase());
    const used = new Set<string>();
    for (const m of source.matchAll(/\b(asg|cloudwatch|codedeploy)\.(\w+)\(/g)) if (m[2] !== "get_paginator") used.add(`${clients[m[1]]}:${pascal(m[2])}`);
    for (const m of source.matchAll(/\b(asg|cloudwatch|codedeploy)\.get_paginator\("(\w+)"\)/g)) used.add(`${clients[m[1]]}:${pascal(m[2])}`);
    const allows = (action: string, arn: string) => granted.some((s) => s.actions.some((a: string) => actionMatches(a, action)) && s.resources.some((r: string) => resourceMatches(r.replace(/\$\{[^}]+\}/g, "*"), arn)));
    const copy = `arn:aws:autoscaling:eu-west-1:123456789012:autoScalingGroup:uuid:autoScalingGroupName/CodeDeploy_${prefix}_d-ABC123`;
    const bootstrap = `arn:aws:autoscaling:eu-west-1:123456789012:autoScalingGroup:uuid:autoScalingGroupName/${prefix}-fleet`;

    test("the script's calls are what we expect it to make", () => {
      expect([...used].sort()).toEqual([
        "autoscaling:AttachLoadBalancerTargetGroups",
        "autoscaling:CreateOrUpdateTags",
        "autoscaling:DeleteAutoScalingGroup",
        "autoscaling:DeletePolicy",
        "autoscaling:DeleteWarmPool",
        "autoscaling:DescribeAutoScalingGroups",
        "autoscaling:DescribePolicies",
        "autoscaling:DetachLoadBalancerTargetGroups",
        "autoscaling:EnableMetricsCollection",
        "autoscaling:PutNotificationConfiguration",
        "autoscaling:PutScalingPolicy",
        "autoscaling:PutWarmPool",
        "autoscaling:UpdateAutoScalingGroup",
        "cloudwatch:DescribeAlarms",
        "cloudwatch:PutMetricAlarm",
        "codedeploy:GetDeploymentGroup",
        // Only with a test listener (granted then; below, "blue/green test listener").
        "codedeploy:ListDeployments",
      ]);
    });

    test("every call is granted, and changes only CodeDeploy's copies of this group, never the bootstrap group", () => {
      for (const action of used) {
        if (action.startsWith("autoscaling:Describe")) expect(allows(action, "*")).toBe(true);
        else if (action.startsWith("autoscaling:")) {
          expect([action, allows(action, copy)]).toEqual([action, true]);
          expect([action, allows(action, bootstrap)]).toEqual([action, false]);
        }
      }
      expect(allows("cloudwatch:PutMetricAlarm", "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:x")).toBe(true);
      // The alarms keyed by the group, and no other alarm of the environment.
      expect(granted.find((s) => s.actions.includes("cloudwatch:PutMetricAlarm"))!.resources).toEqual(
        ["cpu_high", "memory_high", "disk_high"].map((a) => expect.stringContaining(`:alarm:\${aws_cloudwatch_metric_alarm.alarms_${a}.alarm_name}`)),
      );
      expect(granted.find((s) => s.actions.includes("codedeploy:GetDeploymentGroup"))!.resources).toEqual(["${aws_codedeploy_deployment_group.deployment_group.arn}"]);
    });

    test("nothing is granted that the script, its logs or the launch template check do not need", () => {
      expect(granted.flatMap((s) => s.actions)).not.toContain("codedeploy:ListDeployments");
      const needed = new Set([...used, "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams", "ec2:RunInstances", "iam:PassRole", "ssm:GetParameters"]);
      expect(granted.flatMap((s) => s.actions).filter((a: string) => !needed.has(a))).toEqual([]);
      const launch = granted.find((s) => s.actions.includes("ec2:RunInstances"))!;
      expect(launch.condition).toEqual([{ test: "ArnLike", variable: "ec2:LaunchTemplate", values: [expect.stringContaining("launch-template/${aws_launch_template.fleet_template.id}")] }]);
      expect(granted.find((s) => s.actions.includes("iam:PassRole"))!.condition).toEqual([{ test: "StringEquals", variable: "iam:PassedToService", values: ["ec2.amazonaws.com"] }]);
      // The template's image is `resolve:ssm:<parameter>`: updating a group on it reads that parameter only.
      expect(granted.find((s) => s.actions.includes("ssm:GetParameters"))!.resources).toEqual([expect.stringMatching(/:parameter\//)]);
    });
  });

  test("policies and notifications Terraform attaches go with the bootstrap group", () => {
    const group = resource(production, "aws_autoscaling_group", "fleet_asg");
    const policy = resource(production, "aws_autoscaling_policy", "fleet_cpu");
    expect(policy.autoscaling_group_name).toBe(group.name);
    expect(policy.count).toBe(group.count);
    const notifications = resource(production, "aws_autoscaling_notification", "fleet_notifications");
    expect(notifications.group_names).toEqual([group.name]);
    expect(notifications.count).toBe(group.count);
  });

  test("the alarms keyed by the group (CPU, memory, disk) are created on the live group and then followed by the reconciler", () => {
    for (const alarm of ["cpu_high", "memory_high", "disk_high"]) {
      expect(resource(production, "aws_cloudwatch_metric_alarm", `alarms_${alarm}`)).toMatchObject({
        dimensions: { AutoScalingGroupName: expect.stringContaining("fleet_groups") },
        lifecycle: { ignore_changes: ["dimensions"] },
      });
    }
    // The target group's alarms follow by themselves: every copy registers in the same target group.
    for (const alarm of ["target_5xx", "unhealthy_hosts", "latency_p95", "latency_p99"]) {
      expect([alarm, resource(production, "aws_cloudwatch_metric_alarm", `alarms_${alarm}`).lifecycle]).toEqual([alarm, undefined]);
    }
  });

  test("no output changes with releases", () => {
    expect(production.output.autoscaling_group_name).toBeUndefined();
    expect(production.output.fleet_reconciler_function_name.value).toBe("${aws_lambda_function.fleet_reconciler_function.function_name}");
  });
});

describe("blue/green test listener", () => {
  const json = synthConfig(
    configWith({
      environments: {
        production: {
          network: { cidr: "10.20.0.0/16" },
          deployment: { blueGreen: { waitForApproval: { minutes: 120 }, testListener: { port: 8443, allowedCidrs: ["198.51.100.0/24"] } } },
        },
      },
    }),
  ).production;
  const fn = resource(json, "aws_lambda_function", "fleet_reconciler_function");
  const settings = encoded(fn.environment.variables.FLEET_SETTINGS);

  test("the reconciler knows the test target group, which is not one of the fleet's", () => {
    expect(settings.testTargetGroupArn).toBe("aws_lb_target_group.test_target_group.arn");
    expect(settings.targetGroupArns).toEqual(["aws_lb_target_group.target_group.arn"]);
    // The plan shows a test listener added or removed as a change of Terraform's invocation.
    expect(resource(json, "aws_lambda_invocation", "fleet_reconciler_apply").input).toContain('"testTargetGroupArn" = aws_lb_target_group.test_target_group.arn');
  });

  test("a rule of its own for READY, FAILURE and STOP of this group; the success rule is unchanged", () => {
    const rule = resource(json, "aws_cloudwatch_event_rule", "fleet_reconciler_test_traffic");
    expect(rule.name).toBe(`${prefix}-fleet-reconciler-test-traffic`);
    expect(rule.event_pattern).toContain('"state" = ["READY", "FAILURE", "STOP"]');
    expect(rule.event_pattern).toContain('"detail-type" = ["CodeDeploy Deployment State-change Notification"]');
    expect(rule.event_pattern).toContain('"deploymentGroup" = [aws_codedeploy_deployment_group.deployment_group.deployment_group_name]');
    expect(resource(json, "aws_cloudwatch_event_target", "fleet_reconciler_test_traffic_target").arn).toBe("${aws_lambda_function.fleet_reconciler_function.arn}");
    expect(resource(json, "aws_lambda_permission", "fleet_reconciler_test_traffic_permission")).toMatchObject({
      statement_id: "events-test-traffic",
      principal: "events.amazonaws.com",
      source_arn: "${aws_cloudwatch_event_rule.fleet_reconciler_test_traffic.arn}",
    });
    expect(resource(json, "aws_cloudwatch_event_rule", "fleet_reconciler_deployment_succeeded")).toEqual(resource(production, "aws_cloudwatch_event_rule", "fleet_reconciler_deployment_succeeded"));
  });

  test("IAM: ListDeployments of this deployment group only; attaching and detaching stays limited to the copies", () => {
    const granted = statements(json, "fleet_reconciler_role_policy");
    expect(granted.find((s) => s.actions.includes("codedeploy:ListDeployments"))).toMatchObject({
      actions: ["codedeploy:ListDeployments"],
      resources: ["${aws_codedeploy_deployment_group.deployment_group.arn}"],
    });
    const attach = granted.filter((s) => s.actions.includes("autoscaling:AttachLoadBalancerTargetGroups"));
    expect(attach.flatMap((s) => s.resources)).toEqual([expect.stringContaining(`:autoScalingGroupName/CodeDeploy_\${aws_codedeploy_deployment_group.deployment_group.deployment_group_name}_*`)]);
  });

  describe("what the function does (templates/fleet/reconciler.py against stand-ins of the APIs)", () => {
    const PROD = "arn:tg/prod";
    const TEST = "arn:tg/test";
    const G = "shop-production";
    const base = {
      fleetTag: G, bootstrapGroupName: `${G}-fleet`, applicationName: G, deploymentGroupName: G, minSize: 2, maxSize: 4, subnetIds: ["subnet-1"],
      healthCheckType: "ELB", healthCheckGracePeriod: 300, defaultInstanceWarmup: 120, terminationPolicies: ["Default"], launchTemplateId: "lt-1",
      targetGroupArns: [PROD], tags: {}, enabledMetrics: [], scalingPolicies: [], groupAlarmNames: [],
    };
    const withTest = { ...base, testTargetGroupArn: TEST };
    const group = (id: string, arns: string[]) => ({ AutoScalingGroupName: id.startsWith("d-") ? `CodeDeploy_${G}_${id}` : id, TargetGroupARNs: arns, DesiredCapacity: 2 });
    const event = (state: string, deploymentId = "d-NEW", deploymentGroup = G) => ({ source: "aws.codedeploy", "detail-type": "CodeDeploy Deployment State-change Notification", detail: { state, deploymentId, deploymentGroup, application: G } });
    function run(scenario: Record<string, unknown>): { result: any; calls: any[]; groups: Record<string, string[]> } {
      const out = spawnSync("python3", [path.join(__dirname, "helpers", "reconciler_harness.py"), RECONCILER_SOURCE, JSON.stringify(scenario)], { encoding: "utf8" });
      if (out.status !== 0) throw new Error(out.stderr);
      return JSON.parse(out.stdout);
    }
    const mutations = (calls: any[]) => calls.filter((c) => c[0] === "attach" || c[0] === "detach");

    test("READY: the test group goes on the waiting deployment's copy only, even before ListDeployments shows it Ready; nothing is reconciled", () => {
      const out = run({ settings: withTest, groups: [group("d-OLD", [PROD]), group("d-NEW", [])], live: `CodeDeploy_${G}_d-OLD`, ready: [], event: event("READY") });
      expect(mutations(out.calls)).toEqual([["attach", `CodeDeploy_${G}_d-NEW`, [TEST]]]);
      expect(out.groups).toEqual({ [`CodeDeploy_${G}_d-OLD`]: [PROD], [`CodeDeploy_${G}_d-NEW`]: [TEST] });
      expect(out.calls.map((c) => c[0])).not.toContain("update_auto_scaling_group");
      expect(out.result).toEqual({ testTraffic: { green: [`CodeDeploy_${G}_d-NEW`], attached: [`CodeDeploy_${G}_d-NEW`], detached: [] }, state: "READY" });
    });

    test("SUCCESS, FAILURE, STOP: detached from every group, even while ListDeployments still lists the deployment as Ready", () => {
      for (const state of ["SUCCESS", "FAILURE", "STOP"]) {
        const out = run({ settings: withTest, groups: [group("d-OLD", [PROD, TEST]), group("d-NEW", [PROD, TEST]), group(`${G}-fleet`, [PROD])], live: `CodeDeploy_${G}_d-NEW`, ready: ["d-NEW"], event: event(state) });
        expect([state, Object.values(out.groups).filter((arns) => arns.includes(TEST))]).toEqual([state, []]);
        expect([state, mutations(out.calls).filter((c) => c[0] === "detach").map((c) => c[1]).sort()]).toEqual([state, [`CodeDeploy_${G}_d-NEW`, `CodeDeploy_${G}_d-OLD`]]);
      }
    });

    test("the schedule converges from ListDeployments: onto the Ready deployment's copy, off the others", () => {
      const out = run({ settings: withTest, groups: [group("d-OLD", [PROD, TEST]), group("d-NEW", [])], live: `CodeDeploy_${G}_d-OLD`, ready: ["d-NEW"], event: { source: "aws.events", "detail-type": "Scheduled Event" } });
      expect(out.groups).toEqual({ [`CodeDeploy_${G}_d-OLD`]: [PROD], [`CodeDeploy_${G}_d-NEW`]: [TEST] });
      expect(out.calls).toContainEqual(["paginate", { applicationName: G, deploymentGroupName: G, includeOnlyStatuses: ["Ready"] }]);
      // Scale-out during the wait needs nothing: the copy's new instances join the groups attached to it.
    });

    test("reconcile_group never detaches (nor attaches) the test group: setting the live group's target groups leaves it alone", () => {
      const out = run({ settings: withTest, groups: [group("d-NEW", [TEST])], call: "reconcile_group" });
      expect(mutations(out.calls)).toEqual([["attach", `CodeDeploy_${G}_d-NEW`, [PROD]]]);
      expect(out.groups[`CodeDeploy_${G}_d-NEW`]).toEqual([PROD, TEST].sort());
    });

    test("without a test listener it lists no deployments (no grant for it) and touches no test group", () => {
      const out = run({ settings: base, groups: [group("d-OLD", [PROD]), group("d-NEW", [])], live: `CodeDeploy_${G}_d-OLD`, ready: ["d-NEW"], event: event("READY") });
      expect(out.calls.filter((c) => c[0] === "paginate" && "includeOnlyStatuses" in c[1])).toEqual([]);
      expect(out.calls).toEqual([]);
      expect(out.result).toEqual({ ignored: `${G} READY` });
    });

    test("another deployment group's events are ignored", () => {
      const out = run({ settings: withTest, groups: [group("d-NEW", [])], ready: [], event: event("READY", "d-NEW", "other-group") });
      expect(out.calls).toEqual([]);
      expect(out.result).toEqual({ ignored: "other-group READY" });
    });
  });
});

describe("in-place environment", () => {
  test("has no reconciler: its group is never copied", () => {
    expect(resourcesOfType(staging, "aws_lambda_function")).toEqual({});
    expect(resourcesOfType(staging, "aws_lambda_invocation")).toEqual({});
  });

  test("attaches policies, notifications and the CPU alarm to its one group, which it outputs", () => {
    expect(resource(staging, "aws_autoscaling_policy", "fleet_cpu").count).toBeUndefined();
    expect(resource(staging, "aws_cloudwatch_metric_alarm", "alarms_cpu_high").lifecycle).toBeUndefined();
    expect(staging.output.autoscaling_group_name).toBeDefined();
  });
});
