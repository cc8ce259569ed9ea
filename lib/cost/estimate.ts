import { StackView, TfResource } from "../../policy/terraform";
import { Assumptions, PriceTable, RegionPrices, regionPrices } from "./prices";

/*
 * A monthly cost estimate of one synthesized stack, read from its Terraform JSON (what `cdktf`
 * writes, so the estimate counts exactly what is deployed: NAT gateways, instances, alarms, keys)
 * and priced from the price table (lib/cost/prices.json). Two columns: the fleets and services at
 * their smallest size (Auto Scaling min_size, Application Auto Scaling min_capacity) and at their
 * largest. What is counted and what is not: docs/cost-estimate.md.
 */

/** One line of the estimate. */
export interface CostLine {
  /** What is paid for, such as "NAT gateway" or "EC2 t3.small (fleet)". */
  readonly component: string;
  /** How much of it, such as "3 × 730 h" or "1–2 × 30 GB". */
  readonly quantity: string;
  /** USD per month at the smallest size; undefined when the price table has no price. */
  readonly min: number | undefined;
  /** USD per month at the largest size; undefined when the price table has no price. */
  readonly max: number | undefined;
  /** The assumptions (keys of the price table's `assumptions`) the line depends on. */
  readonly assumes?: ReadonlyArray<keyof Assumptions>;
}

export interface StackCost {
  readonly stack: string;
  readonly region: string;
  readonly lines: readonly CostLine[];
  /** Sum of the priced lines. */
  readonly total: { readonly min: number; readonly max: number };
  /** Components without a price in the table (the total leaves them out). */
  readonly unpriced: readonly string[];
  /** Remarks printed under the table, such as where a shared load balancer is counted. */
  readonly notes: readonly string[];
  /** The shared load balancer stack that pays for this environment's ALB, if it is on one. */
  readonly sharedLoadBalancerStack?: string;
  /** Assumptions the lines depend on, in the price table's order. */
  readonly assumptions: ReadonlyArray<keyof Assumptions>;
}

export interface StackCostInput {
  /** Stack name (`<app>-<environment>` or `<app>-shared`). */
  readonly stack: string;
  /** The stack's synthesized Terraform JSON (`stack.toTerraform()`). */
  readonly terraform: Record<string, any>;
  /** Region when the JSON's default aws provider names none. */
  readonly region?: string;
  /** The shared load balancer stack the environment is attached to, if it is (it pays for the ALB). */
  readonly sharedLoadBalancerStack?: string;
}

/** Estimates one stack. Throws PriceTableError when the table has no prices for the stack's region. */
export function estimateStack(input: StackCostInput, table: PriceTable): StackCost {
  const region = providerRegion(input.terraform) ?? input.region;
  if (!region) throw new Error(`${input.stack}: the synthesized stack names no region (no default aws provider with a region)`);
  const prices = regionPrices(table, region);
  const counter = new Counter(table, prices, input.stack);
  const lines = counter.count(new StackView(input.terraform));
  const notes: string[] = [...counter.notes];
  if (input.sharedLoadBalancerStack) notes.push(`The load balancer is shared: its hours and LCUs are counted once, in ${input.sharedLoadBalancerStack}.`);
  const priced = lines.filter((l) => l.min !== undefined && l.max !== undefined);
  const sum = (pick: (l: CostLine) => number) => round(priced.reduce((n, l) => n + pick(l), 0));
  const used = new Set(lines.flatMap((l) => l.assumes ?? []));
  return {
    stack: input.stack,
    region,
    lines,
    total: { min: sum((l) => l.min!), max: sum((l) => l.max!) },
    unpriced: lines.filter((l) => l.min === undefined || l.max === undefined).map((l) => l.component),
    notes,
    ...(input.sharedLoadBalancerStack ? { sharedLoadBalancerStack: input.sharedLoadBalancerStack } : {}),
    assumptions: (Object.keys(table.assumptions) as Array<keyof Assumptions>).filter((k) => used.has(k)),
  };
}

/** Region of the stack's default (unaliased) aws provider. */
export function providerRegion(terraform: Record<string, any>): string | undefined {
  const providers: Array<Record<string, any>> = [terraform.provider?.aws ?? []].flat();
  const region = providers.find((p) => p.alias === undefined)?.region;
  return typeof region === "string" ? region : undefined;
}

