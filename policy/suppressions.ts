import { App, TerraformDataSource, TerraformResource, TerraformStack } from "cdktf";
import { IConstruct } from "constructs";
import { Suppression } from "./engine";

const METADATA_TYPE = "policy-pack/suppress";
const RULE_ID = /^[A-Z][A-Z0-9]*\.[A-Z][A-Z0-9_]*$/;
/** A reason must be a sentence a reviewer can judge, not a placeholder. */
const MIN_REASON_LENGTH = 10;

/**
 * Accepts the failure of one rule on every Terraform resource at or below `scope` (a resource or
 * the construct that owns it), for the given reason. The reason is shown by `npm run check` and
 * in reviews; suppressions on a whole stack or app are refused, they would hide future resources.
 */
export function suppress(scope: IConstruct, ruleId: string, reason: string): void {
  if (TerraformStack.isStack(scope) || App.isApp(scope)) {
    throw new Error(`suppress(${scope.node.path || "app"}, ${ruleId}): suppress on the construct or resource that owns the choice, not on a whole stack or app`);
  }
  if (!RULE_ID.test(ruleId)) throw new Error(`suppress(${scope.node.path}, ${JSON.stringify(ruleId)}): a rule id looks like FAMILY.NAME, e.g. SG.WORLD_ADMIN_PORTS`);
  if (typeof reason !== "string" || reason.trim().length < MIN_REASON_LENGTH) {
    throw new Error(`suppress(${scope.node.path}, ${ruleId}): give a reason of at least ${MIN_REASON_LENGTH} characters saying why the failure is accepted`);
  }
  scope.node.addMetadata(METADATA_TYPE, { ruleId, reason: reason.trim() });
}

/** The Terraform address of a resource or data source construct. */
export function addressOf(node: IConstruct): string | undefined {
  if (node instanceof TerraformResource) return `${node.terraformResourceType}.${node.friendlyUniqueId}`;
  if (node instanceof TerraformDataSource) return `data.${node.terraformResourceType}.${node.friendlyUniqueId}`;
  return undefined;
}

/** Every suppression declared in a stack, expanded to the addresses it covers (innermost declaration wins). */
export function suppressionsOf(stack: TerraformStack): Suppression[] {
  const found = new Map<string, Suppression>();
  for (const node of stack.node.findAll()) {
    const address = addressOf(node);
    if (!address) continue;
    for (const scope of [...node.node.scopes].reverse()) {
      for (const entry of scope.node.metadata.filter((m) => m.type === METADATA_TYPE)) {
        const { ruleId, reason } = entry.data as { ruleId: string; reason: string };
        const key = `${ruleId} ${address}`;
        if (!found.has(key)) found.set(key, { address, ruleId, reason, declaredAt: scope.node.path });
      }
    }
  }
  return [...found.values()];
}
