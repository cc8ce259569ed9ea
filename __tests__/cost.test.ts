import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runCheck } from "../lib/synth/check";
import { runSynth } from "../lib/synth/cli";
import { loadConfigFile } from "../lib/config/load";
import { Config } from "../lib/config/schema";
import { CostLine, estimateStack, StackCost } from "../lib/cost/estimate";
import { loadPriceTable, parsePriceTable, PRICE_TABLE_FILE, PriceTable, PriceTableError, regionPrices } from "../lib/cost/prices";
import { costSummary, estimateConfig, summaryLine } from "../lib/cost/summary";
import { costFooter, formatCostTable } from "../lib/cost/table";
import { captureConsole } from "./helpers/console";
import { configWith, Synth, synthConfig } from "./helpers/synth";

const root = path.resolve(__dirname, "..");
const table = loadPriceTable();
const H = table.assumptions.hoursPerMonth;
const A = table.assumptions;
const G = table.global;
const cents = (usd: number) => Math.round(usd * 100) / 100;

/** Estimates of every stack of a configuration file, by stack name. */
function estimateFile(file: string): { config: Config; costs: Record<string, StackCost> } {
  const config = loadConfigFile(path.join(root, file));
  return { config, costs: estimateSynthesized(config, synthConfig(config)) };
}

function estimateSynthesized(config: Config, byEnv: Record<string, Synth>): Record<string, StackCost> {
  const stacks = Object.entries(byEnv).map(([env, terraform]) => ({ name: `${config.app.name}-${env}`, terraform }));
  const result = estimateConfig(config, stacks, table);
  expect(result.problems).toEqual([]);
  return Object.fromEntries(result.stacks.map((s) => [s.stack, s]));
}

function line(cost: StackCost, component: string): CostLine {
  const found = cost.lines.find((l) => l.component === component);
  if (!found) throw new Error(`${cost.stack} has no line "${component}"; it has: ${cost.lines.map((l) => l.component).join(", ")}`);
  return found;
}

/** [quantity, min, max] of a line, for one assertion per line. */
function row(cost: StackCost, component: string): [string, number | undefined, number | undefined] {
  const l = line(cost, component);
  return [l.quantity, l.min, l.max];
}

const sum = (cost: StackCost, pick: "min" | "max") => cents(cost.lines.reduce((n, l) => n + (l[pick] ?? 0), 0));