class Counter {
  private readonly hours: number;
  private readonly lines: CostLine[] = [];
  /** Remarks on what the lines assume (Spot priced as On-Demand, say). */
  public readonly notes: string[] = [];
  /** Instances with a public IPv4 address of their own, at min and max size. */
  private publicInstances = { min: 0, max: 0 };

  constructor(
    private readonly table: PriceTable,
    private readonly prices: RegionPrices,
    private readonly stack: string,
  ) {
    this.hours = table.assumptions.hoursPerMonth;
  }

  public count(view: StackView): CostLine[] {
    this.natGateways(view);
    this.loadBalancers(view);
    this.fleets(view);
    this.instances(view);
    this.fargate(view);
    this.databases(view);
    this.endpoints(view);
    this.publicIpv4(view);
    this.cdn(view);
    this.waf(view);
    this.keysSecretsLogsAlarms(view);
    return this.lines;
  }

  private add(component: string, quantity: string, unitPrice: number | undefined, min: number, max: number = min, assumes?: ReadonlyArray<keyof Assumptions>): void {
    this.lines.push({
      component,
      quantity,
      min: unitPrice === undefined ? undefined : round(unitPrice * min),
      max: unitPrice === undefined ? undefined : round(unitPrice * max),
      ...(assumes ? { assumes } : {}),
    });
  }

  private natGateways(view: StackView): void {
    const n = view.resources("aws_nat_gateway").length;
    if (n === 0) return;
    const { hour, gb } = this.prices.natGateway;
    this.add("NAT gateway", `${n} × ${this.hours} h`, hour, n * this.hours, undefined, ["hoursPerMonth"]);
    const data = this.table.assumptions.natGatewayGbPerMonth;
    this.add("NAT data processed", `${data} GB`, gb, data, undefined, ["natGatewayGbPerMonth"]);
  }

  private loadBalancers(view: StackView): void {
    const albs = view.resources("aws_lb").filter((lb) => (lb.values.load_balancer_type ?? "application") === "application");
    if (albs.length === 0) return;
    const n = albs.length;
    const { hour, lcuHour } = this.prices.alb;
    const lcu = this.table.assumptions.albLcuPerHour;
    this.add("Application Load Balancer", `${n} × ${this.hours} h`, hour, n * this.hours, undefined, ["hoursPerMonth"]);
    this.add("ALB capacity units", `${n} × ${lcu} LCU × ${this.hours} h`, lcuHour, n * lcu * this.hours, undefined, ["albLcuPerHour"]);
  }

