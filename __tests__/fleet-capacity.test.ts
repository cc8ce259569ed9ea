// Fleet capacity (issue 16, items 1 and 2): warm pools, mixed instances and Spot, on the bootstrap
// group, in the copy settings the fleet reconciler applies to CodeDeploy's copies, and validated in
// the configuration (docs/fleet-and-traffic.md, "Capacity: warm pools, Spot and mixed instance types").
import { spawnSync } from "child_process";
import { EncryptionKey } from "../constructs/encryption-key";
import { Fleet, FleetProps } from "../constructs/fleet";
import { RECONCILER_SOURCE } from "../constructs/fleet-reconciler";
import { SecurityGroup } from "../constructs/security-group";
import { bareStack, data, ref, resource, statements, synthEnv, synthStack } from "./helpers/synth";
import { configProblems, expectProblemLine } from "./helpers/config";
import { parseConfig } from "../lib/config/load";

function fleetOf(props: Partial<FleetProps> = {}): { fleet: Fleet; asg: Record<string, any> } {
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
    minSize: 1,
    maxSize: 4,
    targetGroupArns: ["arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/tg/1"],
    ...props,
  });
  return { fleet, asg: resource(synthStack(stack), "aws_autoscaling_group", "fleet_asg") };
}

describe("Fleet: warm pool", () => {
  test("none by default: no warm_pool block, no warm pool in the copy settings", () => {
    const { fleet, asg } = fleetOf();
    expect(asg.warm_pool).toBeUndefined();
    expect(asg.force_delete_warm_pool).toBeUndefined();
    expect(fleet.copySettings.warmPool).toBeUndefined();
  });

  test("Stopped with min size 1 by default; terraform destroy force-deletes the pool before the group", () => {
    const { fleet, asg } = fleetOf({ warmPool: {} });
    expect(asg.warm_pool).toEqual({ pool_state: "Stopped", min_size: 1, instance_reuse_policy: { reuse_on_scale_in: false } });
    expect(asg.force_delete_warm_pool).toBe(true);
    expect(fleet.copySettings.warmPool).toEqual({ PoolState: "Stopped", MinSize: 1, InstanceReusePolicy: { ReuseOnScaleIn: false } });
  });

  test("every option reaches the group and, in PutWarmPool's shape, the copies", () => {
    const { fleet, asg } = fleetOf({ warmPool: { poolState: "Hibernated", minSize: 2, maxGroupPreparedCapacity: 6, reuseOnScaleIn: true } });
    expect(asg.warm_pool).toEqual({ pool_state: "Hibernated", min_size: 2, max_group_prepared_capacity: 6, instance_reuse_policy: { reuse_on_scale_in: true } });
    expect(fleet.copySettings.warmPool).toEqual({ PoolState: "Hibernated", MinSize: 2, MaxGroupPreparedCapacity: 6, InstanceReusePolicy: { ReuseOnScaleIn: true } });
  });

  test("a Hibernated pool launches instances enabled for hibernation; other states do not", () => {
    const template = (poolState?: "Stopped" | "Hibernated" | "Running") => {
      const { stack } = bareStack();
      const key = new EncryptionKey(stack, "environment-key", { alias: "app-test", description: "test" });
      const securityGroup = new SecurityGroup(stack, "instances", { vpcId: "vpc-1", groupName: "app-test-instances", description: "test" });
      new Fleet(stack, "fleet", {
        namePrefix: "app-test", imageId: "ami-0123456789abcdef0", instanceType: "m7i.large", subnetIds: ["subnet-a"], securityGroup, encryptionKey: key,
        userData: "#!/bin/bash\n", minSize: 1, maxSize: 2, targetGroupArns: [], warmPool: poolState ? { poolState } : undefined,
      });
      return resource(synthStack(stack), "aws_launch_template", "fleet_template");
    };
    expect(template("Hibernated").hibernation_options).toEqual({ configured: true });
    expect(template("Stopped").hibernation_options).toBeUndefined();
    expect(template().hibernation_options).toBeUndefined();
  });

  test("refused together with a mixed instances policy", () => {
    expect(() => fleetOf({ warmPool: {}, purchase: {} })).toThrow(/warmPool and purchase exclude each other.*API_PutWarmPool/);
  });
});

