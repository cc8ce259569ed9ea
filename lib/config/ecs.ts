import { z } from "zod";
import { bool, dnsLabel, integer, logRetentionDays, oneOf, pattern, strictObject, testerCidrs } from "./primitives";

/** Longest `<app>-<env>-<service>`: it names the service's target group, which ALB limits to 32 characters. */
export const MAX_SERVICE_PREFIX = 32;

/** Suffix of a blue-green service's second (green) target group name: `<app>-<env>-<service>-g`. */
export const GREEN_TARGET_GROUP_SUFFIX = "-g";

/**
 * Task sizes Fargate accepts: CPU units → memory (MiB) from `min` to `max` in steps of `step`
 * (AWS "Task CPU and memory" table; 256 CPU units take 512, 1024 or 2048 MiB).
 */
export const FARGATE_SIZES: Readonly<Record<number, { readonly min: number; readonly max: number; readonly step: number }>> = {
  256: { min: 512, max: 2048, step: 512 },
  512: { min: 1024, max: 4096, step: 1024 },
  1024: { min: 2048, max: 8192, step: 1024 },
  2048: { min: 4096, max: 16384, step: 1024 },
  4096: { min: 8192, max: 30720, step: 1024 },
  8192: { min: 16384, max: 61440, step: 4096 },
  16384: { min: 32768, max: 122880, step: 8192 },
};

/** Memory sizes (MiB) Fargate accepts with `cpu` units; empty when Fargate has no such CPU size. */
export function fargateMemorySizes(cpu: number): number[] {
  const size = FARGATE_SIZES[cpu];
  if (!size) return [];
  // 256 CPU units take 512, 1024 and 2048 MiB: not a fixed step from 512.
  if (cpu === 256) return [512, 1024, 2048];
  const out: number[] = [];
  for (let m = size.min; m <= size.max; m += size.step) out.push(m);
  return out;
}

/**
 * CodeDeploy's predefined ECS deployment configurations, by how they shift traffic (CodeDeploy user
 * guide, "Deployment configurations on an Amazon ECS compute platform",
 * https://docs.aws.amazon.com/codedeploy/latest/userguide/deployment-configurations.html). A
 * blue-green service whose shift matches one uses it; any other shift gets a custom
 * `aws_codedeploy_deployment_config` of its own.
 */
export const PREDEFINED_ECS_DEPLOYMENT_CONFIGS: ReadonlyArray<{ readonly name: string; readonly shift: "all-at-once" | "canary" | "linear"; readonly percentage?: number; readonly intervalMinutes?: number }> = [
  { name: "CodeDeployDefault.ECSAllAtOnce", shift: "all-at-once" },
  { name: "CodeDeployDefault.ECSCanary10Percent5Minutes", shift: "canary", percentage: 10, intervalMinutes: 5 },
  { name: "CodeDeployDefault.ECSCanary10Percent15Minutes", shift: "canary", percentage: 10, intervalMinutes: 15 },
  { name: "CodeDeployDefault.ECSLinear10PercentEvery1Minutes", shift: "linear", percentage: 10, intervalMinutes: 1 },
  { name: "CodeDeployDefault.ECSLinear10PercentEvery3Minutes", shift: "linear", percentage: 10, intervalMinutes: 3 },
];

/** What a blue-green service gets for the options it leaves out (applied once, by {@link blueGreenSettings}). */
export const BLUE_GREEN_DEFAULTS = { trafficShift: "canary", percentage: 10, intervalMinutes: 5, terminationWaitMinutes: 60 } as const;

/** Ports the environment's ALB already serves production on: a test listener takes another. */
export const PRODUCTION_LISTENER_PORTS = [80, 443] as const;

