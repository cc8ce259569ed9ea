import { z } from "zod";
import { bool, integer, logRetentionDays, oneOf, pattern, strictObject } from "./primitives";

/** AWS managed rule groups every web ACL runs (vendor AWS; no extra fee beyond the rule charge). */
export const WAF_MANAGED_RULE_GROUPS = ["AWSManagedRulesAmazonIpReputationList", "AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"] as const;
export type WafManagedRuleGroup = (typeof WAF_MANAGED_RULE_GROUPS)[number];

const ruleGroup = oneOf(WAF_MANAGED_RULE_GROUPS);

export const wafSchema = strictObject({
  enabled: bool
    .default(false)
    .describe(
      "An AWS WAF web ACL (managed rule groups: IP reputation, common, known bad inputs; a rate limit per client IP) with logging. On CloudFront when loadBalancer.cdn is enabled (scope CLOUDFRONT, in us-east-1), else on the ALB. Costs a fixed monthly fee per ACL and rule plus a fee per million requests.",
    ),
  rateLimit: integer(100, 2_000_000_000, "a number of requests")
    .default(2000)
    .describe("Requests one client IP may make in rateLimitWindowSeconds before the rate rule blocks it."),
  rateLimitWindowSeconds: z
    .union([z.literal(60), z.literal(120), z.literal(300), z.literal(600)], { error: "one of 60, 120, 300, 600" })
    .default(300)
    .meta({ allowed: "one of 60, 120, 300, 600" })
    .describe("Window the rate rule counts requests over."),
  countRuleGroups: z
    .array(ruleGroup)
    .default([])
    .refine((names) => new Set(names).size === names.length, { error: "a list without duplicates" })
    .meta({ allowed: `a list of ${WAF_MANAGED_RULE_GROUPS.join(", ")}` })
    .describe("Managed rule groups that only count matches (override action count) instead of blocking: for a new group, or while a false positive is investigated."),
  countRules: z
    .array(
      strictObject({
        group: ruleGroup.describe("The managed rule group of the rule."),
        name: pattern(/^[A-Za-z0-9_-]{1,128}$/, "a rule name of the group, such as SizeRestrictions_BODY").describe("Name of the rule inside the group."),
      }),
    )
    .default([])
    .meta({ allowed: "a list of { group, name }" })
    .describe("Single rules of a managed group set to count (rule_action_override) while the rest of the group keeps blocking: the usual fix for a false positive."),
  logging: strictObject({
    retentionDays: logRetentionDays.default(90).describe("Days WAF log records are kept (log group aws-waf-logs-<app>-<env>, encrypted with a customer-managed key)."),
    redactedHeaders: z
      .array(pattern(/^[a-z0-9!#$%&'*+.^_`|~-]{1,64}$/, "a lower-case HTTP header name such as authorization"))
      .default(["authorization", "cookie"])
      .meta({ allowed: "a list of lower-case header names" })
      .describe("Request headers WAF writes as REDACTED in its logs."),
  })
    .prefault({})
    .describe("WAF request logs to CloudWatch Logs (always on with the web ACL)."),
})
  .prefault({})
  .describe("AWS WAF in front of the application (off by default: it costs money).");

export type WafConfig = z.output<typeof wafSchema>;
