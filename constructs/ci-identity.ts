import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import { Construct } from "constructs";
import { childId, pin } from "../lib/address";
import { CiConfig, ciOidcIssuer } from "../lib/config/ci";
import { AccountContext } from "./account-context";
import { GithubActionsRole } from "./github-actions-role";
import { Role } from "./role";

export interface CiIdentityProps {
  /** Role name; fixed so that the generated CI file can name the role's ARN before it exists. */
  readonly roleName: string;
  /** The environment's `ci` section with a provider other than codepipeline. */
  readonly ci: CiConfig;
}

/** The Bitbucket workspace's audience: `ari:cloud:bitbucket::workspace/<uuid without braces>`. */
export function bitbucketAudience(workspaceUuid: string): string {
  return `ari:cloud:bitbucket::workspace/${workspaceUuid.replace(/^\{|\}$/g, "")}`;
}

/**
 * The IAM identity a third-party CI releases an environment with; no long-lived keys for any:
 *
 * - GitHub Actions: web identity through GitHub's OIDC provider ({@link GithubActionsRole}): the
 *   repository's runs on the branch, or in the GitHub environment.
 * - Bitbucket Pipelines: web identity through the workspace's OIDC provider
 *   (https://api.bitbucket.org/2.0/workspaces/<workspace>/pipelines-config/identity/oidc), audience
 *   `ari:cloud:bitbucket::workspace/<uuid>`. Bitbucket's `sub` claim is
 *   `{repositoryUuid}[:{deploymentEnvironmentUuid}]:{stepUuid}` (Atlassian, "Integrate Pipelines with
 *   resource servers using OIDC"; the step UUID changes with every run), so the trust policy
 *   matches `{repositoryUuid}:{deploymentEnvironmentUuid}:*`: one repository's steps that run
 *   in one deployment environment.
 * - Jenkins: a role the agents' own principal (from configuration) assumes, with an optional
 *   external ID.
 *
 * What the role may do is granted by the stack (the calls of the generated CI file).
 */
export class CiIdentity extends Construct {
  public readonly role: Role;
  /** The trusted OIDC provider (GitHub, Bitbucket), undefined for Jenkins. */
  public readonly oidcProviderArn?: string;

  constructor(scope: Construct, id: string, props: CiIdentityProps) {
    super(scope, id);
    const ci = props.ci;
    const context = AccountContext.of(this);
    const issuer = ciOidcIssuer(ci);
    const existingProvider = issuer ? (ci.oidcProviderArn ?? `arn:${context.partition}:iam::${context.accountId}:oidc-provider/${issuer}`) : undefined;
    switch (ci.provider) {
      case "github-actions": {
        const github = new GithubActionsRole(this, childId(this, "github"), {
          roleName: props.roleName,
          repository: ci.repository!,
          branches: [ci.branch!],
          environment: ci.githubEnvironment,
          createOidcProvider: ci.createOidcProvider,
          oidcProviderArn: existingProvider,
          description: `GitHub Actions of ${ci.repository} (${ci.githubEnvironment ? `environment ${ci.githubEnvironment}` : ci.branch}) release this environment, through OIDC`,
        });
        this.role = github.role;
        this.oidcProviderArn = github.oidcProviderArn;
        break;
      }
      case "bitbucket-pipelines": {
        const audience = bitbucketAudience(ci.workspaceUuid!);
        let providerArn = existingProvider!;
        if (ci.createOidcProvider) {
          // No thumbprint_list: IAM validates the issuer's certificate against its own trusted CAs,
          // as for GitHub (constructs/github-actions-role.ts).
          providerArn = pin(this, new IamOpenidConnectProvider(this, "oidc-provider", { url: `https://${issuer}`, clientIdList: [audience] }), "oidc_provider").arn;
        }
        this.oidcProviderArn = providerArn;
        this.role = new Role(this, childId(this, "role"), {
          roleName: props.roleName,
          description: `Bitbucket Pipelines of repository ${ci.repositoryUuid} (deployment ${ci.deploymentEnvironment}) release this environment, through OIDC`,
          assumedBy: { type: "Federated", identifiers: [providerArn] },
          assumeAction: "sts:AssumeRoleWithWebIdentity",
          assumeConditions: [
            { test: "StringEquals", variable: `${issuer}:aud`, values: [audience] },
            { test: "StringLike", variable: `${issuer}:sub`, values: [`${ci.repositoryUuid}:${ci.deploymentEnvironmentUuid}:*`] },
          ],
        });
        break;
      }
      case "jenkins":
        this.role = new Role(this, childId(this, "role"), {
          roleName: props.roleName,
          description: `Jenkins agents (${ci.principalArn}) release this environment`,
          assumedBy: { type: "AWS", identifiers: [ci.principalArn!] },
          assumeConditions: ci.externalId ? [{ test: "StringEquals", variable: "sts:ExternalId", values: [ci.externalId] }] : [],
        });
        break;
      default:
        throw new Error(`${this.node.path}: ci.provider ${JSON.stringify(ci.provider)} needs no identity (CodePipeline runs with its own roles)`);
    }
  }
}