export const ecsDeploymentSchema = strictObject({
  type: oneOf(["rolling", "blue-green"])
    .default("rolling")
    .describe(
      "rolling: ECS replaces tasks in place, with the deployment circuit breaker and rollback (the ECS deployment controller). blue-green: CodeDeploy starts the new revision as a second task set behind a second target group, shifts traffic to it (trafficShift) and rolls back on failure or alarm; the circuit breaker is not available with CodeDeploy (docs/ecs.md, Blue/green releases).",
    ),
  trafficShift: oneOf(["all-at-once", "canary", "linear"])
    .optional()
    .describe("blue-green only. How production traffic moves to the new task set: all at once, canary (percentage first, the rest after intervalMinutes) or linear (percentage every intervalMinutes). Default canary."),
  percentage: integer(1, 99, "a percentage of traffic")
    .optional()
    .describe("blue-green with canary or linear only: the share of traffic the first step (canary) or each step (linear) moves. Default 10."),
  intervalMinutes: integer(1, 2880, "a number of minutes")
    .optional()
    .describe("blue-green with canary or linear only: minutes between the steps. Default 5. 10% canary after 5 or 15 minutes and 10% linear every 1 or 3 minutes are CodeDeploy's predefined configurations; any other shift gets a deployment configuration of its own."),
  terminationWaitMinutes: integer(0, 2880, "a number of minutes")
    .optional()
    .describe("blue-green only. Minutes the original task set keeps running after all traffic moved (the window in which a rollback is instant). Default 60."),
  testListener: strictObject({
    port: integer(1, 65535, "a TCP port").describe("Port of the test listener on the environment's ALB: neither 80 nor 443 and no other service's test port."),
    allowedCidrs: testerCidrs
      .describe("Who may reach the test listener (e.g. the office or VPN range). Required: /0 is refused: the port serves an unreleased version."),
  })
    .optional()
    .describe("blue-green only. A listener on its own port that sends test traffic to the new task set before production traffic moves (CodeDeploy's test traffic route). Default: none."),
})
  .prefault({})
  .describe("How releases replace the service's tasks. Default: rolling.");

