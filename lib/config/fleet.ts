import { z } from "zod";
import { instanceArchitecture } from "../ec2";
import { bool, integer, oneOf, pattern, strictObject } from "./primitives";
import { instanceRefreshSchema } from "./instance-refresh";

export const instanceType = pattern(/^[a-z][a-z0-9-]*\d[a-z0-9-]*\.(nano|micro|small|medium|large|metal|\d*xlarge)$/, "an EC2 instance type such as t3.small or m7g.large");

export const TERMINATION_POLICIES = ["OldestLaunchTemplate", "OldestInstance", "NewestInstance", "ClosestToNextInstanceHour", "AllocationStrategy", "Default"] as const;

export const WARM_POOL_STATES = ["Stopped", "Hibernated", "Running"] as const;
export const SPOT_ALLOCATION_STRATEGIES = ["price-capacity-optimized", "capacity-optimized", "capacity-optimized-prioritized", "lowest-price"] as const;
export const ON_DEMAND_ALLOCATION_STRATEGIES = ["prioritized", "lowest-price"] as const;

/** An instance type, or an instance type pattern with `*` (`m7i.*`, `c6*`), as AllowedInstanceTypes takes them. */
const instanceTypePattern = pattern(/^[a-z0-9*][a-z0-9.*-]{0,29}$/, "an instance type or a pattern with *, such as m7i.large, m7i.* or c6*");

/** A `{ min, max }` range of InstanceRequirements (max absent: no upper limit). */
function requirementRange(max: number, what: string) {
  return strictObject({
    min: integer(0, max, what).describe("Smallest value an instance type may have."),
    max: integer(1, max, what).optional().describe("Largest value an instance type may have; no upper limit when absent."),
  });
}

export const warmPoolSchema = strictObject({
  enabled: bool
    .default(false)
    .describe(
      "Keep pre-initialized instances beside the group (Auto Scaling warm pool), so scale-out and the green fleet of a blue/green release start from booted instances. Off by default: stopped instances still pay for their EBS volumes (and Running ones for the instance). Not with fleet.purchase (PutWarmPool refuses groups with a mixed instances policy or Spot).",
    ),
  poolState: oneOf(WARM_POOL_STATES)
    .default("Stopped")
    .describe("State of warm instances: Stopped (pay for EBS only), Hibernated (memory kept on the encrypted root volume; the instance type must support hibernation) or Running (pay as for a serving instance)."),
  minSize: integer(0, 1000, "a number of instances").default(1).describe("Instances the warm pool keeps at least."),
  maxGroupPreparedCapacity: integer(0, 1000, "a number of instances")
    .optional()
    .describe("Instances in the group and its warm pool together (all but Terminated); the pool holds the rest above desired capacity. Default: fleet.maxSize. At least warmPool.minSize."),
  reuseOnScaleIn: bool.default(false).describe("Scale-in returns instances to the warm pool instead of terminating them (InstanceReusePolicy.ReuseOnScaleIn)."),
})
  .prefault({})
  .describe("Auto Scaling warm pool of the fleet's group (docs/fleet-and-traffic.md, \"Capacity: warm pools, Spot and mixed instance types\").");

export const purchaseSchema = strictObject({
  enabled: bool
    .default(false)
    .describe(
      "Launch through a mixed instances policy: several instance types and Spot capacity. The launch template then names the AMI ID read from its SSM parameter at plan time (terraform-provider-aws#38767), so a new golden AMI build reaches new instances on the next terraform apply.",
    ),
  onDemandBaseCapacity: integer(0, 1000, "a number of instances").default(0).describe("Instances that are always On-Demand, before any Spot."),
  onDemandPercentageAboveBase: integer(0, 100, "a percentage")
    .default(100)
    .describe("Share of capacity above onDemandBaseCapacity that is On-Demand; the rest is Spot. 100 (AWS's default) launches no Spot, 0 only Spot above the base."),
  spotAllocationStrategy: oneOf(SPOT_ALLOCATION_STRATEGIES)
    .default("price-capacity-optimized")
    .describe("How Spot instances are chosen among the instance types and zones; price-capacity-optimized (AWS's recommendation) weighs price and the pools' spare capacity."),
  onDemandAllocationStrategy: oneOf(ON_DEMAND_ALLOCATION_STRATEGIES)
    .optional()
    .describe("How On-Demand instances are chosen: prioritized (in the order of fleet.instanceType, then instanceTypes) or lowest-price. Default: prioritized with instance types, lowest-price with instanceRequirements."),
  instanceTypes: z
    .array(instanceType)
    // AWS takes 40 overrides; the blue/green fleet reconciler carries the policy in its Lambda
    // environment (4 KB in all), hence 20.
    .max(19, { error: "at most 19 instance types (20 with fleet.instanceType; the fleet reconciler's Lambda environment holds the policy, 4 KB in all)" })
    .default([])
    .meta({ allowed: "a list of EC2 instance types" })
    .describe("Further instance types after fleet.instanceType, in priority order (the policy's overrides), of the AMI's architecture; at most 19. Not with instanceRequirements."),
  instanceRequirements: strictObject({
    vcpu: requirementRange(10000, "a number of vCPUs").describe("vCPUs of the instance types."),
    memoryMiB: requirementRange(16_000_000, "a size in MiB").describe("Memory of the instance types, in MiB."),
    allowedInstanceTypes: z
      .array(instanceTypePattern)
      .min(1, { error: "at least one instance type or pattern" })
      .max(40, { error: "at most 40 instance types or patterns (the fleet reconciler's Lambda environment holds them, 4 KB in all)" })
      .optional()
      .meta({ allowed: "a list of instance types or patterns with *" })
      .describe("Only these instance types (patterns with * allowed), of the AMI's architecture. Default: any that fits the ranges."),
  })
    .optional()
    .describe("Attribute-based instance type selection instead of a list: Auto Scaling picks every current instance type whose vCPUs and memory fit the ranges. Not with instanceTypes."),
  capacityRebalance: bool
    .default(true)
    .describe("Replace a Spot instance when EC2 signals an elevated risk of interruption, before the two-minute notice (Capacity Rebalancing)."),
})
  .prefault({})
  .describe("Mixed instances policy: On-Demand base and share, Spot, several instance types (docs/fleet-and-traffic.md, \"Capacity: warm pools, Spot and mixed instance types\").");

