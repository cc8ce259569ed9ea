import { z } from "zod";
import { overlaps, parseCidr } from "../cidr";
import { listenerRulePriority } from "../priority";
import { instanceArchitecture } from "../ec2";
import { artifactsSchema } from "./artifacts";
import { checkEcsEnvironment, checkEcsNames, ecsSchema } from "./ecs";
import { backendSchema } from "./backend";
import { applicationSchema } from "./application";
import { checkFleetCapacity, fleetSchema } from "./fleet";
import { checkInstanceRefresh } from "./instance-refresh";
import { goldenAmiSchema } from "./golden-ami";
import { loadBalancerSchema, notificationsSchema, sharedAlarmsSchema, sharedNotificationsSchema, TLS_POLICIES } from "./load-balancer";
import { observabilitySchema } from "./observability";
import { wafSchema } from "./waf";
import { checkPrivateEgress, networkSchema } from "./network";
import { githubActionsSchema, hostDeployRules, hostSchema } from "./host";
import { platformSchema } from "./platform";
import { bastionSchema, checkAccessAndData, codedeployAgentSchema, databaseSchema, frontendSchema } from "./options";
import { buildSchema, checkRelease, deploymentSchema, pipelineSchema } from "./release";
import { checkCi, checkCiOidcCreator, ciSchema, GITHUB_ISSUER } from "./ci";
import { accountId, acmCertificateArn, bool, dnsLabel, integer, oneOf, region, strictObject, tagMap } from "./primitives";

/** `<app>-<environment>` prefixes every AWS name; 24 leaves room for suffixes within the 32-character ALB and target group limits. */
export const MAX_NAME_PREFIX = 24;

/** Environment names that would collide with stacks of their own. */
export const RESERVED_ENVIRONMENT_NAMES = ["shared"];

export const environmentNameSchema = dnsLabel(12).refine((name) => !RESERVED_ENVIRONMENT_NAMES.includes(name), {
  error: `a name other than ${RESERVED_ENVIRONMENT_NAMES.join(", ")} (reserved for the shared load balancer stack <app>-shared)`,
});

const encryptionSchema = strictObject({
  keyDeletionWindowDays: integer(7, 30, "a number of days").default(30).describe("Waiting period before a scheduled KMS key deletion takes effect."),
})
  .prefault({})
  .describe("The stack's customer-managed KMS key.");

