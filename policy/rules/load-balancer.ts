import { Rule } from "../engine";
import { LISTENER_RULE_TYPES, LISTENER_TYPES, LOAD_BALANCER_TYPES, TARGET_GROUP_TYPES } from "../relations";
import { block, blocks, isSet, isTrue, shown, StackView, TfResource } from "../terraform";

/** ELB security policies whose oldest protocol is TLS 1.2 or 1.3 (the name encodes the minimum version). */
export const MODERN_SSL_POLICY = /^ELBSecurityPolicy-(TLS13-1-[23]|TLS-1-2|FS-1-2)-/;

function isApplication(lb: TfResource): boolean {
  return (lb.values.load_balancer_type ?? "application") === "application";
}

function isEncrypted(listener: TfResource): boolean {
  return ["HTTPS", "TLS"].includes(listener.values.protocol) || isSet(listener.values.certificate_arn);
}

function isPlainHttp(listener: TfResource): boolean {
  return (listener.values.protocol ?? "HTTP") === "HTTP" && !isSet(listener.values.certificate_arn);
}

/** The load balancer a listener belongs to: its address in this stack, or the literal ARN expression. */
function loadBalancerOf(stack: StackView, listener: TfResource): string {
  return stack.refs(listener.values.load_balancer_arn, ...LOAD_BALANCER_TYPES)[0]?.address ?? String(listener.values.load_balancer_arn);
}

/** Why an action of an HTTP listener is more than a redirect to HTTPS (nothing when it is one). */
function notRedirectToHttps(where: string, action: Record<string, any>): string[] {
  if (action.type !== "redirect") return [`${where}: action type is ${shown(action.type)}`];
  const protocol = block(action.redirect).protocol;
  return protocol === "HTTPS" ? [] : [`${where}: redirect.protocol is ${shown(protocol)}`];
}

export const LOAD_BALANCER_RULES: Rule[] = [
  {
    id: "ALB.DROP_INVALID_HEADERS",
    title: "Application load balancers drop HTTP header fields that are not valid.",
    rationale: "Malformed headers are a vector for request smuggling and header injection against the targets.",
    fix: "Set drop_invalid_header_fields = true on the aws_lb.",
    checkov: ["CKV_AWS_131"],
    resourceTypes: LOAD_BALANCER_TYPES,
    scope: "application load balancers",
    appliesTo: isApplication,
    check: (lb) => (isTrue(lb.values.drop_invalid_header_fields) ? undefined : `drop_invalid_header_fields is ${shown(lb.values.drop_invalid_header_fields)}`),
  },
  {
    id: "ALB.ACCESS_LOGS",
    title: "Application load balancers write access logs to S3.",
    rationale: "Access logs are the record of who called what, needed for incident response and for debugging 5xx errors.",
    fix: "Set access_logs { bucket = <SSE-S3 log bucket>, enabled = true } (ALB log delivery does not support SSE-KMS).",
    checkov: ["CKV_AWS_91"],
    resourceTypes: LOAD_BALANCER_TYPES,
    scope: "application load balancers",
    appliesTo: isApplication,
    check: (lb) => {
      const logs = block(lb.values.access_logs);
      return isTrue(logs.enabled) && isSet(logs.bucket) ? undefined : `access_logs is ${shown(lb.values.access_logs)}`;
    },
  },
  {
    id: "ALB.DELETION_PROTECTION",
    title: "Load balancers of protected stacks have deletion protection.",
    rationale: "Deleting the load balancer of a live environment takes it off the internet and changes its DNS name; protected environments must not lose it to a stray destroy.",
    fix: "Set enable_deletion_protection = true; the EnvironmentStack passes the environment's `protection` setting to the pack.",
    checkov: ["CKV_AWS_150"],
    resourceTypes: LOAD_BALANCER_TYPES,
    scope: "stacks with protection on",
    appliesTo: (_lb, stack) => stack.protection,
    check: (lb) => (isTrue(lb.values.enable_deletion_protection) ? undefined : `enable_deletion_protection is ${shown(lb.values.enable_deletion_protection)}`),
  },
  {
    id: "ALB.TLS_POLICY",
    title: "HTTPS and TLS listeners use a security policy whose minimum protocol is TLS 1.2.",
    rationale: "The provider's default policy (ELBSecurityPolicy-2016-08) still accepts TLS 1.0 and 1.1, which have known weaknesses and fail PCI DSS.",
    fix: "Set ssl_policy = \"ELBSecurityPolicy-TLS13-1-2-2021-06\" (or another ELBSecurityPolicy-TLS13-1-2/1-3, TLS-1-2 or FS-1-2 policy).",
    checkov: ["CKV_AWS_103"],
    resourceTypes: LISTENER_TYPES,
    scope: "listeners with protocol HTTPS or TLS, or a certificate",
    appliesTo: isEncrypted,
    check: (listener) => {
      const policy = listener.values.ssl_policy;
      return typeof policy === "string" && MODERN_SSL_POLICY.test(policy) ? undefined : `ssl_policy is ${shown(policy, "the provider uses ELBSecurityPolicy-2016-08, which allows TLS 1.0")}`;
    },
  },
  {
    id: "ALB.HTTP_REDIRECTS_TO_HTTPS",
    title: "When a load balancer has an HTTPS listener, its HTTP listeners only redirect to HTTPS.",
    rationale: "Serving the application on plain HTTP next to HTTPS leaks cookies and lets clients stay on the insecure path.",
    fix: "Make the HTTP listener's default_action a redirect with protocol HTTPS (status HTTP_301) and attach host or path rules to the HTTPS listener only.",
    checkov: ["CKV2_AWS_20", "CKV_AWS_2"],
    resourceTypes: LISTENER_TYPES,
    scope: "HTTP listeners of load balancers that also have an HTTPS listener",
    appliesTo: (listener, stack) =>
      isPlainHttp(listener) && stack.resources(...LISTENER_TYPES).some((other) => isEncrypted(other) && loadBalancerOf(stack, other) === loadBalancerOf(stack, listener)),
    check: (listener, stack) => {
      const rules = stack.referrers(listener, LISTENER_RULE_TYPES, "listener_arn");
      return [
        ...blocks(listener.values.default_action).flatMap((a, i) => notRedirectToHttps(`default_action[${i}]`, a)),
        ...rules.flatMap((rule) => blocks(rule.values.action).flatMap((a) => notRedirectToHttps(rule.address, a))),
      ];
    },
  },
  {
    id: "ALB.TARGET_GROUP_HEALTH_CHECK",
    title: "Target groups have an explicit, enabled health check (with a path for HTTP and HTTPS).",
    rationale: "The health check decides which instances get traffic and, with ELB health checks, which ones are replaced; the default path \"/\" rarely proves the application works.",
    fix: "Add health_check { enabled = true, path = \"/health\", matcher = \"200\", interval, healthy_threshold, unhealthy_threshold } to the target group.",
    checkov: ["CKV_AWS_261"],
    resourceTypes: TARGET_GROUP_TYPES,
    scope: "target groups other than Lambda targets",
    appliesTo: (tg) => tg.values.target_type !== "lambda",
    check: (tg) => {
      const check = blocks(tg.values.health_check)[0];
      if (!check) return "no health_check block";
      if (check.enabled === false) return "health_check.enabled is false";
      const protocol = check.protocol ?? tg.values.protocol ?? "HTTP";
      return ["HTTP", "HTTPS"].includes(protocol) && !isSet(check.path) ? `health_check.path is not set (protocol ${protocol})` : undefined;
    },
  },
];
