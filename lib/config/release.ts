import { z } from "zod";
import { bool, integer, logRetentionDays, oneOf, pattern, strictObject, testerCidrs } from "./primitives";

/*
 * The release pipeline of an environment: how CodeBuild builds (`build`), how CodeDeploy releases
 * (`deployment`) and what starts a release (`pipeline`). Settings that belong to another mode or
 * provider than the one chosen are errors, not silently ignored.
 */

export const DEPLOYMENT_MODES = ["blue-green", "in-place"] as const;
export const NAMED_DEPLOYMENT_CONFIGS = ["AllAtOnce", "HalfAtATime", "OneAtATime"] as const;
export const SOURCE_PROVIDERS = ["github", "bitbucket", "codecommit", "s3"] as const;
export const BUILD_COMPUTE_TYPES = ["BUILD_GENERAL1_SMALL", "BUILD_GENERAL1_MEDIUM", "BUILD_GENERAL1_LARGE"] as const;

/** Default S3 object key of the `s3` source, in the environment's artifact bucket. */
export const DEFAULT_SOURCE_OBJECT_KEY = "pipeline-source/source.zip";

const minimumHealthyHostsSchema = strictObject({
  type: oneOf(["HOST_COUNT", "FLEET_PERCENT"]).describe("HOST_COUNT: a number of instances; FLEET_PERCENT: a percentage of the fleet."),
  value: integer(0, 100, "a number of hosts or a percentage").describe("Instances (or percent of them) that must stay healthy during the deployment."),
}).describe("A custom deployment configuration (aws_codedeploy_deployment_config) instead of a named one.");

/** Ports the environment's own load balancer serves production traffic on (HTTP, and HTTPS with a certificate). */
export const PRODUCTION_LISTENER_PORTS = [80, 443] as const;

// DeploymentReadyOption (CodeDeploy API reference): STOP_DEPLOYMENT registers no instance with the load
// balancer until ContinueDeployment; after waitTimeInMinutes without it the deployment is Stopped.
// https://docs.aws.amazon.com/codedeploy/latest/APIReference/API_DeploymentReadyOption.html
const waitForApprovalSchema = strictObject({
  minutes: integer(1, 2880, "a number of minutes from 1 to 2880 (two days, CodeDeploy's limit between installing the new fleet and moving traffic)").describe(
    "Minutes CodeDeploy waits, with the new fleet installed and no traffic on it, for `aws deploy continue-deployment --deployment-wait-type READY_WAIT`; then it stops the deployment and the original fleet keeps serving.",
  ),
})
  .optional()
  .describe("Wait before traffic moves (deployment_ready_option STOP_DEPLOYMENT): someone tests the new fleet, then continues or stops the deployment (docs/release-pipeline.md, \"Waiting before traffic moves\"). Default: traffic moves as soon as the new fleet is installed.");

const testListenerSchema = strictObject({
  port: integer(1, 65535, "a TCP port")
    .refine((port) => !(PRODUCTION_LISTENER_PORTS as readonly number[]).includes(port), { error: `a port other than ${PRODUCTION_LISTENER_PORTS.join(" and ")} (the production listeners)` })
    .describe("Port of the test listener on the environment's load balancer: HTTPS with the environment's certificate when it serves HTTPS, else HTTP."),
  allowedCidrs: testerCidrs
    .describe("Who may reach the test listener (its own security group on the load balancer). Required; /0 is refused."),
})
  .optional()
  .describe(
    "A test listener for the new fleet while a deployment waits (needs waitForApproval; dedicated load balancer only): it forwards to a test target group the fleet reconciler attaches to CodeDeploy's copy of the fleet when the deployment is Ready, and detaches when it ends. Default: none.",
  );

const blueGreenSchema = strictObject({
  terminationWaitMinutes: integer(0, 2880, "a number of minutes (CodeDeploy allows up to two days)")
    .default(60)
    .describe("Minutes the original fleet keeps running after traffic moved to the new one (the fast rollback window); then it is terminated."),
  deploymentConfig: oneOf(NAMED_DEPLOYMENT_CONFIGS).default("AllAtOnce").describe("How many instances of the new fleet receive the revision at a time (CodeDeployDefault.<name>)."),
  waitForApproval: waitForApprovalSchema,
  testListener: testListenerSchema,
})
  .optional()
  .describe("Blue/green options; only with deployment.mode blue-green. Default: 60 minutes, AllAtOnce, traffic moves as soon as the new fleet is installed.");

const inPlaceSchema = strictObject({
  deploymentConfig: oneOf(NAMED_DEPLOYMENT_CONFIGS)
    .optional()
    .describe("How many instances are updated at a time (CodeDeployDefault.<name>). Default: OneAtATime, unless minimumHealthyHosts is set."),
  minimumHealthyHosts: minimumHealthyHostsSchema.optional(),
})
  .optional()
  .describe("In-place options; only with deployment.mode in-place. Default: OneAtATime.");

