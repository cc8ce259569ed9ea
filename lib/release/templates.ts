import * as fs from "fs";
import * as path from "path";
import Mustache from "mustache";

/** The repository root: the nearest folder above this file with a package.json (works from lib/ and dist/lib/). */
export const PROJECT_ROOT = findRoot(__dirname);

/**
 * Renders `templates/<name>` with Mustache. Templates are files, not strings in code, so the
 * scripts they produce can be read, linted and diffed as what they are. Values are inserted as
 * they are (no HTML escaping); every variable must be given — a missing one is an error, not an
 * empty string.
 */
export function renderTemplate(name: string, view: Record<string, unknown>): string {
  const template = fs.readFileSync(path.join(PROJECT_ROOT, "templates", name), "utf8");
  // Top-level names only: names inside a section are looked up in the section's items.
  const missing = Mustache.parse(template)
    .filter(([type, value]) => ["name", "&", "#", "^"].includes(type) && value !== ".")
    .map(([, value]) => String(value))
    .filter((key) => lookup(view, key) === undefined);
  if (missing.length > 0) throw new Error(`templates/${name}: no value for ${[...new Set(missing)].join(", ")}`);
  return Mustache.render(template, view, {}, { escape: (v: unknown) => String(v) });
}

function lookup(view: Record<string, unknown>, key: string): unknown {
  return key.split(".").reduce<unknown>((v, k) => (v && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined), view);
}

function findRoot(start: string): string {
  let dir = start;
  while (!fs.existsSync(path.join(dir, "package.json"))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${start}`);
    dir = parent;
  }
  return dir;
}

/**
 * Makes text safe to place in a Terraform string: `${` and `%{` would start interpolation and
 * template directives. Use it for any literal text (scripts, JSON) that is not meant to contain
 * references.
 */
export function terraformLiteral(text: string): string {
  // Function replacements: in a replacement string "$$" would itself mean a single "$".
  return text.replace(/\$\{/g, () => "$${").replace(/%\{/g, () => "%%{");
}
