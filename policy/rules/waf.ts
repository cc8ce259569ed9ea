import { Rule } from "../engine";
import { blocks, shown } from "../terraform";

const WEB_ACL = ["aws_wafv2_web_acl"];
const LOGGING = ["aws_wafv2_web_acl_logging_configuration"];

export const WAF_RULES: Rule[] = [
  {
    id: "WAF.LOGGING",
    title: "Every WAF web ACL has a logging configuration.",
    rationale: "Without request logs nobody can tell which rule blocked a customer (a false positive) or what an attack looked like; sampled requests keep only three hours of a few hundred requests.",
    fix: "Add an aws_wafv2_web_acl_logging_configuration whose resource_arn is the web ACL's ARN, delivering to a log group named aws-waf-logs-* (the WebAcl construct does).",
    checkov: ["CKV2_AWS_31"],
    resourceTypes: WEB_ACL,
    check: (acl, stack) => (stack.referrers(acl, LOGGING, "resource_arn").length > 0 ? undefined : "no aws_wafv2_web_acl_logging_configuration refers to this web ACL"),
  },
  {
    id: "WAF.LOG_REDACTS_AUTHORIZATION",
    title: "WAF logging configurations redact the authorization header.",
    rationale: "WAF logs every request header verbatim: bearer tokens and basic-auth credentials would be readable by anyone with access to the log group, for its whole retention.",
    fix: "Add redacted_fields { single_header { name = \"authorization\" } } (and cookie where sessions are cookies) to the logging configuration.",
    resourceTypes: LOGGING,
    check: (logging) => {
      const headers = blocks(logging.values.redacted_fields).flatMap((f) => blocks(f.single_header).map((h) => String(h.name ?? "").toLowerCase()));
      return headers.includes("authorization") ? undefined : `redacted_fields single_header names are ${shown(headers.length > 0 ? headers : undefined, "none")}`;
    },
  },
];
