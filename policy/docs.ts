import { Rule } from "./engine";
import { READ_ONLY_VERBS, RESOURCE_WILDCARD_EXCEPTIONS } from "./iam";
import { FAMILIES, RULES } from "./rules";

const family = (rule: Rule) => rule.id.split(".")[0];
const checkov = (rule: Rule) => (rule.checkov?.length ? rule.checkov.join(", ") : "none");
const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

/** The rules table of docs/policy-pack.md (between the policy-rules markers). */
export function policyRulesTable(rules: readonly Rule[] = RULES): string {
  return [
    "| rule | what must hold | checkov |",
    "|---|---|---|",
    ...rules.map((r) => `| \`${r.id}\` | ${cell(r.title)} | ${checkov(r)} |`),
  ].join("\n");
}

/** docs/policy-rules.md: every rule with what it checks, why, how to fix it, and its checkov equivalents. */
export function policyReference(rules: readonly Rule[] = RULES): string {
  const lines = [
    "# Policy rules",
    "",
    "Generated from the rule definitions in `policy/rules/` by `npm run docs`; `npm test` fails when this file is stale.",
    "",
    `${rules.length} rules. Rule ids are stable: a rule is never renamed and an id is never reused for another meaning;`,
    "a retired rule keeps its id reserved. \"checkov\" lists the checkov checks with the same intent (the pack",
    "re-implements the intent on the synthesized JSON; it shares no code with checkov).",
    "",
  ];
  for (const [prefix, title] of Object.entries(FAMILIES)) {
    const own = rules.filter((r) => family(r) === prefix);
    if (own.length === 0) continue;
    lines.push(`## ${title}`, "");
    for (const rule of own) {
      lines.push(
        `### ${rule.id}`,
        "",
        rule.title,
        "",
        `- **Checks:** ${rule.resourceTypes.map((t) => `\`${t}\``).join(", ")}${rule.scope ? `; only ${rule.scope}` : ""}`,
        `- **Why:** ${rule.rationale}`,
        `- **Fix:** ${rule.fix}`,
        `- **checkov:** ${checkov(rule)}`,
        "",
      );
    }
  }
  lines.push(
    "## Actions accepted on `Resource: \"*\"` (IAM.RESOURCE_WILDCARD)",
    "",
    "| actions | reason |",
    "|---|---|",
    ...RESOURCE_WILDCARD_EXCEPTIONS.map((e) => `| ${e.actions.map((a) => `\`${a}\``).join(", ")} | ${cell(e.reason)} |`),
    "",
    `Read-only actions (names starting with ${READ_ONLY_VERBS.join(", ")}) are accepted on \`*\` as well.`,
    "",
  );
  return lines.join("\n");
}
