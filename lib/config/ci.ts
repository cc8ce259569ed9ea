import { z } from "zod";
import { bool, integer, oneOf, pattern, strictObject } from "./primitives";

/*
 * Who releases an environment (docs/ci-providers.md). `codepipeline` (the default) is the
 * product's own CodePipeline/CodeBuild path and changes nothing. The other providers get an IAM
 * role of their own (OIDC web identity for GitHub and Bitbucket, a trusted principal for Jenkins)
 * and a generated CI file in generated/<env>/. Settings of another provider than the chosen one
 * are errors, not silently ignored.
 */

export const CI_PROVIDERS = ["codepipeline", "github-actions", "bitbucket-pipelines", "jenkins"] as const;
export type CiProvider = (typeof CI_PROVIDERS)[number];
export const JENKINS_CREDENTIAL_SOURCES = ["Ec2InstanceMetadata", "EcsContainer", "Environment"] as const;

const UUID = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";
const bracedUuid = (what: string) => pattern(new RegExp(`^\\{${UUID}\\}$`), `${what} in braces, as Bitbucket shows it: {xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}`);

/** Branch names the generated files trigger on. Bitbucket's schema also limits branch keys to this set. */
const branch = pattern(/^[A-Za-z0-9._-]{1,100}$/, "a branch name of letters, digits and . _ - (no / and no wildcards: the trust policy matches it exactly)");

/** Fields each provider uses (besides `provider`); every other field is refused for it. */
export const CI_FIELDS: Record<CiProvider, readonly string[]> = {
  codepipeline: [],
  "github-actions": ["repository", "branch", "githubEnvironment", "createOidcProvider", "oidcProviderArn", "timeoutMinutes"],
  "bitbucket-pipelines": ["workspace", "workspaceUuid", "repositoryUuid", "deploymentEnvironment", "deploymentEnvironmentUuid", "branch", "createOidcProvider", "oidcProviderArn", "timeoutMinutes"],
  jenkins: ["principalArn", "externalId", "credentialSource", "agentLabel", "branch", "timeoutMinutes"],
};
/** Fields a provider cannot do without. */
const CI_REQUIRED: Record<CiProvider, readonly string[]> = {
  codepipeline: [],
  "github-actions": ["repository", "branch"],
  "bitbucket-pipelines": ["workspace", "workspaceUuid", "repositoryUuid", "deploymentEnvironment", "deploymentEnvironmentUuid", "branch"],
  jenkins: ["principalArn"],
};