export const environmentSchema = strictObject({
  region: region.optional().describe("Region of this environment. Default: app.region."),
  accountId: accountId.optional().describe("The only AWS account Terraform may apply this environment to (provider allowed_account_ids)."),
  protection: bool
    .default(true)
    .describe("Guards against losing data by accident: ALB deletion protection, no force_destroy on the artifact bucket and ECR repository."),
  tags: tagMap.describe("Extra tags on every resource of this environment."),
  backend: backendSchema,
  network: networkSchema.optional().describe("VPC, subnets, NAT, security groups and flow logs. Required, except in shared load balancer mode where the shared stack owns the network."),
  application: applicationSchema,
  artifacts: artifactsSchema,
  fleet: fleetSchema,
  loadBalancer: loadBalancerSchema,
  observability: observabilitySchema,
  notifications: notificationsSchema,
  goldenAmi: goldenAmiSchema,
  encryption: encryptionSchema,
  platform: platformSchema,
  host: hostSchema,
  githubActions: githubActionsSchema,
  bastion: bastionSchema,
  database: databaseSchema,
  frontend: frontendSchema,
  codedeployAgent: codedeployAgentSchema,
  deployment: deploymentSchema,
  build: buildSchema,
  pipeline: pipelineSchema,
  ci: ciSchema,
  ecs: ecsSchema,
}).superRefine(
  (env, ctx) => {
    checkAccessAndData(env, ctx);
    checkEcsEnvironment(env, ctx);
    // Runs even when other fields of the environment are invalid (all problems are reported at
    // once); each rule looks only at fields that parsed.
    const network: Record<string, any> = isRecord(env.network) ? env.network : {};
    const fleet: Record<string, any> = isRecord(env.fleet) ? env.fleet : {};
    const lb: Record<string, any> = isRecord(env.loadBalancer) ? env.loadBalancer : {};
    const cdn: Record<string, any> = isRecord(lb.cdn) ? lb.cdn : {};
    const ami: Record<string, any> = isRecord(env.goldenAmi) ? env.goldenAmi : {};

    // Private subnets without NAT: only with the VPC endpoints their workloads need.
    if (isRecord(env.network)) checkPrivateEgress(network, env, ["network"], ctx);
    // The fleet's load balancer forwards to Nginx on the instances (docs/decisions.md, "Nginx in front of the application").
    if (env.platform === "fleet" && Array.isArray(ami.components) && !ami.components.includes("nginx")) {
      ctx.addIssue({
        code: "custom",
        path: ["goldenAmi", "components"],
        input: ami.components,
        message: 'a list with "nginx" with platform: fleet: Nginx on the instances is the load balancer\'s target (port 80) and proxies to application.port',
      });
    }
    if (fleet.subnets === "private" && network.privateSubnets === false && env.platform !== "host") {
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
      // The image boots on the fleet's instances, or on the host's with platform: host.
      const sized = env.platform === "host" ? "host" : "fleet";
      const instances: Record<string, any> = isRecord(env[sized]) ? env[sized] : {};
      const fleetArchitecture = typeof instances.instanceType === "string" ? instanceArchitecture(instances.instanceType) : undefined;
      if (typeof ami.architecture === "string" && fleetArchitecture && ami.architecture !== fleetArchitecture) {
        ctx.addIssue({
          code: "custom",
          path: ["goldenAmi", "architecture"],
          input: ami.architecture,
          message: `"${fleetArchitecture}", the architecture of ${sized}.instanceType (${instances.instanceType}): an AMI boots only on its own architecture`,
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
    if (env.platform !== "host" && env.platform !== "ecs") {
      // The AMI's architecture: configured, or that of the fleet's instance type (stacks/environment-stack.ts).
      const fleetArchitecture = typeof ami.architecture === "string" ? ami.architecture : typeof fleet.instanceType === "string" ? instanceArchitecture(fleet.instanceType) : undefined;
      checkFleetCapacity(fleet, fleetArchitecture, ctx);
    }
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
      if (env.network !== undefined) {
        ctx.addIssue({ code: "custom", path: ["network"], input: env.network, message: `no network in shared load balancer mode: the environment runs in sharedLoadBalancer.network, the VPC of the shared ALB` });
      }
      if (cdn.enabled === true) {
        ctx.addIssue({ code: "custom", path: ["loadBalancer", "cdn", "enabled"], input: true, message: `false in shared mode (CloudFront fronts a dedicated load balancer)` });
      }
    } else if (lb.mode === "dedicated" && env.network === undefined) {
      ctx.addIssue({ code: "custom", path: ["network"], input: undefined, message: `a network (at least network.cidr), required unless loadBalancer.mode is "shared"` });
    }
    if (lb.mode === "dedicated" && Boolean(lb.hostName) !== Boolean(lb.hostedZoneId)) {
      const missing = lb.hostName ? "hostedZoneId" : "hostName";
      ctx.addIssue({ code: "custom", path: ["loadBalancer", missing], input: undefined, message: `a value: hostName and hostedZoneId go together (the alias record needs both)` });
    }
    if (lb.rulePriority !== undefined && lb.mode !== "shared") {
      ctx.addIssue({ code: "custom", path: ["loadBalancer", "rulePriority"], input: lb.rulePriority, message: `nothing unless loadBalancer.mode is "shared" (a dedicated ALB forwards everything to the environment)` });
    }
    const albHttps = lb.https ?? Boolean(lb.certificateArn);
    if (cdn.enabled === true) {
      if (albHttps && !cdn.originDomainName) {
        ctx.addIssue({
          code: "custom",
          path: ["loadBalancer", "cdn", "originDomainName"],
          input: undefined,
          message: "a host name covered by the ALB certificate, required when the ALB serves HTTPS (CloudFront connects to the origin over HTTPS and checks its certificate)",
        });
      }
      if (cdn.originDomainName && !lb.hostedZoneId) {
        ctx.addIssue({ code: "custom", path: ["loadBalancer", "hostedZoneId"], input: undefined, message: "a hosted zone, required for the origin record cdn.originDomainName" });
      }
      if (Array.isArray(cdn.aliases) && cdn.aliases.length > 0 && !cdn.certificateArn) {
        ctx.addIssue({ code: "custom", path: ["loadBalancer", "cdn", "certificateArn"], input: undefined, message: "an ACM certificate in us-east-1, required for custom aliases" });
      }
    }
    if (typeof cdn.certificateArn === "string" && !cdn.certificateArn.includes(":acm:us-east-1:")) {
      ctx.addIssue({ code: "custom", path: ["loadBalancer", "cdn", "certificateArn"], input: cdn.certificateArn, message: "a certificate in us-east-1 (CloudFront only uses certificates from that region)" });
    }
    const health: Record<string, any> = isRecord(lb.healthCheck) ? lb.healthCheck : {};
    if (typeof health.timeoutSeconds === "number" && typeof health.intervalSeconds === "number" && health.timeoutSeconds >= health.intervalSeconds) {
      ctx.addIssue({ code: "custom", path: ["loadBalancer", "healthCheck", "timeoutSeconds"], input: health.timeoutSeconds, message: `less than healthCheck.intervalSeconds (${health.intervalSeconds})` });
    }

    const backend: Record<string, any> = isRecord(env.backend) ? env.backend : {};
    if (backend.type === "s3" && backend.useLockfile === false && !backend.dynamodbTable) {
      ctx.addIssue({ code: "custom", path: ["backend", "useLockfile"], input: false, message: "true, or a dynamodbTable: without a lock two concurrent applies can corrupt the state" });
    }
    hostRules(env, ctx);
    checkRelease(env, ctx);
    checkInstanceRefresh(env, ctx);
    checkCi(env, ctx);
  },
  { when: () => true },
);

export const sharedLoadBalancerSchema = strictObject({
  region: region.optional().describe("Region of the shared stack; environments in shared mode must use the same. Default: app.region."),
  accountId: accountId.optional().describe("The only AWS account Terraform may apply the shared stack to."),
  protection: bool.default(true).describe("ALB deletion protection and no force_destroy on its log bucket."),
  tags: tagMap.describe("Extra tags on every resource of the shared stack."),
  backend: backendSchema,
  network: networkSchema.describe("The VPC the shared ALB and every shared-mode environment run in."),
  https: bool.optional().describe("Serve HTTPS on 443 and redirect 80 to it. Default: true when certificateArn is set."),
  certificateArn: acmCertificateArn.optional().describe("Default certificate of the shared HTTPS listener; environments may add theirs for SNI."),
  sslPolicy: oneOf(TLS_POLICIES).default("ELBSecurityPolicy-TLS13-1-2-2021-06").describe("TLS policy of the HTTPS listener."),
  idleTimeoutSeconds: integer(1, 4000, "a number of seconds").default(60).describe("ALB connection idle timeout."),
  accessLogExpirationDays: integer(1, 3650, "a number of days").default(90).describe("Days access logs are kept."),
  encryption: encryptionSchema,
  notifications: sharedNotificationsSchema,
  alarms: sharedAlarmsSchema,
  waf: wafSchema.describe("AWS WAF web ACL on the shared ALB: it inspects every shared-mode environment's traffic."),
}).describe("The load balancer stack (<app>-shared) that environments with loadBalancer.mode shared attach to.");

export const appSchema = strictObject({
  name: dnsLabel(16).describe("Short application name; prefixes stack and resource names (<app>-<env>-...)."),
  region: region.describe("Default region of every environment."),
  tags: tagMap.describe("Tags on every resource of every environment."),
  output: oneOf(["json", "hcl"]).default("json").describe("Synthesized format. --hcl / --json and SYNTH_HCL_OUTPUT=true override it."),
}).describe("The application.");

export const configSchema = strictObject({
  app: appSchema,
  sharedLoadBalancer: sharedLoadBalancerSchema.optional(),
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
    const priorities = new Map<number, string>();
    const oidcCreators: Array<{ name: string; accountId?: string }> = [];
    const ciOidcCreators: Array<{ name: string; issuer: string; accountId?: string }> = [];
    const shared: Record<string, any> | undefined = isRecord(config.sharedLoadBalancer) ? config.sharedLoadBalancer : undefined;
    const sharedRegion = typeof shared?.region === "string" ? shared.region : appRegion;
    if (shared) {
      if (isRecord(shared.network) && typeof shared.network.cidr === "string") cidrs.push(["sharedLoadBalancer", shared.network.cidr]);
      const location = stateLocation(appName, "shared", shared.backend);
      if (location) stateLocations.set(location, "sharedLoadBalancer");
    }
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

      checkEcsNames(appName, name, env, ctx);
      const network: Record<string, any> = isRecord(env.network) ? env.network : {};
      const envRegion = typeof env.region === "string" ? env.region : appRegion;
      const lb: Record<string, any> = isRecord(env.loadBalancer) ? env.loadBalancer : {};
      if (lb.mode === "shared") {
        if (!shared) {
          ctx.addIssue({ code: "custom", path: at("loadBalancer", "mode"), input: "shared", message: `"dedicated", or a top-level sharedLoadBalancer section that owns the shared ALB` });
        } else {
          if (envRegion && sharedRegion && envRegion !== sharedRegion) {
            ctx.addIssue({ code: "custom", path: at("region"), input: envRegion, message: `the shared load balancer's region ${sharedRegion} (an ALB only reaches targets in its own region)` });
          }
          const sharedHttps = shared.https ?? Boolean(shared.certificateArn);
          if ((lb.https ?? Boolean(lb.certificateArn)) && !sharedHttps) {
            ctx.addIssue({ code: "custom", path: at("loadBalancer", "https"), input: true, message: "false, unless sharedLoadBalancer serves HTTPS (set sharedLoadBalancer.certificateArn)" });
          }
          const fleet: Record<string, any> = isRecord(env.fleet) ? env.fleet : {};
          const sharedPrivate = !(isRecord(shared.network) && shared.network.privateSubnets === false);
          if (fleet.subnets !== "public" && !sharedPrivate) {
            ctx.addIssue({ code: "custom", path: at("fleet", "subnets"), input: fleet.subnets ?? "private", message: `"public" while sharedLoadBalancer.network.privateSubnets is false` });
          }
          const ami: Record<string, any> = isRecord(env.goldenAmi) ? env.goldenAmi : {};
          if (ami.enabled !== false && !sharedPrivate) {
            ctx.addIssue({
              code: "custom",
              path: at("goldenAmi", "enabled"),
              input: ami.enabled ?? true,
              message: "false while sharedLoadBalancer.network.privateSubnets is false: the image build needs a private subnet with NAT",
            });
          }
          const waf: Record<string, any> = isRecord(lb.waf) ? lb.waf : {};
          if (waf.enabled === true) {
            ctx.addIssue({
              code: "custom",
              path: at("loadBalancer", "waf", "enabled"),
              input: true,
              message: "false in shared mode: an ALB has one web ACL, which belongs to the shared stack (set sharedLoadBalancer.waf.enabled)",
            });
          }
          if (isRecord(shared.network)) checkPrivateEgress(shared.network, env, ["sharedLoadBalancer", "network"], ctx, ["environments", name]);
          const priority = listenerRulePriority(name, typeof lb.rulePriority === "number" ? lb.rulePriority : undefined);
          const clash = priorities.get(priority);
          if (clash) {
            ctx.addIssue({
              code: "custom",
              path: at("loadBalancer", "rulePriority"),
              input: priority,
              message: `a priority no other environment uses: environments.${clash} has ${priority}; set loadBalancer.rulePriority explicitly on one of them`,
            });
          }
          priorities.set(priority, name);
        }
      }
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
              message: `a block that does not overlap ${other === "sharedLoadBalancer" ? "sharedLoadBalancer" : `environments.${other}`}.network.cidr (${otherCidr}), so the VPCs can be peered or routed later`,
            });
          }
        }
        cidrs.push([name, network.cidr as string]);
      }

      if (isRecord(env.githubActions) && env.githubActions.createOidcProvider === true) {
        const accountId = typeof env.accountId === "string" ? env.accountId : undefined;
        // Without accountId the environment may deploy to any account, so it may clash with every other creator.
        const clash = oidcCreators.find((c) => !c.accountId || !accountId || c.accountId === accountId);
        if (clash) {
          ctx.addIssue({
            code: "custom",
            path: at("githubActions", "createOidcProvider"),
            input: true,
            message: `false: environments.${clash.name} already creates the GitHub OIDC provider${accountId && clash.accountId ? ` in account ${accountId}` : " (set accountId on both if they deploy to different accounts)"}, and IAM allows one per account; this environment uses it by its ARN`,
          });
        }
        oidcCreators.push({ name, accountId });
        ciOidcCreators.push({ name: `environments.${name}`, issuer: GITHUB_ISSUER, accountId });
      }
      checkCiOidcCreator(name, env, ciOidcCreators, at, ctx);

      const location = stateLocation(appName, name, env.backend);
      if (location) {
        const clash = stateLocations.get(location);
        if (clash) {
          ctx.addIssue({ code: "custom", path: at("backend"), input: location, message: `a state location of its own: ${clash === "sharedLoadBalancer" ? clash : `environments.${clash}`} already stores its state there` });
        }
        stateLocations.set(location, name);
      }
    }
  },
  { when: () => true },
);