describe("Fleet: mixed instances policy", () => {
  test("none by default: the launch template at the top level, no capacity rebalance", () => {
    const { fleet, asg } = fleetOf();
    expect(asg.mixed_instances_policy).toBeUndefined();
    expect(asg.capacity_rebalance).toBeUndefined();
    expect(asg.launch_template).toEqual({ id: ref("aws_launch_template.fleet_template", "id"), version: "$Latest" });
    expect(fleet.copySettings.mixedInstancesPolicy).toBeUndefined();
    expect(fleet.copySettings.capacityRebalance).toBe(false);
  });

  test("defaults: all On-Demand (AWS's 100%), prioritized, price-capacity-optimized Spot, the instance type first, capacity rebalance on", () => {
    const { asg } = fleetOf({ purchase: {} });
    expect(asg.launch_template).toBeUndefined();
    expect(asg.capacity_rebalance).toBe(true);
    expect(asg.mixed_instances_policy).toEqual({
      instances_distribution: { on_demand_base_capacity: 0, on_demand_percentage_above_base_capacity: 100, on_demand_allocation_strategy: "prioritized", spot_allocation_strategy: "price-capacity-optimized" },
      launch_template: { launch_template_specification: { launch_template_id: ref("aws_launch_template.fleet_template", "id"), version: "$Latest" }, override: [{ instance_type: "t3.small" }] },
    });
  });

  test("Spot above an On-Demand base across instance types; the copies get the same policy at $Latest", () => {
    const { fleet, asg } = fleetOf({ purchase: { onDemandBaseCapacity: 1, onDemandPercentageAboveBase: 25, instanceTypes: ["t3a.small", "t2.small"], spotAllocationStrategy: "capacity-optimized", capacityRebalance: false } });
    expect(asg.mixed_instances_policy.launch_template.override).toEqual([{ instance_type: "t3.small" }, { instance_type: "t3a.small" }, { instance_type: "t2.small" }]);
    expect(asg.capacity_rebalance).toBe(false);
    expect(fleet.copySettings.capacityRebalance).toBe(false);
    expect(fleet.copySettings.mixedInstancesPolicy).toEqual({
      InstancesDistribution: { OnDemandBaseCapacity: 1, OnDemandPercentageAboveBaseCapacity: 25, OnDemandAllocationStrategy: "prioritized", SpotAllocationStrategy: "capacity-optimized" },
      LaunchTemplate: {
        LaunchTemplateSpecification: { LaunchTemplateId: fleet.launchTemplate.launchTemplateId, Version: "$Latest" },
        Overrides: [{ InstanceType: "t3.small" }, { InstanceType: "t3a.small" }, { InstanceType: "t2.small" }],
      },
    });
  });

  test("attribute-based selection: one override with the ranges, lowest-price On-Demand by default", () => {
    const { fleet, asg } = fleetOf({ purchase: { instanceRequirements: { vcpu: { min: 2, max: 4 }, memoryMiB: { min: 4096 }, allowedInstanceTypes: ["m7i.*", "c7i.large"] } } });
    expect(asg.mixed_instances_policy.launch_template.override).toEqual([
      { instance_requirements: { vcpu_count: { min: 2, max: 4 }, memory_mib: { min: 4096 }, allowed_instance_types: ["m7i.*", "c7i.large"] } },
    ]);
    expect(asg.mixed_instances_policy.instances_distribution.on_demand_allocation_strategy).toBe("lowest-price");
    expect((fleet.copySettings.mixedInstancesPolicy as any).LaunchTemplate.Overrides).toEqual([
      { InstanceRequirements: { VCpuCount: { Min: 2, Max: 4 }, MemoryMiB: { Min: 4096 }, AllowedInstanceTypes: ["m7i.*", "c7i.large"] } },
    ]);
  });

  test("an instance refresh pins the policy's template version as it pins the plain one", () => {
    const { asg } = fleetOf({ purchase: {}, instanceRefresh: true });
    expect(asg.mixed_instances_policy.launch_template.launch_template_specification.version).toBe(ref("aws_launch_template.fleet_template", "latest_version"));
  });

  test("a resolve:ssm: image is refused (terraform-provider-aws#38767)", () => {
    expect(() => fleetOf({ purchase: {}, imageId: "resolve:ssm:/aws/service/x" })).toThrow(/needs an AMI ID.*38767/);
  });
});

