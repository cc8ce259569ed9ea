import { z } from "zod";
import { availabilityZone, bool, ingressCidr, integer, ipv4Cidr, logRetentionDays, oneOf, sshIngressCidrs, strictObject } from "./primitives";

/** The most availability zones a VPC spreads over; the subnet plan reserves four slots per tier. */
export const MAX_AZS = 4;

export const flowLogsSchema = strictObject({
  enabled: bool.default(true).describe("Record VPC flow logs to CloudWatch Logs."),
  retentionDays: logRetentionDays.default(90).describe("Days flow records are kept."),
  trafficType: oneOf(["ALL", "ACCEPT", "REJECT"]).default("ALL").describe("Which traffic to record."),
})
  .prefault({})
  .describe("VPC flow logs.");

/**
 * Interface endpoints the configuration may ask for (`com.amazonaws.<region>.<name>`). What each
 * workload needs without NAT is {@link requiredInterfaceEndpoints}; docs/network-and-edge.md cites the sources.
 */
export const INTERFACE_ENDPOINTS = [
  "ssm",
  "ssmmessages",
  "ec2messages",
  "ecr.api",
  "ecr.dkr",
  "logs",
  "monitoring",
  "sts",
  "kms",
  "secretsmanager",
  "codedeploy",
  "codedeploy-commands-secure",
  "ecs",
  "ecs-agent",
  "ecs-telemetry",
] as const;
export type InterfaceEndpoint = (typeof INTERFACE_ENDPOINTS)[number];

export const endpointsSchema = strictObject({
  s3Gateway: bool
    .default(true)
    .describe("S3 gateway endpoint on the private subnets' route tables (free): artifacts, package repositories and ECR image layers stop paying NAT data processing."),
  interface: z
    .array(oneOf(INTERFACE_ENDPOINTS))
    .default([])
    .refine((names) => new Set(names).size === names.length, { error: "a list without duplicates" })
    .meta({ allowed: `a list of ${INTERFACE_ENDPOINTS.map((n) => JSON.stringify(n)).join(", ")}` })
    .describe(
      "Interface endpoints (PrivateLink, private DNS on) in the private subnets, behind a security group that admits 443 from the VPC CIDR only. Each costs per hour and zone (docs/network-and-edge.md); required for a private fleet with natGateways: none.",
    ),
})
  .prefault({})
  .describe("VPC endpoints: AWS APIs without NAT.");

export const networkSchema = strictObject({
  cidr: ipv4Cidr(16, 22).describe("VPC CIDR. Subnets are /(prefix+4) blocks: public slots 0-3, private 4-7, data 8-11, one per zone."),
  availabilityZones: z
    .array(availabilityZone)
    .min(2, { error: "at least 2 availability zones" })
    .max(MAX_AZS, { error: `at most ${MAX_AZS} availability zones` })
    .refine((azs) => new Set(azs).size === azs.length, { error: "availability zones without duplicates" })
    .optional()
    .meta({ allowed: `2 to ${MAX_AZS} distinct zones of the environment's region` })
    .describe("Zones to use. Default: the first azCount zones the region reports (one aws_availability_zones lookup per stack)."),
  azCount: integer(2, MAX_AZS, "a number of availability zones").default(2).describe("How many zones to span when availabilityZones is not given."),
  privateSubnets: bool.default(true).describe("Private application subnets (internet through NAT)."),
  natGateways: oneOf(["none", "single", "per-az"])
    .default("single")
    .describe("NAT for the private subnets: one shared gateway (cheaper; its zone is a single point of failure) or one per zone (about 3x the hourly cost with 3 zones)."),
  dataSubnets: bool.default(false).describe("Isolated data subnets (no route out of the VPC) behind their own network ACL, and a database security group."),
  databasePort: integer(1, 65535, "a TCP port").default(5432).describe("Port the database group and the data NACL admit from the application tier."),
  albIngressCidrs: z
    .array(ingressCidr)
    .min(1, { error: "at least one CIDR" })
    .default(["0.0.0.0/0"])
    .meta({ allowed: "a list of IPv4/IPv6 CIDRs" })
    .describe("Who may reach the load balancer on 80 and 443."),
  sshIngressCidrs: sshIngressCidrs.describe("Who may reach instances on SSH. Empty: no SSH rule at all (use Session Manager)."),
  flowLogs: flowLogsSchema,
  endpoints: endpointsSchema,
})
  .describe("VPC, subnets, NAT, security groups and flow logs.");

export type NetworkConfig = z.output<typeof networkSchema>;

