// IAM coverage of every script the product generates (test-only). For one configuration:
//  1. collect each file that runs with an AWS role (launch template user data, CodeDeploy hooks,
//     buildspecs, release/build-image.sh, the GitHub Actions workflow, ECS buildspecs) and the
//     role that runs it, from the synthesized stacks;
//  2. find every `aws <service> <command>` (and the SDK-equivalent calls of docker, the
//     CloudWatch agent, GitHub actions) with its arguments, shell variables resolved to the values
//     the stack gives them (CodeBuild environment, user data, release parameters in SSM);
//  3. map each call to the IAM action(s) and resource ARN AWS authorizes it against;
//  4. evaluate them against the role's identity policies (inline documents resolved with
//     policy/iam.ts, Terraform references resolved symbolically; known AWS managed policies).
// Calls that AWS services make with the role (CodeBuild, the CodeDeploy agent, the CloudWatch
// agent, the ECS agent) are modelled too, so the unused-permission report lists only what nothing uses.
import * as YAML from "yaml";
import { Config } from "../../lib/config/schema";
import { releaseFiles } from "../../lib/release/release-files";
import { documentsOf, Statement } from "../../policy/iam";
import { blocks, StackView, strings, TfResource } from "../../policy/terraform";
import { declarativePipeline } from "./jenkinsfile";

/** The fake account every `${data.aws_caller_identity...account_id}` and every request uses. */
export const ACCOUNT = "123456789012";
/** What Terraform appends to a `bucket_prefix` (26 characters), the same on both sides. */
const BUCKET_SUFFIX = "20240101000000000000000001";
/** Stands in for instance IDs, commits, build IDs in requests (never part of a policy). */
const FAKE_INSTANCE_ID = "i-0123456789abcdef0";
const FAKE_COMMIT = "0123456789abcdef0123456789abcdef01234567";

/** Marks a value that could not be resolved; never matches a policy resource. */
const UNRESOLVED = (what: string) => `⟨${what}⟩`;
const isUnresolved = (value: string) => value.includes("⟨");

// ---------------------------------------------------------------------------------------------
// Terraform references, resolved symbolically

/** Resolves `${type.name.attr}` references of one stack to concrete strings (ARNs, names, URLs). */
export class Resolver {
  public readonly partition: string;
  constructor(
    public readonly view: StackView,
    public readonly region: string,
    /** The account the stack pins (`allowed_account_ids`), else {@link ACCOUNT}. */
    public readonly account = ACCOUNT,
  ) {
    this.partition = region.startsWith("cn-") ? "aws-cn" : region.startsWith("us-gov-") ? "aws-us-gov" : "aws";
  }

  /** Every `${...}` of a Terraform string replaced; `$${` is a literal `${`. */
  public resolve(value: string, depth = 0): string {
    if (depth > 8) return UNRESOLVED(value);
    const parts = value.split("$${");
    return parts
      .map((part) =>
        part.replace(/\$\{([^{}]*)\}/g, (_, expression: string) => {
          const m = /^((?:data\.)?[a-z][a-z0-9_]*\.[A-Za-z_][\w-]*)\.([a-z_]+)$/.exec(expression.trim());
          return m ? this.attribute(m[1], m[2], depth) : UNRESOLVED(expression);
        }),
      )
      .join("${");
  }

  public arn(service: string, resource: string, region = this.region): string {
    return `arn:${this.partition}:${service}:${region}:${this.account}:${resource}`;
  }