describe("environment: the launch image with a mixed instances policy", () => {
  const raw = (fleet: Record<string, unknown>, goldenAmi: Record<string, unknown> = { enabled: false }) => ({
    environments: { staging: { network: { cidr: "10.10.0.0/16" }, fleet, goldenAmi } },
  });

  test("stock image: the template names the AMI ID read from the public parameter at plan time, not resolve:ssm:", () => {
    const json = synthEnv(raw({ purchase: { enabled: true, onDemandPercentageAboveBase: 0 } }));
    expect(data(json, "aws_ssm_parameter", "launch_image").name).toBe("/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64");
    expect(resource(json, "aws_launch_template", "fleet_template").image_id).toBe(ref("data.aws_ssm_parameter.launch_image", "insecure_value"));
    // No resolve:ssm: left, so no grant to resolve it for the reconciler nor CodeDeploy.
    expect(JSON.stringify(statements(json, "fleet_reconciler_role_policy"))).not.toContain("ResolveLaunchImage");
  });

  test("golden AMI: the parameter is read through its resource, so the first apply waits for it", () => {
    const json = synthEnv(raw({ purchase: { enabled: true } }, { enabled: true }));
    expect(data(json, "aws_ssm_parameter", "launch_image").name).toBe('${trimprefix("resolve:ssm:${aws_ssm_parameter.golden_ami_image_id.name}", "resolve:ssm:")}');
  });

  test("without a mixed instances policy the template still resolves the parameter at each launch", () => {
    const json = synthEnv(raw({}));
    expect(json.data?.aws_ssm_parameter?.launch_image).toBeUndefined();
    expect(resource(json, "aws_launch_template", "fleet_template").image_id).toBe("resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64");
  });

  test("the configuration reaches the group: warm pool and mixed policy", () => {
    const warm = resource(synthEnv(raw({ warmPool: { enabled: true, poolState: "Running", minSize: 2, maxGroupPreparedCapacity: 3 } })), "aws_autoscaling_group", "fleet_asg");
    expect(warm.warm_pool).toEqual({ pool_state: "Running", min_size: 2, max_group_prepared_capacity: 3, instance_reuse_policy: { reuse_on_scale_in: false } });
    const spot = resource(synthEnv(raw({ purchase: { enabled: true, onDemandBaseCapacity: 1, onDemandPercentageAboveBase: 0, instanceTypes: ["t3a.small"] } })), "aws_autoscaling_group", "fleet_asg");
    expect(spot.mixed_instances_policy.instances_distribution).toMatchObject({ on_demand_base_capacity: 1, on_demand_percentage_above_base_capacity: 0 });
    expect(spot.mixed_instances_policy.launch_template.override).toEqual([{ instance_type: "t3.small" }, { instance_type: "t3a.small" }]);
  });

  test("the reconciler may put and delete warm pools on the copies only", () => {
    const json = synthEnv(raw({ warmPool: { enabled: true } }));
    const manage = statements(json, "fleet_reconciler_role_policy").find((s) => s.actions.includes("autoscaling:PutWarmPool"));
    expect(manage?.actions).toEqual(expect.arrayContaining(["autoscaling:PutWarmPool", "autoscaling:DeleteWarmPool"]));
    expect(manage?.resources).toEqual([expect.stringContaining(":autoScalingGroupName/CodeDeploy_")]);
  });
});

