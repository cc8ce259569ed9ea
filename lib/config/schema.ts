import { z } from "zod";
import { overlaps, parseCidr } from "../cidr";
import { instanceArchitecture } from "../ec2";
import { artifactsSchema } from "./artifacts";
import { backendSchema } from "./backend";
import { fleetSchema } from "./fleet";
import { goldenAmiSchema } from "./golden-ami";
import { loadBalancerSchema } from "./load-balancer";
import { networkSchema } from "./network";
import { accountId, bool, dnsLabel, integer, oneOf, region, strictObject, tagMap } from "./primitives";

/** `<app>-<environment>` prefixes every AWS name; 24 leaves room for suffixes within the 32-character ALB and target group limits. */
export const MAX_NAME_PREFIX = 24;

export const environmentNameSchema = dnsLabel(12);

export const environmentSchema = strictObject({
  region: region.optional().describe("Region of this environment. Default: app.region."),
  accountId: accountId.optional().describe("The only AWS account Terraform may apply this environment to (provider allowed_account_ids)."),
  protection: bool
    .default(true)
    .describe("Guards against losing data by accident: ALB deletion protection, no force_destroy on the artifact bucket and ECR repository."),
  tags: tagMap.describe("Extra tags on every resource of this environment."),
  backend: backendSchema,
  network: networkSchema,
  artifacts: artifactsSchema,
  fleet: fleetSchema,
  loadBalancer: loadBalancerSchema,
  goldenAmi: goldenAmiSchema,
  encryption: strictObject({
    keyDeletionWindowDays: integer(7, 30, "a number of days").default(30).describe("Waiting period before a scheduled KMS key deletion takes effect."),
  })
    .prefault({})
    .describe("The environment's customer-managed KMS key."),
}).superRefine(
  (env, ctx) => {
    // Runs even when other fields of the environment are invalid (all problems are reported at
    // once); each rule looks only at fields that parsed.
    const network: Record<string, any> = isRecord(env.network) ? env.network : {};
    const fleet: Record<string, any> = isRecord(env.fleet) ? env.fleet : {};
    const lb: Record<string, any> = isRecord(env.loadBalancer) ? env.loadBalancer : {};
    const ami: Record<string, any> = isRecord(env.goldenAmi) ? env.goldenAmi : {};

    if (network.privateSubnets === true && network.natGateways === "none") {
      ctx.addIssue({
        code: "custom",
        path: ["network", "natGateways"],
        input: "none",
        message: `"single" or "per-az" while network.privateSubnets is true: instances in private subnets need NAT to reach AWS APIs and package repositories (or set privateSubnets: false)`,
      });
    }
    if (fleet.subnets === "private" && network.privateSubnets === false) {
      ctx.addIssue({ code: "custom", path: ["fleet", "subnets"], input: "private", message: `"public" while network.privateSubnets is false (there are no private subnets to run in)` });
    }

    if (ami.enabled === true && network.privateSubnets === false) {
      ctx.addIssue({
        code: "custom",
        path: ["goldenAmi", "enabled"],
        input: true,
        message:
          "false while network.privateSubnets is false: Image Builder cannot give the build instance a public IP, so it needs a private subnet with NAT to reach the package repositories and AWS APIs (or set network.privateSubnets: true)",
      });
    }
    if (ami.enabled === true) {
      const fleetArchitecture = typeof fleet.instanceType === "string" ? instanceArchitecture(fleet.instanceType) : undefined;
      if (typeof ami.architecture === "string" && fleetArchitecture && ami.architecture !== fleetArchitecture) {
        ctx.addIssue({
          code: "custom",
          path: ["goldenAmi", "architecture"],
          input: ami.architecture,
          message: `"${fleetArchitecture}", the architecture of fleet.instanceType (${fleet.instanceType}): an AMI boots only on its own architecture`,
        });
      }
      const architecture = typeof ami.architecture === "string" ? ami.architecture : fleetArchitecture;
      if (architecture && Array.isArray(ami.instanceTypes)) {
        ami.instanceTypes.forEach((type: unknown, i: number) => {
          if (typeof type === "string" && instanceArchitecture(type) !== architecture) {
            ctx.addIssue({ code: "custom", path: ["goldenAmi", "instanceTypes", i], input: type, message: `an instance type of the image's architecture (${architecture})` });
          }
        });
      }
      const volume: Record<string, any> = isRecord(ami.rootVolume) ? ami.rootVolume : {};
      if ((volume.type === "io1" || volume.type === "io2") && volume.iops === undefined) {
        ctx.addIssue({ code: "custom", path: ["goldenAmi", "rootVolume", "iops"], input: undefined, message: `a number of IOPS, required for ${volume.type} volumes` });
      }
      if (volume.type === "gp2" && volume.iops !== undefined) {
        ctx.addIssue({ code: "custom", path: ["goldenAmi", "rootVolume", "iops"], input: volume.iops, message: "nothing for a gp2 volume (its IOPS follow its size)" });
      }
    }

    const { minSize, maxSize, desiredCapacity } = fleet;
    if (typeof minSize === "number" && typeof maxSize === "number" && minSize > maxSize) {
      ctx.addIssue({ code: "custom", path: ["fleet", "minSize"], input: minSize, message: `a value no larger than fleet.maxSize (${maxSize})` });
    }
    if (
      typeof desiredCapacity === "number" &&
      typeof minSize === "number" &&
      typeof maxSize === "number" &&
      (desiredCapacity < minSize || desiredCapacity > maxSize)
    ) {
      ctx.addIssue({ code: "custom", path: ["fleet", "desiredCapacity"], input: desiredCapacity, message: `a value from fleet.minSize (${minSize}) to fleet.maxSize (${maxSize})` });
    }

    if (lb.https === true && !lb.certificateArn) {
      ctx.addIssue({ code: "custom", path: ["loadBalancer", "certificateArn"], input: undefined, message: "an ACM certificate ARN, required when loadBalancer.https is true" });
    }
    if (lb.mode === "shared") {
      for (const field of ["hostedZoneId", "hostName"] as const) {
        if (!lb[field]) {
          ctx.addIssue({ code: "custom", path: ["loadBalancer", field], input: undefined, message: `a value, required when loadBalancer.mode is "shared" (environments are told apart by host name)` });
        }
      }
    }

    const backend: Record<string, any> = isRecord(env.backend) ? env.backend : {};
    if (backend.type === "s3" && backend.useLockfile === false && !backend.dynamodbTable) {
      ctx.addIssue({ code: "custom", path: ["backend", "useLockfile"], input: false, message: "true, or a dynamodbTable: without a lock two concurrent applies can corrupt the state" });
    }
  },
  { when: () => true },
);

