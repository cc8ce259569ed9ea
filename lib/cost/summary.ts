import { stackName } from "../synth/build-app";
import { Config } from "../config/schema";
import { SHARED_STACK_SUFFIX } from "../../stacks/shared-load-balancer-stack";
import { estimateStack, StackCost } from "./estimate";
import { Assumptions, loadPriceTable, PriceTable, PriceTableError } from "./prices";

/** A synthesized stack: its name and Terraform JSON. */
export interface RenderedStack {
  readonly name: string;
  readonly terraform: Record<string, any>;
}

export interface ConfigCost {
  /** The price table used; undefined when it could not be read (then `problems` says why). */
  readonly table?: PriceTable;
  /** One estimate per stack that could be priced. */
  readonly stacks: readonly StackCost[];
  /** Why a stack has no estimate (a region without prices, an unreadable price table), one sentence each. */
  readonly problems: readonly string[];
}

/**
 * Estimates every stack of a configuration. A region without prices (or an unreadable price table)
 * fails nothing: the estimate is information, and the configuration schema allows every region, so
 * the stack gets a sentence naming the region and the regions with prices instead of a number.
 */
export function estimateConfig(config: Config, stacks: readonly RenderedStack[], priceTable?: PriceTable): ConfigCost {
  let table: PriceTable;
  try {
    table = priceTable ?? loadPriceTable();
  } catch (e) {
    if (!(e instanceof PriceTableError)) throw e;
    return { stacks: [], problems: [`No cost estimate: ${e.message}`] };
  }
  const sharedStack = config.sharedLoadBalancer ? stackName(config, SHARED_STACK_SUFFIX) : undefined;
  const byStack = new Map(Object.entries(config.environments).map(([env, c]) => [stackName(config, env), c]));
  const costs: StackCost[] = [];
  const problems: string[] = [];
  for (const stack of stacks) {
    const env = byStack.get(stack.name);
    const region = env?.region ?? (stack.name === sharedStack ? config.sharedLoadBalancer?.region : undefined) ?? config.app.region;
    const sharedLoadBalancerStack = env?.loadBalancer.mode === "shared" ? sharedStack : undefined;
    try {
      costs.push(estimateStack({ stack: stack.name, terraform: stack.terraform, region, sharedLoadBalancerStack }, table));
    } catch (e) {
      if (!(e instanceof PriceTableError)) throw e;
      problems.push(`No cost estimate for ${stack.name}: ${e.message}`);
    }
  }
  return { table, stacks: costs, problems };
}

/** `$1,234` (whole dollars) or `$1,234.56`. */
export function usd(value: number, cents = false): string {
  return `$${value.toLocaleString("en-US", { minimumFractionDigits: cents ? 2 : 0, maximumFractionDigits: cents ? 2 : 0 })}`;
}

/** `webapp-staging ≈ $123/month at min size ($180 at max)`, and what the total leaves out. */
export function summaryLine(cost: StackCost): string {
  const unpriced = cost.unpriced.length > 0 ? `, without ${cost.unpriced.length} unpriced item(s): ${cost.unpriced.join(", ")}` : "";
  const shared = cost.sharedLoadBalancerStack ? `; the shared ALB is counted in ${cost.sharedLoadBalancerStack}` : "";
  return `${cost.stack} ≈ ${usd(cost.total.min)}/month at min size (${usd(cost.total.max)} at max)${shared}${unpriced}`;
}

/** The lines `npm run synth` prints: a header, one total per stack, the problems. */
export function costSummary(result: ConfigCost): string {
  const prices = result.table ? `On-Demand list prices of ${result.table.retrieved}` : "no price table";
  const header = `Monthly cost estimate (USD, ${prices}; breakdown and assumptions: npm run check):`;
  return [header, ...result.stacks.map((c) => `  ${summaryLine(c)}`), ...result.problems.map((p) => `  ${p}`)].join("\n");
}

/** The legend under a table: each assumption the lines depend on, with its value. */
export function assumptionLegend(keys: ReadonlyArray<keyof Assumptions>, assumptions: Assumptions): string[] {
  const text: Record<keyof Assumptions, (v: number) => string> = {
    hoursPerMonth: (v) => `${v} hours in a month`,
    natGatewayGbPerMonth: (v) => `the NAT gateways of the stack process ${v} GB a month`,
    albLcuPerHour: (v) => `each ALB averages ${v} LCU`,
    cloudFrontGbPerMonth: (v) => `each CloudFront distribution serves ${v} GB a month`,
    cloudFrontRequestsPerMonthMillions: (v) => `and ${v} million HTTPS requests`,
    logGbPerLogGroupPerMonth: (v) => `each log group ingests ${v} GB a month`,
    alarmsPerTargetTrackingPolicy: (v) => `each target tracking policy has ${v} alarms`,
  };
  return keys.map((k) => text[k](assumptions[k]));
}
