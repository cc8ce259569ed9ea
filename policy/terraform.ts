/**
 * A read-only view of one synthesized stack (`stack.toTerraform()`, the JSON cdktf writes):
 * resources by type and address, and the references between them. References appear as
 * `${aws_x.name.attr}` strings; they are resolved to the resources of this stack they name.
 */

/** One resource or data source of the stack. */
export interface TfResource {
  readonly type: string;
  readonly name: string;
  /** `type.name`, or `data.type.name` for data sources: what `terraform plan` shows. */
  readonly address: string;
  /** Arguments as synthesized (snake case keys, blocks as objects or lists). */
  readonly values: Record<string, any>;
}

export interface StackViewOptions {
  /**
   * The stack holds data that must survive mistakes (deletion protection required).
   * @default true
   */
  readonly protection?: boolean;
}

// A reference inside `${...}`: `type.name` or `data.type.name`, not preceded by a dot (an attribute).
const REFERENCE = /(?<![\w.])((?:data\.)?[a-z][a-z0-9_]*\.[A-Za-z_][\w-]*)/g;
const EXPRESSION = /\$\{([^}]*)\}/g;

export class StackView {
  public readonly protection: boolean;
  private readonly byType = new Map<string, TfResource[]>();
  private readonly byAddress = new Map<string, TfResource>();

  constructor(json: Record<string, any>, options: StackViewOptions = {}) {
    this.protection = options.protection ?? true;
    for (const [mode, prefix] of [["resource", ""], ["data", "data."]] as const) {
      for (const [type, byName] of Object.entries<Record<string, any>>(json[mode] ?? {})) {
        for (const [name, values] of Object.entries<Record<string, any>>(byName)) {
          const resource: TfResource = { type: `${prefix}${type}`, name, address: `${prefix}${type}.${name}`, values };
          this.byAddress.set(resource.address, resource);
          const list = this.byType.get(resource.type) ?? [];
          list.push(resource);
          this.byType.set(resource.type, list);
        }
      }
    }
  }

  /** Resources of the given types (data sources as `data.<type>`), in synthesis order. */
  public resources(...types: string[]): TfResource[] {
    return types.flatMap((t) => this.byType.get(t) ?? []);
  }

  public get(address: string): TfResource | undefined {
    return this.byAddress.get(address);
  }

  /** Resources of this stack that `value` (any JSON) references, optionally only of `types`. */
  public refs(value: unknown, ...types: string[]): TfResource[] {
    const found: TfResource[] = [];
    for (const address of referencedAddresses(value)) {
      const resource = this.byAddress.get(address);
      if (resource && (types.length === 0 || types.includes(resource.type)) && !found.includes(resource)) found.push(resource);
    }
    return found;
  }

  /** Resources of `types` whose `field` (or any argument, without one) references `target`. */
  public referrers(target: TfResource, types: readonly string[], field?: string): TfResource[] {
    return this.resources(...types).filter((r) => referencedAddresses(field ? r.values[field] : r.values).has(target.address));
  }
}

/** Every `type.name` / `data.type.name` that appears inside `${...}` anywhere in `value`. */
export function referencedAddresses(value: unknown, into = new Set<string>()): Set<string> {
  if (typeof value === "string") {
    for (const expression of value.matchAll(EXPRESSION)) {
      for (const m of expression[1].matchAll(REFERENCE)) into.add(m[1]);
    }
  } else if (Array.isArray(value)) {
    for (const item of value) referencedAddresses(item, into);
  } else if (value && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) if (key !== "//") referencedAddresses(item, into);
  }
  return into;
}

/** A nested block as a list, whether cdktf rendered it as one object or as a list. */
export function blocks(value: unknown): Record<string, any>[] {
  if (Array.isArray(value)) return value.filter((v) => v && typeof v === "object");
  return value && typeof value === "object" ? [value as Record<string, any>] : [];
}

/** The first instance of a nested block, or an empty object. */
export function block(value: unknown): Record<string, any> {
  return blocks(value)[0] ?? {};
}

/** A list argument as strings (a single string counts as a one-element list). */
export function strings(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === "string");
  return typeof value === "string" ? [value] : [];
}

/** True for `true` and `"true"` (some provider arguments are typed as strings, e.g. launch templates' `encrypted`). */
export function isTrue(value: unknown): boolean {
  return value === true || value === "true";
}

export function isFalse(value: unknown): boolean {
  return value === false || value === "false";
}

/** A value Terraform computes (contains `${...}`): the pack cannot prove anything about it. */
export function isExpression(value: unknown): value is string {
  return typeof value === "string" && value.includes("${");
}

/** A string argument that is set and not blank. */
export function isSet(value: unknown): boolean {
  return (typeof value === "string" && value.trim() !== "") || (Array.isArray(value) && value.length > 0);
}

/** `value` formatted for a message: strings quoted, absent values as "not set (<what that means>)". */
export function shown(value: unknown, whenUnset?: string): string {
  if (value === undefined || value === null) return whenUnset ? `not set (${whenUnset})` : "not set";
  return JSON.stringify(value);
}