describe("cost estimate of the default configuration", () => {
  const { costs } = estimateFile("config/default.yaml");
  const p = table.regions["eu-west-1"];

  test("staging: every line computed from the price table (eu-west-1)", () => {
    const staging = costs["webapp-staging"];
    expect(staging.region).toBe("eu-west-1");
    const alarms = 9 + A.alarmsPerTargetTrackingPolicy;
    const fixed = (component: string, quantity: string, usd: number): [string, string, number, number] => [component, quantity, cents(usd), cents(usd)];
    const expected: Array<[string, string, number, number]> = [
      // natGateways: single
      fixed("NAT gateway", `1 × ${H} h`, H * p.natGateway.hour),
      fixed("NAT data processed", `${A.natGatewayGbPerMonth} GB`, A.natGatewayGbPerMonth * p.natGateway.gb),
      fixed("Application Load Balancer", `1 × ${H} h`, H * p.alb.hour),
      fixed("ALB capacity units", `1 × ${A.albLcuPerHour} LCU × ${H} h`, A.albLcuPerHour * H * p.alb.lcuHour),
      // fleet: t3.small (defaults), minSize 1, maxSize 2, 30 GB gp3 root volume (fleet.rootVolume default)
      ["EC2 t3.small (fleet)", `1–2 × ${H} h`, cents(1 * H * p.ec2["t3.small"]), cents(2 * H * p.ec2["t3.small"])],
      ["EBS gp3 root (fleet)", "1–2 × 30 GB", cents(30 * p.ebs.gp3), cents(60 * p.ebs.gp3)],
      // The NAT gateway's Elastic IP and one address per zone of the internet-facing ALB (azCount 2).
      fixed("Public IPv4 addresses", `1 Elastic IP + 2 ALB × ${H} h`, 3 * H * G.publicIpv4Hour),
      fixed("KMS keys", "1", G.kmsKeyMonth),
      // Log groups: CodeBuild, application, deployment, system, fleet reconciler, flow logs.
      fixed("CloudWatch Logs ingestion", `6 groups × ${A.logGbPerLogGroupPerMonth} GB`, 6 * A.logGbPerLogGroupPerMonth * p.logsIngestGb),
      // The environment's dashboard (observability.dashboard.enabled, on by default).
      fixed("CloudWatch dashboards", "1", G.dashboardMonth),
      // Alarms: ALB 5xx, target 5xx, unhealthy hosts, CPU, memory, disk, latency p95 and p99, reconciler
      // errors; the CPU target tracking policy's pair.
      fixed("CloudWatch alarms", `9 + ${A.alarmsPerTargetTrackingPolicy} target tracking`, alarms * p.alarmMonth),
    ];
    expect(staging.lines.map((l) => [l.component, l.quantity, l.min, l.max])).toEqual(expected);
    // The total adds the rounded lines.
    expect(staging.total.min).toBeCloseTo(expected.reduce((n, e) => n + e[2], 0), 2);
    expect(staging.total.max).toBeCloseTo(expected.reduce((n, e) => n + e[3], 0), 2);
    expect(staging.unpriced).toEqual([]);
    expect(staging.assumptions).toEqual(["hoursPerMonth", "natGatewayGbPerMonth", "albLcuPerHour", "logGbPerLogGroupPerMonth", "alarmsPerTargetTrackingPolicy"]);
  });

  test("production: per-AZ NAT over 3 zones, t3.medium from 2 to 6 instances", () => {
    const production = costs["webapp-production"];
    expect(row(production, "NAT gateway")).toEqual([`3 × ${H} h`, cents(3 * H * p.natGateway.hour), cents(3 * H * p.natGateway.hour)]);
    expect(row(production, "EC2 t3.medium (fleet)")).toEqual([`2–6 × ${H} h`, cents(2 * H * p.ec2["t3.medium"]), cents(6 * H * p.ec2["t3.medium"])]);
    expect(row(production, "EBS gp3 root (fleet)")).toEqual(["2–6 × 30 GB", cents(60 * p.ebs.gp3), cents(180 * p.ebs.gp3)]);
    // Three NAT Elastic IPs, one ALB address in each of the 3 zones.
    expect(row(production, "Public IPv4 addresses")).toEqual([`3 Elastic IP + 3 ALB × ${H} h`, cents(6 * H * G.publicIpv4Hour), cents(6 * H * G.publicIpv4Hour)]);
    expect(line(production, "Application Load Balancer").min).toBe(cents(H * p.alb.hour));
    expect(production.total).toEqual({ min: sum(production, "min"), max: sum(production, "max") });
    expect(production.total.max - production.total.min).toBeCloseTo(cents(4 * H * p.ec2["t3.medium"]) + cents(120 * p.ebs.gp3), 1);
  });

  test("the synth summary has one total line per environment", () => {
    const text = costSummary({ table, stacks: Object.values(costs), problems: [] });
    const lines = text.split("\n");
    expect(lines[0]).toBe(`Monthly cost estimate (USD, On-Demand list prices of ${table.retrieved}; breakdown and assumptions: npm run check):`);
    const staging = costs["webapp-staging"].total;
    expect(lines).toContain(`  webapp-staging ≈ $${Math.round(staging.min)}/month at min size ($${Math.round(staging.max)} at max)`);
    expect(lines).toHaveLength(3);
  });

  test("the check table lists every line, the total and the assumptions it used", () => {
    const text = formatCostTable(costs["webapp-staging"], table);
    expect(text).toMatch(/^Monthly cost estimate of webapp-staging \(eu-west-1; USD, On-Demand list prices of \d{4}-\d{2}-\d{2}\)$/m);
    expect(text).toMatch(/│ component +│ quantity +│ min size │ max size │/);
    const ec2 = line(costs["webapp-staging"], "EC2 t3.small (fleet)");
    expect(text).toMatch(new RegExp(`│ EC2 t3\\.small \\(fleet\\) +│ 1–2 × ${H} h +│ +\\$${ec2.min!.toFixed(2)} │ +\\$${ec2.max!.toFixed(2)} │`));
    expect(text).toMatch(/│ total +│ +│ +\$[\d,]+\.\d\d │ +\$[\d,]+\.\d\d │/);
    expect(text).toContain(
      `Assumed: ${H} hours in a month; the NAT gateways of the stack process ${A.natGatewayGbPerMonth} GB a month; each ALB averages ${A.albLcuPerHour} LCU; each log group ingests ${A.logGbPerLogGroupPerMonth} GB a month; each target tracking policy has ${A.alarmsPerTargetTrackingPolicy} alarms.`,
    );
    expect(text).not.toMatch(/CloudFront/);
  });
});

