import { Wafv2WebAcl, Wafv2WebAclRule } from "@cdktf/provider-aws/lib/wafv2-web-acl";
import { Wafv2WebAclAssociation } from "@cdktf/provider-aws/lib/wafv2-web-acl-association";
import { Wafv2WebAclLoggingConfiguration } from "@cdktf/provider-aws/lib/wafv2-web-acl-logging-configuration";
import { TerraformProvider } from "cdktf";
import { Construct } from "constructs";
import { childId, pin } from "../lib/address";
import { EncryptionKey } from "./encryption-key";
import { LogGroup } from "./log-group";

/** AWS managed rule groups the web ACL runs, in evaluation order after the rate rule. */
export const MANAGED_RULE_GROUPS = ["AWSManagedRulesAmazonIpReputationList", "AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"] as const;
export type ManagedRuleGroup = (typeof MANAGED_RULE_GROUPS)[number];

/** WAF only delivers to CloudWatch Logs groups whose name starts with this (WAF developer guide, "Logging destinations"). */
export const WAF_LOG_GROUP_PREFIX = "aws-waf-logs-";

export interface WebAclProps {
  /** Names the ACL, its metrics and its log group (`aws-waf-logs-<namePrefix>`). */
  readonly namePrefix: string;
  /**
   * REGIONAL for an ALB (same region as the ALB); CLOUDFRONT for a distribution, which AWS only
   * accepts in us-east-1: pass a us-east-1 `provider` then.
   */
  readonly scope: "REGIONAL" | "CLOUDFRONT";
  /** Provider the ACL, its log group and its logging configuration are created with. @default the stack's default provider */
  readonly provider?: TerraformProvider;
  /** Encrypts the log group; in the log group's region (the provider's). */
  readonly logEncryptionKey: EncryptionKey;
  /** Days log records are kept. */
  readonly logRetentionDays: number;
  /**
   * Request headers written as REDACTED in the logs (lower case).
   * @default ["authorization", "cookie"]
   */
  readonly redactedHeaders?: readonly string[];
  /** Requests one client IP may make per `rateLimitWindowSeconds` before it is blocked. */
  readonly rateLimit: number;
  /**
   * Window of the rate rule.
   * @default 300
   */
  readonly rateLimitWindowSeconds?: 60 | 120 | 300 | 600;
  /**
   * Managed groups that only count (override action count).
   * @default []
   */
  readonly countRuleGroups?: readonly ManagedRuleGroup[];
  /**
   * Single rules of managed groups set to count (rule_action_override).
   * @default []
   */
  readonly countRules?: readonly { readonly group: ManagedRuleGroup; readonly name: string }[];
  /** ARN of an ALB to associate (REGIONAL only); a distribution names the ACL in its own `web_acl_id` instead. */
  readonly loadBalancerArn?: string;
}

/**
 * A WAFv2 web ACL that allows by default and blocks: clients over a rate limit per IP, then what the
 * AWS managed groups IP reputation, common rule set and known bad inputs match. Every rule has
 * CloudWatch metrics and sampled requests; full request logs go to a KMS-encrypted log group with
 * sensitive headers redacted.
 */
export class WebAcl extends Construct {
  public readonly webAclArn: string;
  public readonly webAclName: string;
  public readonly logGroupName: string;

  constructor(scope: Construct, id: string, props: WebAclProps) {
    super(scope, id);
    if (props.scope === "CLOUDFRONT" && props.loadBalancerArn) throw new Error(`${this.node.path}: a CLOUDFRONT web ACL cannot be associated with a load balancer`);
    const metric = (suffix: string) => ({ cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: `${props.namePrefix}-${suffix}` });
    const countGroups = new Set(props.countRuleGroups ?? []);
    const countRules = props.countRules ?? [];
    for (const rule of countRules) {
      if (!(MANAGED_RULE_GROUPS as readonly string[]).includes(rule.group)) throw new Error(`${this.node.path}: countRules names ${rule.group}, which the ACL does not run`);
    }

    const rules: Wafv2WebAclRule[] = [
      {
        name: "rate-limit",
        priority: 0,
        action: { block: {} },
        // `statement` is untyped in the provider bindings: keys are written as Terraform expects them.
        statement: { rate_based_statement: { limit: props.rateLimit, aggregate_key_type: "IP", evaluation_window_sec: props.rateLimitWindowSeconds ?? 300 } },
        visibilityConfig: metric("rate-limit"),
      },
      ...MANAGED_RULE_GROUPS.map((group, i) => {
        const overrides = countRules.filter((r) => r.group === group).map((r) => ({ name: r.name, action_to_use: { count: {} } }));
        return {
          name: group,
          priority: 10 * (i + 1),
          overrideAction: countGroups.has(group) ? { count: {} } : { none: {} },
          statement: {
            managed_rule_group_statement: { vendor_name: "AWS", name: group, ...(overrides.length > 0 ? { rule_action_override: overrides } : {}) },
          },
          visibilityConfig: metric(group),
        };
      }),
    ];

    const acl = pin(
      this,
      new Wafv2WebAcl(this, "web-acl", {
        name: props.namePrefix,
        description: `Protects ${props.namePrefix}: rate limit per IP and AWS managed rule groups`,
        scope: props.scope,
        defaultAction: { allow: {} },
        rule: rules,
        visibilityConfig: metric("web-acl"),
        provider: props.provider,
      }),
    );
    this.webAclArn = acl.arn;
    this.webAclName = acl.name;

    const logs = new LogGroup(this, childId(this, "logs"), {
      logGroupName: `${WAF_LOG_GROUP_PREFIX}${props.namePrefix}`,
      retentionDays: props.logRetentionDays,
      encryptionKey: props.logEncryptionKey,
      provider: props.provider,
    });
    this.logGroupName = logs.logGroupName;
    // WAF adds the resource policy that lets log delivery write to aws-waf-logs-* groups itself
    // (PutLoggingConfiguration; WAF developer guide, "Sending web ACL traffic logs to CloudWatch Logs").
    pin(
      this,
      new Wafv2WebAclLoggingConfiguration(this, "logging", {
        resourceArn: acl.arn,
        logDestinationConfigs: [logs.logGroupArn],
        redactedFields: (props.redactedHeaders ?? ["authorization", "cookie"]).map((name) => ({ singleHeader: { name } })),
        provider: props.provider,
      }),
    );

    if (props.loadBalancerArn) {
      pin(this, new Wafv2WebAclAssociation(this, "association", { resourceArn: props.loadBalancerArn, webAclArn: acl.arn, provider: props.provider }));
    }
  }
}
