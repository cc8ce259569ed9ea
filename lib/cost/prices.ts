import * as fs from "fs";
import * as path from "path";
import { z } from "zod";
import { PROJECT_ROOT } from "../release/templates";

/** The price table shipped with the project (docs/cost-estimate.md, "Updating the prices"). */
export const PRICE_TABLE_FILE = path.join(PROJECT_ROOT, "lib", "cost", "prices.json");

const price = z.number({ error: "a price in USD (a number of 0 or more)" }).min(0, { error: "a price in USD (a number of 0 or more)" });
const positive = (what: string) => z.number({ error: `${what} (a number above 0)` }).positive({ error: `${what} (a number above 0)` });
const priceList = z.record(z.string(), price);

const regionSchema = z.strictObject({
  /** What was checked against a published quotation of the AWS price (see `verification`). */
  confirmed: z.array(z.string()),
  /** What could not be checked: taken from the AWS pricing pages as last read. */
  unconfirmed: z.array(z.string()),
  /** Linux On-Demand USD per instance-hour, by instance type. */
  ec2: priceList,
  /** USD per GB-month, by volume type. */
  ebs: priceList,
  natGateway: z.strictObject({ hour: price, gb: price }),
  alb: z.strictObject({ hour: price, lcuHour: price }),
  interfaceEndpointAzHour: price,
  logsIngestGb: price,
  alarmMonth: price,
  fargate: z.strictObject({ x86_64: z.strictObject({ vcpuHour: price, gbHour: price }), arm64: z.strictObject({ vcpuHour: price, gbHour: price }) }),
  rds: z.strictObject({
    /** USD per GB-month of one copy, by storage type. */
    storage: priceList,
    /** Single-AZ USD per instance-hour, by engine, then instance class. */
    postgres: priceList,
    mysql: priceList,
  }),
});

export const priceTableSchema = z.strictObject({
  about: z.string().optional(),
  retrieved: z.string({ error: "a date as YYYY-MM-DD" }).regex(/^\d{4}-\d{2}-\d{2}$/, { error: "a date as YYYY-MM-DD" }),
  currency: z.literal("USD", { error: 'the currency "USD"' }),
  sources: z
    .record(z.string(), z.url({ error: "a URL" }))
    .refine((s) => Object.keys(s).length > 0, { error: "at least one source URL" }),
  verification: z.string({ error: "a text saying what was checked against which source" }).min(1, { error: "a text saying what was checked against which source" }),
  assumptions: z.strictObject({
    hoursPerMonth: positive("hours in a month"),
    natGatewayGbPerMonth: z.number().min(0, { error: "GB per month (0 or more)" }),
    albLcuPerHour: z.number().min(0, { error: "LCUs (0 or more)" }),
    cloudFrontGbPerMonth: z.number().min(0, { error: "GB per month (0 or more)" }),
    cloudFrontRequestsPerMonthMillions: z.number().min(0, { error: "millions of requests (0 or more)" }),
    logGbPerLogGroupPerMonth: z.number().min(0, { error: "GB per month (0 or more)" }),
    alarmsPerTargetTrackingPolicy: z.number().int({ error: "a whole number of alarms" }).min(0, { error: "a whole number of alarms" }),
  }),
  global: z.strictObject({
    kmsKeyMonth: price,
    secretMonth: price,
    publicIpv4Hour: price,
    cloudFrontGb: price,
    cloudFrontHttpsRequestsPerMillion: price,
    wafWebAclMonth: price,
    wafRuleMonth: price,
    /** A CloudWatch dashboard beyond an account's first three (free tier not counted, like everything here). */
    dashboardMonth: price,
  }),
  regions: z.record(z.string(), regionSchema).refine((r) => Object.keys(r).length > 0, { error: "at least one region" }),
});

export type PriceTable = z.output<typeof priceTableSchema>;
export type RegionPrices = PriceTable["regions"][string];
export type Assumptions = PriceTable["assumptions"];

/** The price table is unusable, or has no prices for a region. */
export class PriceTableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PriceTableError";
  }
}

/** Validates a parsed price table; the error names every bad field, what it holds and what is allowed. */
export function parsePriceTable(raw: unknown, source = "price table"): PriceTable {
  // Parsed once per process: the interpreted path is faster than compiling the fast path first.
  const result = priceTableSchema.safeParse(raw, { jitless: true });
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const at = issue.path.map(String).join(".") || "(top level)";
    const received = issue.path.reduce<any>((value, key) => (value && typeof value === "object" ? value[key as any] : undefined), raw);
    return `  ${at}: received ${received === undefined ? "nothing" : JSON.stringify(received)}; allowed: ${issue.message}`;
  });
  return fail(`${source} is invalid:\n${problems.join("\n")}`);
}

let shipped: PriceTable | undefined;

/** Reads and validates a price table file (default: the shipped one, read once). */
export function loadPriceTable(file: string = PRICE_TABLE_FILE): PriceTable {
  if (file === PRICE_TABLE_FILE && shipped) return shipped;
  const rel = path.relative(process.cwd(), file) || file;
  let raw: unknown;
  try {
    // JSON, not YAML: it is read on every synth, and JSON.parse costs nothing.
    raw = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    return fail(`${rel} is not readable JSON: ${(e as Error).message}`);
  }
  const table = parsePriceTable(raw, rel);
  if (file === PRICE_TABLE_FILE) shipped = table;
  return table;
}

/** The prices of one region; the error names the region and every region that has prices. */
export function regionPrices(table: PriceTable, region: string): RegionPrices {
  const prices = table.regions[region];
  if (!prices) {
    return fail(`no prices for region ${region} in the cost estimate's price table; regions with prices: ${Object.keys(table.regions).sort().join(", ")} (add the region to lib/cost/prices.json, see docs/cost-estimate.md)`);
  }
  return prices;
}

function fail(message: string): never {
  throw new PriceTableError(message);
}
