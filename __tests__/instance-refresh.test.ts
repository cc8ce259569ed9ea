import { EncryptionKey } from "../constructs/encryption-key";
import { Fleet, FleetProps } from "../constructs/fleet";
import { SecurityGroup } from "../constructs/security-group";
import * as path from "node:path";
import { Testing } from "cdktf";
import { buildApp } from "../lib/synth/build-app";
import { loadConfigFile, parseConfig } from "../lib/config/load";
import { resolveInstanceRefresh } from "../lib/config/instance-refresh";
import { checkStack } from "../policy";
import { configProblems, expectProblemLine } from "./helpers/config";
import { bareStack, ref, resource, Synth, synthConfig, synthEnv, synthStack } from "./helpers/synth";

/*
 * fleet.instanceRefresh (issue 16 item 3): the preferences of the instance refresh Terraform
 * starts when the launch template of an in-place fleet changes, each AWS rule as a validation
 * rule (lib/config/instance-refresh.ts), and the alarms that fail the refresh.
 */

const IN_PLACE = { deployment: { mode: "in-place" } };

const base = (staging: Record<string, unknown> = {}, defaults?: Record<string, unknown>) => ({
  app: { name: "webapp", region: "eu-west-1" },
  ...(defaults ? { defaults } : {}),
  environments: { staging: { network: { cidr: "10.10.0.0/16" }, ...IN_PLACE, ...staging } },
});

const refreshOf = (instanceRefresh: unknown, more: Record<string, unknown> = {}) => ({ fleet: { instanceRefresh }, ...more });

function expectProblem(staging: Record<string, unknown>, path: string, received: string, allowed: RegExp, defaults?: Record<string, unknown>): void {
  expectProblemLine(configProblems(base(staging, defaults)), path, received, allowed);
}

const P = "environments.staging.fleet.instanceRefresh";