export const deploymentSchema = strictObject({
  mode: oneOf(DEPLOYMENT_MODES)
    .default("blue-green")
    .describe("blue-green: a new fleet per release (copy of the Auto Scaling group), traffic moved when healthy, the old fleet terminated after a wait. in-place: the fleet is updated behind the load balancer."),
  blueGreen: blueGreenSchema,
  inPlace: inPlaceSchema,
  rollbackOnAlarms: bool.default(true).describe("Stop and roll back a deployment when one of the alarms of observability.alarms.stopDeployments fires (default: 5xx, unhealthy hosts, CPU)."),
})
  .superRefine((deployment, ctx) => {
    const other = deployment.mode === "blue-green" ? "inPlace" : "blueGreen";
    if (deployment[other] !== undefined) {
      ctx.addIssue({ code: "custom", path: [other], input: deployment[other], message: `nothing while deployment.mode is "${deployment.mode}" (these are settings of the other mode)` });
    }
    const inPlace = deployment.inPlace;
    if (inPlace?.deploymentConfig !== undefined && inPlace.minimumHealthyHosts !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["inPlace", "deploymentConfig"],
        input: inPlace.deploymentConfig,
        message: "nothing when inPlace.minimumHealthyHosts is set (a named configuration or a custom one, not both)",
      });
    }
    const hosts = inPlace?.minimumHealthyHosts;
    if (hosts?.type === "FLEET_PERCENT" && hosts.value > 99) {
      ctx.addIssue({ code: "custom", path: ["inPlace", "minimumHealthyHosts", "value"], input: hosts.value, message: "a percentage from 0 to 99 (with 100% healthy no instance could be updated)" });
    }
  })
  .prefault({})
  .describe("CodeDeploy application and deployment group of the fleet.");

export const buildSchema = strictObject({
  computeType: oneOf(BUILD_COMPUTE_TYPES).default("BUILD_GENERAL1_SMALL").describe("CodeBuild compute type."),
  timeoutMinutes: integer(5, 480, "a number of minutes").default(30).describe("Minutes a build may run before CodeBuild stops it."),
  imageTag: pattern(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, "a Docker tag: letters, digits, _ . -, at most 128 characters")
    .optional()
    .describe("Docker builds: the environment tag pushed next to the commit id (IMAGE_TAG_ENV). Default: the environment name."),
  logRetentionDays: logRetentionDays.optional().describe("Days build logs are kept. Default: observability.logRetentionDays."),
})
  .prefault({})
  .describe("CodeBuild project. The build follows application.runtime: docker builds and pushes an image (privileged mode), nodejs builds the application bundle.");

