import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import type { z } from "zod";
import { explicitSectionProblems, unreadSections } from "./platform";
import { Config, configSchema } from "./schema";

/** One thing wrong with a configuration: where, what was there, and what is allowed. */
export interface ConfigProblem {
  /** Dotted path of the field, e.g. `environments.staging.network.cidr`. */
  readonly path: string;
  /** The value found there, rendered as JSON (`nothing` when the field is missing). */
  readonly received: string;
  /** What the field accepts. */
  readonly allowed: string;
}

export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly ConfigProblem[],
  ) {
    super(formatProblems(source, problems));
    this.name = "ConfigError";
  }
}

export function formatProblems(source: string, problems: readonly ConfigProblem[]): string {
  const lines = problems.map((p) => `  - ${p.path}: received ${p.received}; allowed: ${p.allowed}`);
  const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
  return `Invalid configuration ${source} (${count}); nothing was synthesized:\n${lines.join("\n")}`;
}

/** Reads, merges and validates a configuration file (YAML or JSON). Throws ConfigError listing every problem. */
export function loadConfigFile(file: string): Config {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new ConfigError(file, [{ path: "(file)", received: JSON.stringify(file), allowed: `a readable configuration file (${(e as Error).message})` }]);
  }
  let raw: unknown;
  if (path.extname(file) === ".json") {
    try {
      raw = JSON.parse(text);
    } catch (e) {
      throw new ConfigError(file, [{ path: "(file)", received: "text that is not JSON", allowed: `valid JSON (${(e as Error).message})` }]);
    }
  } else {
    const doc = YAML.parseDocument(text, { uniqueKeys: true });
    if (doc.errors.length > 0) {
      throw new ConfigError(
        file,
        doc.errors.map((err) => ({ path: `(line ${err.linePos?.[0].line ?? "?"})`, received: "text that is not valid YAML", allowed: `valid YAML (${err.message.split("\n")[0]})` })),
      );
    }
    raw = doc.toJS();
  }
  return parseConfig(raw, file);
}

/** Validates an already-parsed configuration object. `source` names it in messages. */
export function parseConfig(raw: unknown, source = "(inline)"): Config {
  const merged = applyDefaults(raw);
  const result = configSchema.safeParse(merged, { reportInput: true });
  const explicit = explicitSectionProblems(merged);
  if (result.success && explicit.length === 0) return result.data;
  throw new ConfigError(source, [...(result.success ? [] : toProblems(result.error.issues, raw)), ...explicit]);
}

/**
 * Deep-merges the top-level `defaults` block under every environment. Arrays and scalars from the
 * environment replace the default; objects merge key by key. Sections only one platform reads
 * (`fleet` and `goldenAmi` for the fleet, `ecs` for ECS) reach only environments of that
 * platform, so a mixed configuration can keep them in `defaults` while such sections given to an
 * environment of another platform are refused.
 */
export function applyDefaults(raw: unknown): unknown {
  if (!isPlainObject(raw) || !isPlainObject(raw.defaults) || !isPlainObject(raw.environments)) return raw;
  const defaults = raw.defaults;
  const environments = Object.fromEntries(
    Object.entries(raw.environments).map(([name, env]) => {
      if (!isPlainObject(env)) return [name, env];
      const foreign = unreadSections(env.platform ?? defaults.platform ?? "fleet");
      return [name, deepMerge(Object.fromEntries(Object.entries(defaults).filter(([key]) => !foreign.includes(key))), env)];
    }),
  );
  return { ...raw, environments };
}

function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    out[key] = isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value;
  }
  return out;
}

function toProblems(issues: readonly z.core.$ZodIssue[], raw: unknown): ConfigProblem[] {
  const seen = new Set<string>();
  const problems: ConfigProblem[] = [];
  for (const issue of issues) {
    for (const problem of describe(issue, raw)) {
      const key = `${problem.path}|${problem.received}|${problem.allowed}`;
      if (!seen.has(key)) {
        seen.add(key);
        problems.push(problem);
      }
    }
  }
  return problems;
}

function describe(issue: z.core.$ZodIssue, raw: unknown): ConfigProblem[] {
  const where = issue.path.map(String);
  switch (issue.code) {
    case "unrecognized_keys":
      return issue.keys.map((key) => ({
        path: sourcePath([...where, key], raw),
        received: `an unknown key ${JSON.stringify(key)}`,
        allowed: issue.message,
      }));
    case "invalid_key":
      return [{ path: sourcePath(where, raw), received: render(issue.input), allowed: issue.issues[0]?.message ?? issue.message }];
    case "invalid_union": {
      const discriminator = (issue as { discriminator?: string }).discriminator;
      const input = discriminator && isPlainObject(issue.input) ? issue.input[discriminator] : issue.input;
      // A union of a scalar and an object (`true | false | {...}`): when the input is of one
      // variant's type only, that variant's own problems name the field and the fix.
      const branches = ((issue as { errors?: z.core.$ZodIssue[][] }).errors ?? []).filter((b) => !b.every((i) => i.code === "invalid_type" && i.path.length === 0));
      if (!discriminator && branches.length === 1 && branches[0].length > 0) {
        return branches[0].flatMap((inner) => describe({ ...inner, path: [...issue.path, ...inner.path] } as z.core.$ZodIssue, raw));
      }
      return [{ path: sourcePath(where, raw), received: render(input), allowed: issue.message }];
    }
    default:
      return [{ path: sourcePath(where, raw), received: render(issue.input), allowed: cleanMessage(issue.message) }];
  }
}

/** zod's built-in type messages read "Invalid input: expected string, received number"; keep the allowed part only. */
function cleanMessage(message: string): string {
  const m = /^Invalid input: expected (\w+), received \w+$/.exec(message);
  return m ? `a ${m[1]}` : message;
}

function render(value: unknown): string {
  if (value === undefined) return "nothing";
  const json = JSON.stringify(value);
  return json.length > 120 ? `${json.slice(0, 117)}...` : json;
}

/**
 * Errors are found on the merged environments; when the offending value was inherited from
 * `defaults`, point at the place the user must edit.
 */
function sourcePath(where: string[], raw: unknown): string {
  if (where[0] === "environments" && where.length > 2 && isPlainObject(raw)) {
    const rest = where.slice(2);
    const own = getPath(raw, where);
    const inherited = getPath(raw.defaults, rest);
    if (own === undefined && inherited !== undefined) {
      return `defaults.${rest.join(".")} (inherited by environments.${where[1]})`;
    }
  }
  return where.length ? where.join(".") : "(top level)";
}

function getPath(value: unknown, where: string[]): unknown {
  let current = value;
  for (const key of where) {
    if (isPlainObject(current)) current = current[key];
    else if (Array.isArray(current) && /^\d+$/.test(key)) current = current[Number(key)];
    else return undefined;
  }
  return current;
}

function isPlainObject(value: unknown): value is Record<string, any> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