const pathPattern = pattern(/^\/[A-Za-z0-9_\-.$/~"'@:+*?&=!,;%]{0,127}$/, "an ALB path pattern starting with / such as /api/* (at most 128 characters; * and ? are wildcards)");

export const ecsServiceSchema = strictObject({
  name: dnsLabel(16).describe("Service name: names the ECS service, task family, container, ECR repository, log group and target group (<app>-<env>-<name>)."),
  launchType: oneOf(["FARGATE", "EC2"])
    .default("FARGATE")
    .describe("FARGATE: tasks on Fargate (and Fargate Spot by ecs.capacity weights). EC2: tasks on the cluster's EC2 capacity provider."),
  networkMode: oneOf(["awsvpc", "bridge"])
    .default("awsvpc")
    .describe("awsvpc: each task has its own network interface in the private subnets (target type ip). bridge (EC2 only): tasks share the instance's interface on dynamic host ports (target type instance)."),
  containerPort: integer(1, 65535, "a TCP port").default(8080).describe("Port the container listens on."),
  cpu: integer(128, 16384, "CPU units (1024 = 1 vCPU)").default(256).describe("Task CPU units. FARGATE: 256, 512, 1024, 2048, 4096, 8192 or 16384."),
  memory: integer(128, 122880, "MiB").default(512).describe("Task memory in MiB. FARGATE: a size Fargate accepts with the task's cpu."),
  desiredCount: integer(0, 1000, "a number of tasks").default(2).describe("Tasks at creation; application autoscaling owns the count afterwards."),
  minCount: integer(0, 1000, "a number of tasks").default(1).describe("Fewest tasks autoscaling keeps."),
  maxCount: integer(1, 1000, "a number of tasks").default(4).describe("Most tasks autoscaling starts."),
  cpuTargetPercent: integer(10, 95, "a CPU percentage").default(75).describe("Average service CPU that autoscaling holds."),
  memoryTargetPercent: integer(10, 95, "a memory percentage").default(75).describe("Average service memory that autoscaling holds."),
  healthCheckPath: pattern(/^\/[\x21-\x7e]*$/, "a URL path starting with / such as /health").default("/health").describe("Path the target group requests on each task."),
  healthCheckGracePeriodSeconds: integer(0, 3600, "a number of seconds").default(60).describe("Time a new task gets before failed load balancer health checks count."),
  pathPatterns: z
    .array(pathPattern)
    .min(1, { error: "between 1 and 5 path patterns" })
    .max(5, { error: "between 1 and 5 path patterns" })
    .meta({ allowed: "a list of 1 to 5 path patterns" })
    .describe("Requests whose path matches one of these go to this service (one listener rule)."),
  priority: integer(1, 50000, "a listener rule priority").describe("Priority of the service's path rule; lower is evaluated first. Explicit, so adding a service never reorders the others."),
  buildContext: pattern(/^(\.|[A-Za-z0-9_][A-Za-z0-9_.\/-]*)$/, "a relative directory of the source such as . or services/api")
    .default(".")
    .describe("Directory of the source that holds the service's Dockerfile (docker build context); services of one repository each build their own."),
  deployment: ecsDeploymentSchema,
  initialImageTag: pattern(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, "an image tag such as latest or 1.0.0")
    .default("latest")
    .describe(
      "Image tag in the task definition revisions Terraform registers. Each release registers the next revision from Terraform's latest with the image it built, so only a service no release has deployed yet runs this tag; the build never pushes it (docs/release-pipeline.md, ECS releases).",
    ),
});

export const ecsCapacitySchema = strictObject({
  instanceType: pattern(/^[a-z][a-z0-9-]*\d[a-z0-9-]*\.[a-z0-9]+$/, "an EC2 instance type such as t3.medium or m7g.large")
    .default("t3.medium")
    .describe("Instances of the EC2 capacity provider (created when a service has launchType EC2); Graviton types get the arm64 ECS-optimized image."),
  minSize: integer(0, 1000, "a number of instances").default(1).describe("Fewest container instances."),
  maxSize: integer(1, 1000, "a number of instances").default(4).describe("Most container instances."),
  targetCapacityPercent: integer(1, 100, "a percentage").default(100).describe("Managed scaling target: how full ECS keeps the instances (100 = no spare capacity)."),
  scaleInProtection: bool
    .default(true)
    .describe("Protect instances from scale-in and turn on managed termination protection, so ECS only removes instances that run no tasks."),
  rootVolumeSizeGb: integer(30, 1024, "GiB").default(30).describe("Encrypted gp3 root volume of each instance (images and container layers)."),
  fargateBase: integer(0, 100000, "a number of tasks").default(0).describe("Tasks of each FARGATE service that always run on regular Fargate before weights apply."),
  fargateWeight: integer(0, 1000, "a weight").default(1).describe("Share of FARGATE services' tasks on regular Fargate."),
  fargateSpotWeight: integer(0, 1000, "a weight").default(0).describe("Share of FARGATE services' tasks on Fargate Spot (interruptible, cheaper); 0 keeps Spot out."),
})
  .prefault({})
  .describe("Capacity of the cluster: the EC2 capacity provider and the Fargate / Fargate Spot split.");

/**
 * ECS Exec (`aws ecs execute-command`): a shell or command in a running container through SSM
 * Session Manager, instead of SSH to hosts (Amazon ECS developer guide, "Using Amazon ECS Exec",
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec.html).
 */
export const ecsExecSchema = strictObject({
  enabled: bool
    .default(false)
    .describe(
      "ECS Exec on every rolling service of the environment (blue-green services stay without: ECS cannot change the setting on a CODE_DEPLOY service): sessions encrypted with a KMS key of their own (one key, $1 per month) and every command with its output logged to a KMS-encrypted CloudWatch Logs group; the task roles get the SSM channel permissions. Operators need the policy the stack outputs (ecs_exec_operator_policy_arn). Off: no exec key, no session log group, no permissions.",
    ),
  logRetentionDays: logRetentionDays
    .default(365)
    .describe("Days the session log group (/ecs-exec/<app>-<env>: each command and its output) is kept: an audit record, so longer than the application's logs by default."),
})
  .prefault({})
  .describe("ECS Exec instead of SSH, audited and KMS-encrypted (docs/ecs.md, ECS Exec). Default: off.");

/** Kinds of alarm an ECS service has (constructs/ecs-service-alarms.ts): what `stopDeployments` can name for ECS. */
export const ECS_SERVICE_ALARM_KINDS = ["cpu", "memory", "5xx", "latency-p95", "latency-p99"] as const;

export const ecsSchema = strictObject({
  containerInsights: oneOf(["enabled", "enhanced", "disabled"]).default("enabled").describe("CloudWatch Container Insights on the cluster."),
  capacity: ecsCapacitySchema,
  rollbackOnAlarms: bool
    .default(true)
    .describe(
      "Rolling services (ECS deployment controller): fail and roll back a deployment when one of the service's alarms of observability.alarms.stopDeployments fires (default: 5xx and CPU; ECS services have no unhealthy-hosts or disk alarm). ECS keeps watching them for a bake time after the new tasks are in (docs/ecs.md, Alarms roll back a deployment).",
    ),
  exec: ecsExecSchema,
  services: z.array(ecsServiceSchema).min(1, { error: "at least one service" }).meta({ allowed: "a list of services" }).describe("The services of the cluster, each behind a path rule of the load balancer."),
})
  .superRefine(
    (ecs, ctx) => {
      const capacity: Record<string, any> = isRecord(ecs.capacity) ? ecs.capacity : {};
      if (typeof capacity.minSize === "number" && typeof capacity.maxSize === "number" && capacity.minSize > capacity.maxSize) {
        ctx.addIssue({ code: "custom", path: ["capacity", "minSize"], input: capacity.minSize, message: `a value no larger than capacity.maxSize (${capacity.maxSize})` });
      }
      if (capacity.fargateWeight === 0 && capacity.fargateSpotWeight === 0) {
        ctx.addIssue({ code: "custom", path: ["capacity", "fargateWeight"], input: 0, message: "a weight above 0 for Fargate or Fargate Spot (FARGATE services need one)" });
      }
      const services = Array.isArray(ecs.services) ? (ecs.services as unknown[]).map((s, i) => [i, s] as const).filter((e): e is readonly [number, Record<string, any>] => isRecord(e[1])) : [];
      const names = new Map<string, number>();
      const priorities = new Map<number, string>();
      const patterns: Array<{ pattern: string; service: string; priority: number; index: number; at: Array<string | number> }> = [];
      const testPorts = new Map<number, string>();
      for (const [i, service] of services) {
        const at = (...rest: Array<string | number>) => ["services", i, ...rest];
        const name = typeof service.name === "string" ? service.name : `#${i}`;
        if (typeof service.name === "string") {
          if (names.has(service.name)) {
            ctx.addIssue({ code: "custom", path: at("name"), input: service.name, message: `a name no other service has: services.${names.get(service.name)} is already called ${service.name}` });
          } else names.set(service.name, i);
        }
        if (service.launchType === "FARGATE" && service.networkMode === "bridge") {
          ctx.addIssue({ code: "custom", path: at("networkMode"), input: "bridge", message: `"awsvpc" for a FARGATE service (Fargate supports only awsvpc networking; bridge needs launchType EC2)` });
        }
        if (service.launchType === "FARGATE" && typeof service.cpu === "number") {
          const memories = fargateMemorySizes(service.cpu);
          if (memories.length === 0) {
            ctx.addIssue({ code: "custom", path: at("cpu"), input: service.cpu, message: `a Fargate CPU size: one of ${Object.keys(FARGATE_SIZES).join(", ")}` });
          } else if (typeof service.memory === "number" && !memories.includes(service.memory)) {
            const size = FARGATE_SIZES[service.cpu];
            const list = service.cpu === 256 ? "512, 1024 or 2048" : `${size.min} to ${size.max} in steps of ${size.step}`;
            ctx.addIssue({ code: "custom", path: at("memory"), input: service.memory, message: `a memory size Fargate accepts with cpu ${service.cpu}: ${list} MiB` });
          }
        }
        const { minCount, maxCount, desiredCount } = service;
        if (typeof minCount === "number" && typeof maxCount === "number" && minCount > maxCount) {
          ctx.addIssue({ code: "custom", path: at("minCount"), input: minCount, message: `a value no larger than maxCount (${maxCount})` });
        }
        if (typeof desiredCount === "number" && typeof minCount === "number" && typeof maxCount === "number" && (desiredCount < minCount || desiredCount > maxCount)) {
          ctx.addIssue({ code: "custom", path: at("desiredCount"), input: desiredCount, message: `a value from minCount (${minCount}) to maxCount (${maxCount})` });
        }
        if (typeof service.priority === "number") {
          const clash = priorities.get(service.priority);
          if (clash !== undefined) {
            ctx.addIssue({ code: "custom", path: at("priority"), input: service.priority, message: `a priority no other service uses: service ${clash} has ${service.priority}` });
          } else priorities.set(service.priority, name);
        }
        checkDeployment(service.deployment, at("deployment"), testPorts, name, ctx);
        if (Array.isArray(service.pathPatterns) && typeof service.priority === "number") {
          service.pathPatterns.forEach((p: unknown, j: number) => {
            if (typeof p === "string") patterns.push({ pattern: p, service: name, priority: service.priority, index: j, at: at("pathPatterns", j) });
          });
        }
      }
      // A rule only gets the requests no rule before it (lower priority number) matched.
      for (const mine of patterns) {
        for (const other of patterns) {
          if (other.service === mine.service) continue;
          if (other.pattern === mine.pattern && other.priority < mine.priority) {
            ctx.addIssue({ code: "custom", path: mine.at, input: mine.pattern, message: `a path pattern no other service uses: service ${other.service} already routes ${other.pattern}` });
            break;
          }
          if (other.pattern !== mine.pattern && other.priority < mine.priority && patternCovers(other.pattern, mine.pattern)) {
            ctx.addIssue({
              code: "custom",
              path: mine.at,
              input: mine.pattern,
              message: `a path pattern that service ${other.service}'s ${other.pattern} (priority ${other.priority}, evaluated first) does not already match, or a lower priority number than ${other.priority} for this service`,
            });
            break;
          }
        }
      }
    },
    { when: () => true },
  )
  .optional()
  .describe("ECS cluster, capacity and services (platform: ecs only; required there).");

/**
 * Rules of a service's `deployment` (the field types are the schema's): blue-green options only with
 * type blue-green, percentage and interval only for canary and linear shifts, a test port that is
 * no production port and no other service's test port.
 */
function checkDeployment(deployment: unknown, at: Array<string | number>, testPorts: Map<number, string>, service: string, ctx: z.core.$RefinementCtx<any>): void {
  if (!isRecord(deployment)) return;
  const options = ["trafficShift", "percentage", "intervalMinutes", "terminationWaitMinutes", "testListener"] as const;
  if (deployment.type !== "blue-green") {
    for (const key of options) {
      if (deployment[key] !== undefined) ctx.addIssue({ code: "custom", path: [...at, key], input: deployment[key], message: `nothing unless deployment.type is "blue-green" (a rolling deployment has no ${key})` });
    }
    return;
  }
  if ((deployment.trafficShift ?? BLUE_GREEN_DEFAULTS.trafficShift) === "all-at-once") {
    for (const key of ["percentage", "intervalMinutes"] as const) {
      if (deployment[key] !== undefined) ctx.addIssue({ code: "custom", path: [...at, key], input: deployment[key], message: `nothing with trafficShift "all-at-once" (only canary and linear shifts have steps)` });
    }
  }
  const port = isRecord(deployment.testListener) ? deployment.testListener.port : undefined;
  if (typeof port !== "number") return;
  if ((PRODUCTION_LISTENER_PORTS as readonly number[]).includes(port)) {
    ctx.addIssue({ code: "custom", path: [...at, "testListener", "port"], input: port, message: `a port other than ${PRODUCTION_LISTENER_PORTS.join(" and ")} (the ALB serves production there)` });
  } else if (testPorts.has(port)) {
    ctx.addIssue({ code: "custom", path: [...at, "testListener", "port"], input: port, message: `a port no other service's test listener uses: service ${testPorts.get(port)} has ${port}` });
  } else testPorts.set(port, service);
}

/** A blue-green service's deployment with every default applied. */
export interface BlueGreenSettings {
  readonly trafficShift: "all-at-once" | "canary" | "linear";
  /** Percentage and minutes of each step; undefined for all-at-once. */
  readonly steps?: { readonly percentage: number; readonly intervalMinutes: number };
  readonly terminationWaitMinutes: number;
  readonly testListener?: { readonly port: number; readonly allowedCidrs: readonly string[] };
  /** CodeDeploy's predefined configuration for this shift, if there is one. */
  readonly predefinedConfig?: string;
}

/** The blue-green settings of a service (defaults applied here, once), or undefined for a rolling one. */
export function blueGreenSettings(service: EcsServiceConfig): BlueGreenSettings | undefined {
  const d = service.deployment;
  if (d.type !== "blue-green") return undefined;
  const trafficShift = d.trafficShift ?? BLUE_GREEN_DEFAULTS.trafficShift;
  const steps = trafficShift === "all-at-once" ? undefined : { percentage: d.percentage ?? BLUE_GREEN_DEFAULTS.percentage, intervalMinutes: d.intervalMinutes ?? BLUE_GREEN_DEFAULTS.intervalMinutes };
  const predefined = PREDEFINED_ECS_DEPLOYMENT_CONFIGS.find((c) => c.shift === trafficShift && c.percentage === steps?.percentage && c.intervalMinutes === steps?.intervalMinutes);
  return {
    trafficShift,
    steps,
    terminationWaitMinutes: d.terminationWaitMinutes ?? BLUE_GREEN_DEFAULTS.terminationWaitMinutes,
    testListener: d.testListener,
    predefinedConfig: predefined?.name,
  };
}

/**
 * Whether every path `inner` matches is matched by `outer` too: `outer` as a glob (`*` any
 * characters, `?` one) matches `inner` read as text, whose own wildcards then stand for themselves.
 * Exact for the usual prefix patterns (`/*` covers `/api/*`; `/api/*` does not cover `/*`).
 */
export function patternCovers(outer: string, inner: string): boolean {
  const re = new RegExp(`^${outer.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`);
  return re.test(inner);
}

/** Environment rules of the ECS platform, called from the environment schema's cross-field check. */
export function checkEcsEnvironment(env: Record<string, any>, ctx: z.core.$RefinementCtx<any>): void {
  const lb: Record<string, any> = isRecord(env.loadBalancer) ? env.loadBalancer : {};
  const network: Record<string, any> = isRecord(env.network) ? env.network : {};
  if (env.platform !== "ecs") {
    if (env.ecs !== undefined) ctx.addIssue({ code: "custom", path: ["ecs"], input: env.ecs, message: `nothing unless platform is "ecs"` });
    return;
  }
  if (env.ecs === undefined) {
    ctx.addIssue({ code: "custom", path: ["ecs"], input: undefined, message: `an ecs section with at least one service, required when platform is "ecs"` });
  }
  if (lb.mode === "shared") {
    ctx.addIssue({ code: "custom", path: ["loadBalancer", "mode"], input: "shared", message: `"dedicated" when platform is "ecs" (the cluster's services are path rules on an ALB of their own)` });
  }
  if (isRecord(lb.cdn) && lb.cdn.enabled === true) {
    ctx.addIssue({ code: "custom", path: ["loadBalancer", "cdn", "enabled"], input: true, message: `false when platform is "ecs" (CloudFront is offered for the fleet platform)` });
  }
  if (network.privateSubnets === false) {
    ctx.addIssue({ code: "custom", path: ["network", "privateSubnets"], input: false, message: `true when platform is "ecs": tasks and container instances run in private subnets without public IPs` });
  }
  // Blue/green services are released by the pipeline's CodeDeployToECS action; without the
  // pipeline (pipeline.enabled false, or a third-party CI that rolls services with UpdateService,
  // which ECS refuses for a CODE_DEPLOY service) nothing could release them.
  const pipeline: Record<string, any> = isRecord(env.pipeline) ? env.pipeline : {};
  if (pipeline.enabled === false && isRecord(env.ecs) && Array.isArray(env.ecs.services)) {
    env.ecs.services.forEach((service: unknown, i: number) => {
      if (isRecord(service) && isRecord(service.deployment) && service.deployment.type === "blue-green") {
        ctx.addIssue({ code: "custom", path: ["ecs", "services", i, "deployment", "type"], input: "blue-green", message: `"rolling" while pipeline.enabled is false (blue-green releases run through the pipeline's CodeDeploy action)` });
      }
    });
  }
  // Alarm-based rollback needs at least one alarm an ECS service has among the kinds that stop
  // deployments; otherwise the setting would silently do nothing.
  const ecs: Record<string, any> = isRecord(env.ecs) ? env.ecs : {};
  const observability: Record<string, any> = isRecord(env.observability) ? env.observability : {};
  const alarms: Record<string, any> = isRecord(observability.alarms) ? observability.alarms : {};
  const stops = alarms.stopDeployments;
  if (ecs.rollbackOnAlarms !== false && Array.isArray(stops) && !stops.some((kind) => (ECS_SERVICE_ALARM_KINDS as readonly unknown[]).includes(kind))) {
    ctx.addIssue({
      code: "custom",
      path: ["observability", "alarms", "stopDeployments"],
      input: stops,
      message: `a list with at least one of ${ECS_SERVICE_ALARM_KINDS.map((k) => JSON.stringify(k)).join(", ")} while ecs.rollbackOnAlarms is true (the alarms an ECS service has; it has no "unhealthy-hosts" or "disk" alarm), or ecs.rollbackOnAlarms: false`,
    });
  }
}

/** `<app>-<env>-<service>` must fit target group names; called from the configuration's cross-environment check. */
export function checkEcsNames(appName: string, envName: string, env: Record<string, any>, ctx: z.core.$RefinementCtx<any>): void {
  if (!appName || !isRecord(env.ecs) || !Array.isArray(env.ecs.services)) return;
  env.ecs.services.forEach((service: unknown, i: number) => {
    if (!isRecord(service) || typeof service.name !== "string") return;
    const full = `${appName}-${envName}-${service.name}`;
    // A blue-green service has a second target group, named with GREEN_TARGET_GROUP_SUFFIX.
    const blueGreen = isRecord(service.deployment) && service.deployment.type === "blue-green";
    if (blueGreen && full.length <= MAX_SERVICE_PREFIX && full.length + GREEN_TARGET_GROUP_SUFFIX.length > MAX_SERVICE_PREFIX) {
      ctx.addIssue({
        code: "custom",
        path: ["environments", envName, "ecs", "services", i, "name"],
        input: service.name,
        message: `a shorter name: a blue-green service's second target group is "<app>-<env>-<service>${GREEN_TARGET_GROUP_SUFFIX}", at most ${MAX_SERVICE_PREFIX} characters, and "${full}${GREEN_TARGET_GROUP_SUFFIX}" has ${full.length + GREEN_TARGET_GROUP_SUFFIX.length}`,
      });
    }
    if (full.length > MAX_SERVICE_PREFIX) {
      ctx.addIssue({
        code: "custom",
        path: ["environments", envName, "ecs", "services", i, "name"],
        input: service.name,
        message: `a shorter name: "<app>-<env>-<service>" names the target group, at most ${MAX_SERVICE_PREFIX} characters, and "${full}" has ${full.length}`,
      });
    }
  });
}

function isRecord(value: unknown): value is Record<string, any> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export type EcsConfig = NonNullable<z.output<typeof ecsSchema>>;
export type EcsServiceConfig = z.output<typeof ecsServiceSchema>;
export type EcsCapacityConfig = z.output<typeof ecsCapacitySchema>;