export const fleetSchema = strictObject({
  instanceType: instanceType.default("t3.small").describe("Instance type of the application fleet."),
  minSize: integer(0, 1000, "a number of instances").default(1).describe("Smallest number of instances."),
  maxSize: integer(1, 1000, "a number of instances").default(2).describe("Largest number of instances."),
  desiredCapacity: integer(0, 1000, "a number of instances")
    .optional()
    .describe("Instances at creation only; afterwards Auto Scaling and CodeDeploy own it (ignore_changes). Default: minSize."),
  subnets: oneOf(["private", "public"]).default("private").describe("Tier the instances run in. Instances in public subnets get a public IP (they have no NAT)."),
  healthCheckGracePeriodSeconds: integer(0, 7200, "a number of seconds").default(300).describe("Time a new instance has to boot and start the application before ELB health checks count."),
  detailedMonitoring: bool.default(false).describe("One-minute EC2 metrics (extra cost)."),
  keyName: pattern(/^[\x20-\x7e]{1,255}$/, "the name of an existing EC2 key pair")
    .optional()
    .describe("EC2 key pair for SSH. Off by default: Session Manager is the way in."),
  rootVolume: strictObject({
    sizeGb: integer(8, 16384, "a size in GiB").default(30).describe("Root volume size; at least the AMI's snapshot size."),
    type: oneOf(["gp3", "gp2", "io2"]).default("gp3").describe("Root volume type."),
  })
    .prefault({})
    .describe("Encrypted root EBS volume (environment KMS key)."),
  scaling: strictObject({
    cpuTargetPercent: integer(10, 90, "a CPU percentage").default(50).describe("Target tracking on average CPU."),
    requestsPerTarget: integer(1, 100000, "a number of requests")
      .optional()
      .describe("Also track ALB requests per target (per minute). Off when absent."),
    instanceWarmupSeconds: integer(0, 3600, "a number of seconds").default(300).describe("Time before a new instance's metrics count."),
  })
    .prefault({})
    .describe("Target tracking scaling policies."),
  terminationPolicies: z
    .array(oneOf(TERMINATION_POLICIES))
    .min(1, { error: "at least one termination policy" })
    .default(["OldestLaunchTemplate", "OldestInstance"])
    .meta({ allowed: `a list of ${TERMINATION_POLICIES.join(", ")}` })
    .describe("Which instances scale-in removes first."),
  proxy: strictObject({
    clientMaxBodyMiB: integer(1, 4096, "a size in MiB")
      .default(10)
      .describe("Largest request body Nginx passes to the application; larger requests get 413. The load balancer itself has no limit."),
  })
    .prefault({})
    .describe(
      "Nginx on every instance, the load balancer's target on port 80: proxies to application.port with gzip, a request body limit, timeouts that follow the load balancer's idle timeout, and JSON access logs in the application log group (needs nginx in goldenAmi.components).",
    ),
  warmPool: warmPoolSchema,
  purchase: purchaseSchema,
  instanceRefresh: instanceRefreshSchema,
})
  .prefault({})
  .describe("Launch template and Auto Scaling group.");

export type FleetConfig = z.output<typeof fleetSchema>;

/**
 * Rules across `fleet.warmPool`, `fleet.purchase` and the rest of the fleet (called from the
 * environment's superRefine, with the AMI's architecture). Looks only at fields that parsed.
 */