export const ciSchema = strictObject({
  provider: oneOf(CI_PROVIDERS)
    .default("codepipeline")
    .describe(
      "Who builds and releases: codepipeline (the product's CodePipeline, unchanged), or github-actions, bitbucket-pipelines or jenkins with a generated CI file in generated/<env>/ and an IAM role of their own (docs/ci-providers.md).",
    ),
  repository: pattern(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/, "a GitHub repository as owner/name, such as acme/webapp")
    .optional()
    .describe("github-actions: the repository whose workflow may assume the role."),
  branch: branch
    .optional()
    .describe("github-actions and bitbucket-pipelines: the branch whose pushes release this environment (required). jenkins: the branch the Jenkinsfile releases from (other branches skip the release). Default for jenkins: main."),
  githubEnvironment: pattern(/^[A-Za-z0-9._-]{1,255}$/, "a GitHub environment name (letters, digits, . _ -)")
    .optional()
    .describe("github-actions: run the job in this GitHub environment (its protection rules apply); the role then trusts repo:<repository>:environment:<name> instead of the branch."),
  workspace: pattern(/^[a-z0-9_-]{1,62}$/, "a Bitbucket workspace ID (lower-case letters, digits, _ -)")
    .optional()
    .describe("bitbucket-pipelines: the workspace ID in the identity provider URL https://api.bitbucket.org/2.0/workspaces/<workspace>/pipelines-config/identity/oidc."),
  workspaceUuid: bracedUuid("the workspace UUID").optional().describe("bitbucket-pipelines: the workspace UUID; the audience is ari:cloud:bitbucket::workspace/<uuid without braces>."),
  repositoryUuid: bracedUuid("the repository UUID").optional().describe("bitbucket-pipelines: the repository UUID (Repository settings → OpenID Connect); the role trusts only this repository's steps."),
  deploymentEnvironment: pattern(/^[A-Za-z0-9 ._-]{1,100}$/, "a Bitbucket deployment environment name")
    .optional()
    .describe("bitbucket-pipelines: the deployment environment the release step runs in (deployment: <name>)."),
  deploymentEnvironmentUuid: bracedUuid("the deployment environment UUID")
    .optional()
    .describe("bitbucket-pipelines: the UUID of deploymentEnvironment; the role trusts only steps of the repository in this deployment environment."),
  principalArn: pattern(
    /^arn:aws[a-z-]*:iam::\d{12}:(role\/[\w+=,.@/-]{1,512}|user\/[\w+=,.@/-]{1,512}|root)$/,
    "the ARN of an IAM role or user (or an account root) that the Jenkins agents run as",
  )
    .optional()
    .describe("jenkins: the identity of the Jenkins agents (their instance or task role, usually); only it may assume the environment's Jenkins role."),
  externalId: pattern(/^[\w+=,.@:/-]{2,1224}$/, "an STS external ID (2 to 1224 characters of letters, digits and + = , . @ : / - _)")
    .optional()
    .describe("jenkins: require this sts:ExternalId when the agents assume the role (a shared Jenkins serving several teams)."),
  credentialSource: oneOf(JENKINS_CREDENTIAL_SOURCES)
    .default("Ec2InstanceMetadata")
    .describe("jenkins: where the agents' own credentials come from (AWS CLI credential_source): Ec2InstanceMetadata, EcsContainer or Environment."),
  agentLabel: pattern(/^[A-Za-z0-9 ._&|!()-]{1,200}$/, "a Jenkins label expression")
    .optional()
    .describe("jenkins: agents the pipeline runs on (they need bash, git, the AWS CLI v2, jq and Docker). Default: any agent."),
  createOidcProvider: bool
    .default(false)
    .describe("github-actions and bitbucket-pipelines: create the account's IAM OIDC provider in this stack. IAM allows one per URL and account: set it on exactly one environment per account (and workspace), the others use it by ARN."),
  oidcProviderArn: pattern(/^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/[A-Za-z0-9./_-]+$/, "the ARN of an IAM OIDC provider")
    .optional()
    .describe("github-actions and bitbucket-pipelines: the existing OIDC provider to trust. Default: arn:<partition>:iam::<account>:oidc-provider/<issuer host and path> of the environment's account."),
  timeoutMinutes: integer(5, 360, "a number of minutes").default(60).describe("Minutes the CI job may run."),
})
  .superRefine((ci, ctx) => {
    const provider = ci.provider;
    const allowed = new Set<string>(["provider", ...CI_FIELDS[provider]]);
    for (const field of CI_REQUIRED[provider]) {
      if ((ci as Record<string, unknown>)[field] === undefined) ctx.addIssue({ code: "custom", path: [field], input: undefined, message: `a value, required for provider "${provider}"` });
    }
    for (const [field, value] of Object.entries(ci)) {
      // Defaults are filled in for every provider; only what the file sets counts.
      if (value === undefined || allowed.has(field)) continue;
      if ((field === "credentialSource" && value === "Ec2InstanceMetadata") || (field === "createOidcProvider" && value === false) || (field === "timeoutMinutes" && value === 60)) continue;
      ctx.addIssue({ code: "custom", path: [field], input: value, message: `nothing for provider "${provider}" (it uses ${CI_FIELDS[provider].join(", ") || "no other field"})` });
    }
    if (ci.createOidcProvider && ci.oidcProviderArn !== undefined) {
      ctx.addIssue({ code: "custom", path: ["oidcProviderArn"], input: ci.oidcProviderArn, message: "nothing while createOidcProvider is true (the stack creates the provider and uses its own ARN)" });
    }
    if (ci.oidcProviderArn !== undefined && ci.provider !== "codepipeline") {
      const issuer = ciOidcIssuer(ci as CiConfig);
      if (issuer && !ci.oidcProviderArn.endsWith(`:oidc-provider/${issuer}`)) {
        ctx.addIssue({ code: "custom", path: ["oidcProviderArn"], input: ci.oidcProviderArn, message: `the ARN of the provider for ${issuer} (…:oidc-provider/${issuer})` });
      }
    }
  })
  .prefault({})
  .describe("Continuous integration that releases the environment (docs/ci-providers.md). Default: the product's CodePipeline.");

