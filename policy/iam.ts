import { blocks, isExpression, StackView, strings, TfResource } from "./terraform";

/** One policy statement, normalized from `aws_iam_policy_document` blocks or a JSON document. */
export interface Statement {
  /** Where it comes from, for messages: `data.aws_iam_policy_document.x statement 2 (Sid)`. */
  readonly label: string;
  readonly effect: "Allow" | "Deny";
  readonly actions: readonly string[];
  readonly notActions: readonly string[];
  readonly resources: readonly string[];
  readonly notResources: readonly string[];
  readonly principals: readonly Principal[];
  readonly conditions: readonly Condition[];
}

export interface Principal {
  readonly type: string;
  readonly identifiers: readonly string[];
}

export interface Condition {
  readonly test: string;
  readonly variable: string;
  readonly values: readonly string[];
}

/**
 * How a document is used decides what `Resource: "*"` means: in a KMS key policy it is "this
 * key", in an ECR repository policy the resource is implicit, in a trust policy there is none.
 */
export type DocumentKind = "identity" | "resource" | "key" | "repository" | "trust";

export interface PolicyDocument {
  readonly kind: DocumentKind;
  /** The argument that holds it, e.g. `policy` or `inline_policy[0].policy`. */
  readonly field: string;
  readonly statements: readonly Statement[];
  /** Set when the value is neither an `aws_iam_policy_document` reference nor literal JSON. */
  readonly unresolved?: string;
}

/** Arguments that hold policy documents, by resource type. */
const DOCUMENT_FIELDS: Record<string, ReadonlyArray<readonly [string, DocumentKind]>> = {
  aws_iam_role: [["assume_role_policy", "trust"]],
  aws_iam_role_policy: [["policy", "identity"]],
  aws_iam_policy: [["policy", "identity"]],
  aws_iam_user_policy: [["policy", "identity"]],
  aws_iam_group_policy: [["policy", "identity"]],
  aws_kms_key: [["policy", "key"]],
  aws_kms_key_policy: [["policy", "key"]],
  aws_s3_bucket: [["policy", "resource"]],
  aws_s3_bucket_policy: [["policy", "resource"]],
  aws_sns_topic: [["policy", "resource"]],
  aws_sns_topic_policy: [["policy", "resource"]],
  aws_sqs_queue_policy: [["policy", "resource"]],
  aws_ecr_repository_policy: [["policy", "repository"]],
};

/** Resource types that carry permission documents (identity or resource policies, not trust). */
export const PERMISSION_DOCUMENT_TYPES = Object.keys(DOCUMENT_FIELDS);

/** Every policy document `resource` carries, resolved through `aws_iam_policy_document` data sources. */
export function documentsOf(resource: TfResource, stack: StackView): PolicyDocument[] {
  const out: PolicyDocument[] = [];
  for (const [field, kind] of DOCUMENT_FIELDS[resource.type] ?? []) {
    const value = resource.values[field];
    if (value !== undefined) out.push({ kind, field, ...resolveDocument(value, stack) });
  }
  if (resource.type === "aws_iam_role") {
    blocks(resource.values.inline_policy).forEach((inline, i) => {
      if (inline.policy !== undefined) out.push({ kind: "identity", field: `inline_policy[${i}].policy`, ...resolveDocument(inline.policy, stack) });
    });
  }
  return out;
}

/** Permission documents (identity and resource policies) of `resource`. */
export function permissionDocumentsOf(resource: TfResource, stack: StackView): PolicyDocument[] {
  return documentsOf(resource, stack).filter((d) => d.kind !== "trust");
}

/** Statements of a policy given as `${data.aws_iam_policy_document.x.json}` or as literal JSON. */
export function resolveDocument(value: unknown, stack: StackView, seen = new Set<string>()): { statements: Statement[]; unresolved?: string } {
  if (typeof value !== "string") return { statements: [], unresolved: JSON.stringify(value) };
  const reference = /^\$\{(data\.aws_iam_policy_document\.[\w-]+)\.(json|minified_json)\}$/.exec(value.trim());
  if (reference) {
    const document = stack.get(reference[1]);
    if (!document) return { statements: [], unresolved: value };
    if (seen.has(document.address)) return { statements: [] };
    seen.add(document.address);
    const statements: Statement[] = [];
    let unresolved: string | undefined;
    // Documents merged in through source/override documents count as part of this one.
    for (const key of ["source_policy_documents", "override_policy_documents"]) {
      for (const part of strings(document.values[key])) {
        const resolved = resolveDocument(part, stack, seen);
        statements.push(...resolved.statements);
        unresolved ??= resolved.unresolved;
      }
    }
    blocks(document.values.statement).forEach((s, i) => statements.push(fromBlock(s, `${document.address} statement ${i + 1}${s.sid ? ` (${s.sid})` : ""}`)));
    return { statements, unresolved };
  }
  try {
    const parsed = JSON.parse(value);
    const list = Array.isArray(parsed.Statement) ? parsed.Statement : parsed.Statement ? [parsed.Statement] : [];
    return { statements: list.map((s: Record<string, any>, i: number) => fromJson(s, `statement ${i + 1}${s.Sid ? ` (${s.Sid})` : ""}`)) };
  } catch {
    return { statements: [], unresolved: isExpression(value) ? value : "a string that is not JSON" };
  }
}

