import { StackView, StackViewOptions, TfResource } from "./terraform";

/** What is wrong with one resource: nothing (undefined or []), one problem or several. */
export type Problems = string | readonly string[] | undefined;

/**
 * One rule of the pack. Rules are data: the engine evaluates `check` on every resource of
 * `resourceTypes` that `appliesTo` accepts, and counts each as passed, failed or suppressed.
 */
export interface Rule {
  /** Stable identifier `<FAMILY>.<NAME>`; never renamed, never reused for another meaning. */
  readonly id: string;
  /** What must hold, in one sentence. */
  readonly title: string;
  /** Why it matters. */
  readonly rationale: string;
  /** What to change when the rule fails. */
  readonly fix: string;
  /** Checkov checks with the same intent (the pack re-implements the intent, not their code). */
  readonly checkov?: readonly string[];
  /** Resource types evaluated (data sources as `data.<type>`). */
  readonly resourceTypes: readonly string[];
  /** Which resources of those types the rule looks at, in words, when not all of them. */
  readonly scope?: string;
  readonly appliesTo?: (resource: TfResource, stack: StackView) => boolean;
  readonly check: (resource: TfResource, stack: StackView) => Problems;
}

/** A decision to accept one rule's failure on one resource, with the reason reviewers read. */
export interface Suppression {
  readonly address: string;
  readonly ruleId: string;
  readonly reason: string;
  /** Construct path where the suppression was declared (set by the construct-level API). */
  readonly declaredAt?: string;
}

export type FindingStatus = "pass" | "fail" | "suppressed";

/** The verdict of one rule on one resource. */
export interface Finding {
  readonly ruleId: string;
  readonly address: string;
  readonly status: FindingStatus;
  /** What is wrong (empty when passed). Kept when suppressed, so reports show what was accepted. */
  readonly problems: readonly string[];
  /** The suppression's reason, when suppressed. */
  readonly reason?: string;
}

export interface RuleSummary {
  readonly ruleId: string;
  readonly checked: number;
  readonly passed: number;
  readonly failed: number;
  readonly suppressed: number;
}

export interface PolicyReport {
  readonly stack: string;
  readonly protection: boolean;
  readonly rules: readonly Rule[];
  readonly findings: readonly Finding[];
  /** One entry per rule, in rule order. */
  readonly summary: readonly RuleSummary[];
  /** Unsuppressed failures. */
  readonly failures: readonly Finding[];
  /** Every suppression declared for the stack. */
  readonly suppressions: readonly Suppression[];
  /** Declared suppressions that matched no failure (the rule passes or does not apply). */
  readonly unusedSuppressions: readonly Suppression[];
}

export interface EvaluateOptions extends StackViewOptions {
  /** Name of the stack, for reports. @default "stack" */
  readonly stackName?: string;
  /** @default the whole pack ({@link RULES}) */
  readonly rules?: readonly Rule[];
  readonly suppressions?: readonly Suppression[];
}

const RULE_ID = /^[A-Z][A-Z0-9]*\.[A-Z][A-Z0-9_]*$/;

/** Evaluates `rules` on one synthesized stack (the JSON of `stack.toTerraform()`). */
export function evaluate(json: Record<string, any>, rules: readonly Rule[], options: EvaluateOptions = {}): PolicyReport {
  assertValidRules(rules);
  const view = new StackView(json, options);
  const suppressions = options.suppressions ?? [];
  assertValidSuppressions(suppressions, rules, view);

  const findings: Finding[] = [];
  const used = new Set<Suppression>();
  for (const rule of rules) {
    for (const resource of view.resources(...rule.resourceTypes)) {
      if (rule.appliesTo && !rule.appliesTo(resource, view)) continue;
      const problems = problemsOf(rule, resource, view);
      if (problems.length === 0) {
        findings.push({ ruleId: rule.id, address: resource.address, status: "pass", problems });
        continue;
      }
      const suppression = suppressions.find((s) => s.ruleId === rule.id && s.address === resource.address);
      if (suppression) used.add(suppression);
      findings.push({ ruleId: rule.id, address: resource.address, status: suppression ? "suppressed" : "fail", problems, reason: suppression?.reason });
    }
  }

  const summary = rules.map((rule) => {
    const own = findings.filter((f) => f.ruleId === rule.id);
    const count = (status: FindingStatus) => own.filter((f) => f.status === status).length;
    return { ruleId: rule.id, checked: own.length, passed: count("pass"), failed: count("fail"), suppressed: count("suppressed") };
  });
  return {
    stack: options.stackName ?? "stack",
    protection: view.protection,
    rules,
    findings,
    summary,
    failures: findings.filter((f) => f.status === "fail"),
    suppressions,
    unusedSuppressions: suppressions.filter((s) => !used.has(s)),
  };
}

function problemsOf(rule: Rule, resource: TfResource, view: StackView): string[] {
  try {
    const problems = rule.check(resource, view);
    return problems === undefined ? [] : typeof problems === "string" ? [problems] : [...problems];
  } catch (e) {
    // A rule that cannot read a resource has not shown it to be safe.
    return [`the rule could not evaluate this resource (${(e as Error).message})`];
  }
}

function assertValidRules(rules: readonly Rule[]): void {
  const seen = new Set<string>();
  for (const rule of rules) {
    if (!RULE_ID.test(rule.id)) throw new Error(`Rule id ${JSON.stringify(rule.id)} must look like FAMILY.NAME (upper case, digits, underscores)`);
    if (seen.has(rule.id)) throw new Error(`Two rules share the id ${rule.id}`);
    seen.add(rule.id);
  }
}

function assertValidSuppressions(suppressions: readonly Suppression[], rules: readonly Rule[], view: StackView): void {
  for (const s of suppressions) {
    const where = s.declaredAt ? ` (declared at ${s.declaredAt})` : "";
    if (!rules.some((r) => r.id === s.ruleId)) {
      throw new Error(`Suppression of ${s.ruleId} on ${s.address}${where}: no rule has this id; known ids: ${rules.map((r) => r.id).join(", ")}`);
    }
    if (!view.get(s.address)) throw new Error(`Suppression of ${s.ruleId} on ${s.address}${where}: the stack has no such resource`);
    if (s.reason.trim().length === 0) throw new Error(`Suppression of ${s.ruleId} on ${s.address}${where}: the reason is empty`);
  }
}
