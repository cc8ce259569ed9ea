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
})
  .describe("VPC, subnets, NAT, security groups and flow logs.");

export type NetworkConfig = z.output<typeof networkSchema>;