/** Interface endpoints every workload in the private subnets needs when there is no NAT (docs/network-and-edge.md). */
export function requiredInterfaceEndpoints(workload: { platform: "fleet" | "ecs"; docker?: boolean; ecsOnEc2?: boolean; ecsExec?: boolean }): InterfaceEndpoint[] {
  if (workload.platform === "ecs") {
    // Image pulls (ECR API and registry; layers come from S3 through the gateway) and the awslogs driver.
    const needs: InterfaceEndpoint[] = ["ecr.api", "ecr.dkr", "logs"];
    // Container instances: the ECS agent's control channel and telemetry, and Session Manager.
    if (workload.ecsOnEc2) needs.push("ecs", "ecs-agent", "ecs-telemetry", "ssm", "ssmmessages", "ec2messages");
    // ECS Exec: the SSM agent in each task opens its channels on ssmmessages and decrypts the
    // session's data key with KMS (Amazon ECS developer guide, "Using Amazon ECS Exec",
    // considerations: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec.html).
    if (workload.ecsExec) needs.push(...(["ssmmessages", "kms"] as const).filter((name) => !needs.includes(name)));
    return needs;
  }
  // SSM Agent (parameters, Session Manager, Run Command), the CloudWatch agent (logs, metrics) and
  // the CodeDeploy agent (commands channel); Docker releases also pull from ECR.
  const needs: InterfaceEndpoint[] = ["ssm", "ssmmessages", "ec2messages", "logs", "monitoring", "codedeploy", "codedeploy-commands-secure"];
  if (workload.docker) needs.push("ecr.api", "ecr.dkr");
  return needs;
}

/**
 * Private subnets without NAT: whatever runs there reaches AWS through endpoints only, so the
 * configuration must enable the ones it needs. `network` is the VPC's configuration (the
 * environment's, or the shared stack's at `path`); `env` is the environment that runs in it.
 * Tolerates malformed input (runs alongside field errors).
 */
export function checkPrivateEgress(network: Record<string, any>, env: Record<string, any>, path: Array<string | number>, ctx: z.core.$RefinementCtx<any>, envPath: Array<string | number> = []): void {
  const endpoints: Record<string, any> = isRecord(network.endpoints) ? network.endpoints : {};
  const enabled: unknown[] = Array.isArray(endpoints.interface) ? endpoints.interface : [];
  if (network.privateSubnets === false) {
    if (enabled.length > 0) {
      ctx.addIssue({ code: "custom", path: [...path, "endpoints", "interface"], input: enabled, message: "[] while network.privateSubnets is false (interface endpoints live in the private subnets)" });
    }
    return;
  }
  if (network.natGateways !== "none") return;
  const where = envPath.length > 0 ? `, which environments.${envPath[1]} runs in` : "";
  const ami: Record<string, any> = isRecord(env.goldenAmi) ? env.goldenAmi : {};
  // ECS environments build no golden AMI (the section's default stays in their parsed value).
  if (ami.enabled === true && env.platform !== "ecs") {
    ctx.addIssue({
      code: "custom",
      path: [...envPath, "goldenAmi", "enabled"],
      input: true,
      message: `false while ${path.join(".")}.natGateways is "none"${where}: the Image Builder build instance installs packages and reports to Image Builder through NAT (or set natGateways: "single")`,
    });
  }
  const fleet: Record<string, any> = isRecord(env.fleet) ? env.fleet : {};
  const platform = env.platform ?? "fleet";
  const inPrivate = platform === "ecs" || (platform === "fleet" && (fleet.subnets ?? "private") === "private");
  if (!inPrivate) return;
  const application: Record<string, any> = isRecord(env.application) ? env.application : {};
  const services: unknown[] = isRecord(env.ecs) && Array.isArray(env.ecs.services) ? env.ecs.services : [];
  const required = requiredInterfaceEndpoints({
    platform: platform === "ecs" ? "ecs" : "fleet",
    docker: application.runtime === "docker",
    ecsOnEc2: services.some((s) => isRecord(s) && s.launchType === "EC2"),
    ecsExec: isRecord(env.ecs) && isRecord(env.ecs.exec) && env.ecs.exec.enabled === true,
  });
  const who = platform === "ecs" ? "ECS tasks run in the private subnets" : "the fleet runs in private subnets";
  if (endpoints.s3Gateway === false) {
    ctx.addIssue({
      code: "custom",
      path: [...path, "endpoints", "s3Gateway"],
      input: false,
      message: `true while ${path.join(".")}.natGateways is "none" and ${who}${where}: artifacts, package repositories and image layers are in S3 (or set natGateways: "single")`,
    });
  }
  const missing = required.filter((name) => !enabled.includes(name));
  if (missing.length > 0) {
    ctx.addIssue({
      code: "custom",
      path: [...path, "endpoints", "interface"],
      input: enabled,
      message: `a list that includes ${missing.map((m) => JSON.stringify(m)).join(", ")} while ${path.join(".")}.natGateways is "none" and ${who}${where}: without NAT they reach AWS only through these endpoints (or set natGateways: "single")`,
    });
  }
}

function isRecord(value: unknown): value is Record<string, any> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