describe("configuration: fleet.warmPool and fleet.purchase", () => {
  const base = (fleet: Record<string, unknown>, goldenAmi: Record<string, unknown> = {}) => ({
    app: { name: "webapp", region: "eu-west-1" },
    environments: { staging: { network: { cidr: "10.10.0.0/16" }, fleet, goldenAmi } },
  });
  const expectProblem = (fleet: Record<string, unknown>, path: string, received: string, allowed: RegExp, goldenAmi?: Record<string, unknown>) =>
    expectProblemLine(configProblems(base(fleet, goldenAmi)), path, received, allowed);

  test("defaults: both off, Stopped pool of 1, AWS's On-Demand 100%, price-capacity-optimized Spot, capacity rebalance on", () => {
    const fleet = parseConfig(base({})).environments.staging.fleet;
    expect(fleet.warmPool).toEqual({ enabled: false, poolState: "Stopped", minSize: 1, reuseOnScaleIn: false });
    expect(fleet.purchase).toEqual({ enabled: false, onDemandBaseCapacity: 0, onDemandPercentageAboveBase: 100, spotAllocationStrategy: "price-capacity-optimized", instanceTypes: [], capacityRebalance: true });
  });

  test("a warm pool and a mixed instances policy exclude each other", () => {
    expectProblem({ warmPool: { enabled: true }, purchase: { enabled: true } }, "environments.staging.fleet.warmPool.enabled", "true", /PutWarmPool refuses/);
  });

  test("maxGroupPreparedCapacity at least the pool's and the group's min size", () => {
    expectProblem({ warmPool: { enabled: true, minSize: 3, maxGroupPreparedCapacity: 2 }, maxSize: 4 }, "environments.staging.fleet.warmPool.maxGroupPreparedCapacity", "2", /fleet\.warmPool\.minSize \(3\)/);
    expectProblem({ warmPool: { enabled: true, minSize: 0, maxGroupPreparedCapacity: 1 }, minSize: 2, maxSize: 4 }, "environments.staging.fleet.warmPool.maxGroupPreparedCapacity", "1", /fleet\.minSize \(2\)/);
  });

  test("pool state from the list", () => {
    expectProblem({ warmPool: { enabled: true, poolState: "Frozen" } }, "environments.staging.fleet.warmPool.poolState", '"Frozen"', /Stopped.*Hibernated.*Running/);
  });

  test("the On-Demand percentage is 0 to 100, the base a number of instances no larger than maxSize", () => {
    expectProblem({ purchase: { enabled: true, onDemandPercentageAboveBase: 101 } }, "environments.staging.fleet.purchase.onDemandPercentageAboveBase", "101", /percentage/);
    expectProblem({ purchase: { enabled: true, onDemandPercentageAboveBase: -1 } }, "environments.staging.fleet.purchase.onDemandPercentageAboveBase", "-1", /percentage/);
    expectProblem({ purchase: { enabled: true, onDemandBaseCapacity: 5 }, maxSize: 4 }, "environments.staging.fleet.purchase.onDemandBaseCapacity", "5", /fleet\.maxSize \(4\)/);
  });

  test("allocation strategies from AWS's lists", () => {
    expectProblem({ purchase: { enabled: true, spotAllocationStrategy: "cheapest" } }, "environments.staging.fleet.purchase.spotAllocationStrategy", '"cheapest"', /price-capacity-optimized/);
    expectProblem({ purchase: { enabled: true, onDemandAllocationStrategy: "random" } }, "environments.staging.fleet.purchase.onDemandAllocationStrategy", '"random"', /prioritized/);
  });

  test("instance types fit the AMI's architecture (the fleet's, or goldenAmi.architecture)", () => {
    expectProblem({ purchase: { enabled: true, instanceTypes: ["t3a.small", "m7g.large"] } }, "environments.staging.fleet.purchase.instanceTypes.1", '"m7g.large"', /architecture \(x86_64\)/);
    expectProblem({ instanceType: "t4g.small", purchase: { enabled: true, instanceTypes: ["t3.small"] } }, "environments.staging.fleet.purchase.instanceTypes.0", '"t3.small"', /architecture \(arm64\)/);
    expectProblem(
      { purchase: { enabled: true, instanceRequirements: { vcpu: { min: 2 }, memoryMiB: { min: 2048 }, allowedInstanceTypes: ["m7g.large", "m7g.*"] } } },
      "environments.staging.fleet.purchase.instanceRequirements.allowedInstanceTypes.0",
      '"m7g.large"',
      /architecture \(x86_64\)/,
    );
  });

  test("instance types neither repeat fleet.instanceType nor each other", () => {
    expectProblem({ purchase: { enabled: true, instanceTypes: ["t3.small"] } }, "environments.staging.fleet.purchase.instanceTypes.0", '"t3.small"', /fleet\.instanceType \(t3\.small\)/);
    expectProblem({ purchase: { enabled: true, instanceTypes: ["t3a.small", "t3a.small"] } }, "environments.staging.fleet.purchase.instanceTypes.1", '"t3a.small"', /listed twice/);
    expectProblem({ purchase: { enabled: true, instanceTypes: ["t3.tiny"] } }, "environments.staging.fleet.purchase.instanceTypes.0", '"t3.tiny"', /instance type/);
  });

  test("instance types or instance requirements, not both; ranges with max >= min", () => {
    expectProblem(
      { purchase: { enabled: true, instanceTypes: ["t3a.small"], instanceRequirements: { vcpu: { min: 2 }, memoryMiB: { min: 2048 } } } },
      "environments.staging.fleet.purchase.instanceRequirements",
      "",
      /not both/,
    );
    expectProblem({ purchase: { enabled: true, instanceRequirements: { vcpu: { min: 4, max: 2 }, memoryMiB: { min: 2048 } } } }, "environments.staging.fleet.purchase.instanceRequirements.vcpu.max", "2", /min \(4\)/);
    expectProblem({ purchase: { enabled: true, instanceRequirements: { vcpu: { min: 2 }, memoryMiB: { min: 8192, max: 4096 } } } }, "environments.staging.fleet.purchase.instanceRequirements.memoryMiB.max", "4096", /min \(8192\)/);
    expectProblem({ purchase: { enabled: true, instanceRequirements: { vcpu: { min: 2 }, memoryMiB: { min: 1 }, allowedInstanceTypes: ["M7I.*"] } } }, "environments.staging.fleet.purchase.instanceRequirements.allowedInstanceTypes.0", '"M7I.*"', /pattern/);
  });

  test("instance types or requirements only with purchase.enabled", () => {
    expectProblem({ purchase: { instanceTypes: ["t3a.small"] } }, "environments.staging.fleet.purchase.enabled", "false", /true when fleet\.purchase lists/);
  });

  test("at most 19 further instance types and 40 allowed types (the reconciler's Lambda environment holds them)", () => {
    const many = Array.from({ length: 20 }, (_v, i) => `m${i + 10}.large`);
    expect(configProblems(base({ purchase: { enabled: true, instanceTypes: many } })).some((l) => l.startsWith("environments.staging.fleet.purchase.instanceTypes:") && l.includes("at most 19"))).toBe(true);
    expect(() => parseConfig(base({ purchase: { enabled: true, instanceTypes: many.slice(1) } }))).not.toThrow();
    const patterns = Array.from({ length: 41 }, (_v, i) => `m${i + 10}.*`);
    const lines = configProblems(base({ purchase: { enabled: true, instanceRequirements: { vcpu: { min: 2 }, memoryMiB: { min: 1 }, allowedInstanceTypes: patterns } } }));
    expect(lines.some((l) => l.startsWith("environments.staging.fleet.purchase.instanceRequirements.allowedInstanceTypes:") && l.includes("at most 40"))).toBe(true);
  });

  test("the largest policy keeps the reconciler's settings well inside Lambda's 4 KB environment", () => {
    const json = synthEnv({
      environments: { staging: { network: { cidr: "10.10.0.0/16" }, fleet: { purchase: { enabled: true, instanceTypes: Array.from({ length: 19 }, (_v, i) => `m${i + 10}.12xlarge`) } }, goldenAmi: { enabled: false } } },
    });
    // The synthesized expression: references are about as long as the IDs and ARNs they resolve to.
    expect(resource(json, "aws_lambda_function", "fleet_reconciler_function").environment.variables.FLEET_SETTINGS.length).toBeLessThan(3000);
  });
});