describe("fleet.instanceRefresh configuration", () => {
  test("false by default; true stays valid and means every default", () => {
    expect(parseConfig(base()).environments.staging.fleet.instanceRefresh).toBe(false);
    const on = parseConfig(base(refreshOf(true))).environments.staging.fleet.instanceRefresh;
    expect(on).toBe(true);
    expect(resolveInstanceRefresh(on)).toEqual({ minHealthyPercent: 90, maxHealthyPercent: 100, skipMatching: false, autoRollback: false, scaleInProtectedInstances: "Ignore", standbyInstances: "Ignore" });
    expect(resolveInstanceRefresh(false)).toBeUndefined();
  });

  test("an object: its values, the defaults for the rest (checkpoint delay: AWS's 3600)", () => {
    const parsed = parseConfig(base(refreshOf({ checkpoints: { percentages: [20, 50, 100] }, maxHealthyPercent: 150, alarms: ["5xx"] }))).environments.staging.fleet.instanceRefresh;
    expect(parsed).toEqual({
      minHealthyPercent: 90,
      maxHealthyPercent: 150,
      checkpoints: { percentages: [20, 50, 100], delaySeconds: 3600 },
      skipMatching: false,
      autoRollback: false,
      alarms: ["5xx"],
      scaleInProtectedInstances: "Ignore",
      standbyInstances: "Ignore",
    });
  });

  test("neither a boolean nor an object", () => {
    expectProblem(refreshOf("yes"), P, '"yes"', /true, false or an object of refresh preferences/);
  });

  test("an unknown preference names the known ones", () => {
    expectProblem(refreshOf({ minHealthy: 50 }), `${P}.minHealthy`, 'an unknown key "minHealthy"', /minHealthyPercent/);
  });

  test("every problem of an object at once, each at its own field", () => {
    const lines = configProblems(base(refreshOf({ minHealthyPercent: 120, standbyInstances: "Keep", alarms: ["5xx", "bogus"] })));
    expectProblemLine(lines, `${P}.minHealthyPercent`, "120", /percentage from 0 to 100/);
    expectProblemLine(lines, `${P}.standbyInstances`, '"Keep"', /one of "Terminate", "Ignore", "Wait"/);
    expectProblemLine(lines, `${P}.alarms.1`, '"bogus"', /one of "5xx"/);
  });

  test("max healthy percentage: 100 to 200 (RefreshPreferences.MaxHealthyPercentage)", () => {
    expectProblem(refreshOf({ maxHealthyPercent: 99 }), `${P}.maxHealthyPercent`, "99", /from 100 to 200/);
    expectProblem(refreshOf({ maxHealthyPercent: 201 }), `${P}.maxHealthyPercent`, "201", /from 100 to 200/);
  });

  test("max healthy at most min healthy + 100", () => {
    expectProblem(refreshOf({ minHealthyPercent: 50, maxHealthyPercent: 160 }), `${P}.maxHealthyPercent`, "160", /at most minHealthyPercent \+ 100 \(150\)/);
    expect(() => parseConfig(base(refreshOf({ minHealthyPercent: 50, maxHealthyPercent: 150 })))).not.toThrow();
  });

  test("checkpoints: ascending and unique", () => {
    expectProblem(refreshOf({ checkpoints: { percentages: [50, 20, 100] } }), `${P}.checkpoints.percentages.1`, "20", /above the one before it \(50\)/);
    expectProblem(refreshOf({ checkpoints: { percentages: [50, 50, 100] } }), `${P}.checkpoints.percentages.1`, "50", /unique and ascending/);
  });

  test("checkpoints: the last is 100", () => {
    expectProblem(refreshOf({ checkpoints: { percentages: [20, 50] } }), `${P}.checkpoints.percentages.1`, "50", /100 as the last checkpoint/);
  });

  test("checkpoints: percentages from 1 to 100, at least one", () => {
    expectProblem(refreshOf({ checkpoints: { percentages: [0, 100] } }), `${P}.checkpoints.percentages.0`, "0", /percentage from 1 to 100/);
    expectProblem(refreshOf({ checkpoints: { percentages: [] } }), `${P}.checkpoints.percentages`, "[]", /distinct percentages/);
  });

  test("a checkpoint delay needs checkpoint percentages (RefreshPreferences.CheckpointDelay)", () => {
    expectProblem(refreshOf({ checkpoints: { delaySeconds: 600 } }), `${P}.checkpoints.percentages`, "nothing", /distinct percentages/);
  });

  test("checkpoint delay: 0 to 172800 seconds", () => {
    expectProblem(refreshOf({ checkpoints: { percentages: [100], delaySeconds: 172801 } }), `${P}.checkpoints.delaySeconds`, "172801", /from 0 to 172800/);
  });

  test("alarms: distinct alarm kinds", () => {
    expectProblem(refreshOf({ alarms: ["5xx", "5xx"] }), `${P}.alarms`, '["5xx","5xx"]', /distinct alarm kinds/);
  });

  test("auto rollback needs an AMI ID in the template, not resolve:ssm: (instance-refresh-rollback.html)", () => {
    expectProblem(refreshOf({ autoRollback: true }), `${P}.autoRollback`, "true", /goldenAmi.pinnedImageId.*Systems Manager parameter/);
    expectProblem(refreshOf({ autoRollback: true }, { goldenAmi: { enabled: false } }), `${P}.autoRollback`, "true", /goldenAmi.pinnedImageId/);
    expect(() => parseConfig(base(refreshOf({ autoRollback: true }, { goldenAmi: { pinnedImageId: "ami-0123456789abcdef0" } })))).not.toThrow();
  });

  test("inherited from defaults: the problem points at defaults", () => {
    expectProblem({}, "defaults.fleet.instanceRefresh.maxHealthyPercent (inherited by environments.staging)", "300", /from 100 to 200/, refreshOf({ maxHealthyPercent: 300 }));
  });

  test("blue/green refuses an instance refresh object as it refuses true", () => {
    const lines = configProblems({ app: { name: "webapp", region: "eu-west-1" }, environments: { staging: { network: { cidr: "10.10.0.0/16" }, ...refreshOf({ minHealthyPercent: 50 }) } } });
    expectProblemLine(lines, P, "{", /false while deployment.mode is "blue-green"/);
  });
});

