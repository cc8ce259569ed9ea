import { Rule } from "../engine";
import {
  documentsOf,
  isAccountRoot,
  isReadOnlyAction,
  isResourceWildcardException,
  isWildcardAction,
  PERMISSION_DOCUMENT_TYPES,
  permissionDocumentsOf,
  PolicyDocument,
  serviceOfPrincipal,
  Statement,
} from "../iam";
import { expectedServices } from "../relations";
import { isSet, strings, TfResource } from "../terraform";

const ATTACHMENT_TYPES = [
  "aws_iam_role",
  "aws_iam_role_policy_attachment",
  "aws_iam_role_policy_attachments_exclusive",
  "aws_iam_policy_attachment",
  "aws_iam_user_policy_attachment",
  "aws_iam_group_policy_attachment",
];

function unreadable(documents: readonly PolicyDocument[]): string[] {
  return documents
    .filter((d) => d.unresolved !== undefined)
    .map((d) => `${d.field} is ${d.unresolved}, which the pack cannot read (use an aws_iam_policy_document data source or literal JSON)`);
}

function allows(documents: readonly PolicyDocument[], kinds: readonly string[]): Array<{ document: PolicyDocument; statement: Statement }> {
  return documents
    .filter((d) => kinds.includes(d.kind))
    .flatMap((document) => document.statements.filter((s) => s.effect === "Allow").map((statement) => ({ document, statement })));
}

/** The default key policy statement: the account (root) administers the key, IAM decides the rest. */
function isKeyDelegationToAccount(statement: Statement): boolean {
  return (
    statement.actions.every((a) => a === "kms:*") &&
    statement.principals.length > 0 &&
    statement.principals.every((p) => p.type === "AWS" && p.identifiers.every(isAccountRoot))
  );
}

function managedPolicyArns(resource: TfResource): string[] {
  const v = resource.values;
  return [...strings(v.policy_arn), ...strings(v.managed_policy_arns), ...strings(v.policy_arns)];
}

const ASSUME = /^sts:(\*|AssumeRole\w*)$/i;