  /** Auto Scaling groups (fleets, ECS container instances): instances and root volumes at min and max size. */
  private fleets(view: StackView): void {
    for (const group of view.resources("aws_autoscaling_group")) {
      // With a mixed instances policy the template is named inside it (fleet.purchase).
      const mixed = [group.values.mixed_instances_policy ?? []].flat()[0];
      const spec = mixed ? [[mixed.launch_template ?? []].flat()[0]?.launch_template_specification ?? []].flat()[0] : undefined;
      const template = view.refs(mixed ? spec : group.values.launch_template, "aws_launch_template")[0];
      const min = numberOf(group.values.min_size);
      const max = numberOf(group.values.max_size);
      if (!template || min === undefined || max === undefined) {
        this.lines.push({ component: `Auto Scaling group ${this.label(group)}`, quantity: "size or launch template not readable", min: undefined, max: undefined });
        continue;
      }
      const type = String(template.values.instance_type);
      const label = this.label(group);
      const range = min === max ? `${min}` : `${min}–${max}`;
      this.add(`EC2 ${type} (${label})`, `${range} × ${this.hours} h`, this.prices.ec2[type], min * this.hours, max * this.hours, ["hoursPerMonth"]);
      for (const mapping of [template.values.block_device_mappings ?? []].flat()) {
        const ebs = [mapping.ebs ?? []].flat()[0];
        const size = numberOf(ebs?.volume_size);
        if (size === undefined) continue;
        const volumeType = String(ebs.volume_type ?? "gp3");
        this.add(`EBS ${volumeType} root (${label})`, `${range} × ${size} GB`, this.prices.ebs[volumeType], min * size, max * size);
      }
      if (publicIp(template)) this.publicInstances = { min: this.publicInstances.min + min, max: this.publicInstances.max + max };
      if (mixed) {
        const d = [mixed.instances_distribution ?? []].flat()[0] ?? {};
        const onDemand = numberOf(d.on_demand_percentage_above_base_capacity) ?? 100;
        const overrides: Array<Record<string, any>> = [[mixed.launch_template ?? []].flat()[0]?.override ?? []].flat();
        const others = overrides.map((o) => o.instance_type).filter((t) => typeof t === "string" && t !== type);
        const attributes = overrides.some((o) => o.instance_requirements);
        if (onDemand < 100) {
          this.notes.push(
            `${label}: priced as On-Demand ${type}, but ${100 - onDemand}% of the capacity above ${numberOf(d.on_demand_base_capacity) ?? 0} instance(s) is Spot, which costs less and varies with the Spot price (not in the price table).`,
          );
        }
        if (others.length > 0 || attributes) {
          this.notes.push(`${label}: priced as ${type}; the group may also launch ${attributes ? "any instance type its instance requirements admit" : others.join(", ")} (mixed instances policy).`);
        }
      }
      // A warm pool's instances: their root volumes always, the instances too when they wait Running.
      const warm = [group.values.warm_pool ?? []].flat()[0];
      const warmSize = warm ? (numberOf(warm.min_size) ?? 0) : 0;
      if (warmSize > 0) {
        if (warm.pool_state === "Running") this.add(`EC2 ${type} (${label} warm pool)`, `${warmSize} × ${this.hours} h`, this.prices.ec2[type], warmSize * this.hours, undefined, ["hoursPerMonth"]);
        for (const mapping of [template.values.block_device_mappings ?? []].flat()) {
          const ebs = [mapping.ebs ?? []].flat()[0];
          const size = numberOf(ebs?.volume_size);
          if (size === undefined) continue;
          const volumeType = String(ebs.volume_type ?? "gp3");
          this.add(`EBS ${volumeType} root (${label} warm pool)`, `${warmSize} × ${size} GB`, this.prices.ebs[volumeType], warmSize * size);
        }
        this.notes.push(`${label}: the warm pool counts its minimum size (${warmSize}); it holds up to the group's maximum (or max prepared capacity) minus the desired capacity.`);
      }
    }
  }

  /** Single instances (plain hosts, bastions): always one each. */
  private instances(view: StackView): void {
    for (const instance of view.resources("aws_instance")) {
      const type = String(instance.values.instance_type);
      const label = this.label(instance);
      this.add(`EC2 ${type} (${label})`, `1 × ${this.hours} h`, this.prices.ec2[type], this.hours, undefined, ["hoursPerMonth"]);
      const root = [instance.values.root_block_device ?? []].flat()[0];
      const size = numberOf(root?.volume_size);
      if (size !== undefined) {
        const volumeType = String(root.volume_type ?? "gp3");
        this.add(`EBS ${volumeType} root (${label})`, `${size} GB`, this.prices.ebs[volumeType], size);
      }
      if (instance.values.associate_public_ip_address === true || instance.values.associate_public_ip_address === "true") {
        this.publicInstances = { min: this.publicInstances.min + 1, max: this.publicInstances.max + 1 };
      }
    }
  }

