import { z } from "zod";
import { configSchema } from "./schema";

type JsonSchema = Record<string, any>;

/** JSON Schema of the configuration file, for editors (`# yaml-language-server: $schema=...`). */
export function configJsonSchema(): JsonSchema {
  const schema = z.toJSONSchema(configSchema, { io: "input", unrepresentable: "any" }) as JsonSchema;
  return { ...schema, title: "cdktf-ec2-release configuration", $id: "config/schema.json" };
}

/** docs/configuration.md: every key with what it accepts, its default and what it does. */
export function configReference(): string {
  const rows: string[][] = [];
  walk(configJsonSchema(), "", rows);
  const lines = [
    "# Configuration reference",
    "",
    "Generated from the schema in `lib/config/` by `npm run docs`; `npm test` fails when this file is stale.",
    "Every environment key can also be set under `defaults`. `<env>` stands for an environment name.",
    "The same schema is published as JSON Schema in `config/schema.json` for editor completion.",
    "",
    "| key | accepts | default | description |",
    "|---|---|---|---|",
    ...rows.map((r) => `| ${r.map(escape).join(" | ")} |`),
    "",
  ];
  return lines.join("\n");
}

function walk(node: JsonSchema, path: string, rows: string[][]): void {
  if (node.oneOf) {
    if (path) rows.push([code(path), "one of the variants below", fmtDefault(node.default), node.description ?? ""]);
    for (const variant of node.oneOf) {
      const tag = variant.properties?.type?.const;
      walk({ ...variant, description: undefined }, tag ? `${path} (type: ${tag})` : path, rows);
    }
    return;
  }
  if (node.anyOf && path) {
    // A scalar or an object (`fleet.instanceRefresh: true | false | {...}`): one row for the key,
    // then the object's keys.
    rows.push([code(path), accepts(node), fmtDefault(node.default), node.description ?? ""]);
    for (const variant of node.anyOf) {
      if (variant.type !== "object" || !variant.properties) continue;
      for (const [key, child] of Object.entries<JsonSchema>(variant.properties)) {
        const required = (variant.required ?? []).includes(key) && child.default === undefined;
        walk({ ...child, isRequired: required }, `${path}.${key}`, rows);
      }
    }
    return;
  }
  if (node.type === "object" && node.properties) {
    if (path) rows.push([code(path), "object", fmtDefault(node.default), node.description ?? ""]);
    for (const [key, child] of Object.entries<JsonSchema>(node.properties)) {
      const required = (node.required ?? []).includes(key) && child.default === undefined;
      walk({ ...child, isRequired: required }, path ? `${path}.${key}` : key, rows);
    }
    return;
  }
  if (node.type === "object" && node.additionalProperties && typeof node.additionalProperties === "object" && node.additionalProperties.properties) {
    rows.push([code(path), `map of name to object; names: ${node.propertyNames?.allowed ?? "strings"}`, fmtDefault(node.default), node.description ?? ""]);
    walk(node.additionalProperties, `${path}.<env>`, rows);
    return;
  }
  rows.push([code(path), accepts(node), node.isRequired ? "required" : fmtDefault(node.default), node.description ?? ""]);
}

function accepts(node: JsonSchema): string {
  if (node.allowed) return node.allowed;
  if (node.const !== undefined) return JSON.stringify(node.const);
  if (node.enum) return `one of ${node.enum.map((v: unknown) => JSON.stringify(v)).join(", ")}`;
  if (node.type === "array") return `list of ${node.items ? accepts(node.items) : "values"}`;
  return node.type ?? "any";
}

function fmtDefault(value: unknown): string {
  return value === undefined ? "" : code(JSON.stringify(value));
}

function code(text: string): string {
  return `\`${text}\``;
}

function escape(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}
