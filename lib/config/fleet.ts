import { z } from "zod";
import { bool, integer, oneOf, pattern, strictObject } from "./primitives";

export const instanceType = pattern(/^[a-z][a-z0-9-]*\d[a-z0-9-]*\.(nano|micro|small|medium|large|metal|\d*xlarge)$/, "an EC2 instance type such as t3.small or m7g.large");

export const TERMINATION_POLICIES = ["OldestLaunchTemplate", "OldestInstance", "NewestInstance", "ClosestToNextInstanceHour", "AllocationStrategy", "Default"] as const;

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
  instanceRefresh: bool
    .default(false)
    .describe("Roll the fleet when the launch template changes. In-place deployments only: with blue/green, CodeDeploy replaces the whole fleet on every release (see docs/release-pipeline.md)."),
})
  .prefault({})
  .describe("Launch template and Auto Scaling group.");

export type FleetConfig = z.output<typeof fleetSchema>;
