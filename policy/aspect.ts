import { Annotations, Aspects, IAspect, TerraformStack } from "cdktf";
import { IConstruct } from "constructs";
import { evaluate, PolicyReport, Rule } from "./engine";
import { violationMessage } from "./report";
import { RULES } from "./rules";
import { addressOf, suppressionsOf } from "./suppressions";

export interface PolicyPackOptions {
  /**
   * Rules to apply.
   * @default RULES (the whole pack)
   */
  readonly rules?: readonly Rule[];
  /**
   * Whether the stack holds what must survive mistakes (deletion protection on load balancers and
   * databases). Comes from data (a configuration flag), never from a stack or environment name.
   * @default true
   */
  readonly protection?: boolean | ((stack: TerraformStack) => boolean);
}

const ERROR_ANNOTATION = "@cdktf/error";
const reports = new WeakMap<TerraformStack, PolicyReport>();

/** Evaluates the pack on a stack as it would be synthesized now, with the suppressions declared in it. */
export function checkStack(stack: TerraformStack, options: PolicyPackOptions = {}): PolicyReport {
  const protection = typeof options.protection === "function" ? options.protection(stack) : options.protection;
  return evaluate(stack.toTerraform(), options.rules ?? RULES, { stackName: stack.node.id, protection, suppressions: suppressionsOf(stack) });
}

/**
 * A cdktf aspect that checks every stack it is added to during synthesis. Visiting the stack
 * registers a validation, which cdktf runs after all aspects (so the check sees the finished
 * stack); each unsuppressed failure becomes an error annotation on the resource's construct,
 * and cdktf fails the synthesis on error annotations.
 */
export class PolicyAspect implements IAspect {
  private readonly registered = new WeakSet<TerraformStack>();

  constructor(public readonly options: PolicyPackOptions = {}) {}

  public visit(node: IConstruct): void {
    if (!TerraformStack.isStack(node) || this.registered.has(node)) return;
    this.registered.add(node);
    node.node.addValidation({ validate: () => this.validate(node) });
  }

  /** Checks the stack and records the report (see {@link policyReportOf}). */
  public check(stack: TerraformStack): PolicyReport {
    const report = checkStack(stack, this.options);
    reports.set(stack, report);
    return report;
  }

  private validate(stack: TerraformStack): string[] {
    let report: PolicyReport;
    try {
      report = this.check(stack);
    } catch (e) {
      // A malformed suppression or rule is a programming error: report it as a validation error.
      return [(e as Error).message];
    }
    const owners = new Map<string, IConstruct>();
    for (const node of stack.node.findAll()) {
      const address = addressOf(node);
      if (address) owners.set(address, node);
    }
    for (const failure of report.failures) {
      const owner = owners.get(failure.address) ?? stack;
      const message = violationMessage(failure, report.rules.find((r) => r.id === failure.ruleId));
      // Validations can run more than once (Testing.synth, then app.synth); annotate once.
      if (!owner.node.metadata.some((m) => m.type === ERROR_ANNOTATION && m.data === message)) Annotations.of(owner).addError(message);
    }
    return [];
  }
}

/** Adds a {@link PolicyAspect} to `scope` if it is a stack, or to every stack under it (an App). */
export function applyPolicyPack(scope: IConstruct, options: PolicyPackOptions = {}): PolicyAspect {
  const aspect = new PolicyAspect(options);
  const stacks = TerraformStack.isStack(scope) ? [scope] : scope.node.findAll().filter((n): n is TerraformStack => TerraformStack.isStack(n));
  for (const stack of stacks) Aspects.of(stack).add(aspect);
  return aspect;
}

/** The report of the last policy check of `stack` during synthesis, if it ran. */
export function policyReportOf(stack: TerraformStack): PolicyReport | undefined {
  return reports.get(stack);
}

/**
 * Reports of every stack that has a {@link PolicyAspect}: the one recorded during synthesis, or
 * a fresh check for stacks synthesis did not reach (cdktf stops at the first failing stack).
 */
export function policyReports(stacks: readonly TerraformStack[]): PolicyReport[] {
  return stacks.flatMap((stack) => {
    const aspect = Aspects.of(stack).all.find((a): a is PolicyAspect => a instanceof PolicyAspect);
    return aspect ? [reports.get(stack) ?? aspect.check(stack)] : [];
  });
}