function fromBlock(s: Record<string, any>, label: string): Statement {
  return {
    label,
    effect: s.effect === "Deny" ? "Deny" : "Allow",
    actions: strings(s.actions),
    notActions: strings(s.not_actions),
    resources: strings(s.resources),
    notResources: strings(s.not_resources),
    principals: blocks(s.principals).map((p) => ({ type: String(p.type), identifiers: strings(p.identifiers) })),
    conditions: blocks(s.condition).map((c) => ({ test: String(c.test), variable: String(c.variable), values: strings(c.values) })),
  };
}

function fromJson(s: Record<string, any>, label: string): Statement {
  const principal = s.Principal;
  const principals: Principal[] =
    principal === "*"
      ? [{ type: "*", identifiers: ["*"] }]
      : principal && typeof principal === "object"
        ? Object.entries(principal).map(([type, ids]) => ({ type, identifiers: strings(ids) }))
        : [];
  const conditions: Condition[] = Object.entries<Record<string, unknown>>(s.Condition ?? {}).flatMap(([test, byVariable]) =>
    Object.entries(byVariable).map(([variable, values]) => ({ test, variable, values: strings(values) })),
  );
  return {
    label,
    effect: s.Effect === "Deny" ? "Deny" : "Allow",
    actions: strings(s.Action),
    notActions: strings(s.NotAction),
    resources: strings(s.Resource),
    notResources: strings(s.NotResource),
    principals,
    conditions,
  };
}

/** `*` or `<service>:*`: every action (of a service). */
export function isWildcardAction(action: string): boolean {
  return action === "*" || /^[\w-]+:\*$/.test(action);
}

// Verbs of actions that only read. Everything else changes or uses a resource (Decrypt, PassRole, ...).
export const READ_ONLY_VERBS: readonly string[] = ["Get", "List", "Describe", "Head", "BatchGet", "BatchCheck", "Query", "Scan", "Search", "Select", "Lookup", "View", "Filter"];

/** `s3:GetObject`, `ec2:Describe*`: actions (or prefixes) that only read. */
export function isReadOnlyAction(action: string): boolean {
  const name = action.split(":")[1] ?? "";
  return READ_ONLY_VERBS.some((verb) => name.toLowerCase().startsWith(verb.toLowerCase()));
}

/**
 * Actions the AWS APIs authorize only on `Resource: "*"` (they have no resource type in the
 * Service Authorization Reference), so a wildcard resource is the only way to grant them.
 */
export const RESOURCE_WILDCARD_EXCEPTIONS: ReadonlyArray<{ readonly actions: readonly string[]; readonly reason: string }> = [
  { actions: ["ecr:GetAuthorizationToken"], reason: "The registry token is account-wide; the action has no resource type." },
  { actions: ["cloudwatch:PutMetricData"], reason: "Metrics have no ARN; scope with the cloudwatch:namespace condition key instead." },
  { actions: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], reason: "X-Ray trace ingestion has no resource type." },
  {
    actions: ["ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"],
    reason: "Session Manager channels of the SSM agent have no resource type.",
  },
  {
    actions: ["ec2messages:AcknowledgeMessage", "ec2messages:DeleteMessage", "ec2messages:FailMessage", "ec2messages:GetEndpoint", "ec2messages:GetMessages", "ec2messages:SendReply"],
    reason: "The SSM agent's message channel has no resource type.",
  },
  {
    actions: [
      "codedeploy-commands-secure:GetDeploymentSpecification",
      "codedeploy-commands-secure:PollHostCommand",
      "codedeploy-commands-secure:PutHostCommandAcknowledgement",
      "codedeploy-commands-secure:PutHostCommandComplete",
    ],
    reason: "The CodeDeploy agent's command channel has no resource type.",
  },
  { actions: ["ecs:RegisterTaskDefinition", "ecs:DiscoverPollEndpoint"], reason: "Task definition registration and the ECS agent's endpoint discovery have no resource type." },
  {
    actions: ["ecs:DeregisterTaskDefinition", "ecs:DeleteTaskDefinitions"],
    reason:
      "Task definition actions have no resource-level permissions (aws/containers-roadmap#929, open; Service Authorization Reference, Amazon ECS): the task definition cleaner's input bounds it to its environment's families.",
  },
];

export function isResourceWildcardException(action: string): boolean {
  const lower = action.toLowerCase();
  return RESOURCE_WILDCARD_EXCEPTIONS.some((e) => e.actions.some((a) => a.toLowerCase() === lower));
}

/** The account itself: `arn:<partition>:iam::<account>:root`, a bare account id, or the caller identity's account id. */
export function isAccountRoot(identifier: string): boolean {
  return /^arn:aws[\w-]*:iam::[^:]+:root$/.test(identifier) || /^(\d{12}|\$\{data\.aws_caller_identity\.[\w-]+\.account_id\})$/.test(identifier);
}

/** `ec2.amazonaws.com` → `ec2`; `logs.eu-west-1.amazonaws.com` → `logs`. */
export function serviceOfPrincipal(identifier: string): string {
  const name = identifier.replace(/\.amazonaws\.com(\.cn)?$/, "");
  return name.replace(/\.[a-z]{2}(-gov)?-[a-z]+-\d$/, "");
}
