import { z } from "zod";
import { bool, dnsLabel, integer, oneOf, pattern, strictObject } from "./primitives";

/** Longest `<app>-<env>-<service>`: it names the service's target group, which ALB limits to 32 characters. */
export const MAX_SERVICE_PREFIX = 32;

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

export const ecsSchema = strictObject({
  containerInsights: oneOf(["enabled", "enhanced", "disabled"]).default("enabled").describe("CloudWatch Container Insights on the cluster."),
  capacity: ecsCapacitySchema,
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
}

/** `<app>-<env>-<service>` must fit target group names; called from the configuration's cross-environment check. */
export function checkEcsNames(appName: string, envName: string, env: Record<string, any>, ctx: z.core.$RefinementCtx<any>): void {
  if (!appName || !isRecord(env.ecs) || !Array.isArray(env.ecs.services)) return;
  env.ecs.services.forEach((service: unknown, i: number) => {
    if (!isRecord(service) || typeof service.name !== "string") return;
    const full = `${appName}-${envName}-${service.name}`;
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
