import { TerraformDataSource, TerraformElement, TerraformResource, TerraformStack } from "cdktf";
import { IConstruct } from "constructs";

/**
 * Terraform addresses are a public contract (DESIGN.md "Addresses"): every element gets
 * `<construct id>_<name>` in snake case, from its owning construct's own id only, so wrapping or
 * moving a construct in the tree never changes an address. Construct ids are therefore unique per
 * stack; composite constructs qualify their children's ids with their own (see {@link childId}).
 */
export function pin<T extends TerraformElement>(owner: IConstruct, element: T, name?: string): T {
  const prefix = snake(owner.node.id);
  element.overrideLogicalId(name ? `${prefix}_${snake(name)}` : prefix);
  return element;
}

/** Pins a stack-level element (one owned by no construct of ours) to an explicit address name. */
export function pinName<T extends TerraformElement>(element: T, name: string): T {
  element.overrideLogicalId(snake(name));
  return element;
}

/** The id a composite construct gives a child construct: `<own id>-<role>`. */
export function childId(owner: IConstruct, role: string): string {
  return `${owner.node.id}-${role}`;
}

export function snake(id: string): string {
  return id
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2")
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/[^A-Za-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .toLowerCase();
}

/** Every `type.name` address in a stack, as Terraform will show it (`data.` for data sources). */
export function addressesOf(synthesized: Record<string, any>): string[] {
  const out: string[] = [];
  for (const [type, byName] of Object.entries<Record<string, unknown>>(synthesized.resource ?? {})) {
    for (const name of Object.keys(byName)) out.push(`${type}.${name}`);
  }
  for (const [type, byName] of Object.entries<Record<string, unknown>>(synthesized.data ?? {})) {
    for (const name of Object.keys(byName)) out.push(`data.${type}.${name}`);
  }
  return out.sort();
}

/**
 * Fails synthesis when two elements of a stack would share an address (cdktf would silently
 * merge them into one JSON key).
 */
export function assertUniqueAddresses(stack: TerraformStack): void {
  const seen = new Map<string, string>();
  for (const node of stack.node.findAll()) {
    let address: string;
    if (node instanceof TerraformResource) address = `${node.terraformResourceType}.${node.friendlyUniqueId}`;
    else if (node instanceof TerraformDataSource) address = `data.${node.terraformResourceType}.${node.friendlyUniqueId}`;
    else continue;
    const previous = seen.get(address);
    if (previous) {
      throw new Error(`Two elements share the Terraform address ${address}: ${previous} and ${node.node.path}. Give one of their constructs another id.`);
    }
    seen.set(address, node.node.path);
  }
}
