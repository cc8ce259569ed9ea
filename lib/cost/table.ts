import Table = require("cli-table3");
import { StackCost } from "./estimate";
import { PriceTable } from "./prices";
import { assumptionLegend, usd } from "./summary";

/** `npm run check`: one stack's estimate as a table (component, quantity, USD at min and max size), its total and legend. */
export function formatCostTable(cost: StackCost, table: PriceTable): string {
  const t = new Table({ head: ["component", "quantity", "min size", "max size"], colAligns: ["left", "left", "right", "right"], style: { head: [], border: [], compact: true } });
  const money = (v: number | undefined) => (v === undefined ? "no price" : usd(v, true));
  for (const line of cost.lines) t.push([line.component, line.quantity, money(line.min), money(line.max)]);
  t.push(["total", cost.unpriced.length > 0 ? `${cost.unpriced.length} item(s) without a price` : "", usd(cost.total.min, true), usd(cost.total.max, true)]);
  const lines = [`Monthly cost estimate of ${cost.stack} (${cost.region}; USD, On-Demand list prices of ${table.retrieved})`, t.toString()];
  const legend = assumptionLegend(cost.assumptions, table.assumptions);
  if (legend.length > 0) lines.push(`Assumed: ${legend.join("; ")}.`);
  lines.push(...cost.notes);
  if (cost.unpriced.length > 0) lines.push(`No price in lib/cost/prices.json for: ${cost.unpriced.join(", ")} (left out of the total).`);
  return `${lines.join("\n")}\n`;
}

/** Printed once after the tables: which prices of the regions shown are unconfirmed, and what no table counts. */
export function costFooter(costs: readonly StackCost[], table: PriceTable): string {
  const lines: string[] = [];
  for (const region of [...new Set(costs.map((c) => c.region))]) {
    const unconfirmed = table.regions[region]?.unconfirmed ?? [];
    if (unconfirmed.length > 0) lines.push(`Prices not confirmed against a published AWS price for ${region}: ${unconfirmed.join(", ")} (lib/cost/prices.json, verification).`);
  }
  lines.push("Not counted: data transfer, usage beyond the assumptions, S3, ECR, CodePipeline, CodeBuild, Image Builder, the temporary blue/green fleet; no free tier, Savings Plans or taxes (docs/cost-estimate.md).");
  return `${lines.join("\n")}\n`;
}
