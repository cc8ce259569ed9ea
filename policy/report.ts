import { Finding, PolicyReport, Rule } from "./engine";

function ruleOf(report: PolicyReport, finding: Finding): Rule | undefined {
  return report.rules.find((r) => r.id === finding.ruleId);
}

/** One line for an error annotation: rule, address, what is wrong, how to fix it. */
export function violationMessage(finding: Finding, rule?: Rule): string {
  return `${finding.ruleId} ${finding.address}: ${finding.problems.join("; ")}. Fix: ${rule?.fix ?? "see the rule reference"}`;
}

/** A readable summary of every unsuppressed failure, grouped by stack. */
export function formatViolations(reports: readonly PolicyReport[], note?: string): string {
  const failing = reports.filter((r) => r.failures.length > 0);
  const total = failing.reduce((n, r) => n + r.failures.length, 0);
  const lines = [`Policy check failed: ${total} violation(s) in ${failing.length} of ${reports.length} stack(s)${note ? `; ${note}` : ""}.`];
  for (const report of failing) {
    lines.push("", report.stack);
    for (const finding of report.failures) {
      lines.push(`  ${finding.ruleId}  ${finding.address}`);
      for (const problem of finding.problems) lines.push(`    problem: ${problem}`);
      lines.push(`    fix:     ${ruleOf(report, finding)?.fix ?? "see the rule reference"}`);
    }
  }
  lines.push(
    "",
    "Fix the resources; to accept a failure on purpose, call suppress(<construct>, \"<RULE.ID>\", \"<reason>\") in the construct that owns the choice (docs/policy-pack.md).",
  );
  return lines.join("\n");
}

/** Thrown when synthesis stops on policy violations; the message lists every one of them. */
export class PolicyViolationError extends Error {
  public readonly reports: readonly PolicyReport[];

  constructor(reports: readonly PolicyReport[], note?: string) {
    super(formatViolations(reports, note));
    this.name = "PolicyViolationError";
    this.reports = reports;
  }
}