describe("what changes the estimate", () => {
  test("NAT: per-az over three zones costs three gateways, single costs one", () => {
    const network = (natGateways: string) => ({ staging: { network: { cidr: "10.10.0.0/16", azCount: 3, natGateways } } });
    const single = estimateSynthesized(configWith({ environments: network("single") }), synthConfig(configWith({ environments: network("single") })))["webapp-staging"];
    const perAz = estimateSynthesized(configWith({ environments: network("per-az") }), synthConfig(configWith({ environments: network("per-az") })))["webapp-staging"];
    const hour = table.regions["eu-west-1"].natGateway.hour;
    expect(row(single, "NAT gateway")).toEqual([`1 × ${H} h`, cents(H * hour), cents(H * hour)]);
    expect(row(perAz, "NAT gateway")).toEqual([`3 × ${H} h`, cents(3 * H * hour), cents(3 * H * hour)]);
    // The data processed is the stack's traffic, not a gateway's: the same either way.
    expect(line(perAz, "NAT data processed")).toEqual(line(single, "NAT data processed"));
    // Each gateway has its Elastic IP.
    expect(line(perAz, "Public IPv4 addresses").min! - line(single, "Public IPv4 addresses").min!).toBeCloseTo(2 * H * G.publicIpv4Hour, 2);
  });

  test("no NAT gateways (public subnets only): no NAT lines", () => {
    const { costs } = estimateFile("config/examples/terraform-cloud.yaml");
    const staging = costs["intranet-staging"];
    expect(staging.region).toBe("eu-central-1");
    expect(staging.lines.map((l) => l.component)).not.toContain("NAT gateway");
    // Instances in public subnets get a public address each, at min and at max size.
    const p = table.regions["eu-central-1"];
    expect(row(staging, "EC2 t3.small (fleet)")).toEqual([`1–2 × ${H} h`, cents(H * p.ec2["t3.small"]), cents(2 * H * p.ec2["t3.small"])]);
    expect(row(staging, "Public IPv4 addresses")).toEqual([`2 ALB + 1–2 instance × ${H} h`, cents(3 * H * G.publicIpv4Hour), cents(4 * H * G.publicIpv4Hour)]);
  });

  test("RDS Multi-AZ doubles instance hours and storage (bastion-rds-frontend)", () => {
    const { costs } = estimateFile("config/examples/bastion-rds-frontend.yaml");
    const p = table.regions["eu-west-1"];
    const staging = costs["portal-staging"];
    const production = costs["portal-production"];
    // staging: protection false, so single-AZ; db.t4g.medium, 20 GB gp3 (default), no autoscaling.
    expect(row(staging, "RDS postgres db.t4g.medium")).toEqual([`1 × ${H} h`, cents(H * p.rds.postgres["db.t4g.medium"]), cents(H * p.rds.postgres["db.t4g.medium"])]);
    expect(row(staging, "RDS gp3 storage")).toEqual(["1 × 20 GB", cents(20 * p.rds.storage.gp3), cents(20 * p.rds.storage.gp3)]);
    // production: protection on, so Multi-AZ; db.m7g.large, 100 GB growing to at most 500 GB.
    expect(row(production, "RDS postgres db.m7g.large Multi-AZ")).toEqual([`2 × ${H} h`, cents(2 * H * p.rds.postgres["db.m7g.large"]), cents(2 * H * p.rds.postgres["db.m7g.large"])]);
    expect(row(production, "RDS gp3 storage Multi-AZ")).toEqual(["2 × 100–500 GB", cents(2 * 100 * p.rds.storage.gp3), cents(2 * 500 * p.rds.storage.gp3)]);
    // RDS keeps the master password in a Secrets Manager secret of its own.
    expect(row(production, "Secrets Manager secrets")).toEqual(["1", G.secretMonth, G.secretMonth]);
    // The bastion: t4g.nano with an 8 GB root volume, always one.
    expect(row(production, "EC2 t4g.nano (bastion)")).toEqual([`1 × ${H} h`, cents(H * p.ec2["t4g.nano"]), cents(H * p.ec2["t4g.nano"])]);
    expect(row(production, "EBS gp3 root (bastion)")).toEqual(["8 GB", cents(8 * p.ebs.gp3), cents(8 * p.ebs.gp3)]);
    // The front end's CloudFront distribution, at the assumed traffic.
    expect(row(production, "CloudFront data to viewers")).toEqual([`1 × ${A.cloudFrontGbPerMonth} GB`, cents(A.cloudFrontGbPerMonth * G.cloudFrontGb), cents(A.cloudFrontGbPerMonth * G.cloudFrontGb)]);
    expect(row(production, "CloudFront HTTPS requests")).toEqual([`1 × ${A.cloudFrontRequestsPerMonthMillions} M`, cents(A.cloudFrontRequestsPerMonthMillions * G.cloudFrontHttpsRequestsPerMillion), cents(A.cloudFrontRequestsPerMonthMillions * G.cloudFrontHttpsRequestsPerMillion)]);
    expect(production.assumptions).toEqual(expect.arrayContaining(["cloudFrontGbPerMonth", "cloudFrontRequestsPerMonthMillions"]));
  });

  test("a shared ALB is counted once, in the shared stack (shared-alb)", () => {
    const { costs } = estimateFile("config/examples/shared-alb.yaml");
    const p = table.regions["eu-west-1"];
    expect(Object.keys(costs).sort()).toEqual(["portal-production", "portal-qa", "portal-shared", "portal-staging"]);
    const albLines = Object.values(costs).flatMap((c) => c.lines.filter((l) => l.component === "Application Load Balancer").map(() => c.stack));
    expect(albLines).toEqual(["portal-shared"]);
    const shared = costs["portal-shared"];
    expect(row(shared, "Application Load Balancer")).toEqual([`1 × ${H} h`, cents(H * p.alb.hour), cents(H * p.alb.hour)]);
    // The shared stack owns the network: its NAT gateway is counted there too.
    expect(row(shared, "NAT gateway")).toEqual([`1 × ${H} h`, cents(H * p.natGateway.hour), cents(H * p.natGateway.hour)]);
    expect(shared.sharedLoadBalancerStack).toBeUndefined();
    for (const env of ["portal-qa", "portal-staging", "portal-production"]) {
      const cost = costs[env];
      expect(cost.lines.map((l) => l.component)).not.toEqual(expect.arrayContaining(["ALB capacity units"]));
      expect(cost.lines.map((l) => l.component)).not.toContain("NAT gateway");
      expect(cost.sharedLoadBalancerStack).toBe("portal-shared");
      expect(cost.notes).toEqual([
        // The example runs Spot above one On-Demand instance across three types (fleet.purchase).
        "fleet: priced as On-Demand t3.small, but 100% of the capacity above 1 instance(s) is Spot, which costs less and varies with the Spot price (not in the price table).",
        "fleet: priced as t3.small; the group may also launch t3a.small, t2.small (mixed instances policy).",
        "The load balancer is shared: its hours and LCUs are counted once, in portal-shared.",
      ]);
      expect(summaryLine(cost)).toMatch(new RegExp(`^${env} ≈ \\$\\d+/month at min size \\(\\$\\d+ at max\\); the shared ALB is counted in portal-shared$`));
    }
    expect(row(costs["portal-production"], "EC2 t3.small (fleet)")).toEqual([`2–4 × ${H} h`, cents(2 * H * p.ec2["t3.small"]), cents(4 * H * p.ec2["t3.small"])]);
  });

  test("ECS: Fargate tasks at min and max count, EC2 capacity as a fleet (ecs)", () => {
    const { costs } = estimateFile("config/examples/ecs.yaml");
    const p = table.regions["eu-west-1"];
    const staging = costs["shop-staging"];
    // api: FARGATE, cpu 512 (0.5 vCPU), memory 1024 (1 GB), minCount 2, maxCount 6 (x86_64).
    const perTask = 0.5 * p.fargate.x86_64.vcpuHour + 1 * p.fargate.x86_64.gbHour;
    expect(row(staging, "Fargate api (x86_64)")).toEqual([`2–6 × 0.5 vCPU, 1 GB × ${H} h`, cents(2 * H * perTask), cents(6 * H * perTask)]);
    // web: launchType EC2, so no Fargate line; it runs on the capacity provider's t3.medium group (1 to 3).
    expect(staging.lines.map((l) => l.component).filter((c) => c.startsWith("Fargate"))).toEqual(["Fargate api (x86_64)"]);
    const ec2 = staging.lines.find((l) => l.component.startsWith("EC2 t3.medium"))!;
    expect([ec2.quantity, ec2.min, ec2.max]).toEqual([`1–3 × ${H} h`, cents(H * p.ec2["t3.medium"]), cents(3 * H * p.ec2["t3.medium"])]);
    // Two services, each with a CPU and a memory target tracking policy.
    expect(line(staging, "CloudWatch alarms").quantity).toMatch(new RegExp(`\\+ ${4 * A.alarmsPerTargetTrackingPolicy} target tracking$`));
    expect(costs["shop-production"].lines.find((l) => l.component.startsWith("EC2 m7g.large"))!.quantity).toBe(`2–6 × ${H} h`);
  });

  test("an instance type without a price: a 'no price' line, left out of the total and named", () => {
    const config = configWith({ environments: { staging: { network: { cidr: "10.10.0.0/16" }, fleet: { instanceType: "x2iedn.metal" } } } });
    const cost = estimateSynthesized(config, synthConfig(config))["webapp-staging"];
    expect(row(cost, "EC2 x2iedn.metal (fleet)")).toEqual([`1–2 × ${H} h`, undefined, undefined]);
    expect(cost.unpriced).toEqual(["EC2 x2iedn.metal (fleet)"]);
    expect(cost.total).toEqual({ min: sum(cost, "min"), max: sum(cost, "max") });
    expect(summaryLine(cost)).toMatch(/, without 1 unpriced item\(s\): EC2 x2iedn\.metal \(fleet\)$/);
    expect(formatCostTable(cost, table)).toMatch(/│ EC2 x2iedn\.metal \(fleet\) +│ 1–2 × 730 h +│ no price │ no price │/);
  });
});

