/** One IAM policy statement, in the shape of `aws_iam_policy_document`'s `statement` block. */
export interface PolicyStatement {
  readonly sid?: string;
  /** @default "Allow" */
  readonly effect?: "Allow" | "Deny";
  readonly actions?: readonly string[];
  readonly notActions?: readonly string[];
  readonly resources?: readonly string[];
  readonly principals?: readonly PolicyPrincipal[];
  readonly conditions?: readonly PolicyCondition[];
}

export interface PolicyPrincipal {
  readonly type: "AWS" | "Service" | "Federated" | "*";
  readonly identifiers: readonly string[];
}

export interface PolicyCondition {
  readonly test: string;
  readonly variable: string;
  readonly values: readonly string[];
}

/** Statement that denies any request that did not arrive over TLS. */
export function denyInsecureTransport(resources: readonly string[]): PolicyStatement {
  return {
    sid: "DenyInsecureTransport",
    effect: "Deny",
    actions: ["s3:*"],
    resources,
    principals: [{ type: "*", identifiers: ["*"] }],
    conditions: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
  };
}