  /** ECS services on Fargate (and Fargate Spot, priced as Fargate): tasks at min and max count. */
  private fargate(view: StackView): void {
    const targets = view.resources("aws_appautoscaling_target");
    for (const service of view.resources("aws_ecs_service")) {
      const strategy: Array<Record<string, any>> = [service.values.capacity_provider_strategy ?? []].flat();
      const onFargate = service.values.launch_type === "FARGATE" || strategy.some((s) => s.capacity_provider === "FARGATE" || s.capacity_provider === "FARGATE_SPOT");
      if (!onFargate) continue;
      const task = view.refs(service.values.task_definition, "aws_ecs_task_definition")[0];
      const target = targets.find((t) => view.refs(t.values.resource_id, "aws_ecs_service").includes(service));
      const desired = numberOf(service.values.desired_count) ?? 1;
      const min = numberOf(target?.values.min_capacity) ?? desired;
      const max = numberOf(target?.values.max_capacity) ?? desired;
      const name = String(service.values.name ?? service.name);
      const vcpu = numberOf(task?.values.cpu);
      const memory = numberOf(task?.values.memory);
      if (vcpu === undefined || memory === undefined) {
        this.lines.push({ component: `Fargate ${name}`, quantity: "task size not readable", min: undefined, max: undefined });
        continue;
      }
      const architecture = [task!.values.runtime_platform ?? []].flat()[0]?.cpu_architecture === "ARM64" ? "arm64" : "x86_64";
      const rate = this.prices.fargate[architecture];
      const perTaskHour = (vcpu / 1024) * rate.vcpuHour + (memory / 1024) * rate.gbHour;
      const range = min === max ? `${min}` : `${min}–${max}`;
      this.add(`Fargate ${name} (${architecture})`, `${range} × ${vcpu / 1024} vCPU, ${memory / 1024} GB × ${this.hours} h`, perTaskHour, min * this.hours, max * this.hours, ["hoursPerMonth"]);
    }
  }

  /** RDS instances: instance hours and storage, both doubled by Multi-AZ (the standby is billed too). */
  private databases(view: StackView): void {
    for (const db of view.resources("aws_db_instance")) {
      const cls = String(db.values.instance_class);
      const engine = String(db.values.engine);
      const copies = db.values.multi_az === true || db.values.multi_az === "true" ? 2 : 1;
      const byEngine = engine === "postgres" || engine === "mysql" ? this.prices.rds[engine] : undefined;
      const az = copies === 2 ? " Multi-AZ" : "";
      this.add(`RDS ${engine} ${cls}${az}`, `${copies} × ${this.hours} h`, byEngine?.[cls], copies * this.hours, undefined, ["hoursPerMonth"]);
      const storageType = String(db.values.storage_type ?? "gp2");
      const allocated = numberOf(db.values.allocated_storage) ?? 0;
      const ceiling = numberOf(db.values.max_allocated_storage) ?? allocated;
      const range = ceiling === allocated ? `${allocated}` : `${allocated}–${ceiling}`;
      this.add(`RDS ${storageType} storage${az}`, `${copies} × ${range} GB`, this.prices.rds.storage[storageType], copies * allocated, copies * Math.max(allocated, ceiling));
    }
  }

  /** Interface VPC endpoints: one hourly charge per endpoint and zone (subnet). */
  private endpoints(view: StackView): void {
    const interfaces = view.resources("aws_vpc_endpoint").filter((e) => e.values.vpc_endpoint_type === "Interface");
    if (interfaces.length === 0) return;
    const zones = interfaces.reduce((n, e) => n + Math.max(1, [e.values.subnet_ids ?? []].flat().length), 0);
    this.add("Interface VPC endpoints", `${zones} endpoint-AZ × ${this.hours} h`, this.prices.interfaceEndpointAzHour, zones * this.hours, undefined, ["hoursPerMonth"]);
  }

  /** Public IPv4 addresses: Elastic IPs, one per zone of an internet-facing ALB, public instances. */
  private publicIpv4(view: StackView): void {
    const eips = view.resources("aws_eip").length;
    const albNodes = view
      .resources("aws_lb")
      .filter((lb) => lb.values.internal !== true && lb.values.internal !== "true")
      .reduce((n, lb) => n + [lb.values.subnets ?? []].flat().length, 0);
    const min = eips + albNodes + this.publicInstances.min;
    const max = eips + albNodes + this.publicInstances.max;
    if (max === 0) return;
    const parts = [eips && `${eips} Elastic IP`, albNodes && `${albNodes} ALB`, this.publicInstances.max && `${this.publicInstances.min === this.publicInstances.max ? this.publicInstances.max : `${this.publicInstances.min}–${this.publicInstances.max}`} instance`].filter(Boolean);
    this.add("Public IPv4 addresses", `${parts.join(" + ")} × ${this.hours} h`, this.table.global.publicIpv4Hour, min * this.hours, max * this.hours, ["hoursPerMonth"]);
  }