export const IAM_RULES: Rule[] = [
  {
    id: "IAM.NO_WILDCARD_ACTION",
    title: "No Allow statement grants every action (`*`) or every action of a service (`<service>:*`), or uses NotAction.",
    rationale: "Wildcard actions grant permissions nobody reviewed, including ones AWS adds later; they are the usual path to privilege escalation.",
    fix: "List the actions the principal needs. The only accepted wildcard is a KMS key policy's default statement that delegates the key to the account (principal arn:<partition>:iam::<account>:root, action kms:*).",
    checkov: ["CKV_AWS_63", "CKV_AWS_49", "CKV_AWS_62", "CKV_AWS_1"],
    resourceTypes: PERMISSION_DOCUMENT_TYPES,
    scope: "resources that carry identity or resource policies (role, user and group policies, managed policies, key, bucket, topic, queue and repository policies)",
    appliesTo: (resource, stack) => permissionDocumentsOf(resource, stack).length > 0,
    check: (resource, stack) => {
      const documents = permissionDocumentsOf(resource, stack);
      const problems = unreadable(documents);
      for (const { document, statement } of allows(documents, ["identity", "resource", "key", "repository"])) {
        if (document.kind === "key" && isKeyDelegationToAccount(statement)) continue;
        const wildcards = statement.actions.filter(isWildcardAction);
        if (wildcards.length > 0) problems.push(`${statement.label}: allows ${wildcards.join(", ")}`);
        if (statement.notActions.length > 0) problems.push(`${statement.label}: allows NotAction ${statement.notActions.join(", ")} (every other action)`);
      }
      return problems;
    },
  },
  {
    id: "IAM.RESOURCE_WILDCARD",
    title: "Resource `*` is granted only for read-only actions or for actions that have no resource type (listed exceptions).",
    rationale: "A write or use action (PutObject, Decrypt, PassRole, ...) on every resource reaches data and roles the principal was never meant to touch.",
    fix: "Scope the statement to the ARNs it needs (grant helpers of the constructs do). Actions that AWS authorizes only on \"*\" are accepted, see the exception list; in KMS key policies \"*\" means the key itself and ECR repository policies name no resource, so neither is checked.",
    checkov: ["CKV_AWS_355", "CKV_AWS_356", "CKV_AWS_290", "CKV_AWS_111"],
    resourceTypes: PERMISSION_DOCUMENT_TYPES,
    scope: "identity policies and bucket, topic and queue policies",
    appliesTo: (resource, stack) => permissionDocumentsOf(resource, stack).some((d) => d.kind === "identity" || d.kind === "resource"),
    check: (resource, stack) => {
      const documents = permissionDocumentsOf(resource, stack);
      const problems = unreadable(documents);
      for (const { statement } of allows(documents, ["identity", "resource"])) {
        if (!statement.resources.includes("*") && statement.notResources.length === 0) continue;
        const unscoped = statement.actions.filter((a) => !isReadOnlyAction(a) && !isResourceWildcardException(a));
        if (statement.notActions.length > 0) unscoped.push(`NotAction ${statement.notActions.join(", ")}`);
        if (unscoped.length > 0) problems.push(`${statement.label}: ${unscoped.join(", ")} on ${statement.notResources.length ? "NotResource" : "Resource \"*\""}`);
      }
      return problems;
    },
  },
  {
    id: "IAM.TRUST_EXPECTED_SERVICE",
    title: "A role is assumable only by the service that uses it; never by any principal, and federated principals only under conditions.",
    rationale: "An over-broad trust policy lets other services, accounts or identities obtain the role's permissions (confused deputy, cross-account takeover).",
    fix: "Trust exactly the service principal of the resource that uses the role (e.g. ec2.amazonaws.com for an instance profile, codedeploy.amazonaws.com for a deployment group), add aws:SourceAccount / aws:SourceArn conditions, and give federated principals sub/aud conditions.",
    checkov: ["CKV_AWS_60", "CKV_AWS_61"],
    resourceTypes: ["aws_iam_role"],
    check: (role, stack) => {
      const documents = documentsOf(role, stack).filter((d) => d.kind === "trust");
      const expected = expectedServices(stack, role);
      const usedBy = [...expected].map(([service, users]) => `${service} (${users.join(", ")})`).join(", ");
      const problems = unreadable(documents);
      for (const { statement } of allows(documents, ["trust"])) {
        if (!statement.actions.some((a) => a === "*" || ASSUME.test(a))) continue;
        for (const principal of statement.principals) {
          const ids = principal.identifiers.join(", ");
          if (principal.type === "*" || principal.identifiers.includes("*")) problems.push(`${statement.label}: any principal may assume the role`);
          else if (principal.type === "Federated" && statement.conditions.length === 0) problems.push(`${statement.label}: federated principal ${ids} without conditions`);
          else if (expected.size > 0 && principal.type !== "Service") problems.push(`${statement.label}: trusts ${principal.type} ${ids}, but the role is used by ${usedBy}`);
          else if (expected.size > 0) {
            const others = principal.identifiers.filter((id) => !expected.has(serviceOfPrincipal(id)));
            if (others.length > 0) problems.push(`${statement.label}: trusts ${others.join(", ")}, but the role is used by ${usedBy}`);
          }
        }
      }
      return problems;
    },
  },
  {
    id: "IAM.NO_ADMINISTRATOR_ACCESS",
    title: "No role, user or group gets the AdministratorAccess managed policy.",
    rationale: "Full administrator rights on a workload identity turn any compromise of that workload into a compromise of the account.",
    fix: "Attach least-privilege policies instead (the grant helpers of the constructs, or narrow AWS managed policies such as AmazonSSMManagedInstanceCore).",
    checkov: ["CKV_AWS_274", "CKV_AWS_275"],
    resourceTypes: ATTACHMENT_TYPES,
    scope: "policy attachments and roles with managed_policy_arns",
    appliesTo: (resource) => managedPolicyArns(resource).some(isSet),
    check: (resource) => managedPolicyArns(resource).filter((arn) => /:policy\/AdministratorAccess$/.test(arn)).map((arn) => `attaches ${arn}`),
  },
];