describe("reconciler: warm pool and mixed instances policy on the live copy (templates/fleet/reconciler.py)", () => {
  /** Runs reconcile_group against a recording stand-in of the Auto Scaling client; returns the calls. */
  function reconcile(settings: Record<string, unknown>, group: Record<string, unknown>): Array<[string, Record<string, any>]> {
    const script = `
import importlib.util, json, sys, types
sys.modules["boto3"] = types.ModuleType("boto3")
spec = importlib.util.spec_from_file_location("reconciler", sys.argv[1]); r = importlib.util.module_from_spec(spec); spec.loader.exec_module(r)
calls = []
class Asg:
    def describe_policies(self, **k): return {"ScalingPolicies": []}
    def __getattr__(self, name): return lambda **k: calls.append([name, k]) or {}
r.reconcile_group(Asg(), json.loads(sys.argv[2]), json.loads(sys.argv[3]))
print(json.dumps(calls))`;
    const out = spawnSync("python3", ["-c", script, RECONCILER_SOURCE, JSON.stringify(settings), JSON.stringify(group)], { encoding: "utf8" });
    if (out.status !== 0) throw new Error(out.stderr);
    return JSON.parse(out.stdout);
  }
  const settings = {
    fleetTag: "g", bootstrapGroupName: "g-fleet", minSize: 1, maxSize: 4, subnetIds: ["s"], targetGroupArns: [], healthCheckType: "ELB", healthCheckGracePeriod: 300,
    defaultInstanceWarmup: 300, terminationPolicies: ["Default"], launchTemplateId: "lt-1", tags: {}, enabledMetrics: [], scalingPolicies: [], notificationTypes: [], capacityRebalance: false,
  };
  const copy = { AutoScalingGroupName: "CodeDeploy_g_d-1", DesiredCapacity: 1, TargetGroupARNs: [] };
  const WARM = { PoolState: "Stopped", MinSize: 1, InstanceReusePolicy: { ReuseOnScaleIn: true } };
  const MIXED = { InstancesDistribution: { OnDemandBaseCapacity: 1 }, LaunchTemplate: { LaunchTemplateSpecification: { LaunchTemplateId: "lt-1", Version: "$Latest" }, Overrides: [{ InstanceType: "t3.small" }] } };
  const update = (calls: Array<[string, any]>) => calls.find(([name]) => name === "update_auto_scaling_group")![1];

  test("a copy without the configured warm pool gets it (CodeDeploy copies none)", () => {
    expect(reconcile({ ...settings, warmPool: WARM }, copy).filter(([n]) => n.includes("warm_pool"))).toEqual([["put_warm_pool", { AutoScalingGroupName: copy.AutoScalingGroupName, ...WARM }]]);
  });

  test("a copy with the configured warm pool is left alone; one with another is updated; one the configuration no longer wants loses it", () => {
    expect(reconcile({ ...settings, warmPool: WARM }, { ...copy, WarmPoolConfiguration: { ...WARM, Status: undefined } }).filter(([n]) => n.includes("warm_pool"))).toEqual([]);
    expect(reconcile({ ...settings, warmPool: WARM }, { ...copy, WarmPoolConfiguration: { ...WARM, MinSize: 3 } }).map(([n]) => n)).toContain("put_warm_pool");
    expect(reconcile(settings, { ...copy, WarmPoolConfiguration: WARM }).filter(([n]) => n.includes("warm_pool"))).toEqual([["delete_warm_pool", { AutoScalingGroupName: copy.AutoScalingGroupName, ForceDelete: true }]]);
  });

  test("with a mixed instances policy the update names the policy and capacity rebalance, not a launch template", () => {
    const args = update(reconcile({ ...settings, mixedInstancesPolicy: MIXED, capacityRebalance: true }, copy));
    expect(args.MixedInstancesPolicy).toEqual(MIXED);
    expect(args.CapacityRebalance).toBe(true);
    expect(args.LaunchTemplate).toBeUndefined();
  });

  test("without one, the launch template at $Latest and no capacity rebalance", () => {
    const args = update(reconcile(settings, copy));
    expect(args.LaunchTemplate).toEqual({ LaunchTemplateId: "lt-1", Version: "$Latest" });
    expect(args.MixedInstancesPolicy).toBeUndefined();
    expect(args.CapacityRebalance).toBe(false);
  });
});

