import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { App, TerraformStack } from "cdktf";
import Table = require("cli-table3");
import { PolicyReport, policyReports } from "../../policy";
import { parseCommandLine } from "./args";
import { buildApp } from "./build-app";
import { ConfigError, loadConfigFile } from "../config/load";
import { resolvePlainValuesDirectly } from "./plain-value-resolve";
import { disableTokenCreationStacks } from "./token-creation-stacks";
import { ConfigCost, estimateConfig } from "../cost/summary";
import { costFooter, formatCostTable } from "../cost/table";

const USAGE = `Usage: npm run check -- [--config <file>]

Checks every stack of a configuration against the policy pack (docs/policy-rules.md) and prints
one table per stack, then each stack's monthly cost estimate (docs/cost-estimate.md). Nothing is
written. Exit code 1 when an unsuppressed failure remains.

  --config <file>  configuration to check (default: $APP_CONFIG or config/default.yaml)`;

/** `npm run check -- <args>`: returns the process exit code. */
export async function runCheck(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const args = parseCommandLine(argv, { config: { type: "string", short: "c" } }, USAGE);
  if (typeof args === "number") return args;
  const configFile = args.config ?? env.APP_CONFIG ?? path.join("config", "default.yaml");

  let reports: PolicyReport[];
  let costs: ConfigCost;
  // cdktf's App creates its output directory on construction; checking writes nothing of ours.
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "policy-check-"));
  try {
    const config = loadConfigFile(configFile);
    disableTokenCreationStacks();
    resolvePlainValuesDirectly();
    const app = new App({ outdir: scratch, stackTraces: false });
    const stacks = buildApp(app, config);
    // Nothing changes a stack between the policy check and the cost estimate: one render serves both.
    stacks.forEach(renderOnce);
    reports = policyReports(stacks);
    costs = estimateConfig(config, stacks.map((s) => ({ name: s.node.id, terraform: s.toTerraform() })));
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      return 1;
    }
    throw e;
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }

  for (const report of reports) console.log(formatReport(report));
  for (const cost of costs.stacks) console.log(formatCostTable(cost, costs.table!));
  if (costs.stacks.length > 0) console.log(costFooter(costs.stacks, costs.table!));
  for (const problem of costs.problems) console.log(`${problem}\n`);
  const failures = reports.reduce((n, r) => n + r.failures.length, 0);
  const suppressed = reports.reduce((n, r) => n + r.findings.filter((f) => f.status === "suppressed").length, 0);
  console.log(`${configFile}: ${reports.length} stack(s), ${failures} unsuppressed failure(s), ${suppressed} suppressed.`);
  return failures > 0 ? 1 : 0;
}

function renderOnce(stack: TerraformStack): void {
  const render = stack.toTerraform.bind(stack);
  let rendered: ReturnType<typeof render> | undefined;
  stack.toTerraform = () => (rendered ??= render());
}

/** One stack: the table of rules that found something to check, then failures and suppressions in detail. */
export function formatReport(report: PolicyReport): string {
  const table = new Table({ head: ["rule", "checked", "passed", "failed", "suppressed"], style: { head: [], border: [], compact: true } });
  const applicable = report.summary.filter((s) => s.checked > 0);
  for (const s of applicable) table.push([s.ruleId, s.checked, s.passed, s.failed, s.suppressed]);
  const idle = report.summary.filter((s) => s.checked === 0).map((s) => s.ruleId);

  const lines = [`${report.stack} (protection ${report.protection ? "on" : "off"})`, table.toString()];
  if (idle.length > 0) lines.push(`No resources to check for ${idle.length} rule(s): ${idle.join(", ")}`);
  for (const finding of report.findings.filter((f) => f.status !== "pass")) {
    const rule = report.rules.find((r) => r.id === finding.ruleId);
    lines.push(`${finding.status === "fail" ? "FAILED" : "suppressed"}  ${finding.ruleId}  ${finding.address}`);
    for (const problem of finding.problems) lines.push(`    problem: ${problem}`);
    lines.push(finding.status === "fail" ? `    fix:     ${rule?.fix}` : `    reason:  ${finding.reason}`);
  }
  for (const s of report.unusedSuppressions) lines.push(`unused suppression  ${s.ruleId}  ${s.address}: the rule passes or does not apply (${s.reason})`);
  return `${lines.join("\n")}\n`;
}