export type CiConfig = z.output<typeof ciSchema>;

/** GitHub's OIDC issuer host. */
export const GITHUB_ISSUER = "token.actions.githubusercontent.com";

/** The OIDC issuer (host and path, no scheme: how IAM names providers and condition keys), undefined for Jenkins and CodePipeline. */
export function ciOidcIssuer(ci: Pick<CiConfig, "provider" | "workspace">): string | undefined {
  if (ci.provider === "github-actions") return GITHUB_ISSUER;
  if (ci.provider === "bitbucket-pipelines" && ci.workspace) return `api.bitbucket.org/2.0/workspaces/${ci.workspace}/pipelines-config/identity/oidc`;
  return undefined;
}

/**
 * Rules across `ci` and the rest of the environment (called from the environment's superRefine):
 * a fleet's CI hands its source to the pipeline's S3 source, an ECS service's CI deploys itself.
 */
export function checkCi(env: Record<string, any>, ctx: z.RefinementCtx): void {
  const ci: Record<string, any> = isRecord(env.ci) ? env.ci : {};
  if (ci.provider === undefined || ci.provider === "codepipeline") return;
  const pipeline: Record<string, any> = isRecord(env.pipeline) ? env.pipeline : {};
  const source: Record<string, any> = isRecord(pipeline.source) ? pipeline.source : {};
  const platform = env.platform ?? "fleet";
  if (platform === "host") {
    ctx.addIssue({ code: "custom", path: ["ci", "provider"], input: ci.provider, message: `"codepipeline" with platform: host (a host releases through githubActions)` });
  } else if (platform === "ecs") {
    // The CI registers the revision and rolls the service; a CodePipeline would race it.
    if (pipeline.enabled !== false) {
      ctx.addIssue({ code: "custom", path: ["pipeline", "enabled"], input: pipeline.enabled ?? true, message: `false while ci.provider is "${ci.provider}": the CI deploys the services itself, and a CodePipeline deploying them as well would race it` });
    }
  } else {
    // The CI uploads the source zip the pipeline's S3 source watches; CodeBuild and CodeDeploy take over.
    if (pipeline.enabled === false) {
      ctx.addIssue({ code: "custom", path: ["pipeline", "enabled"], input: false, message: `true while ci.provider is "${ci.provider}": the CI uploads the source to the pipeline's S3 source, and the pipeline deploys it` });
    }
    if (source.provider !== undefined && source.provider !== "s3") {
      ctx.addIssue({ code: "custom", path: ["pipeline", "source", "provider"], input: source.provider, message: `"s3" while ci.provider is "${ci.provider}": the CI uploads the source zip the S3 source watches` });
    }
  }
}

/**
 * One OIDC provider per URL and account (IAM): two environments that create the same issuer in
 * the same (or an unpinned) account clash. Called once per environment from the root superRefine.
 */
export function checkCiOidcCreator(
  name: string,
  env: Record<string, any>,
  creators: Array<{ name: string; issuer: string; accountId?: string }>,
  path: (...p: Array<string | number>) => Array<string | number>,
  ctx: z.RefinementCtx,
): void {
  const ci: Record<string, any> = isRecord(env.ci) ? env.ci : {};
  const issuer = ci.createOidcProvider === true ? ciOidcIssuer({ provider: ci.provider, workspace: typeof ci.workspace === "string" ? ci.workspace : undefined }) : undefined;
  if (!issuer) return;
  const accountId = typeof env.accountId === "string" ? env.accountId : undefined;
  const clash = creators.find((c) => c.issuer === issuer && (!c.accountId || !accountId || c.accountId === accountId));
  if (clash) {
    ctx.addIssue({
      code: "custom",
      path: path("ci", "createOidcProvider"),
      input: true,
      message: `false: ${clash.name} already creates the OIDC provider for ${issuer}${accountId && clash.accountId ? ` in account ${accountId}` : " (set accountId on both if they deploy to different accounts)"}, and IAM allows one per URL and account; set ci.oidcProviderArn or leave the default ARN`,
    });
  }
  creators.push({ name: `environments.${name}`, issuer, accountId });
}

function isRecord(value: unknown): value is Record<string, any> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