describe("user data with a warm pool (an interrupted first boot resumes)", () => {
  const { renderFleetUserData, fleetFirstBootMarker } = require("../lib/release/user-data");
  const options = {
    appName: "webapp", envName: "staging", region: "eu-west-1", runtime: "nodejs", appUser: "webapp", appDirectory: "/opt/webapp", appPort: 3000,
    agentConfigParameter: "/webapp/staging/cloudwatch-agent/config", parameterPath: "/webapp/staging/env/", envFile: "/etc/webapp/app.env",
    proxy: { healthCheckPath: "/health", idleTimeoutSeconds: 60, clientMaxBodyMiB: 10 },
  };

  test("without a warm pool the script is unchanged: no first-boot service", () => {
    expect(renderFleetUserData(options)).not.toContain("first-boot.service");
  });

  test("the first step installs the script as a service that runs before the agent until the marker exists; the last writes the marker", () => {
    const script: string = renderFleetUserData({ ...options, resumeInterruptedBoot: true });
    const lines = script.split("\n");
    const install = lines.findIndex((l) => l.includes('install -m 0700 "$0" /usr/local/sbin/webapp-first-boot'));
    const firstStep = lines.findIndex((l) => l.startsWith("id -u"));
    expect(install).toBeGreaterThan(0);
    expect(install).toBeLessThan(firstStep);
    expect(script).toContain("Before=codedeploy-agent.service");
    expect(script).toContain(`ConditionPathExists=!${fleetFirstBootMarker("webapp")}`);
    expect(script).toContain("systemctl enable webapp-first-boot.service");
    expect(lines.filter((l) => l.trim()).slice(-1)[0]).toBe(`touch "${fleetFirstBootMarker("webapp")}"`);
    expect(spawnSync("bash", ["-n"], { input: script, encoding: "utf8" }).status).toBe(0);
  });

  test("the environment turns it on for a Stopped or Hibernated pool, not for a Running one", () => {
    const userData = (warmPool: Record<string, unknown>) =>
      Buffer.from(resource(synthEnv({ environments: { staging: { network: { cidr: "10.10.0.0/16" }, fleet: { warmPool }, goldenAmi: { enabled: false } } } }), "aws_launch_template", "fleet_template").user_data, "base64").toString();
    expect(userData({ enabled: true })).toContain("webapp-first-boot.service");
    expect(userData({ enabled: true, poolState: "Running" })).not.toContain("first-boot.service");
  });
});

