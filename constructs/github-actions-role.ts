import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import { Construct } from "constructs";
import { childId, pin } from "../lib/address";
import { AccountContext } from "./account-context";
import { Role } from "./role";

/** GitHub's OIDC issuer (without the scheme, as IAM names providers and claim keys). */
export const GITHUB_OIDC_ISSUER = "token.actions.githubusercontent.com";
/** Audience the official aws-actions/configure-aws-credentials action requests. */
export const GITHUB_OIDC_AUDIENCE = "sts.amazonaws.com";

export interface GithubActionsRoleProps {
  /** Role name; fixed so that workflows can name the role's ARN before it exists. */
  readonly roleName: string;
  /** `owner/name` of the repository whose workflows may assume the role. */
  readonly repository: string;
  /** Branches whose workflow runs may assume the role (exact names). Ignored with `environment`. */
  readonly branches: readonly string[];
  /**
   * A GitHub environment: only jobs that run in it may assume the role (its protection rules,
   * such as required reviewers and allowed branches, then gate the role). GitHub puts the
   * environment instead of the ref in the `sub` claim of such jobs:
   * `repo:<owner>/<name>:environment:<environment>` (GitHub Docs, "OpenID Connect reference").
   * @default no environment: the branches decide
   */
  readonly environment?: string;
  /** @default `GitHub Actions of <repository> (<branches>) through OIDC` */
  readonly description?: string;
  /**
   * Create the account's IAM OIDC provider for GitHub here. IAM allows one provider per URL and
   * account, so exactly one stack per account does this.
   * @default false
   */
  readonly createOidcProvider?: boolean;
  /**
   * The existing provider to trust (ignored when `createOidcProvider` is true).
   * @default arn:<partition>:iam::<account>:oidc-provider/token.actions.githubusercontent.com
   */
  readonly oidcProviderArn?: string;
}

/**
 * An IAM role that GitHub Actions assumes with its OIDC token (no stored AWS keys): the trust policy
 * admits only tokens issued for AWS STS to workflow runs of one repository on the given branches.
 * Grant it what the workflow does (`repository.grantPush(githubActions.role)`).
 */
export class GithubActionsRole extends Construct {
  public readonly role: Role;
  public readonly roleArn: string;
  public readonly oidcProviderArn: string;
  /** The `sub` claims the role admits. */
  public readonly subjects: readonly string[];

  constructor(scope: Construct, id: string, props: GithubActionsRoleProps) {
    super(scope, id);
    if (!/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/.test(props.repository)) throw new Error(`${this.node.path}: repository ${JSON.stringify(props.repository)} must be owner/name`);
    if (props.environment === undefined && props.branches.length === 0) throw new Error(`${this.node.path}: branches is empty; the role would admit no workflow run`);
    const wildcard = props.branches.find((b) => /[*?]/.test(b));
    if (wildcard) throw new Error(`${this.node.path}: branch ${JSON.stringify(wildcard)} has a wildcard; the trust policy matches exact branch names`);
    const context = AccountContext.of(this);

    if (props.createOidcProvider) {
      const provider = pin(
        this,
        // No thumbprint_list: IAM validates GitHub's certificate against its own trusted CAs.
        new IamOpenidConnectProvider(this, "oidc-provider", { url: `https://${GITHUB_OIDC_ISSUER}`, clientIdList: [GITHUB_OIDC_AUDIENCE] }),
        "oidc_provider",
      );
      this.oidcProviderArn = provider.arn;
    } else {
      this.oidcProviderArn = props.oidcProviderArn ?? `arn:${context.partition}:iam::${context.accountId}:oidc-provider/${GITHUB_OIDC_ISSUER}`;
    }

    this.subjects =
      props.environment !== undefined
        ? [`repo:${props.repository}:environment:${props.environment}`]
        : props.branches.map((branch) => `repo:${props.repository}:ref:refs/heads/${branch}`);
    this.role = new Role(this, childId(this, "role"), {
      roleName: props.roleName,
      description: props.description ?? `GitHub Actions of ${props.repository} (${props.branches.join(", ")}) through OIDC`,
      assumedBy: { type: "Federated", identifiers: [this.oidcProviderArn] },
      assumeAction: "sts:AssumeRoleWithWebIdentity",
      assumeConditions: [
        { test: "StringEquals", variable: `${GITHUB_OIDC_ISSUER}:aud`, values: [GITHUB_OIDC_AUDIENCE] },
        { test: "StringEquals", variable: `${GITHUB_OIDC_ISSUER}:sub`, values: this.subjects },
      ],
    });
    this.roleArn = this.role.roleArn;
  }
}