/** Rules of `platform: host` and `githubActions` (README "Plain hosts"). */
function hostRules(env: Record<string, any>, ctx: z.RefinementCtx): void {
  const host: Record<string, any> = isRecord(env.host) ? env.host : {};
  const lb: Record<string, any> = isRecord(env.loadBalancer) ? env.loadBalancer : {};
  const github: Record<string, any> | undefined = isRecord(env.githubActions) ? env.githubActions : undefined;
  if (env.platform === "host") {
    if (lb.mode === "shared") {
      ctx.addIssue({ code: "custom", path: ["loadBalancer", "mode"], input: "shared", message: `"dedicated" (the default) with platform: host: a host serves traffic itself in its own network` });
    }
    if (Boolean(host.hostName) !== Boolean(host.hostedZoneId)) {
      const missing = host.hostName ? "hostedZoneId" : "hostName";
      ctx.addIssue({ code: "custom", path: ["host", missing], input: undefined, message: "a value: host.hostName and host.hostedZoneId go together (the A record needs both)" });
    }
    if (isRecord(lb.waf) && lb.waf.enabled === true) {
      ctx.addIssue({ code: "custom", path: ["loadBalancer", "waf", "enabled"], input: true, message: "false with platform: host (a host has no load balancer or distribution to put a web ACL on)" });
    }
    // Options wired into the fleet stack only; a host stack would silently drop them.
    for (const option of ["bastion", "database", "frontend"] as const) {
      if (isRecord(env[option]) && env[option].enabled === true) {
        ctx.addIssue({ code: "custom", path: [option, "enabled"], input: true, message: `false with platform: host (the host stack does not build a ${option}; use platform: fleet)` });
      }
    }
    if (isRecord(env.codedeployAgent) && env.codedeployAgent.install === "ssm-association") {
      ctx.addIssue({ code: "custom", path: ["codedeployAgent", "install"], input: "ssm-association", message: `"ami" with platform: host (nothing deploys to a host with CodeDeploy; Ansible installs releases)` });
    }
    const network: Record<string, any> = isRecord(env.network) ? env.network : {};
    if (Array.isArray(network.sshIngressCidrs) && network.sshIngressCidrs.length > 0) {
      ctx.addIssue({ code: "custom", path: ["network", "sshIngressCidrs"], input: network.sshIngressCidrs, message: "[] with platform: host (fleet instances only); SSH to the host is host.sshIngressCidrs" });
    }
    if (Array.isArray(host.sshIngressCidrs) && host.sshIngressCidrs.length > 0 && !host.publicKey) {
      ctx.addIssue({ code: "custom", path: ["host", "publicKey"], input: undefined, message: "an OpenSSH public key, required when host.sshIngressCidrs opens SSH (there is no other way to log in over SSH)" });
    }
    hostDeployRules(host, github, env.application, ctx);
  } else if (github) {
    ctx.addIssue({ code: "custom", path: ["githubActions"], input: github, message: `nothing unless platform is "host" (the ${env.platform ?? "fleet"} platform does not read it)` });
  }
  if (github) {
    if (github.createOidcProvider === true && github.oidcProviderArn !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["githubActions", "oidcProviderArn"],
        input: github.oidcProviderArn,
        message: "nothing while githubActions.createOidcProvider is true (the stack creates the provider and uses its own ARN)",
      });
    }
    const repository: Record<string, any> = isRecord(env.artifacts) && isRecord(env.artifacts.containerRepository) ? env.artifacts.containerRepository : {};
    if (repository.immutableTags !== false) {
      ctx.addIssue({
        code: "custom",
        path: ["artifacts", "containerRepository", "immutableTags"],
        input: repository.immutableTags ?? true,
        message: `false while githubActions is set: every push moves the image tag ${github.imageTag ?? "<env>-latest"}, which an IMMUTABLE repository refuses`,
      });
    }
  }
}

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
export type SharedLoadBalancerConfig = z.output<typeof sharedLoadBalancerSchema>;