function fleetStack(props: Partial<FleetProps> = {}, alarms?: string[]) {
  const { stack } = bareStack();
  const key = new EncryptionKey(stack, "environment-key", { alias: "app-test", description: "test" });
  const securityGroup = new SecurityGroup(stack, "instances", { vpcId: "vpc-1", groupName: "app-test-instances", description: "test" });
  const fleet = new Fleet(stack, "fleet", {
    namePrefix: "app-test",
    imageId: "ami-0123456789abcdef0",
    instanceType: "t3.small",
    subnetIds: ["subnet-a"],
    securityGroup,
    encryptionKey: key,
    userData: "#!/bin/bash\n",
    minSize: 2,
    maxSize: 4,
    targetGroupArns: [],
    ...props,
  });
  if (alarms) fleet.failRefreshOn(alarms);
  return stack;
}

const synthFleet = (props: Partial<FleetProps> = {}, alarms?: string[]): Synth => synthStack(fleetStack(props, alarms));

const asgOf = (json: Synth) => resource(json, "aws_autoscaling_group", "fleet_asg");

describe("Fleet instance refresh block", () => {
  test("the preferences as given, the template version pinned, no extra triggers", () => {
    const asg = asgOf(
      synthFleet({
        instanceRefresh: {
          minHealthyPercentage: 50,
          maxHealthyPercentage: 150,
          checkpointPercentages: [25, 100],
          checkpointDelaySeconds: 600,
          skipMatching: true,
          autoRollback: true,
          scaleInProtectedInstances: "Refresh",
          standbyInstances: "Terminate",
        },
      }),
    );
    expect(asg.launch_template.version).toBe(ref("aws_launch_template.fleet_template", "latest_version"));
    expect(asg.instance_refresh).toEqual({
      strategy: "Rolling",
      preferences: {
        min_healthy_percentage: 50,
        max_healthy_percentage: 150,
        instance_warmup: "300",
        checkpoint_percentages: [25, 100],
        checkpoint_delay: "600",
        skip_matching: true,
        auto_rollback: true,
        scale_in_protected_instances: "Refresh",
        standby_instances: "Terminate",
      },
    });
  });

  test("checkpoints without a delay wait AWS's default hour; no checkpoints, no delay", () => {
    expect(asgOf(synthFleet({ instanceRefresh: { checkpointPercentages: [100] } })).instance_refresh.preferences.checkpoint_delay).toBe("3600");
    expect(asgOf(synthFleet({ instanceRefresh: true })).instance_refresh.preferences).not.toHaveProperty("checkpoint_delay");
  });

  test("a delay without checkpoints is refused", () => {
    expect(() => synthFleet({ instanceRefresh: { checkpointDelaySeconds: 60 } })).toThrow(/checkpointDelaySeconds needs checkpointPercentages/);
  });

  test("failRefreshOn: the alarms in the alarm specification; none, none", () => {
    expect(asgOf(synthFleet({ instanceRefresh: true }, ["a-5xx", "a-unhealthy"])).instance_refresh.preferences.alarm_specification).toEqual({ alarms: ["a-5xx", "a-unhealthy"] });
    expect(asgOf(synthFleet({ instanceRefresh: true }, [])).instance_refresh.preferences).not.toHaveProperty("alarm_specification");
  });

  test("policy pack: ASG.INSTANCE_REFRESH_ALARMS passes with alarms, and is suppressed with the reason when the configuration lists none", () => {
    const finding = (alarms: string[]) => checkStack(fleetStack({ instanceRefresh: true }, alarms)).findings.find((f) => f.ruleId === "ASG.INSTANCE_REFRESH_ALARMS");
    expect(finding(["a-5xx"])).toMatchObject({ status: "pass" });
    expect(finding([])).toMatchObject({ status: "suppressed", reason: expect.stringMatching(/fleet\.instanceRefresh\.alarms: \[\]/) });
  });

  test("failRefreshOn: at most 10 alarms, and only with a refresh", () => {
    expect(() => synthFleet({ instanceRefresh: true }, Array.from({ length: 11 }, (_, i) => `a-${i}`))).toThrow(/at most 10 alarms/);
    expect(() => synthFleet({}, ["a"])).toThrow(/needs instanceRefresh/);
  });
});

