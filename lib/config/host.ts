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
  deploy: strictObject({
    enabled: bool
      .default(false)
      .describe(
        "Deploy on push: the generated workflow, after pushing the image, runs the environment's own SSM document on the host (SSM Run Command: no inbound port, no runner); the host pulls the image by digest, starts it with Docker Compose, checks its health and rolls back to the previous image when the check fails. Needs githubActions, and Docker with the Compose plugin on the host (the generated Ansible playbook installs them).",
      ),
    healthCheckPath: pattern(/^\/[A-Za-z0-9._~\/?=&%-]*$/, "a URL path starting with / such as /health (letters, digits and . _ ~ / ? = & % -)")
      .default("/health")
      .describe("Path the deploy script requests on 127.0.0.1:<application.port> after starting the new image (and the image's own HEALTHCHECK)."),
    healthCheckAttempts: integer(1, 60, "a number of attempts").default(12).describe("Requests before the new image counts as unhealthy and the previous one is started again."),
    healthCheckIntervalSeconds: integer(1, 60, "a number of seconds").default(5).describe("Seconds between health check requests."),
    timeoutSeconds: integer(60, 3600, "a number of seconds").default(900).describe("How long the deploy command may run on the host (image pull included) before SSM stops it and the workflow fails."),
  })
    .prefault({})
    .describe("Deployment of each pushed image to the host (docs/hosts.md)."),
  ansible: strictObject({
    enabled: bool
      .default(false)
      .describe("Generate the Ansible playbook of the host in generated/<env>/ansible/: security updates, Docker and the Compose plugin, Caddy in front of the application, the env file from SSM, an image prune timer, the CloudWatch agent."),
    acmeEmail: pattern(/^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,63}$/, "an e-mail address such as ops@example.com")
      .optional()
      .describe("Contact address Caddy gives the ACME certificate authority (expiry notices). Absent: no address."),
    imageRetentionHours: integer(24, 8760, "a number of hours")
      .default(168)
      .describe("The daily prune timer removes images no container uses that are older than this; the running image stays (the deploy script pulls a pruned previous image again when it rolls back)."),
  })
    .prefault({})
    .describe("Ansible playbook of the host (docs/hosts.md)."),
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

/**
 * Cross-section rules of `host.deploy` and `host.ansible` (raw input, before defaults), called
 * from the environment rules of schema.ts for `platform: host`.
 */
export function hostDeployRules(host: Record<string, any>, github: Record<string, any> | undefined, application: unknown, ctx: z.RefinementCtx): void {
  const record = (v: unknown): Record<string, any> => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, any>) : {});
  const deploy = record(host.deploy);
  const ansible = record(host.ansible);
  if (deploy.enabled === true && !github) {
    ctx.addIssue({ code: "custom", path: ["host", "deploy", "enabled"], input: true, message: "false, or set githubActions: the workflow it generates is what sends the deploy command" });
  }
  const attempts = typeof deploy.healthCheckAttempts === "number" ? deploy.healthCheckAttempts : 12;
  const interval = typeof deploy.healthCheckIntervalSeconds === "number" ? deploy.healthCheckIntervalSeconds : 5;
  const timeout = typeof deploy.timeoutSeconds === "number" ? deploy.timeoutSeconds : 900;
  // Two health checks (the new image, then the previous one after a rollback) and the pull must fit in the command's time.
  if (2 * attempts * interval + 60 > timeout) {
    ctx.addIssue({
      code: "custom",
      path: ["host", "deploy", "timeoutSeconds"],
      input: timeout,
      message: `at least ${2 * attempts * interval + 60} (two health checks of ${attempts} × ${interval} s, the new image's and the rollback's, plus 60 s for the pull), or fewer healthCheckAttempts`,
    });
  }
  if (ansible.enabled === true) {
    const ports: unknown[] = Array.isArray(host.publicPorts) ? host.publicPorts : [80, 443];
    if (host.hostName && !(ports.includes(80) && ports.includes(443))) {
      ctx.addIssue({
        code: "custom",
        path: ["host", "publicPorts"],
        input: ports,
        message: "a list with 80 and 443 while host.ansible.enabled and host.hostName are set: Caddy obtains the certificate over 80/443 (ACME HTTP-01 and TLS-ALPN-01) and redirects 80 to 443",
      });
    }
    const port = record(application).port;
    if (port === 80 || port === 443 || port === 2019) {
      ctx.addIssue({ code: "custom", path: ["application", "port"], input: port, message: "a port other than 80, 443 and 2019 while host.ansible.enabled: Caddy listens on them on the host (2019 is its admin endpoint)" });
    }
  }
}