describe("resources the configurations do not create yet", () => {
  // WAF and interface endpoints are counted when a stack has them; a hand-written stack shows how.
  const terraform = {
    provider: { aws: [{ region: "us-east-1" }, { alias: "global", region: "eu-west-1" }] },
    resource: {
      aws_wafv2_web_acl: { acl: { name: "acl", rule: [{ name: "a" }, { name: "b" }, { name: "c" }] } },
      aws_vpc_endpoint: {
        ssm: { vpc_endpoint_type: "Interface", subnet_ids: ["${aws_subnet.a.id}", "${aws_subnet.b.id}"] },
        s3: { vpc_endpoint_type: "Gateway" },
      },
      aws_secretsmanager_secret: { one: { name: "one" } },
    },
  };

  test("WAF web ACL and rules, interface endpoints per zone; the default provider's region", () => {
    const cost = estimateStack({ stack: "x-prod", terraform }, table);
    const p = table.regions["us-east-1"];
    expect(cost.region).toBe("us-east-1");
    expect(row(cost, "WAF web ACL")).toEqual(["1", G.wafWebAclMonth, G.wafWebAclMonth]);
    expect(row(cost, "WAF rules")).toEqual(["3", 3 * G.wafRuleMonth, 3 * G.wafRuleMonth]);
    expect(row(cost, "Interface VPC endpoints")).toEqual([`2 endpoint-AZ × ${H} h`, cents(2 * H * p.interfaceEndpointAzHour), cents(2 * H * p.interfaceEndpointAzHour)]);
    expect(row(cost, "Secrets Manager secrets")).toEqual(["1", G.secretMonth, G.secretMonth]);
    expect(cost.lines).toHaveLength(4);
  });
});

