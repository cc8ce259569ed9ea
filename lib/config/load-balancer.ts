import { z } from "zod";
import { wafSchema } from "./waf";
import { acmCertificateArn, bool, hostName, hostedZoneId, integer, oneOf, pattern, strictObject } from "./primitives";

/** TLS policies that allow TLS 1.2 or later only (ELB predefined policies). */
export const TLS_POLICIES = [
  "ELBSecurityPolicy-TLS13-1-2-2021-06",
  "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
  "ELBSecurityPolicy-TLS13-1-3-2021-06",
  "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
  "ELBSecurityPolicy-TLS-1-2-2017-01",
  "ELBSecurityPolicy-TLS-1-2-Ext-2018-06",
  "ELBSecurityPolicy-FS-1-2-Res-2020-10",
] as const;

export const healthCheckSchema = strictObject({
  path: pattern(/^\/[\x21-\x7e]*$/, "a URL path starting with / such as /health").default("/health").describe("Path the target group requests."),
  matcher: pattern(/^([1-5]\d\d)([-,][1-5]\d\d)*$/, "HTTP codes such as 200, 200-299 or 200,204").default("200-399").describe("Status codes that count as healthy."),
  intervalSeconds: integer(5, 300, "a number of seconds").default(15).describe("Time between checks."),
  timeoutSeconds: integer(2, 120, "a number of seconds").default(5).describe("Time a check may take."),
  healthyThreshold: integer(2, 10, "a number of checks").default(2).describe("Consecutive successes before a target is healthy."),
  unhealthyThreshold: integer(2, 10, "a number of checks").default(3).describe("Consecutive failures before a target is unhealthy."),
})
  .prefault({})
  .describe("Target group health check.");

export const cdnSchema = strictObject({
  enabled: bool.default(false).describe("Put a CloudFront distribution in front of the load balancer (dedicated mode)."),
  certificateArn: acmCertificateArn.optional().describe("ACM certificate in us-east-1 for the distribution's aliases."),
  aliases: z.array(hostName).default([]).meta({ allowed: "a list of DNS names" }).describe("Custom domain names of the distribution (need certificateArn)."),
  originDomainName: hostName
    .optional()
    .describe("Name CloudFront uses to reach the ALB over HTTPS; it must be covered by the ALB's certificate and resolve to the ALB (created in hostedZoneId). Required when the ALB serves HTTPS."),
  priceClass: oneOf(["PriceClass_100", "PriceClass_200", "PriceClass_All"]).default("PriceClass_100").describe("Edge locations used."),
  staticPathPatterns: z
    .array(pattern(/^\/?[\x21-\x7e]+$/, "a CloudFront path pattern such as /static/*"))
    .default([])
    .meta({ allowed: "a list of path patterns" })
    .describe("Paths cached with the managed CachingOptimized policy; everything else is not cached."),
})
  .prefault({})
  .describe("CloudFront in front of the load balancer.");

export const loadBalancerSchema = strictObject({
  mode: oneOf(["dedicated", "shared"])
    .default("dedicated")
    .describe("dedicated: one ALB per environment. shared: the ALB of the shared stack (sharedLoadBalancer) serves this environment by host name."),
  https: bool.optional().describe("Serve HTTPS on 443 and redirect 80 to it. Default: true when certificateArn is set."),
  certificateArn: acmCertificateArn.optional().describe("ACM certificate for the HTTPS listener (shared mode: added to the shared listener for SNI)."),
  hostName: hostName.optional().describe("Host name the environment answers on (Route53 alias; host rule in shared mode)."),
  hostedZoneId: hostedZoneId.optional().describe("Public hosted zone that holds hostName."),
  sslPolicy: oneOf(TLS_POLICIES).default("ELBSecurityPolicy-TLS13-1-2-2021-06").describe("TLS policy of the HTTPS listener (TLS 1.2 or later only)."),
  healthCheck: healthCheckSchema,
  deregistrationDelaySeconds: integer(0, 3600, "a number of seconds").default(30).describe("Time in-flight requests get when a target leaves."),
  idleTimeoutSeconds: integer(1, 4000, "a number of seconds").default(60).describe("ALB connection idle timeout."),
  accessLogs: strictObject({
    expirationDays: integer(1, 3650, "a number of days").default(90).describe("Days access logs are kept."),
  })
    .prefault({})
    .describe("ALB access logs, delivered to a bucket of their own (SSE-S3, which is all ALB log delivery supports)."),
  rulePriority: integer(1, 50000, "a listener rule priority")
    .optional()
    .describe("Shared mode: priority of this environment's host rule. Default: derived from the environment name (stable; adding an environment never changes another's)."),
  cdn: cdnSchema,
  waf: wafSchema.describe("AWS WAF web ACL of the environment: on CloudFront when cdn is enabled, else on the ALB. Shared mode: set sharedLoadBalancer.waf instead (the shared ALB has one web ACL)."),
})
  .prefault({})
  .describe("Application Load Balancer and what is in front of it.");

const emailAddress = pattern(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, "an e-mail address");

export const notificationsSchema = strictObject({
  email: emailAddress.optional().describe("Subscribe this address to the environment's notification topic (confirm the e-mail AWS sends)."),
})
  .prefault({})
  .describe("SNS topic for fleet events, alarms and deployments.");

/** The shared load balancer stack's topic: the shared ALB's own alarms go there, not to an environment's. */
export const sharedNotificationsSchema = strictObject({
  email: emailAddress.optional().describe("Subscribe this address to the shared stack's notification topic (confirm the e-mail AWS sends)."),
})
  .prefault({})
  .describe("SNS topic of the shared stack, for the shared ALB's alarms.");

/** Alarms on the shared ALB as a whole: they notify, and stop no environment's deployment. */
export const sharedAlarmsSchema = strictObject({
  http5xxPerMinute: integer(1, 100000, "a number of responses")
    .default(10)
    .describe("5xx responses per minute the shared ALB answers itself, all environments together, that raise its alarm."),
  evaluationMinutes: integer(1, 60, "a number of minutes").default(5).describe("Minutes the condition must last."),
})
  .prefault({})
  .describe("The shared ALB's own 5xx alarm (HTTPCode_ELB_5XX_Count has no target group dimension): sent to the shared stack's topic; it stops no environment's deployment.");

export type LoadBalancerConfig = z.output<typeof loadBalancerSchema>;