  private cdn(view: StackView): void {
    const n = view.resources("aws_cloudfront_distribution").length;
    if (n === 0) return;
    const { cloudFrontGbPerMonth: gb, cloudFrontRequestsPerMonthMillions: requests } = this.table.assumptions;
    this.add("CloudFront data to viewers", `${n} × ${gb} GB`, this.table.global.cloudFrontGb, n * gb, undefined, ["cloudFrontGbPerMonth"]);
    this.add("CloudFront HTTPS requests", `${n} × ${requests} M`, this.table.global.cloudFrontHttpsRequestsPerMillion, n * requests, undefined, ["cloudFrontRequestsPerMonthMillions"]);
  }

  /** WAF fixed parts: web ACLs and their rules (requests inspected are not counted). */
  private waf(view: StackView): void {
    const acls = view.resources("aws_wafv2_web_acl");
    if (acls.length === 0) return;
    const rules = acls.reduce((n, acl) => n + [acl.values.rule ?? []].flat().length, 0);
    this.add("WAF web ACL", `${acls.length}`, this.table.global.wafWebAclMonth, acls.length);
    if (rules > 0) this.add("WAF rules", `${rules}`, this.table.global.wafRuleMonth, rules);
  }

  private keysSecretsLogsAlarms(view: StackView): void {
    const keys = view.resources("aws_kms_key").length;
    if (keys > 0) this.add("KMS keys", `${keys}`, this.table.global.kmsKeyMonth, keys);

    // RDS keeps the master password in a secret of its own (manage_master_user_password).
    const secrets = view.resources("aws_secretsmanager_secret").length + view.resources("aws_db_instance").filter((db) => db.values.manage_master_user_password === true).length;
    if (secrets > 0) this.add("Secrets Manager secrets", `${secrets}`, this.table.global.secretMonth, secrets);

    const groups = view.resources("aws_cloudwatch_log_group").length;
    if (groups > 0) {
      const gb = groups * this.table.assumptions.logGbPerLogGroupPerMonth;
      this.add("CloudWatch Logs ingestion", `${groups} group${groups === 1 ? "" : "s"} × ${this.table.assumptions.logGbPerLogGroupPerMonth} GB`, this.prices.logsIngestGb, gb, undefined, ["logGbPerLogGroupPerMonth"]);
    }

    const dashboards = view.resources("aws_cloudwatch_dashboard").length;
    if (dashboards > 0) this.add("CloudWatch dashboards", `${dashboards}`, this.table.global.dashboardMonth, dashboards);

    const alarms = view.resources("aws_cloudwatch_metric_alarm").length;
    const policies = view.resources("aws_autoscaling_policy", "aws_appautoscaling_policy").filter((p) => p.values.policy_type === "TargetTrackingScaling").length;
    const managed = policies * this.table.assumptions.alarmsPerTargetTrackingPolicy;
    if (alarms + managed > 0) {
      const quantity = managed > 0 ? `${alarms} + ${managed} target tracking` : `${alarms}`;
      this.add("CloudWatch alarms", quantity, this.prices.alarmMonth, alarms + managed, undefined, managed > 0 ? ["alarmsPerTargetTrackingPolicy"] : undefined);
    }
  }

  /** A readable name: the Name tag or name argument without the stack prefix, else the address name. */
  private label(resource: TfResource): string {
    const name = resource.values.tags?.Name ?? resource.values.name;
    if (typeof name === "string" && !name.includes("${")) {
      const short = name.startsWith(`${this.stack}-`) ? name.slice(this.stack.length + 1) : name;
      return short || name;
    }
    return resource.name;
  }
}

function publicIp(template: TfResource): boolean {
  return [template.values.network_interfaces ?? []].flat().some((ni: Record<string, any>) => ni.associate_public_ip_address === true || ni.associate_public_ip_address === "true");
}

/** A number argument (cdktf writes some as strings, such as a task's cpu); undefined for expressions. */
function numberOf(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "string" && /^\d+(\.\d+)?$/.test(value)) return Number(value);
  return undefined;
}

/** Cents: the table prints dollars with two decimals, and totals add the rounded lines. */
export function round(usd: number): number {
  return Math.round(usd * 100) / 100;
}