describe("price table", () => {
  test("the shipped table is valid, dated, cites its sources and covers every region the configurations use", () => {
    expect(table.retrieved).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(Object.values(table.sources).every((u) => u.startsWith("https://"))).toBe(true);
    const files = ["config/default.yaml", ...fs.readdirSync(path.join(root, "config", "examples")).map((f) => `config/examples/${f}`)];
    const regions = new Set(["eu-west-1", "us-east-1", "eu-central-1"]);
    for (const file of files) {
      const config = loadConfigFile(path.join(root, file));
      regions.add(config.app.region);
      for (const env of Object.values(config.environments)) if (env.region) regions.add(env.region);
      if (config.sharedLoadBalancer?.region) regions.add(config.sharedLoadBalancer.region);
    }
    for (const region of regions) expect(() => regionPrices(table, region)).not.toThrow();
    // Every instance type, RDS class and volume type the configurations use has a price.
    for (const region of Object.keys(table.regions)) {
      const p = table.regions[region];
      for (const type of ["t3.small", "t3.medium", "c7i.large", "m7g.large", "t4g.nano"]) expect(p.ec2[type]).toBeGreaterThan(0);
      for (const cls of ["db.t4g.medium", "db.m7g.large"]) expect(p.rds.postgres[cls]).toBeGreaterThan(0);
      for (const volume of ["gp3", "gp2", "io2"]) expect(p.ebs[volume]).toBeGreaterThan(0);
    }
  });

  test("a region without prices: an error naming the region and the regions with prices", () => {
    expect(() => regionPrices(table, "ap-south-2")).toThrow(PriceTableError);
    expect(() => regionPrices(table, "ap-south-2")).toThrow(/^no prices for region ap-south-2 in the cost estimate's price table; regions with prices: eu-central-1, eu-west-1, us-east-1 \(add the region/);
  });

  test("a region without prices: the stack gets a sentence instead of an estimate", () => {
    const config = configWith({ app: { region: "ap-south-2" } });
    const result = estimateConfig(config, [{ name: "webapp-staging", terraform: { provider: { aws: [{ region: "ap-south-2" }] } } }], table);
    expect(result.stacks).toEqual([]);
    expect(result.problems).toEqual([
      "No cost estimate for webapp-staging: no prices for region ap-south-2 in the cost estimate's price table; regions with prices: eu-central-1, eu-west-1, us-east-1 (add the region to lib/cost/prices.json, see docs/cost-estimate.md)",
    ]);
    expect(costSummary(result).split("\n")[1]).toBe(`  ${result.problems[0]}`);
  });

  const raw = () => JSON.parse(fs.readFileSync(PRICE_TABLE_FILE, "utf8"));
  const problemsOf = (mutate: (t: any) => void): string => {
    const t = raw();
    mutate(t);
    try {
      parsePriceTable(t, "prices.json");
    } catch (e) {
      expect(e).toBeInstanceOf(PriceTableError);
      return (e as Error).message;
    }
    throw new Error("expected the price table to be rejected");
  };

  test.each<[string, (t: any) => void, RegExp]>([
    ["a missing price", (t) => delete t.regions["eu-west-1"].natGateway.hour, /regions\.eu-west-1\.natGateway\.hour: received nothing; allowed: a price in USD/],
    ["a negative price", (t) => (t.regions["us-east-1"].ec2["t3.small"] = -1), /regions\.us-east-1\.ec2\.t3\.small: received -1; allowed: a price in USD \(a number of 0 or more\)/],
    ["a price that is not a number", (t) => (t.global.kmsKeyMonth = "1 dollar"), /global\.kmsKeyMonth: received "1 dollar"; allowed: a price in USD/],
    ["an undated table", (t) => (t.retrieved = "December 2026"), /retrieved: received "December 2026"; allowed: a date as YYYY-MM-DD/],
    ["another currency", (t) => (t.currency = "EUR"), /currency: received "EUR"; allowed: the currency "USD"/],
    ["a source that is not a URL", (t) => (t.sources.ec2 = "the EC2 page"), /sources\.ec2: received "the EC2 page"; allowed: a URL/],
    ["no sources", (t) => (t.sources = {}), /sources: received \{\}; allowed: at least one source URL/],
    ["no verification note", (t) => (t.verification = ""), /verification: received ""; allowed: a text saying what was checked/],
    ["no regions", (t) => (t.regions = {}), /regions: received \{\}; allowed: at least one region/],
    ["zero hours in a month", (t) => (t.assumptions.hoursPerMonth = 0), /assumptions\.hoursPerMonth: received 0; allowed: hours in a month \(a number above 0\)/],
    ["a negative traffic assumption", (t) => (t.assumptions.natGatewayGbPerMonth = -5), /assumptions\.natGatewayGbPerMonth: received -5; allowed: GB per month \(0 or more\)/],
    ["a fractional alarm count", (t) => (t.assumptions.alarmsPerTargetTrackingPolicy = 1.5), /assumptions\.alarmsPerTargetTrackingPolicy: received 1\.5; allowed: a whole number of alarms/],
    ["an unknown key (a typo)", (t) => (t.regions["eu-west-1"].natGatway = { hour: 1 }), /regions\.eu-west-1: .*allowed: .*natGatway/],
  ])("refuses %s", (_name, mutate, message) => {
    const text = problemsOf(mutate);
    expect(text).toMatch(/^prices\.json is invalid:\n/);
    expect(text).toMatch(message);
  });

  test("a table file with problems: the error names the file, the field and what is allowed", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "prices-"));
    const file = path.join(dir, "prices.json");
    fs.writeFileSync(file, JSON.stringify({ ...raw(), retrieved: "soon" }));
    expect(() => loadPriceTable(file)).toThrow(/prices\.json is invalid:\n {2}retrieved: received "soon"; allowed: a date as YYYY-MM-DD$/);
    fs.writeFileSync(file, "{ retrieved: 2026-12-02 }");
    expect(() => loadPriceTable(file)).toThrow(/prices\.json is not readable JSON: /);
  });
});