  private attribute(address: string, attr: string, depth: number): string {
    const r = this.view.get(address);
    const type = address.startsWith("data.") ? address.split(".")[1] : address.split(".")[0];
    const value = (key: string): string | undefined => (typeof r?.values[key] === "string" ? this.resolve(r.values[key], depth + 1) : undefined);
    const name = value("name");
    switch (`${address.startsWith("data.") ? "data." : ""}${type}.${attr}`) {
      case "data.aws_caller_identity.account_id":
        return this.account;
      case "data.aws_partition.partition":
        return this.partition;
      case "data.aws_partition.dns_suffix":
        return "amazonaws.com";
      case "data.aws_region.name":
      case "data.aws_region.region":
      case "data.aws_region.id":
        return this.region;
    }
    if (!r) return UNRESOLVED(`${address}.${attr}`);
    switch (`${type}.${attr}`) {
      case "aws_ecr_repository.name":
      case "aws_ecr_repository.id":
        return name ?? UNRESOLVED(address);
      case "aws_ecr_repository.arn":
        return this.arn("ecr", `repository/${name}`);
      case "aws_ecr_repository.repository_url":
        return `${this.account}.dkr.ecr.${this.region}.amazonaws.com/${name}`;
      case "aws_ecr_repository.registry_id":
        return this.account;
      case "aws_s3_bucket.bucket":
      case "aws_s3_bucket.id":
        return this.bucketName(r, depth);
      case "aws_s3_bucket.arn":
        return `arn:${this.partition}:s3:::${this.bucketName(r, depth)}`;
      case "aws_cloudwatch_log_group.name":
      case "aws_cloudwatch_log_group.id":
        return name ?? UNRESOLVED(address);
      case "aws_cloudwatch_log_group.arn":
        return this.arn("logs", `log-group:${name}`);
      case "aws_ssm_parameter.name":
      case "aws_ssm_parameter.id":
        return name ?? UNRESOLVED(address);
      case "aws_ssm_parameter.value":
        return value("value") ?? UNRESOLVED(address);
      case "aws_ssm_parameter.arn":
        return this.arn("ssm", `parameter/${(name ?? "").replace(/^\//, "")}`);
      case "aws_kms_key.arn":
        return this.arn("kms", `key/${r.name}`);
      case "aws_kms_key.id":
      case "aws_kms_key.key_id":
        return r.name;
      case "aws_iam_role.name":
      case "aws_iam_role.id":
      case "aws_iam_instance_profile.name":
        return name ?? UNRESOLVED(address);
      case "aws_iam_role.arn":
        return `arn:${this.partition}:iam::${this.account}:role/${name}`;
      case "aws_iam_instance_profile.arn":
        return `arn:${this.partition}:iam::${this.account}:instance-profile/${name}`;
      case "aws_db_instance.resource_id":
        return `db-${r.name.toUpperCase().replace(/[^A-Z0-9]/g, "")}`;
      case "aws_instance.id":
        return FAKE_INSTANCE_ID;
      case "aws_instance.arn":
        return this.arn("ec2", `instance/${FAKE_INSTANCE_ID}`);
      case "aws_ssm_document.name":
        return name ?? UNRESOLVED(address);
      case "aws_ssm_document.arn":
        return this.arn("ssm", `document/${name}`);
      case "aws_codebuild_project.name":
        return name ?? UNRESOLVED(address);
      case "aws_codebuild_project.arn":
        return this.arn("codebuild", `project/${name}`);
      case "aws_codepipeline.name":
        return name ?? UNRESOLVED(address);
      case "aws_codepipeline.arn":
        return this.arn("codepipeline", `${name}`);
      case "aws_sns_topic.arn":
        return this.arn("sns", `${name}`);
      case "aws_sns_topic.name":
        return name ?? UNRESOLVED(address);
      case "aws_ecs_cluster.name":
        return name ?? UNRESOLVED(address);
      case "aws_ecs_cluster.arn":
      case "aws_ecs_cluster.id":
        return this.arn("ecs", `cluster/${name}`);
      case "aws_ecs_service.name":
        return name ?? UNRESOLVED(address);
      case "aws_ecs_service.id":
      case "aws_ecs_service.arn": {
        // The long ARN format: service/<cluster name>/<service name>; `cluster` holds a name or an ARN.
        const cluster = (value("cluster") ?? UNRESOLVED(address)).replace(/^arn:[^:]+:ecs:[^:]*:[^:]*:cluster\//, "");
        return this.arn("ecs", `service/${cluster}/${name}`);
      }
      case "aws_ecs_task_definition.family":
        return value("family") ?? UNRESOLVED(address);
      case "aws_ecs_task_definition.arn_without_revision":
        return this.arn("ecs", `task-definition/${value("family")}`);
      case "aws_ecs_task_definition.arn":
        // Terraform's first revision of the family.
        return this.arn("ecs", `task-definition/${value("family")}:1`);
    }
    return UNRESOLVED(`${address}.${attr}`);
  }

  private bucketName(r: TfResource, depth: number): string {
    if (typeof r.values.bucket === "string") return this.resolve(r.values.bucket, depth + 1);
    if (typeof r.values.bucket_prefix === "string") return `${this.resolve(r.values.bucket_prefix, depth + 1)}${BUCKET_SUFFIX}`;
    return UNRESOLVED(r.address);
  }
}

// ---------------------------------------------------------------------------------------------
// IAM evaluation

/** A statement with its resources resolved to strings, and where it comes from. */
export interface ResolvedStatement extends Statement {
  /** `inline` (authored by this product) or the managed policy's name. */
  readonly origin: string;
}

export interface Request {
  readonly action: string;
  readonly resource: string;
  /** Condition keys AWS would put in the request context (lower-case names compare equal). */
  readonly context?: Readonly<Record<string, string | readonly string[]>>;
}

export interface Decision {
  readonly allowed: boolean;
  readonly explicitDeny: boolean;
  /** Labels of the Allow statements that matched. */
  readonly allowedBy: readonly string[];
  /** Conditions that could not be decided statically (treated as satisfied). */
  readonly undecided: readonly string[];
}

function glob(pattern: string, caseInsensitive: boolean): RegExp {
  const body = pattern
    .split("")
    .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
    .join("");
  return new RegExp(`^${body}$`, caseInsensitive ? "is" : "s");
}

export function actionMatches(pattern: string, action: string): boolean {
  return glob(pattern, true).test(action);
}

export function resourceMatches(pattern: string, resource: string): boolean {
  return glob(pattern, false).test(resource);
}

/** true / false when the condition can be decided from the request context, undefined otherwise. */
function conditionHolds(test: string, variable: string, values: readonly string[], context: Request["context"] = {}): boolean | undefined {
  const key = Object.keys(context).find((k) => k.toLowerCase() === variable.toLowerCase());
  let operator = test.replace(/^(ForAnyValue|ForAllValues):/, "");
  const ifExists = operator.endsWith("IfExists");
  operator = operator.replace(/IfExists$/, "");
  if (operator === "Null") return key === undefined ? values.includes("true") : values.includes("false");
  if (key === undefined) return ifExists ? true : undefined;
  const actual = ([] as string[]).concat(context[key] as string | string[]);
  const any = (f: (a: string, v: string) => boolean) => actual.some((a) => values.some((v) => f(a, v)));
  switch (operator) {
    case "StringEquals":
    case "ArnEquals":
      return any((a, v) => a === v);
    case "StringEqualsIgnoreCase":
      return any((a, v) => a.toLowerCase() === v.toLowerCase());
    case "StringNotEquals":
    case "ArnNotEquals":
      return !any((a, v) => a === v);
    case "StringLike":
    case "ArnLike":
      return any((a, v) => resourceMatches(v, a));
    case "StringNotLike":
    case "ArnNotLike":
      return !any((a, v) => resourceMatches(v, a));
    case "Bool":
      return any((a, v) => a.toLowerCase() === v.toLowerCase());
  }
  return undefined;
}

function statementApplies(s: ResolvedStatement, request: Request): { applies: boolean; undecided: string[] } {
  const actionOk = s.actions.length > 0 ? s.actions.some((a) => actionMatches(a, request.action)) : s.notActions.length > 0 && !s.notActions.some((a) => actionMatches(a, request.action));
  if (!actionOk) return { applies: false, undecided: [] };
  const resourceOk =
    s.resources.length > 0 ? s.resources.some((r) => resourceMatches(r, request.resource)) : s.notResources.length > 0 && !s.notResources.some((r) => resourceMatches(r, request.resource));
  if (!resourceOk) return { applies: false, undecided: [] };
  const undecided: string[] = [];
  for (const c of s.conditions) {
    const holds = conditionHolds(c.test, c.variable, c.values, request.context);
    if (holds === false) return { applies: false, undecided: [] };
    if (holds === undefined) undecided.push(`${s.label}: ${c.test} ${c.variable} ${JSON.stringify(c.values)}`);
  }
  return { applies: true, undecided };
}

/** Identity-policy evaluation of one request: an explicit Deny wins, then any Allow; otherwise implicitly denied. */
export function evaluate(statements: readonly ResolvedStatement[], request: Request): Decision {
  const undecided: string[] = [];
  let explicitDeny = false;
  const allowedBy: string[] = [];
  for (const s of statements) {
    const { applies, undecided: open } = statementApplies(s, request);
    if (!applies) continue;
    if (s.effect === "Deny") {
      // A Deny whose condition cannot be decided is listed, not applied.
      if (open.length > 0) undecided.push(...open.map((o) => `Deny not applied: ${o}`));
      else explicitDeny = true;
    } else {
      allowedBy.push(s.label);
      undecided.push(...open);
    }
  }
  return { allowed: !explicitDeny && allowedBy.length > 0, explicitDeny, allowedBy, undecided };
}

/**
 * AWS managed policies attached to the roles this test evaluates, as AWS publishes them (the
 * parts that grant actions). An evaluated role with a managed policy not listed here fails the
 * test: add its document.
 */
export const MANAGED_POLICIES: Record<string, ReadonlyArray<{ actions: string[]; resources: string[]; conditions?: Statement["conditions"] }>> = {
  AmazonSSMManagedInstanceCore: [
    {
      actions: [
        "ssm:DescribeAssociation",
        "ssm:GetDeployablePatchSnapshotForInstance",
        "ssm:GetDocument",
        "ssm:DescribeDocument",
        "ssm:GetManifest",
        "ssm:GetParameter",
        "ssm:GetParameters",
        "ssm:ListAssociations",
        "ssm:ListInstanceAssociations",
        "ssm:PutInventory",
        "ssm:PutComplianceItems",
        "ssm:PutConfigurePackageResult",
        "ssm:UpdateAssociationStatus",
        "ssm:UpdateInstanceAssociationStatus",
        "ssm:UpdateInstanceInformation",
      ],
      resources: ["*"],
    },
    { actions: ["ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"], resources: ["*"] },
    {
      actions: ["ec2messages:AcknowledgeMessage", "ec2messages:DeleteMessage", "ec2messages:FailMessage", "ec2messages:GetEndpoint", "ec2messages:GetMessages", "ec2messages:SendReply"],
      resources: ["*"],
    },
  ],
  "service-role/AmazonEC2ContainerServiceforEC2Role": [
    {
      actions: [
        "ec2:DescribeTags",
        "ecs:CreateCluster",
        "ecs:DeregisterContainerInstance",
        "ecs:DiscoverPollEndpoint",
        "ecs:Poll",
        "ecs:RegisterContainerInstance",
        "ecs:StartTelemetrySession",
        "ecs:UpdateContainerInstancesState",
        "ecs:Submit*",
        "ecr:GetAuthorizationToken",
        "ecr:BatchCheckLayerAvailability",
        "ecr:GetDownloadUrlForLayer",
        "ecr:BatchGetImage",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
      ],
      resources: ["*"],
    },
    { actions: ["ecs:TagResource"], resources: ["*"], conditions: [{ test: "StringEquals", variable: "ecs:CreateAction", values: ["CreateCluster", "RegisterContainerInstance"] }] },
  ],
};

/** One role of a stack and its identity policies, resolved. */
export interface RolePolicies {
  readonly address: string;
  readonly name: string;
  readonly statements: readonly ResolvedStatement[];
  /** Managed policies attached that {@link MANAGED_POLICIES} does not know (not evaluated). */
  readonly unknownManaged: readonly string[];
  /** Inline documents that could not be resolved. */
  readonly unresolved: readonly string[];
}

export function rolePolicies(view: StackView, resolver: Resolver, roleAddress: string): RolePolicies {
  const role = view.get(roleAddress);
  if (!role) throw new Error(`${roleAddress} is not in the stack`);
  const refersToRole = (value: unknown) => typeof value === "string" && new RegExp(`\\$\\{${roleAddress.replace(/\./g, "\\.")}\\.(name|id)\\}`).test(value);
  const statements: ResolvedStatement[] = [];
  const unresolved: string[] = [];
  const inline = [role, ...view.resources("aws_iam_role_policy").filter((p) => refersToRole(p.values.role))];
  for (const holder of inline) {
    for (const document of documentsOf(holder, view).filter((d) => d.kind === "identity")) {
      if (document.unresolved) unresolved.push(`${holder.address} ${document.field}: ${document.unresolved}`);
      for (const s of document.statements) statements.push(resolveStatement(s, resolver, "inline"));
    }
  }
  const unknownManaged: string[] = [];
  for (const attachment of view.resources("aws_iam_role_policy_attachment").filter((a) => refersToRole(a.values.role))) {
    const name = String(attachment.values.policy_arn).replace(/^arn:[\w-]+:iam::aws:policy\//, "");
    const managed = MANAGED_POLICIES[name];
    if (!managed) {
      unknownManaged.push(name);
      continue;
    }
    managed.forEach((m, i) =>
      statements.push({ label: `${name} statement ${i + 1}`, origin: name, effect: "Allow", actions: m.actions, notActions: [], resources: m.resources, notResources: [], principals: [], conditions: m.conditions ?? [] }),
    );
  }
  return { address: roleAddress, name: resolver.resolve(String(role.values.name)), statements, unknownManaged, unresolved };
}

export function resolveStatement(s: Statement, resolver: Resolver, origin: string): ResolvedStatement {
  const r = (list: readonly string[]) => list.map((v) => resolver.resolve(v));
  return {
    ...s,
    origin,
    resources: r(s.resources),
    notResources: r(s.notResources),
    conditions: s.conditions.map((c) => ({ ...c, values: r(c.values) })),
  };
}

// ---------------------------------------------------------------------------------------------
// Shell scanning

/** A file that runs with a role, as the product renders it. */
export interface Source {
  /** Where it comes from, for messages: `generated/staging/scripts/before-install.sh`. */
  readonly file: string;
  readonly text: string;
  /** Address of the role that runs it (`aws_iam_role.x`). */
  readonly role: string;
  /** Environment variables the file runs with (CodeBuild's, the workflow step's). */
  readonly env?: Readonly<Record<string, string>>;
}

/** One IAM authorization a call needs. */
export interface Access {
  readonly file: string;
  readonly line: number;
  /** The call as found, arguments expanded. */
  readonly command: string;
  readonly action: string;
  readonly resource: string;
  readonly context?: Request["context"];
  /** Set for calls an AWS service or agent makes with the role (not a line of a script). */
  readonly service?: string;
}

export interface Finding {
  readonly file: string;
  readonly line: number;
  readonly command: string;
  readonly detail?: string;
}

/** What scanning needs from the stack: values the scripts read at run time. */
export interface ScanContext {
  readonly region: string;
  /** @default ACCOUNT */
  readonly account?: string;
  /** Value of an SSM parameter the stack creates (release parameters), resolved. */
  parameter(name: string): string | undefined;
  /** A file of the revision a hook script reads (`release/image-uri`). */
  revisionFile(path: string): string | undefined;
  /** The parsed CloudWatch agent configuration stored in an SSM parameter. */
  agentConfig?(parameterName: string): any;
  /** KMS key ARN that encrypts SecureStrings under the environment's parameter path. */
  readonly secureStringKeyArn?: string;
  /** Base image of the generated Dockerfile, when the build uses one. */
  readonly baseImage?: string;
  /** ARNs of the roles the stack's task definition of `family` names (task and execution role). */
  taskDefinitionRoles?(family: string): string[] | undefined;
  /** The Compose file `docker compose` runs with in the scanned file (a host's deploy script writes it). */
  readonly composeFile?: string;
}

export interface ScanResult {
  readonly accesses: Access[];
  readonly unmapped: Finding[];
  readonly unresolved: Finding[];
  /** Distinct `aws <service> <command>` / `docker <command>` / agent calls seen. */
  readonly commands: Set<string>;
}

type Vars = (name: string) => string | string[] | undefined;

interface ShellContext {
  vars: Vars;
  substitute(inner: string, vars: Vars): string;
}

/** Splits shell text into words from `pos` to the end of the simple command (`;`, `|`, `&`, `)`, newline, redirection). */
export function shellWords(text: string, pos: number, ctx: ShellContext): { words: string[]; end: number } {
  const words: string[] = [];
  let i = pos;
  const n = text.length;
  while (i < n) {
    while (i < n && (text[i] === " " || text[i] === "\t" || (text[i] === "\\" && text[i + 1] === "\n"))) i += text[i] === "\\" ? 2 : 1;
    if (i >= n || ";|&)\n".includes(text[i])) break;
    if (text[i] === ">" || text[i] === "<" || (/\d/.test(text[i]) && (text[i + 1] === ">" || text[i + 1] === "<"))) {
      // A redirection and its target are not arguments.
      i += /\d/.test(text[i]) ? 2 : 1;
      if (text[i] === ">" || text[i] === "&") i++;
      while (i < n && (text[i] === " " || text[i] === "\t")) i++;
      const target = readWord(text, i, ctx);
      i = target.end;
      continue;
    }
    const word = readWord(text, i, ctx);
    if (word.end === i) break;
    i = word.end;
    if (word.splice) words.push(...word.splice);
    else words.push(word.value);
  }
  return { words, end: i };
}

function readWord(text: string, pos: number, ctx: ShellContext): { value: string; end: number; splice?: string[] } {
  let value = "";
  let i = pos;
  const n = text.length;
  // "${name[@]}" as a whole word: the array's words.
  const array = /^"?\$\{([A-Za-z_]\w*)\[@\]\}"?/.exec(text.slice(pos, pos + 80));
  if (array) {
    const v = ctx.vars(array[1]);
    if (Array.isArray(v)) return { value: "", end: pos + array[0].length, splice: v };
  }
  while (i < n) {
    const c = text[i];
    if (c === " " || c === "\t" || ";|&)\n<>".includes(c)) break;
    if (c === "\\" && text[i + 1] === "\n") break;
    if (c === "'") {
      const close = text.indexOf("'", i + 1);
      value += text.slice(i + 1, close < 0 ? n : close);
      i = close < 0 ? n : close + 1;
    } else if (c === '"') {
      i++;
      while (i < n && text[i] !== '"') {
        if (text[i] === "\\" && i + 1 < n) {
          value += text[i + 1];
          i += 2;
        } else if (text[i] === "$") {
          const e = expand(text, i, ctx);
          value += e.value;
          i = e.end;
        } else {
          value += text[i++];
        }
      }
      i++;
    } else if (c === "$") {
      const e = expand(text, i, ctx);
      value += e.value;
      i = e.end;
    } else if (c === "\\") {
      value += text[i + 1] ?? "";
      i += 2;
    } else {
      value += c;
      i++;
    }
  }
  return { value, end: i };
}

/** Index after the bracket that closes the one at `open` (`(` or `{`), skipping quoted text. */
function closing(text: string, open: number): number {
  const o = text[open];
  const c = o === "(" ? ")" : "}";
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const ch = text[i];
    if (ch === "'" && o === "(") {
      i = text.indexOf("'", i + 1);
      if (i < 0) return text.length;
    } else if (ch === o) depth++;
    else if (ch === c && --depth === 0) return i + 1;
  }
  return text.length;
}

function expand(text: string, pos: number, ctx: ShellContext): { value: string; end: number } {
  const next = text[pos + 1];
  if (next === "(") {
    const end = closing(text, pos + 1);
    if (text[pos + 2] === "(") return { value: UNRESOLVED("arithmetic"), end };
    return { value: ctx.substitute(text.slice(pos + 2, end - 1).trim(), ctx.vars), end };
  }
  if (next === "{") {
    const end = closing(text, pos + 1);
    return { value: parameterExpansion(text.slice(pos + 2, end - 1), ctx), end };
  }
  const m = /^[A-Za-z_]\w*|^[0-9@*#?$!]/.exec(text.slice(pos + 1));
  if (!m) return { value: "$", end: pos + 1 };
  return { value: scalar(ctx.vars(m[0]), m[0]), end: pos + 1 + m[0].length };
}

function scalar(v: string | string[] | undefined, name: string): string {
  if (v === undefined) return UNRESOLVED(name);
  return Array.isArray(v) ? v.join(" ") : v;
}

function parameterExpansion(body: string, ctx: ShellContext): string {
  const m = /^([A-Za-z_]\w*|\d+)(.*)$/s.exec(body);
  if (!m) return UNRESOLVED(body);
  const [, name, op] = m;
  const raw = ctx.vars(name);
  const value = raw === undefined ? undefined : scalar(raw, name);
  const word = (s: string) => readWord(`"${s}"`, 0, ctx).value;
  if (op === "") return value ?? UNRESOLVED(name);
  if (op.startsWith(":-") || op.startsWith("-")) return value !== undefined && value !== "" ? value : word(op.replace(/^:?-/, ""));
  if (op.startsWith(":?") || op.startsWith("?")) return value ?? UNRESOLVED(name);
  if (value === undefined) return UNRESOLVED(name);
  const strip = /^(%%|%|##|#)(.*)$/s.exec(op);
  if (strip) {
    const pattern = glob(strip[2], false);
    if (strip[1] === "%%") for (let i = 0; i <= value.length; i++) if (pattern.test(value.slice(i))) return value.slice(0, i);
    if (strip[1] === "%") for (let i = value.length; i >= 0; i--) if (pattern.test(value.slice(i))) return value.slice(0, i);
    if (strip[1] === "##") for (let i = value.length; i >= 0; i--) if (pattern.test(value.slice(0, i))) return value.slice(i);
    if (strip[1] === "#") for (let i = 0; i <= value.length; i++) if (pattern.test(value.slice(0, i))) return value.slice(i);
    return value;
  }
  return UNRESOLVED(body);
}

interface Assignment {
  readonly name: string;
  readonly offset: number;
  /** Offset of the value's first character. */
  readonly valueAt: number;
  readonly array: boolean;
}

interface FunctionSpan {
  readonly name: string;
  readonly start: number;
  readonly end: number;
}

/** Blanks comment lines (keeping offsets) so that nothing in them is taken for a command. */
function withoutComments(text: string): string {
  return text.replace(/^([ \t]*)(#.*)$/gm, (_, indent: string, comment: string) => indent + " ".repeat(comment.length));
}

const lineOf = (text: string, offset: number) => text.slice(0, offset).split("\n").length;

/** True when the word at `offset` is in command position (start of a simple command). */
function inCommandPosition(text: string, offset: number): boolean {
  let i = offset - 1;
  while (i >= 0 && (text[i] === " " || text[i] === "\t" || text[i] === '"')) i--;
  if (i < 0 || text[i] === "\n" || ";|&({`!".includes(text[i])) return true;
  if (text[i] === "\\" ) return false;
  const before = text.slice(Math.max(0, i - 6), i + 1);
  return /(^|[\s;])(then|do|else|if|while|until|time|elif)$/.test(before);
}

/**
 * Scans one shell text for AWS calls. `defaults` are variables known from outside (CodeBuild's
 * environment). Functions are expanded once per call site, with its arguments as `$1`, `$2`.
 */
export function scanShell(source: Source, scan: ScanContext, result: ScanResult, baseLine = 0): void {
  const text = withoutComments(source.text);
  const functions: FunctionSpan[] = [];
  for (const m of text.matchAll(/^([ \t]*)([A-Za-z_][\w-]*)\(\)\s*\{[ \t]*$/gm)) {
    const close = new RegExp(`^${m[1]}\\}[ \\t]*$`, "m").exec(text.slice(m.index!));
    functions.push({ name: m[2], start: m.index!, end: close ? m.index! + close.index + close[0].length : text.length });
  }
  const assignments: Assignment[] = [];
  for (const m of text.matchAll(/^([ \t]*(?:(?:readonly|local|export|declare)[ \t]+(?:-\w+[ \t]+)?)?)([A-Za-z_]\w*)=/gm)) {
    const valueAt = m.index! + m[0].length;
    assignments.push({ name: m[2], offset: m.index! + m[1].length, valueAt, array: text[valueAt] === "(" });
  }
  // `local a="$1" b=1`: further assignments on the same line.
  for (const m of text.matchAll(/^[ \t]*local[ \t]+[^\n]*?[ \t]([A-Za-z_]\w*)=/gm)) {
    const valueAt = m.index! + m[0].length;
    if (!assignments.some((a) => a.valueAt === valueAt)) assignments.push({ name: m[1], offset: valueAt - m[1].length - 1, valueAt, array: false });
  }
  assignments.sort((a, b) => a.offset - b.offset);

  const env = source.env ?? {};
  const cache = new Map<Assignment, string | string[]>();
  const resolving = new Set<Assignment>();
  const makeVars = (at: number, positional: readonly string[]): Vars => {
    const vars: Vars = (name) => {
      if (/^\d+$/.test(name)) return name === "0" ? source.file : positional[Number(name) - 1];
      const candidates = assignments.filter((a) => a.name === name);
      const chosen = [...candidates].reverse().find((a) => a.offset < at) ?? candidates[0];
      if (chosen && !resolving.has(chosen)) {
        if (!cache.has(chosen)) {
          resolving.add(chosen);
          const vs = makeVars(chosen.offset, positional);
          const shell: ShellContext = { vars: vs, substitute };
          if (chosen.array) {
            const end = closing(text, chosen.valueAt);
            cache.set(chosen, shellWords(text.slice(chosen.valueAt + 1, end - 1).replace(/\n/g, " "), 0, shell).words);
          } else {
            cache.set(chosen, readWord(text, chosen.valueAt, shell).value);
          }
          resolving.delete(chosen);
        }
        return cache.get(chosen);
      }
      return env[name];
    };
    return vars;
  };
  function substitute(inner: string, vars: Vars): string {
    const release = /^release_value\s+(\S+)$/.exec(inner);
    if (release) {
      const path = scalar(vars("RELEASE_PARAMETER_PATH"), "RELEASE_PARAMETER_PATH");
      return scan.parameter(`${path}${release[1]}`) ?? UNRESOLVED(`SSM ${path}${release[1]}`);
    }
    const revision = /<\s*"?\$BUNDLE\/([\w./-]+)"?/.exec(inner);
    if (revision) return scan.revisionFile(revision[1]) ?? UNRESOLVED(revision[1]);
    if (/^imds instance-id$/.test(inner)) return FAKE_INSTANCE_ID;
    // `$(aws ssm get-parameter --name X --query Parameter.Value --output text)`: the value the stack stores.
    if (/^aws\s+ssm\s+get-parameter\s/.test(inner) && /--query\s+Parameter\.Value/.test(inner)) {
      const words = shellWords(inner, 0, { vars, substitute }).words;
      const name = words[words.indexOf("--name") + 1];
      if (name && words.indexOf("--name") >= 0) return scan.parameter(name) ?? UNRESOLVED(`SSM ${name}`);
    }
    return UNRESOLVED(`$(${inner})`);
  }

  const enclosing = (offset: number) => functions.find((f) => f.start < offset && offset < f.end);
  /** Each set of positional arguments a function is called with. */
  const callSites = (f: FunctionSpan): Array<{ args: string[]; at: number; via: string }> => {
    const sites: Array<{ args: string[]; at: number; via: string }> = [];
    for (const m of text.matchAll(new RegExp(`(?<![\\w-])${f.name}(?![\\w-(])`, "g"))) {
      if (m.index! >= f.start && m.index! < f.end) continue;
      if (!inCommandPosition(text, m.index!)) continue;
      const outer = enclosing(m.index!);
      for (const outerSite of outer ? callSites(outer) : [{ args: [], at: m.index!, via: "" }]) {
        const words = shellWords(text, m.index! + f.name.length, { vars: makeVars(m.index!, outerSite.args), substitute }).words;
        sites.push({ args: words, at: m.index!, via: `${f.name} ${words.join(" ")}`.trim() });
      }
    }
    // A function nobody calls makes no call.
    return sites;
  };

  const COMMAND = /(?<![\w./-])((?:\/[\w.-]+)*\/amazon-cloudwatch-agent-ctl|amazon-cloudwatch-agent-ctl|aws|docker)(?=[ \t]|\\\n)/g;
  for (const m of text.matchAll(COMMAND)) {
    if (!inCommandPosition(text, m.index!)) continue;
    const fn = enclosing(m.index!);
    const sites = fn ? callSites(fn) : [{ args: [] as string[], at: m.index!, via: "" }];
    const seen = new Set<string>();
    for (const site of sites) {
      const shell: ShellContext = { vars: makeVars(m.index!, site.args), substitute };
      const words = shellWords(text, m.index! + m[1].length, shell).words;
      const program = m[1].split("/").pop()!;
      const command = `${program} ${words.join(" ")}${site.via ? `  (via ${site.via})` : ""}`;
      if (seen.has(command)) continue;
      seen.add(command);
      mapCall(program, words, { file: source.file, line: baseLine + lineOf(text, m.index!), command }, scan, result);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The mapping table: command → IAM action(s) and the resource AWS authorizes against

export interface Call {
  readonly file: string;
  readonly line: number;
  readonly command: string;
}

interface AwsArgs {
  readonly region: string;
  readonly account?: string;
  readonly options: Record<string, string[]>;
  readonly flags: Set<string>;
  readonly positional: string[];
}

type Grant = { action: string; resource: string; context?: Request["context"] };

const parameterArn = (r: Region, name: string) => arnOf(r, "ssm", `parameter/${name.replace(/^\//, "")}`);
type Region = { region: string; account?: string };
const arnOf = (r: Region, service: string, resource: string) => `arn:${r.region.startsWith("cn-") ? "aws-cn" : "aws"}:${service}:${r.region}:${r.account ?? ACCOUNT}:${resource}`;

/**
 * Every `aws <service> <command>` the product may run, with the rule AWS authorizes it by
 * (Service Authorization Reference; for SSM, "How Parameter Store authorizes parameter
 * retrieval"). A command that is not here fails the coverage test.
 */
export const AWS_CLI: Record<string, { readonly rule: string; map(a: AwsArgs, scan: ScanContext): Grant[] }> = {
  "ssm get-parameter": {
    rule: "ssm:GetParameter on the requested parameter (kms:Decrypt of its key with --with-decryption)",
    map: (a, scan) => [
      ...(a.options["--name"] ?? []).map((n) => ({ action: "ssm:GetParameter", resource: parameterArn(a, n) })),
      ...decryption(a, scan),
    ],
  },
  "ssm get-parameters": {
    rule: "ssm:GetParameters on each requested parameter",
    map: (a, scan) => [
      ...(a.options["--names"] ?? []).map((n) => ({ action: "ssm:GetParameters", resource: parameterArn(a, n) })),
      ...decryption(a, scan),
    ],
  },
  "ssm get-parameters-by-path": {
    rule: "ssm:GetParametersByPath on the PATH STRING of the request, as given (not on the parameters it returns)",
    map: (a, scan) => [
      ...(a.options["--path"] ?? []).map((p) => ({ action: "ssm:GetParametersByPath", resource: parameterArn(a, p) })),
      ...decryption(a, scan),
    ],
  },
  "ecr get-login-password": {
    rule: "ecr:GetAuthorizationToken on * (the action has no resource type)",
    map: () => [{ action: "ecr:GetAuthorizationToken", resource: "*" }],
  },
  "ecr describe-images": {
    rule: "ecr:DescribeImages on the repository",
    map: (a) => (a.options["--repository-name"] ?? []).map((n) => ({ action: "ecr:DescribeImages", resource: ecrRepositoryArn(a, n, a.options["--registry-id"]?.[0] ?? a.account) })),
  },
  "ecr batch-get-image": {
    rule: "ecr:BatchGetImage on the repository",
    map: (a) => (a.options["--repository-name"] ?? []).map((n) => ({ action: "ecr:BatchGetImage", resource: ecrRepositoryArn(a, n, a.options["--registry-id"]?.[0] ?? a.account) })),
  },
  "s3 cp": {
    rule: "s3:GetObject on the source object (s3://...), s3:PutObject on the destination object",
    map: (a) => {
      const [from, to] = a.positional;
      const grants: Grant[] = [];
      if (from?.startsWith("s3://")) grants.push({ action: "s3:GetObject", resource: `arn:aws:s3:::${from.slice(5)}` });
      if (to?.startsWith("s3://")) grants.push({ action: "s3:PutObject", resource: `arn:aws:s3:::${to.slice(5)}` });
      return grants;
    },
  },
  "sts get-caller-identity": { rule: "no permission needed (always allowed)", map: () => [] },
  "ssm send-command": {
    rule: "ssm:SendCommand on the document (document/<name>, or the ARN given) and on each target instance (instance/<id>)",
    map: (a) => [
      ...(a.options["--document-name"] ?? []).map((d) => ({ action: "ssm:SendCommand", resource: d.startsWith("arn:") ? d : arnOf(a, "ssm", `document/${d}`) })),
      ...(a.options["--instance-ids"] ?? []).map((i) => ({ action: "ssm:SendCommand", resource: arnOf(a, "ec2", `instance/${i}`) })),
    ],
  },
  "ssm get-command-invocation": {
    rule: "ssm:GetCommandInvocation on * (the action has no resource type)",
    map: () => [{ action: "ssm:GetCommandInvocation", resource: "*" }],
  },
  "ecs describe-task-definition": {
    rule: "ecs:DescribeTaskDefinition on * (task definition reads have no resource type)",
    map: () => [{ action: "ecs:DescribeTaskDefinition", resource: "*" }],
  },
  "ecs register-task-definition": {
    rule:
      "ecs:RegisterTaskDefinition on * (no resource type); iam:PassRole of the task and execution roles the new revision names, passed to ecs-tasks; " +
      "ecs:TagResource on the new revision of --family with ecs:CreateAction RegisterTaskDefinition when tags may be given (--tags, or --cli-input-json, which may hold them)",
    map: (a, scan) => {
      const grants: Grant[] = [{ action: "ecs:RegisterTaskDefinition", resource: "*" }];
      const family = a.options["--family"]?.[0];
      // The roles come from the input file (a revision of the family): the stack's task definition of that family names them.
      const roles = family ? scan.taskDefinitionRoles?.(family) : undefined;
      for (const role of roles ?? [UNRESOLVED(`roles of task family ${family ?? "(no --family)"}`)]) {
        grants.push({ action: "iam:PassRole", resource: role, context: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } });
      }
      if (a.options["--tags"] || a.options["--cli-input-json"]) {
        grants.push({ action: "ecs:TagResource", resource: arnOf(a, "ecs", `task-definition/${family ?? UNRESOLVED("--family")}:2`), context: { "ecs:CreateAction": "RegisterTaskDefinition" } });
      }
      return grants;
    },
  },
  "ecs update-service": {
    rule: "ecs:UpdateService on the service (service/<cluster>/<service>)",
    map: (a) => (a.options["--service"] ?? []).map((service) => ({ action: "ecs:UpdateService", resource: ecsServiceArn(a, a.options["--cluster"]?.[0], service) })),
  },
  "ecs describe-services": {
    rule: "ecs:DescribeServices on each service (service/<cluster>/<service>)",
    map: (a) => (a.options["--services"] ?? []).map((service) => ({ action: "ecs:DescribeServices", resource: ecsServiceArn(a, a.options["--cluster"]?.[0], service) })),
  },
};

/** A service's ARN in the long format; `cluster` is a name or an ARN (the CLI's default cluster is "default"). */
function ecsServiceArn(a: Region, cluster: string | undefined, service: string): string {
  if (service.startsWith("arn:")) return service;
  const name = (cluster ?? "default").replace(/^arn:[^:]+:ecs:[^:]*:[^:]*:cluster\//, "");
  return arnOf(a, "ecs", `service/${name}/${service}`);
}

/** `--with-decryption`: kms:Decrypt of the SecureString key, through SSM. */
function decryption(a: AwsArgs, scan: ScanContext): Grant[] {
  return a.flags.has("--with-decryption") && scan.secureStringKeyArn ? [kmsViaSsm(a, scan.secureStringKeyArn)] : [];
}

function kmsViaSsm(a: Region, keyArn: string): Grant {
  return { action: "kms:Decrypt", resource: keyArn, context: { "kms:ViaService": `ssm.${a.region}.amazonaws.com`, "kms:CallerAccount": a.account ?? ACCOUNT } };
}

function ecrRepositoryArn(a: Region, name: string, registry = ACCOUNT): string {
  return `arn:aws:ecr:${a.region}:${registry}:repository/${name}`;
}

/** `<account>.dkr.ecr.<region>.amazonaws.com/<name>[:tag|@digest]` → its repository ARN; undefined for other registries. */
export function ecrImage(image: string): { arn: string; registry: string } | undefined {
  const m = /^(\d{12}|⟨[^⟩]*⟩)\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([^:@]+)/.exec(image);
  if (!m) return undefined;
  return { arn: `arn:aws:ecr:${m[2]}:${m[1]}:repository/${m[3]}`, registry: m[1] };
}

const PULL = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"];
const PUSH = ["ecr:BatchCheckLayerAvailability", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage"];
/** Docker commands that make no AWS call of their own. */
const DOCKER_LOCAL = new Set(["login", "tag", "ps", "rm", "stop", "logs", "info", "images", "inspect", "start", "restart", "exec", "version", "image"]);
/** `docker run` options that take no value. */
const DOCKER_RUN_FLAGS = new Set(["--detach", "-d", "--init", "--rm", "--interactive", "-i", "--tty", "-t", "--privileged", "--quiet", "-q", "--read-only"]);

/** The first positional word of `words` (options with a value consumed). */
function lastPositional(words: readonly string[]): string | undefined {
  return [...words].reverse().find((w) => !w.startsWith("-"));
}

/** Maps one call (`aws`, `docker` or the CloudWatch agent's control script, with its arguments) to the IAM accesses it needs. */
export function mapCall(program: string, words: string[], call: Call, scan: ScanContext, result: ScanResult): void {
  const add = (grants: Grant[], key: string) => {
    result.commands.add(key);
    for (const g of grants) {
      if (isUnresolved(g.resource)) result.unresolved.push({ ...call, detail: `${g.action} on ${g.resource}` });
      else result.accesses.push({ ...call, ...g });
    }
  };
  if (program === "aws") {
    const args = { ...awsArgs(words, scan.region), account: scan.account };
    const key = `aws ${args.positional[0] ?? ""} ${args.positional[1] ?? ""}`.trim();
    const entry = AWS_CLI[`${args.positional[0]} ${args.positional[1]}`];
    if (!entry) return void result.unmapped.push({ ...call, detail: `${key}: not in the mapping table (AWS_CLI in __tests__/helpers/iam-coverage.ts)` });
    add(entry.map({ ...args, positional: args.positional.slice(2) }, scan), key);
    return;
  }
  if (program === "docker") {
    const sub = words[0];
    const key = `docker ${sub}`;
    if (DOCKER_LOCAL.has(sub)) return add([], key);
    if (sub === "pull" || sub === "push") {
      const image = lastPositional(words.slice(1)) ?? "";
      const ecr = ecrImage(image);
      if (!ecr) return isUnresolved(image) ? void result.unresolved.push({ ...call, detail: `image ${image}` }) : add([], key);
      return add((sub === "pull" ? PULL : PUSH).map((action) => ({ action, resource: ecr.arn })), key);
    }
    if (sub === "compose") {
      // Compose makes the AWS calls its file asks for: pulls (unless pull_policy: never) and the awslogs driver.
      const compose = scan.composeFile === undefined ? undefined : YAML.parse(scan.composeFile);
      if (!compose) return void result.unmapped.push({ ...call, detail: "docker compose: no Compose file known for this script" });
      const grants: Grant[] = [];
      for (const [name, service] of Object.entries<any>(compose.services ?? {})) {
        const image = String(service.image ?? "");
        if (service.pull_policy !== "never") {
          const ecr = ecrImage(image);
          if (ecr) grants.push(...PULL.map((action) => ({ action, resource: ecr.arn })));
          else if (/\$\{/.test(image)) result.unresolved.push({ ...call, detail: `service ${name}: image ${image} may be pulled (set pull_policy: never when the script pulls it)` });
        }
        if (service.logging?.driver === "awslogs") {
          const opt = service.logging.options ?? {};
          const region = opt["awslogs-region"] ?? scan.region;
          const stream = arnOf({ region, account: scan.account }, "logs", `log-group:${opt["awslogs-group"]}:log-stream:${opt["awslogs-stream"] ?? "container-id"}`);
          grants.push({ action: "logs:CreateLogStream", resource: stream }, { action: "logs:PutLogEvents", resource: stream });
        }
      }
      return add(grants, key);
    }
    if (sub === "build") {
      // `docker build --pull` pulls the Dockerfile's base image: IAM only when it is in a private ECR registry.
      const ecr = scan.baseImage ? ecrImage(scan.baseImage) : undefined;
      return add(ecr ? PULL.map((action) => ({ action, resource: ecr.arn })) : [], key);
    }
    if (sub === "run") {
      const options: Array<[string, string]> = [];
      let image: string | undefined;
      for (let i = 1; i < words.length; i++) {
        const w = words[i];
        if (!w.startsWith("-")) {
          image = w;
          break;
        }
        if (w.includes("=")) options.push([w.slice(0, w.indexOf("=")), w.slice(w.indexOf("=") + 1)]);
        else if (DOCKER_RUN_FLAGS.has(w)) options.push([w, ""]);
        else options.push([w, words[++i] ?? ""]);
      }
      const grants: Grant[] = [];
      const ecr = image ? ecrImage(image) : undefined;
      if (image && isUnresolved(image)) result.unresolved.push({ ...call, detail: `image ${image}` });
      // Docker pulls an image that is not present (BeforeInstall pulled it already).
      if (ecr) grants.push(...PULL.map((action) => ({ action, resource: ecr.arn })));
      if (options.some(([k, v]) => k === "--log-driver" && v === "awslogs")) {
        const opt = Object.fromEntries(options.filter(([k]) => k === "--log-opt").map(([, v]) => [v.slice(0, v.indexOf("=")), v.slice(v.indexOf("=") + 1)]));
        const region = opt["awslogs-region"] ?? scan.region;
        const stream = arnOf({ region, account: scan.account }, "logs", `log-group:${opt["awslogs-group"]}:log-stream:${opt["awslogs-stream"] ?? "container-id"}`);
        grants.push({ action: "logs:CreateLogStream", resource: stream }, { action: "logs:PutLogEvents", resource: stream });
        if (opt["awslogs-create-group"] === "true") grants.push({ action: "logs:CreateLogGroup", resource: arnOf({ region, account: scan.account }, "logs", `log-group:${opt["awslogs-group"]}`) });
      }
      return add(grants, "docker run");
    }
    return void result.unmapped.push({ ...call, detail: `${key}: not in the mapping table` });
  }
  // amazon-cloudwatch-agent-ctl: fetch-config reads its configuration from SSM with the role.
  const action = words[words.indexOf("-a") + 1];
  const config = words.indexOf("-c") >= 0 ? words[words.indexOf("-c") + 1] : undefined;
  const key = `amazon-cloudwatch-agent-ctl -a ${action}`;
  if (action === "fetch-config" && config?.startsWith("ssm:")) {
    const name = config.slice(4);
    add([{ action: "ssm:GetParameter", resource: parameterArn(scan, name) }], key);
    // Then the agent runs with the role: what its configuration tells it to do.
    for (const g of agentGrants(scan.agentConfig?.(name), scan)) result.accesses.push({ ...call, ...g, service: "CloudWatch agent" });
    return;
  }
  if (["status", "stop", "start"].includes(action)) return add([], key);
  result.unmapped.push({ ...call, detail: `${key}: not in the mapping table` });
}

function awsArgs(words: readonly string[], defaultRegion: string): AwsArgs {
  const options: Record<string, string[]> = {};
  const flags = new Set<string>();
  const positional: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (w.startsWith("--")) {
      const [name, inline] = w.includes("=") ? [w.slice(0, w.indexOf("=")), w.slice(w.indexOf("=") + 1)] : [w, undefined];
      if (inline !== undefined) (options[name] ??= []).push(inline);
      else if (i + 1 < words.length && !words[i + 1].startsWith("--")) {
        // Options such as --names and --image-ids take several values.
        while (i + 1 < words.length && !words[i + 1].startsWith("--")) (options[name] ??= []).push(words[++i]);
      } else flags.add(name);
    } else positional.push(w);
  }
  // Boolean switches the CLI knows without a value.
  for (const f of ["--with-decryption", "--recursive", "--no-paginate"]) {
    if (options[f]) {
      flags.add(f);
      positional.push(...options[f]);
      delete options[f];
    }
  }
  return { region: options["--region"]?.[0] ?? defaultRegion, options, flags, positional };
}

/** What the CloudWatch agent does with the role once configured: logs per collected file, metrics, dimensions. */
function agentGrants(config: any, scan: ScanContext): Grant[] {
  if (!config) return [];
  const grants: Grant[] = [];
  for (const file of config.logs?.logs_collected?.files?.collect_list ?? []) {
    const stream = arnOf(scan, "logs", `log-group:${file.log_group_name}:log-stream:${String(file.log_stream_name ?? "{instance_id}").replace("{instance_id}", FAKE_INSTANCE_ID)}`);
    grants.push({ action: "logs:CreateLogStream", resource: stream }, { action: "logs:PutLogEvents", resource: stream }, { action: "logs:DescribeLogStreams", resource: stream });
  }
  if (config.metrics) {
    grants.push({ action: "cloudwatch:PutMetricData", resource: "*", context: { "cloudwatch:namespace": config.metrics.namespace ?? "CWAgent" } });
    // append_dimensions with the group name and the disk plugin read tags and volumes.
    grants.push({ action: "ec2:DescribeTags", resource: "*" }, { action: "ec2:DescribeVolumes", resource: "*" });
  }
  return grants;
}

// ---------------------------------------------------------------------------------------------
// Buildspecs and workflows

/** The shell commands of a buildspec, each with its line in the file, and its parameter-store variables. */
export function buildspecCommands(text: string): { commands: Array<{ command: string; line: number }>; parameterStore: Record<string, string>; variables: Record<string, string> } {
  const doc = YAML.parseDocument(text);
  const spec = doc.toJS() ?? {};
  const lines = text.split("\n");
  const commands: Array<{ command: string; line: number }> = [];
  for (const phase of Object.values<any>(spec.phases ?? {})) {
    for (const command of [...(phase?.commands ?? []), ...(phase?.finally ?? [])]) {
      const first = String(command).split("\n")[0];
      const line = lines.findIndex((l) => l.includes(first)) + 1;
      commands.push({ command: String(command), line });
    }
  }
  return { commands, parameterStore: spec.env?.["parameter-store"] ?? {}, variables: spec.env?.variables ?? {} };
}

/** CodeBuild's own variables, as a build started by CodePipeline has them. */
export function codebuildBuiltins(region: string): Record<string, string> {
  return {
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    CODEBUILD_RESOLVED_SOURCE_VERSION: FAKE_COMMIT,
    CODEBUILD_BUILD_NUMBER: "1",
    CODEBUILD_BUILD_SUCCEEDING: "1",
    CODEBUILD_SRC_DIR: "/codebuild/output/src1/src",
  };
}


// ---------------------------------------------------------------------------------------------
// One configuration: every file of every environment, the role that runs it, the decisions

/** An access with the role it was evaluated against and the decision. */
export interface Evaluated extends Access {
  readonly stack: string;
  readonly role: string;
  readonly roleName: string;
  readonly decision: Decision;
}

export interface Coverage {
  /** Files scanned, by stack. */
  readonly files: Record<string, string[]>;
  readonly evaluated: Evaluated[];
  readonly unmapped: Finding[];
  readonly unresolved: Finding[];
  readonly commands: Set<string>;
  /** Wiring problems: a file whose role cannot be found, a managed policy the test does not know, ... */
  readonly problems: string[];
  /** Policies of every evaluated role, by `<stack> <role address>`. */
  readonly roles: Map<string, RolePolicies & { readonly stack: string }>;
}

const refAddress = (value: unknown, type: string): string | undefined => {
  const m = typeof value === "string" ? new RegExp(`^\\$\\{(${type}\\.[\\w-]+)\\.\\w+\\}$`).exec(value.trim()) : null;
  return m?.[1];
};

/** Synthesized stacks (by environment, as `synthConfig` returns them) and the release files → coverage. */
export function coverageOf(config: Config, stacks: Record<string, Record<string, any>>): Coverage {
  const coverage: Coverage = { files: {}, evaluated: [], unmapped: [], unresolved: [], commands: new Set(), problems: [], roles: new Map() };
  for (const [envName, json] of Object.entries(stacks)) {
    const stackName = `${config.app.name}-${envName}`;
    const view = new StackView(json);
    const region: string = blocks(json.provider?.aws)[0]?.region ?? config.app.region;
    const account: string = strings(blocks(json.provider?.aws)[0]?.allowed_account_ids)[0] ?? ACCOUNT;
    const resolver = new Resolver(view, region, account);
    const parameters = new Map(view.resources("aws_ssm_parameter").map((p) => [resolver.resolve(String(p.values.name)), resolver.resolve(String(p.values.value))]));
    const envKey = view.get("aws_kms_key.environment_key") ? resolver.resolve("${aws_kms_key.environment_key.arn}") : undefined;
    const releasePath = `/${config.app.name}/${envName}/release/`;
    const environment = config.environments[envName];
    const files = environment ? releaseFiles(config, envName) : [];
    const dockerfile = files.find((f) => /(^|\/)Dockerfile$/.test(f.path))?.content;
    const scan: ScanContext = {
      region,
      account,
      secureStringKeyArn: envKey,
      baseImage: dockerfile ? /^ARG BASE_IMAGE=(\S+)$/m.exec(dockerfile)?.[1] : undefined,
      parameter: (name) => parameters.get(name),
      // What the build wrote into the revision: the environment's repository, by digest.
      revisionFile: (path) => (path === "release/image-uri" && parameters.has(`${releasePath}ecr-repository-url`) ? `${parameters.get(`${releasePath}ecr-repository-url`)}@sha256:${"0".repeat(64)}` : undefined),
      agentConfig: (name) => (parameters.has(name) ? JSON.parse(parameters.get(name)!) : undefined),
      taskDefinitionRoles: (family) => {
        const task = view.resources("aws_ecs_task_definition").find((t) => resolver.resolve(String(t.values.family)) === family);
        return task ? [task.values.task_role_arn, task.values.execution_role_arn].filter((r) => typeof r === "string").map((r) => resolver.resolve(String(r))) : undefined;
      },
    };
    const scanned: string[] = (coverage.files[stackName] = []);
    const perRole = new Map<string, ScanResult>();
    const resultFor = (role: string) => {
      if (!perRole.has(role)) perRole.set(role, { accesses: [], unmapped: [], unresolved: [], commands: coverage.commands });
      return perRole.get(role)!;
    };
    const roleOfProfile = (value: unknown) => {
      const profile = view.get(refAddress(value, "aws_iam_instance_profile") ?? "");
      return refAddress(profile?.values.role, "aws_iam_role");
    };
    const shell = (source: Omit<Source, "role">, role: string | undefined) => {
      scanned.push(source.file);
      if (!role) return void coverage.problems.push(`${source.file}: no role found that runs it`);
      scanShell({ ...source, role }, scan, resultFor(role));
    };

    // Instances: launch template user data and plain hosts' user data, run with the instance profile's role.
    for (const t of view.resources("aws_launch_template")) {
      if (typeof t.values.user_data !== "string") continue;
      shell({ file: `${stackName}: ${t.address}.user_data`, text: Buffer.from(t.values.user_data, "base64").toString("utf8") }, roleOfProfile(blocks(t.values.iam_instance_profile)[0]?.arn ?? blocks(t.values.iam_instance_profile)[0]?.name));
    }
    for (const i of view.resources("aws_instance")) {
      const text = typeof i.values.user_data_base64 === "string" ? Buffer.from(i.values.user_data_base64, "base64").toString("utf8") : i.values.user_data;
      if (typeof text === "string") shell({ file: `${stackName}: ${i.address}.user_data`, text }, roleOfProfile(i.values.iam_instance_profile));
    }

    // Release files: CodeDeploy hooks run as root with the fleet's instance role; the buildspec and
    // the image build script with the CodeBuild project's role and environment.
    const instanceRole = roleOfProfile(blocks(view.get("aws_launch_template.fleet_template")?.values.iam_instance_profile)[0]?.arn);
    const project = view.get("aws_codebuild_project.build_project");
    const projectRole = refAddress(project?.values.service_role, "aws_iam_role");
    const projectEnv = (p: TfResource | undefined): Record<string, string> =>
      Object.fromEntries(
        blocks(blocks(p?.values.environment)[0]?.environment_variable).map((v) => [
          String(v.name),
          v.type === "PARAMETER_STORE" ? parameters.get(resolver.resolve(String(v.value))) ?? UNRESOLVED(String(v.value)) : resolver.resolve(String(v.value)),
        ]),
      );
    const buildspecEnv = (text: string, p: TfResource | undefined, file: string, role: string | undefined) => {
      const spec = buildspecCommands(text);
      const env: Record<string, string> = { ...codebuildBuiltins(region), ...projectEnv(p), ...spec.variables };
      for (const [name, parameter] of Object.entries(spec.parameterStore)) {
        env[name] = parameters.get(parameter) ?? UNRESOLVED(`SSM ${parameter}`);
        // CodeBuild reads env.parameter-store with the project's role.
        if (role) {
          const line = text.split("\n").findIndex((l) => l.includes(parameter)) + 1;
          resultFor(role).accesses.push({ file, line, command: `env.parameter-store ${name}: ${parameter}`, action: "ssm:GetParameters", resource: parameterArn(scan, parameter), service: "CodeBuild" });
          coverage.commands.add("buildspec env.parameter-store");
        }
      }
      return { spec, env };
    };
    for (const f of files) {
      const file = `generated/${envName}/${f.path}`;
      if (/^scripts\/.*\.sh$/.test(f.path)) shell({ file, text: f.content }, instanceRole);
      if (f.path === "buildspec.yml") {
        const { spec, env } = buildspecEnv(f.content, project, file, projectRole);
        scanned.push(file);
        for (const c of spec.commands) if (projectRole) scanShell({ file, text: c.command, role: projectRole, env }, scan, resultFor(projectRole), c.line - 1);
        const image = files.find((g) => g.path === "release/build-image.sh");
        if (image && spec.commands.some((c) => c.command.includes("release/build-image.sh"))) shell({ file: `generated/${envName}/release/build-image.sh`, text: image.content, env }, projectRole);
      }
      if (f.path.startsWith(".github/workflows/")) scanWorkflow(f.content, `generated/${envName}/${f.path}`, view, resolver, scan, coverage, resultFor, scanned);
      if (f.path === "bitbucket-pipelines.yml") scanBitbucket(f.content, file, view, resolver, scan, coverage, resultFor, scanned);
      if (f.path === "Jenkinsfile") scanJenkinsfile(f.content, file, view, resolver, scan, coverage, resultFor, scanned);
    }

    // Plain hosts: the deploy document runs on the host with its instance role (SSM Run Command runs
    // as root through the agent, with the instance profile's credentials).
    const hostRole = roleOfProfile(view.get("aws_instance.host_instance")?.values.iam_instance_profile);
    for (const d of view.resources("aws_ssm_document")) {
      const content = JSON.parse(resolver.resolve(String(d.values.content)));
      const text = (content.mainSteps ?? []).flatMap((step: any) => step.inputs?.runCommand ?? []).join("\n");
      const compose = /<<'COMPOSE'\n([\s\S]*?)\nCOMPOSE\n/.exec(text)?.[1];
      const file = `${stackName}: ${d.address}.content`;
      scanned.push(file);
      if (!hostRole) coverage.problems.push(`${file}: no host instance role runs it`);
      else scanShell({ file, text, role: hostRole }, { ...scan, composeFile: compose }, resultFor(hostRole));
    }
    // The host's playbook runs its commands on the host, as root, with the instance role.
    for (const f of files.filter((g) => g.path.startsWith("ansible/"))) {
      const file = `generated/${envName}/${f.path}`;
      if (/^ansible\/files\/[\w-]+-env-sync$/.test(f.path)) shell({ file, text: f.content }, hostRole);
      if (f.path === "ansible/playbook.yml") {
        const commands = (YAML.parse(f.content) as any[]).flatMap((play) => [...(play.tasks ?? []), ...(play.handlers ?? [])]).map((t) => t["ansible.builtin.command"]?.cmd).filter((c): c is string => typeof c === "string");
        const caddy = files.find((g) => g.path === "ansible/files/caddy-compose.yaml")?.content;
        scanned.push(file);
        if (!hostRole) coverage.problems.push(`${file}: no host instance role runs it`);
        else scanShell({ file, text: commands.join("\n"), role: hostRole }, { ...scan, composeFile: caddy }, resultFor(hostRole));
      }
    }

    // CodeBuild projects with their buildspec in the stack (ECS services).
    for (const p of view.resources("aws_codebuild_project")) {
      const text = blocks(p.values.source)[0]?.buildspec;
      if (typeof text !== "string") continue;
      const role = refAddress(p.values.service_role, "aws_iam_role");
      const file = `${stackName}: ${p.address}.source.buildspec`;
      const spec = text.replace(/\$\$\{/g, "${").replace(/%%\{/g, "%{");
      const { spec: parsed, env } = buildspecEnv(spec, p, file, role);
      scanned.push(file);
      if (!role) coverage.problems.push(`${file}: no service role`);
      else for (const c of parsed.commands) scanShell({ file, text: c.command, role, env }, scan, resultFor(role), c.line - 1);
    }

    serviceAccesses(view, resolver, scan, instanceRole, resultFor, stackName);

    // Evaluate every access against the policies of its role.
    for (const [role, result] of perRole) {
      const policies = rolePolicies(view, resolver, role);
      coverage.roles.set(`${stackName} ${role}`, { ...policies, stack: stackName });
      for (const m of policies.unknownManaged) coverage.problems.push(`${stackName} ${role}: managed policy ${m} is not in MANAGED_POLICIES; add its document`);
      for (const u of policies.unresolved) coverage.problems.push(`${stackName} ${role}: policy document not resolved: ${u}`);
      coverage.unmapped.push(...result.unmapped);
      coverage.unresolved.push(...result.unresolved);
      for (const a of result.accesses) coverage.evaluated.push({ ...a, stack: stackName, role, roleName: policies.name, decision: evaluate(policies.statements, a) });
    }
  }
  return coverage;
}

/** Calls AWS services and agents make with a role of the stack, without a script line of ours. */
function serviceAccesses(view: StackView, resolver: Resolver, scan: ScanContext, instanceRole: string | undefined, resultFor: (role: string) => ScanResult, stackName: string): void {
  const viaS3 = { "kms:ViaService": `s3.${scan.region}.amazonaws.com`, "kms:CallerAccount": scan.account ?? ACCOUNT };
  for (const pipeline of view.resources("aws_codepipeline")) {
    const store = blocks(pipeline.values.artifact_store)[0] ?? {};
    const bucket = resolver.resolve(String(store.location));
    const key = store.encryption_key ? resolver.resolve(String(blocks(store.encryption_key)[0]?.id)) : undefined;
    const name = resolver.resolve(String(pipeline.values.name));
    const object = (artifact: string) => `arn:aws:s3:::${bucket}/${name.slice(0, 20)}/${artifact.slice(0, 10)}/Ab1Cd2E`;
    for (const action of blocks(pipeline.values.stage).flatMap((s) => blocks(s.action))) {
      const file = `${stackName}: ${pipeline.address} action ${action.name}`;
      const inputs = strings(action.input_artifacts);
      const outputs = strings(action.output_artifacts);
      if (action.provider === "CodeBuild") {
        const project = view.get(refAddress(action.configuration?.ProjectName, "aws_codebuild_project") ?? "");
        const role = refAddress(project?.values.service_role, "aws_iam_role");
        if (!project || !role) continue;
        const r = resultFor(role);
        const push = (g: Omit<Access, "file" | "line" | "command" | "service">, what: string) => r.accesses.push({ file, line: 0, command: what, service: "CodeBuild", ...g });
        for (const input of inputs) push({ action: "s3:GetObject", resource: object(input) }, `download input artifact ${input}`);
        for (const output of outputs) push({ action: "s3:PutObject", resource: object(output) }, `upload output artifact ${output}`);
        if (key) {
          push({ action: "kms:Decrypt", resource: key, context: viaS3 }, "decrypt the input artifact");
          push({ action: "kms:GenerateDataKey", resource: key, context: viaS3 }, "encrypt the output artifact");
        }
        // The project's S3 cache: CodeBuild downloads it before the build and uploads it after.
        const cache = blocks(project.values.cache)[0];
        if (cache?.type === "S3") {
          const cacheObject = `arn:aws:s3:::${resolver.resolve(String(cache.location))}/0123abcd-cache`;
          push({ action: "s3:GetObject", resource: cacheObject }, "download the build cache");
          push({ action: "s3:PutObject", resource: cacheObject }, "upload the build cache");
        }
        const logs = blocks(blocks(project.values.logs_config)[0]?.cloudwatch_logs)[0];
        if (logs && logs.status !== "DISABLED") {
          const stream = resolver.arn("logs", `log-group:${resolver.resolve(String(logs.group_name))}:log-stream:build-id`);
          push({ action: "logs:CreateLogStream", resource: stream }, "build logs");
          push({ action: "logs:PutLogEvents", resource: stream }, "build logs");
        }
      }
      if (action.provider === "CodeDeploy" && instanceRole) {
        // The CodeDeploy agent on each instance downloads the revision with the instance role.
        const r = resultFor(instanceRole);
        for (const input of inputs) {
          r.accesses.push({ file, line: 0, command: `CodeDeploy agent downloads revision ${input}`, service: "CodeDeploy agent", action: "s3:GetObject", resource: object(input) });
          r.accesses.push({ file, line: 0, command: `CodeDeploy agent downloads revision ${input} (versioned)`, service: "CodeDeploy agent", action: "s3:GetObjectVersion", resource: object(input) });
        }
        if (key) r.accesses.push({ file, line: 0, command: "CodeDeploy agent decrypts the revision", service: "CodeDeploy agent", action: "kms:Decrypt", resource: key, context: viaS3 });
      }
    }
  }
  // ECS: the agent pulls each task's image and creates its log streams with the execution role.
  for (const task of view.resources("aws_ecs_task_definition")) {
    const role = refAddress(task.values.execution_role_arn, "aws_iam_role");
    if (!role) continue;
    const definitions = String(task.values.container_definitions);
    const file = `${stackName}: ${task.address}`;
    const r = resultFor(role);
    const add = (action: string, resource: string, command: string) => r.accesses.push({ file, line: 0, command, action, resource, service: "ECS agent" });
    for (const m of definitions.matchAll(/aws_ecr_repository\.([\w-]+)\.repository_url/g)) {
      add("ecr:GetAuthorizationToken", "*", "pull the task image");
      for (const action of PULL) add(action, resolver.resolve(`\${aws_ecr_repository.${m[1]}.arn}`), "pull the task image");
    }
    for (const m of definitions.matchAll(/"awslogs-group"\s*=\s*aws_cloudwatch_log_group\.([\w-]+)\.name/g)) {
      const stream = `${resolver.resolve(`\${aws_cloudwatch_log_group.${m[1]}.arn}`)}:log-stream:prefix/container/task-id`;
      add("logs:CreateLogStream", stream, "awslogs driver");
      add("logs:PutLogEvents", stream, "awslogs driver");
    }
  }
}

/** The GitHub Actions workflow: its role from `role-to-assume`, the actions it uses, its `run` scripts. */
function scanWorkflow(
  text: string,
  file: string,
  view: StackView,
  resolver: Resolver,
  scan: ScanContext,
  coverage: Coverage,
  resultFor: (role: string) => ScanResult,
  scanned: string[],
): void {
  scanned.push(file);
  const workflow = YAML.parse(text);
  const lines = text.split("\n");
  const lineOfText = (needle: string) => lines.findIndex((l) => l.includes(needle)) + 1;
  const expressions = (value: string, registry: string) =>
    value.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_, e: string) =>
      e === "steps.ecr.outputs.registry" ? registry : e.startsWith("vars.") && /ACCOUNT/.test(e) ? (scan.account ?? ACCOUNT) : e.startsWith("github.") ? "github-value" : UNRESOLVED(e),
    );
  for (const [jobName, job] of Object.entries<any>(workflow.jobs ?? {})) {
    let role: string | undefined;
    let registry = UNRESOLVED("no amazon-ecr-login step");
    for (const step of job.steps ?? []) {
      const uses = String(step.uses ?? "");
      const action = uses.replace(/@.*$/, "");
      const line = lineOfText(uses || String(step.run ?? "").split("\n")[0]);
      if (action === "aws-actions/configure-aws-credentials") {
        const arn = expressions(String(step.with?.["role-to-assume"] ?? ""), "");
        const name = /:role\/(.+)$/.exec(arn)?.[1];
        role = view.resources("aws_iam_role").find((r) => resolver.resolve(String(r.values.name)) === name)?.address;
        coverage.commands.add(`uses: ${action}`);
        if (!role) coverage.problems.push(`${file}:${line}: role-to-assume ${arn} names no role of the stack`);
      } else if (action === "aws-actions/amazon-ecr-login") {
        coverage.commands.add(`uses: ${action}`);
        registry = `${scan.account ?? ACCOUNT}.dkr.ecr.${scan.region}.amazonaws.com`;
        if (role) resultFor(role).accesses.push({ file, line, command: uses, action: "ecr:GetAuthorizationToken", resource: "*" });
      } else if (action.startsWith("aws-actions/")) {
        coverage.unmapped.push({ file, line, command: uses, detail: `${action}: not in the mapping table` });
      } else if (uses) {
        coverage.commands.add(`uses: ${action}`);
      }
      if (typeof step.run === "string") {
        if (!role) {
          coverage.problems.push(`${file}:${line}: run step before the job ${jobName} has a role`);
          continue;
        }
        const env = Object.fromEntries(Object.entries<any>({ ...job.env, ...step.env }).map(([k, v]) => [k, expressions(String(v), registry)]));
        // The script's first line in the file, after the step's name (steps may start alike); 0-based = the line before it.
        const named = step.name ? lines.findIndex((l) => l.trim() === `- name: ${step.name}`) : -1;
        const first = step.run.split("\n")[0].trim();
        const runAt = lines.findIndex((l, i) => i > named && l.trim() === first);
        scanShell({ file, text: step.run, role, env: { GITHUB_SHA: FAKE_COMMIT, GITHUB_RUN_NUMBER: "7", GITHUB_RUN_ATTEMPT: "1", ...env } }, scan, resultFor(role), runAt >= 0 ? runAt : line);
      }
    }
  }
}

/** The stack's role a CI file names by ARN (`:role/<name>`), by its name. */
function ciRole(text: string, file: string, view: StackView, resolver: Resolver, coverage: Coverage): string | undefined {
  const name = /:role\/([\w+=,.@-]+)/.exec(text)?.[1];
  const role = name ? view.resources("aws_iam_role").find((r) => resolver.resolve(String(r.values.name)) === name)?.address : undefined;
  if (!role) coverage.problems.push(`${file}: the role it assumes (${name ?? "no :role/<name> in the file"}) is no role of the stack`);
  return role;
}

/**
 * bitbucket-pipelines.yml: each step's script items run in one shell, in order (exports carry
 * over), with the role of its AWS_ROLE_ARN. The items are laid out on their own lines of the file,
 * so findings name the file's line.
 */
function scanBitbucket(text: string, file: string, view: StackView, resolver: Resolver, scan: ScanContext, coverage: Coverage, resultFor: (role: string) => ScanResult, scanned: string[]): void {
  scanned.push(file);
  const doc = YAML.parse(text);
  const lines = text.split("\n");
  const pipelines = Object.values<any>(doc?.pipelines?.branches ?? {});
  if (pipelines.length === 0) coverage.problems.push(`${file}: no branch pipeline`);
  for (const pipeline of pipelines) {
    for (const entry of pipeline) {
      const items: string[] = (entry.step?.script ?? []).filter((i: unknown) => typeof i === "string");
      const role = ciRole(items.join("\n"), file, view, resolver, coverage);
      if (!role) continue;
      // Each item at the line where its text starts in the file (0-based line index → padding).
      let padded = "";
      let from = 0;
      for (const item of items) {
        const first = item.split("\n")[0].trim();
        const found = lines.findIndex((l, i) => i >= from && l.trim() === first);
        const current = padded.split("\n").length - 1;
        const at = found < 0 ? current : found;
        padded += "\n".repeat(Math.max(at - current, 0)) + item + (item.endsWith("\n") ? "" : "\n");
        from = at + 1;
      }
      const env = { BITBUCKET_COMMIT: FAKE_COMMIT, BITBUCKET_BUILD_NUMBER: "7", BITBUCKET_CLONE_DIR: "/opt/atlassian/pipelines/agent/build", AWS_ACCOUNT_ID: scan.account ?? ACCOUNT };
      scanShell({ file, text: padded, role, env }, scan, resultFor(role));
    }
  }
}

/** Jenkinsfile: every `sh` step with the pipeline's environment and its withEnv, as the role the profile step configures. */
function scanJenkinsfile(text: string, file: string, view: StackView, resolver: Resolver, scan: ScanContext, coverage: Coverage, resultFor: (role: string) => ScanResult, scanned: string[]): void {
  scanned.push(file);
  const pipeline = declarativePipeline(text);
  const role = ciRole(pipeline.steps.map((s) => s.script).join("\n"), file, view, resolver, coverage);
  if (!role) return;
  const base = { AWS_ACCOUNT_ID: scan.account ?? ACCOUNT, GIT_COMMIT: FAKE_COMMIT, BUILD_NUMBER: "7", ...pipeline.environment };
  // The script's first line (the shebang) is on the line of `sh`.
  for (const step of pipeline.steps) scanShell({ file, text: step.script, role, env: { ...base, ...step.env } }, scan, resultFor(role), step.line - 1);
}

// ---------------------------------------------------------------------------------------------
// Least privilege, the other way: granted and never used

export interface Unused {
  readonly stack: string;
  readonly role: string;
  readonly roleName: string;
  readonly action: string;
  readonly resource: string;
  readonly statement: string;
}

/** Inline (product-authored) Allow grants of the evaluated roles that no access used. */
export function unusedGrants(coverage: Coverage): Unused[] {
  const unused: Unused[] = [];
  for (const [key, policies] of coverage.roles) {
    const accesses = coverage.evaluated.filter((e) => `${e.stack} ${e.role}` === key);
    for (const s of policies.statements.filter((st) => st.origin === "inline" && st.effect === "Allow")) {
      for (const action of s.actions) {
        for (const resource of s.resources) {
          const usedFor = (r: string) => accesses.some((a) => actionMatches(action, a.action) && resourceMatches(r, a.resource) && a.decision.allowedBy.includes(s.label));
          // A log group granted as `arn` and `arn:*` is one grant: the streams are the `:*` half.
          const used = usedFor(resource) || (s.resources.includes(`${resource}:*`) && usedFor(`${resource}:*`)) || (resource.endsWith(":*") && s.resources.includes(resource.slice(0, -2)) && usedFor(resource.slice(0, -2)));
          // Reported once, as the log group, when neither half is used.
          if (resource.endsWith(":*") && s.resources.includes(resource.slice(0, -2))) continue;
          if (!used) unused.push({ stack: policies.stack, role: policies.address, roleName: policies.name, action, resource, statement: s.label });
        }
      }
    }
  }
  return unused;
}
