import { Rule } from "../engine";
import { block, blocks, isSet, shown } from "../terraform";

const DISTRIBUTION = ["aws_cloudfront_distribution"];
const HTTPS_VIEWER_POLICIES = ["redirect-to-https", "https-only"];

export const CLOUDFRONT_RULES: Rule[] = [
  {
    id: "CLOUDFRONT.VIEWER_HTTPS",
    title: "Every cache behavior makes viewers use HTTPS (redirect-to-https or https-only).",
    rationale: "With allow-all, browsers can stay on plain HTTP, where cookies and content can be read and altered in transit.",
    fix: "Set viewer_protocol_policy = \"redirect-to-https\" on default_cache_behavior and every ordered_cache_behavior.",
    checkov: ["CKV_AWS_34"],
    resourceTypes: DISTRIBUTION,
    check: (distribution) => {
      const behaviors = [
        ...blocks(distribution.values.default_cache_behavior).map((b) => ["default_cache_behavior", b] as const),
        ...blocks(distribution.values.ordered_cache_behavior).map((b, i) => [`ordered_cache_behavior[${i}] (${b.path_pattern})`, b] as const),
      ];
      return behaviors.filter(([, b]) => !HTTPS_VIEWER_POLICIES.includes(b.viewer_protocol_policy)).map(([name, b]) => `${name}: viewer_protocol_policy is ${shown(b.viewer_protocol_policy)}`);
    },
  },
  {
    id: "CLOUDFRONT.TLS_MIN_VERSION",
    title: "Distributions with a custom certificate accept TLS 1.2 or newer only.",
    rationale: "The default minimum (TLSv1) keeps TLS 1.0 and 1.1 open for the custom domain; the default CloudFront certificate cannot be tuned and is not checked.",
    fix: "Set viewer_certificate { minimum_protocol_version = \"TLSv1.2_2021\", ssl_support_method = \"sni-only\" }.",
    checkov: ["CKV_AWS_174", "CKV2_AWS_54"],
    resourceTypes: DISTRIBUTION,
    scope: "distributions whose viewer_certificate names an ACM or IAM certificate",
    appliesTo: (distribution) => {
      const certificate = block(distribution.values.viewer_certificate);
      return isSet(certificate.acm_certificate_arn) || isSet(certificate.iam_certificate_id);
    },
    check: (distribution) => {
      const version = block(distribution.values.viewer_certificate).minimum_protocol_version;
      return typeof version === "string" && /^TLSv1\.[23]_/.test(version) ? undefined : `viewer_certificate.minimum_protocol_version is ${shown(version, "TLSv1 by default")}`;
    },
  },
];