describe("cost estimate: Spot and warm pools", () => {
  const { estimateStack } = require("../lib/cost/estimate");
  const { loadPriceTable } = require("../lib/cost/prices");
  const estimate = (fleet: Record<string, unknown>) =>
    estimateStack({ stack: "webapp-staging", terraform: synthEnv({ environments: { staging: { network: { cidr: "10.10.0.0/16" }, fleet, goldenAmi: { enabled: false } } } }) }, loadPriceTable());

  test("a mixed instances policy is still priced (its template is inside the policy), and the Spot assumption is stated", () => {
    const cost = estimate({ minSize: 1, maxSize: 3, purchase: { enabled: true, onDemandBaseCapacity: 1, onDemandPercentageAboveBase: 25, instanceTypes: ["t3a.small"] } });
    expect(cost.lines.find((l: any) => l.component.startsWith("EC2 t3.small"))?.quantity).toBe("1–3 × 730 h");
    expect(cost.notes.join("\n")).toMatch(/priced as On-Demand t3\.small, but 75% of the capacity above 1 instance\(s\) is Spot/);
    expect(cost.notes.join("\n")).toMatch(/may also launch t3a\.small/);
  });

  test("all On-Demand: no Spot note", () => {
    expect(estimate({ purchase: { enabled: true } }).notes.join("\n")).not.toMatch(/Spot/);
  });

  test("a Stopped warm pool costs its root volumes; a Running one its instances too", () => {
    const stopped = estimate({ warmPool: { enabled: true, minSize: 2 } });
    expect(stopped.lines.find((l: any) => /EBS gp3 root \(.*warm pool\)/.test(l.component))?.quantity).toBe("2 × 30 GB");
    expect(stopped.lines.some((l: any) => /^EC2 .*warm pool/.test(l.component))).toBe(false);
    const running = estimate({ warmPool: { enabled: true, minSize: 2, poolState: "Running" } });
    expect(running.lines.find((l: any) => /^EC2 t3\.small \(.*warm pool\)/.test(l.component))?.quantity).toBe("2 × 730 h");
  });
});
