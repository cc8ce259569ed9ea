import { z } from "zod";
import { instanceType } from "./fleet";
import { bool, hostedZoneId, hostName, ingressCidr, integer, oneOf, pattern, sshIngressCidrs, sshPublicKey, strictObject } from "./primitives";

const tcpPort = integer(1, 65535, "a TCP port");

export const hostSchema = strictObject({
  instanceType: instanceType.default("t3.small").describe("Instance type of the host."),
  rootVolume: strictObject({
    sizeGb: integer(8, 16384, "a size in GiB").default(30).describe("Root volume size; at least the AMI's snapshot size."),
    type: oneOf(["gp3", "gp2"]).default("gp3").describe("Root volume type."),
  })
    .prefault({})
    .describe("Encrypted root EBS volume (environment KMS key); it is deleted with the instance, so keep data that must survive a replacement off the host."),
  publicKey: sshPublicKey
    .optional()
    .describe("OpenSSH public key imported as the host's EC2 key pair (ec2-user). Absent: no key pair; Ansible and people reach the host through Session Manager."),
  sshIngressCidrs: sshIngressCidrs.describe("Who may reach the host on SSH (22). Empty: no SSH rule; the Ansible inventory then connects through Session Manager."),
  publicPorts: z
    .array(tcpPort.refine((p) => p !== 22 && p !== 3389, { error: "a port other than 22 and 3389 (admin ports are opened with sshIngressCidrs, never to everyone)" }))
    .default([80, 443])
    .refine((ports) => new Set(ports).size === ports.length, { error: "ports without duplicates" })
    .meta({ allowed: "a list of distinct TCP ports other than 22 and 3389" })
    .describe("Ports the host serves to publicIngressCidrs directly (there is no load balancer): HTTP and HTTPS by default, TLS terminated on the host."),
  publicIngressCidrs: z
    .array(ingressCidr)
    .min(1, { error: "at least one CIDR" })
    .default(["0.0.0.0/0"])
    .meta({ allowed: "a list of IPv4/IPv6 CIDRs" })
    .describe("Who may reach publicPorts."),
  hostName: hostName.optional().describe("DNS name of the host: an A record to its Elastic IP in hostedZoneId."),
  hostedZoneId: hostedZoneId.optional().describe("Route53 hosted zone of hostName."),
  detailedMonitoring: bool.default(false).describe("One-minute EC2 metrics (extra cost)."),
})
  .prefault({})
  .describe("The host of an environment with platform: host (instance, Elastic IP, DNS record, key pair, security group). It boots the golden AMI when goldenAmi.enabled (which needs network.privateSubnets), otherwise the newest Amazon Linux 2023.");

export type HostConfig = z.output<typeof hostSchema>;

const BRANCH_ALLOWED = "a branch name (letters, digits and . _ / -, no wildcards, no ..)";
const branchName = pattern(/^(?!.*\.\.)(?!\/)(?!.*\/$)[A-Za-z0-9._/-]{1,200}$/, BRANCH_ALLOWED);

/** A relative path that stays inside the repository. */
const REPOSITORY_PATH = /^(?!\/)(?!(?:.*\/)?\.\.(?:\/|$))[A-Za-z0-9._/-]{1,200}$/;

export const githubActionsSchema = strictObject({
  repository: pattern(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/, "a GitHub repository as owner/name, such as acme/webapp").describe(
    "Repository whose workflow may assume the environment's GitHub Actions role.",
  ),
  branches: z
    .array(branchName)
    .min(1, { error: "at least one branch" })
    .refine((list) => new Set(list).size === list.length, { error: "branches without duplicates" })
    .meta({ allowed: `a list of at least one ${BRANCH_ALLOWED}` })
    .describe("Branches whose pushes build and push the image; the role trusts exactly repo:<repository>:ref:refs/heads/<branch> for each."),
  imageTag: pattern(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, "a Docker tag (letters, digits, _ . -, at most 128 characters, not starting with . or -)")
    .optional()
    .describe("Moving tag the workflow pushes besides the commit SHA. Default: <env>-latest."),
  dockerfile: pattern(REPOSITORY_PATH, "a path inside the repository such as Dockerfile or docker/app.Dockerfile (no leading /, no ..)")
    .default("Dockerfile")
    .describe("Dockerfile the workflow builds."),
  context: pattern(REPOSITORY_PATH, "a directory inside the repository such as . or app (no leading /, no ..)").default(".").describe("Docker build context."),
  createOidcProvider: bool
    .default(false)
    .describe("Create the account's IAM OIDC provider for GitHub in this stack. Exactly one stack per account may (IAM refuses a second one for the same URL)."),
  oidcProviderArn: pattern(
    /^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/token\.actions\.githubusercontent\.com$/,
    "the ARN of an IAM OIDC provider for token.actions.githubusercontent.com",
  )
    .optional()
    .describe("Existing GitHub OIDC provider. Default: arn:<partition>:iam::<account>:oidc-provider/token.actions.githubusercontent.com of the environment's account (created once per account, here or elsewhere)."),
})
  .optional()
  .describe("GitHub Actions: an IAM role (web identity via OIDC) that the repository's workflow assumes to push images to the environment's ECR repository, and the generated workflow. Host platform only.");

export type GithubActionsConfig = NonNullable<z.output<typeof githubActionsSchema>>;