describe("npm run synth and npm run check print the estimate", () => {
  test("check in a region without prices: exit code 0 and the reason instead of the table", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cost-"));
    const file = path.join(dir, "config.yaml");
    fs.writeFileSync(file, "app: { name: webapp, region: ap-south-2 }\nenvironments:\n  staging: { network: { cidr: 10.10.0.0/16 } }\n");
    const c = captureConsole();
    const code = await runCheck(["--config", file], {});
    c.restore();
    expect(code).toBe(0);
    const text = c.out.join("\n");
    expect(text).toContain("No cost estimate for webapp-staging: no prices for region ap-south-2 in the cost estimate's price table; regions with prices: eu-central-1, eu-west-1, us-east-1");
    expect(text).not.toMatch(/Monthly cost estimate of/);
    expect(text).toMatch(/config\.yaml: 1 stack\(s\), 0 unsuppressed failure\(s\)/);
  });

  test("synth: one total line per environment; check: the table per environment", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cost-"));
    const config = path.join(root, "config", "examples", "terraform-cloud.yaml");
    const c = captureConsole();
    expect(await runSynth(["--config", config, "--out", path.join(dir, "out"), "--generated", path.join(dir, "g")], {})).toBe(0);
    const synthText = c.out.join("\n");
    c.out.length = 0;
    expect(await runCheck(["--config", config], {})).toBe(0);
    c.restore();
    const { costs } = estimateFile("config/examples/terraform-cloud.yaml");
    expect(synthText).toContain(`Monthly cost estimate (USD, On-Demand list prices of ${table.retrieved}; breakdown and assumptions: npm run check):`);
    for (const stack of ["intranet-staging", "intranet-production"]) {
      expect(synthText).toContain(`  ${summaryLine(costs[stack])}`);
      expect(c.out.join("\n")).toContain(formatCostTable(costs[stack], table));
    }
    expect(c.out.join("\n")).toContain(costFooter(Object.values(costs), table));
    expect(costFooter(Object.values(costs), table)).toMatch(/^Prices not confirmed against a published AWS price for eu-central-1: ec2, /);
  });
});

describe("the price table file", () => {
  test("every region lists what was and was not confirmed", () => {
    for (const [region, prices] of Object.entries(table.regions) as Array<[string, PriceTable["regions"][string]]>) {
      expect({ region, listed: prices.confirmed.length + prices.unconfirmed.length > 0 }).toEqual({ region, listed: true });
    }
  });
});