const gitBranch = pattern(
  /^(?!\/|.*\/$|.*\/\/|.*\.\.|.*@\{|.*\.lock$)[^\s~^:?*[\\\x00-\x1f\x7f]+$/,
  "a non-empty git branch name (no spaces, ~ ^ : ? * [ \\, .., //, leading or trailing /)",
);

const sourceSchema = strictObject({
  provider: oneOf(SOURCE_PROVIDERS)
    .default("s3")
    .describe("github or bitbucket (CodeStar connection), codecommit, or s3 (a zip object in the environment's artifact bucket)."),
  connectionArn: pattern(
    /^arn:aws(-[a-z]+)*:(codestar-connections|codeconnections):[a-z0-9-]+:\d{12}:connection\/[0-9a-f-]{36}$/,
    "a CodeConnections ARN: arn:aws:codestar-connections:<region>:<account>:connection/<uuid> (or arn:aws:codeconnections:...)",
  )
    .optional()
    .describe("github and bitbucket: the connection (created and authorized in the console once)."),
  repository: z
    .string({ error: "a repository name" })
    .optional()
    .meta({ allowed: "owner/name for github and bitbucket, a CodeCommit repository name for codecommit" })
    .describe("github and bitbucket: owner/name; codecommit: the repository name."),
  branch: gitBranch.optional().describe("github, bitbucket and codecommit: the branch this environment releases."),
  objectKey: pattern(/^[A-Za-z0-9!_.*'()/-]{1,1024}\.zip$/, "an S3 object key of a .zip file (letters, digits, ! _ . * ' ( ) / -)")
    .optional()
    .describe(`s3: key of the source zip in the environment's artifact bucket. Default: ${DEFAULT_SOURCE_OBJECT_KEY}.`),
})
  .superRefine((source, ctx) => {
    const provider = source.provider;
    const git = provider === "github" || provider === "bitbucket";
    const needs: Record<(typeof SOURCE_PROVIDERS)[number], Array<keyof typeof source>> = {
      github: ["connectionArn", "repository", "branch"],
      bitbucket: ["connectionArn", "repository", "branch"],
      codecommit: ["repository", "branch"],
      s3: [],
    };
    const allowed = new Set<string>(["provider", ...needs[provider], ...(provider === "s3" ? ["objectKey"] : [])]);
    for (const field of needs[provider]) {
      if (source[field] === undefined) ctx.addIssue({ code: "custom", path: [field], input: undefined, message: `a value, required for provider "${provider}"` });
    }
    for (const [field, value] of Object.entries(source)) {
      if (value !== undefined && !allowed.has(field)) {
        ctx.addIssue({ code: "custom", path: [field], input: value, message: `nothing for provider "${provider}" (it uses ${[...allowed].filter((f) => f !== "provider").join(", ") || "no other field"})` });
      }
    }
    if (typeof source.repository === "string") {
      const ok = git ? /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(source.repository) : /^[A-Za-z0-9_.-]{1,100}$/.test(source.repository);
      if (!ok) {
        ctx.addIssue({
          code: "custom",
          path: ["repository"],
          input: source.repository,
          message: git ? "owner/name (like acme/webapp)" : "a CodeCommit repository name (letters, digits, _ . -, at most 100 characters)",
        });
      }
    }
  })
  .prefault({})
  .describe("Where releases come from. Default: an S3 object (upload a zip to start a release).");

export const pipelineSchema = strictObject({
  enabled: bool.default(true).describe("Create the CodePipeline (source → build → approval → deploy). Without it, start builds and deployments yourself."),
  manualApproval: bool.optional().describe("Wait for a manual approval (notified on the environment's topic) before deploying. Default: the environment's protection flag."),
  source: sourceSchema,
})
  .superRefine((pipeline, ctx) => {
    if (pipeline.enabled === false && pipeline.manualApproval === true) {
      ctx.addIssue({ code: "custom", path: ["manualApproval"], input: true, message: "false or nothing while pipeline.enabled is false (the approval is a pipeline stage)" });
    }
  })
  .prefault({})
  .describe("CodePipeline of the environment; V2, started by a push to the branch (git sources) or a new source object (s3) or commit (codecommit) through EventBridge.");

/** Rules across the release keys and the rest of the environment (called from the environment's superRefine). */
export function checkRelease(env: Record<string, any>, ctx: z.RefinementCtx): void {
  const deployment: Record<string, any> = isRecord(env.deployment) ? env.deployment : {};
  const fleet: Record<string, any> = isRecord(env.fleet) ? env.fleet : {};
  const blueGreen: Record<string, any> = isRecord(deployment.blueGreen) ? deployment.blueGreen : {};
  const loadBalancer: Record<string, any> = isRecord(env.loadBalancer) ? env.loadBalancer : {};
  const platform = env.platform ?? "fleet";
  for (const key of ["waitForApproval", "testListener"] as const) {
    if (blueGreen[key] !== undefined && platform !== "fleet") {
      ctx.addIssue({
        code: "custom",
        path: ["deployment", "blueGreen", key],
        input: blueGreen[key],
        message: `nothing unless platform is "fleet" (CodeDeploy blue/green of the EC2 fleet; ECS services configure theirs under ecs.services[].deployment)`,
      });
    }
  }
  if (blueGreen.testListener !== undefined && deployment.mode !== "in-place") {
    if (blueGreen.waitForApproval === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["deployment", "blueGreen", "testListener"],
        input: blueGreen.testListener,
        message: "nothing without deployment.blueGreen.waitForApproval: the test listener serves the new fleet only while a deployment waits before traffic moves",
      });
    }
    if (loadBalancer.mode === "shared") {
      ctx.addIssue({
        code: "custom",
        path: ["deployment", "blueGreen", "testListener"],
        input: blueGreen.testListener,
        message: 'nothing with loadBalancer.mode "shared": the shared load balancer\'s listeners and security group belong to the shared stack, and a port per environment there would open every environment\'s test traffic to the same CIDRs (use a dedicated load balancer)',
      });
    }
  }
  const refresh = fleet.instanceRefresh;
  if ((refresh === true || isRecord(refresh)) && deployment.mode === "blue-green") {
    ctx.addIssue({
      code: "custom",
      path: ["fleet", "instanceRefresh"],
      input: refresh,
      message: 'false while deployment.mode is "blue-green": CodeDeploy replaces the whole fleet on every release, and an instance refresh would roll only the bootstrap group (set deployment.mode: in-place)',
    });
  }
}

function isRecord(value: unknown): value is Record<string, any> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export type DeploymentConfig = z.output<typeof deploymentSchema>;
export type BuildConfig = z.output<typeof buildSchema>;
export type PipelineConfig = z.output<typeof pipelineSchema>;
export type PipelineSourceConfig = PipelineConfig["source"];