export const appSchema = strictObject({
  name: dnsLabel(16).describe("Short application name; prefixes stack and resource names (<app>-<env>-...)."),
  region: region.describe("Default region of every environment."),
  tags: tagMap.describe("Tags on every resource of every environment."),
  output: oneOf(["json", "hcl"]).default("json").describe("Synthesized format. --hcl / --json and SYNTH_HCL_OUTPUT=true override it."),
}).describe("The application.");

export const configSchema = strictObject({
  app: appSchema,
  defaults: z
    .record(z.string(), z.unknown())
    .optional()
    .meta({ allowed: "any keys of an environment" })
    .describe("Values merged under every environment; the environment's own value wins (objects merge key by key, lists are replaced)."),
  environments: z
    .record(environmentNameSchema, environmentSchema)
    .refine((envs) => Object.keys(envs).length > 0, { error: "at least one environment" })
    .describe("One stack and one Terraform state per environment, keyed by its name."),
}).superRefine(
  (config, ctx) => {
    // Runs even when parts of the file are invalid, so that cross-environment problems are reported
    // together with field errors; every access below tolerates malformed input.
    const app: Record<string, any> = isRecord(config.app) ? config.app : {};
    const appName = typeof app.name === "string" ? app.name : "";
    const appRegion = typeof app.region === "string" ? app.region : "";
    const envs = isRecord(config.environments) ? Object.entries(config.environments) : [];
    const cidrs: Array<[string, string]> = [];
    const stateLocations = new Map<string, string>();

    for (const [name, env] of envs) {
      if (!isRecord(env)) continue;
      const at = (...path: Array<string | number>) => ["environments", name, ...path];
      const prefix = `${appName}-${name}`;
      if (appName && prefix.length > MAX_NAME_PREFIX) {
        ctx.addIssue({
          code: "custom",
          path: ["environments", name],
          input: prefix,
          message: `an app name and environment name that together ("<app>-<env>") have at most ${MAX_NAME_PREFIX} characters; "${prefix}" has ${prefix.length}`,
        });
      }

      const network: Record<string, any> = isRecord(env.network) ? env.network : {};
      const envRegion = typeof env.region === "string" ? env.region : appRegion;
      if (Array.isArray(network.availabilityZones) && envRegion) {
        network.availabilityZones.forEach((az: unknown, i: number) => {
          if (typeof az === "string" && !new RegExp(`^${envRegion}[a-z]$`).test(az)) {
            ctx.addIssue({ code: "custom", path: at("network", "availabilityZones", i), input: az, message: `an availability zone of the environment's region ${envRegion}` });
          }
        });
      }

      const distribution: Record<string, any> = isRecord(env.goldenAmi) && isRecord(env.goldenAmi.distribution) ? env.goldenAmi.distribution : {};
      if (Array.isArray(distribution.additionalRegions) && envRegion) {
        distribution.additionalRegions.forEach((r: unknown, i: number) => {
          if (r === envRegion) {
            ctx.addIssue({
              code: "custom",
              path: at("goldenAmi", "distribution", "additionalRegions", i),
              input: r,
              message: `a region other than the environment's own (${envRegion}), which always receives the AMI`,
            });
          }
        });
      }

      const cidr = typeof network.cidr === "string" ? parseCidr(network.cidr) : undefined;
      if (cidr) {
        for (const [other, otherCidr] of cidrs) {
          if (overlaps(cidr, parseCidr(otherCidr)!)) {
            ctx.addIssue({
              code: "custom",
              path: at("network", "cidr"),
              input: network.cidr,
              message: `a block that does not overlap environments.${other}.network.cidr (${otherCidr}), so the VPCs can be peered or routed later`,
            });
          }
        }
        cidrs.push([name, network.cidr as string]);
      }

      const location = stateLocation(appName, name, env.backend);
      if (location) {
        const clash = stateLocations.get(location);
        if (clash) {
          ctx.addIssue({ code: "custom", path: at("backend"), input: location, message: `a state location of its own: environments.${clash} already stores its state there` });
        }
        stateLocations.set(location, name);
      }
    }
  },
  { when: () => true },
);

function isRecord(value: unknown): value is Record<string, any> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function stateLocation(app: string, env: string, backend: unknown): string | undefined {
  const b = isRecord(backend) ? backend : { type: "local" };
  switch (b.type) {
    case "local":
      return `local:${b.path ?? `terraform.${app}-${env}.tfstate`}`;
    case "s3":
      return `s3://${b.bucket}/${b.key ?? defaultStateKey(app, env)}`;
    case "cloud":
      return `cloud:${b.hostname ?? "app.terraform.io"}/${b.organization}/${b.workspace}`;
    default:
      return undefined;
  }
}

export function defaultStateKey(app: string, env: string): string {
  return `${app}/${env}/terraform.tfstate`;
}

export type Config = z.output<typeof configSchema>;
export type AppConfig = Config["app"];
export type EnvironmentConfig = z.output<typeof environmentSchema>;