describe("an in-place environment with an instance refresh", () => {
  const synth = (instanceRefresh: unknown, observability?: Record<string, unknown>) =>
    asgOf(synthEnv({ environments: { staging: { network: { cidr: "10.10.0.0/16" }, ...IN_PLACE, fleet: { instanceRefresh }, ...(observability ? { observability } : {}) } } }));

  test("by default the refresh fails on the alarms that stop a deployment (5xx, unhealthy hosts, CPU)", () => {
    const spec = synth(true).instance_refresh.preferences.alarm_specification;
    expect(spec.alarms).toEqual(
      ["alb-5xx", "target-5xx", "unhealthy-hosts", "cpu-high"].map((name) => ref(`aws_cloudwatch_metric_alarm.alarms_${name.replace(/-/g, "_")}`, "alarm_name")),
    );
  });

  test("the default follows observability.alarms.stopDeployments", () => {
    const spec = synth(true, { alarms: { stopDeployments: ["unhealthy-hosts", "latency-p99"] } }).instance_refresh.preferences.alarm_specification;
    expect(spec.alarms).toEqual([ref("aws_cloudwatch_metric_alarm.alarms_unhealthy_hosts", "alarm_name"), ref("aws_cloudwatch_metric_alarm.alarms_latency_p99", "alarm_name")]);
  });

  test("alarms of the refresh's own; an empty list watches none", () => {
    expect(synth({ alarms: ["memory"] }).instance_refresh.preferences.alarm_specification.alarms).toEqual([ref("aws_cloudwatch_metric_alarm.alarms_memory_high", "alarm_name")]);
    expect(synth({ alarms: [] }).instance_refresh.preferences).not.toHaveProperty("alarm_specification");
  });

  test("the configuration's preferences reach the group", () => {
    const prefs = synth({ minHealthyPercent: 66, maxHealthyPercent: 133, checkpoints: { percentages: [34, 100], delaySeconds: 900 }, standbyInstances: "Wait" }).instance_refresh.preferences;
    expect(prefs).toMatchObject({ min_healthy_percentage: 66, max_healthy_percentage: 133, checkpoint_percentages: [34, 100], checkpoint_delay: "900", standby_instances: "Wait", auto_rollback: false });
  });
});

describe("config/examples/docker-in-place.yaml", () => {
  const config = loadConfigFile(path.join(__dirname, "..", "config", "examples", "docker-in-place.yaml"));
  const stacks = synthConfig(config);

  test("staging keeps the plain refresh (true); production launches before terminating, with a checkpoint and the deployment alarms", () => {
    expect(config.environments.staging.fleet.instanceRefresh).toBe(true);
    expect(asgOf(stacks.staging).instance_refresh.preferences).toMatchObject({ min_healthy_percentage: 90, max_healthy_percentage: 100, auto_rollback: false });
    const prefs = asgOf(stacks.production).instance_refresh.preferences;
    expect(prefs).toMatchObject({ min_healthy_percentage: 100, max_healthy_percentage: 134, checkpoint_percentages: [34, 100], checkpoint_delay: "600", auto_rollback: false });
    expect(prefs.alarm_specification.alarms).toHaveLength(4);
  });

  test("the policy pack's instance refresh rule passes on both stacks", () => {
    for (const stack of buildApp(Testing.app({ stackTraces: false }), config)) {
      expect(checkStack(stack).findings.filter((f) => f.ruleId === "ASG.INSTANCE_REFRESH_ALARMS").map((f) => [f.address, f.status])).toEqual([["aws_autoscaling_group.fleet_asg", "pass"]]);
    }
  });
});