export function checkFleetCapacity(fleet: Record<string, any>, architecture: string | undefined, ctx: z.RefinementCtx): void {
  const warm: Record<string, any> = isRecord(fleet.warmPool) ? fleet.warmPool : {};
  const purchase: Record<string, any> = isRecord(fleet.purchase) ? fleet.purchase : {};
  const at = (...path: (string | number)[]) => ["fleet", ...path];
  if (warm.enabled === true && purchase.enabled === true) {
    ctx.addIssue({
      code: "custom",
      path: at("warmPool", "enabled"),
      input: true,
      message:
        "false while fleet.purchase.enabled is true: PutWarmPool refuses a group with a mixed instances policy or Spot (https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_PutWarmPool.html)",
    });
  }
  if (typeof warm.maxGroupPreparedCapacity === "number" && typeof warm.minSize === "number" && warm.maxGroupPreparedCapacity < warm.minSize) {
    ctx.addIssue({ code: "custom", path: at("warmPool", "maxGroupPreparedCapacity"), input: warm.maxGroupPreparedCapacity, message: `a value no smaller than fleet.warmPool.minSize (${warm.minSize})` });
  }
  if (typeof warm.maxGroupPreparedCapacity === "number" && typeof fleet.minSize === "number" && warm.maxGroupPreparedCapacity < fleet.minSize) {
    ctx.addIssue({ code: "custom", path: at("warmPool", "maxGroupPreparedCapacity"), input: warm.maxGroupPreparedCapacity, message: `a value no smaller than fleet.minSize (${fleet.minSize}): it counts the group's instances too` });
  }
  const types: unknown[] = Array.isArray(purchase.instanceTypes) ? purchase.instanceTypes : [];
  const requirements: Record<string, any> | undefined = isRecord(purchase.instanceRequirements) ? purchase.instanceRequirements : undefined;
  if (types.length > 0 && requirements) {
    ctx.addIssue({ code: "custom", path: at("purchase", "instanceRequirements"), input: requirements, message: "nothing while fleet.purchase.instanceTypes lists types: a mixed instances policy takes instance types or instance requirements, not both" });
  }
  const seen = new Set<string>(typeof fleet.instanceType === "string" ? [fleet.instanceType] : []);
  types.forEach((type, i) => {
    if (typeof type !== "string") return;
    if (seen.has(type)) {
      const what = type === fleet.instanceType ? `fleet.instanceType (${type}), which comes first anyway` : `${type}, listed twice`;
      ctx.addIssue({ code: "custom", path: at("purchase", "instanceTypes", i), input: type, message: `an instance type not already in the policy: this repeats ${what}` });
    }
    seen.add(type);
    if (architecture && instanceArchitecture(type) !== architecture) {
      ctx.addIssue({ code: "custom", path: at("purchase", "instanceTypes", i), input: type, message: `an instance type of the AMI's architecture (${architecture}): an AMI boots only on its own architecture` });
    }
  });
  if (requirements) {
    for (const range of ["vcpu", "memoryMiB"] as const) {
      const r: Record<string, any> = isRecord(requirements[range]) ? requirements[range] : {};
      if (typeof r.min === "number" && typeof r.max === "number" && r.max < r.min) {
        ctx.addIssue({ code: "custom", path: at("purchase", "instanceRequirements", range, "max"), input: r.max, message: `a value no smaller than min (${r.min})` });
      }
    }
    const allowed: unknown[] = Array.isArray(requirements.allowedInstanceTypes) ? requirements.allowedInstanceTypes : [];
    allowed.forEach((type, i) => {
      // Only a whole instance type has a known architecture; a pattern is matched by AWS.
      if (typeof type === "string" && !type.includes("*") && architecture && instanceArchitecture(type) !== architecture) {
        ctx.addIssue({ code: "custom", path: at("purchase", "instanceRequirements", "allowedInstanceTypes", i), input: type, message: `an instance type of the AMI's architecture (${architecture})` });
      }
    });
  }
  if (purchase.enabled !== true && (types.length > 0 || requirements)) {
    ctx.addIssue({ code: "custom", path: at("purchase", "enabled"), input: purchase.enabled ?? false, message: "true when fleet.purchase lists instanceTypes or instanceRequirements (they belong to the mixed instances policy)" });
  }
  if (typeof purchase.onDemandBaseCapacity === "number" && typeof fleet.maxSize === "number" && purchase.onDemandBaseCapacity > fleet.maxSize) {
    ctx.addIssue({ code: "custom", path: at("purchase", "onDemandBaseCapacity"), input: purchase.onDemandBaseCapacity, message: `a value no larger than fleet.maxSize (${fleet.maxSize})` });
  }
}

function isRecord(value: unknown): value is Record<string, any> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
