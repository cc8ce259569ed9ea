import { z } from "zod";
import { CRON_EXAMPLE, cronProblem } from "../image-builder";
import { DATABASE_ENGINES, DatabaseEngine, ENGINE_VERSIONS } from "../rds";
import { instanceType } from "./fleet";
import { acmCertificateArn, bool, hostName, hostedZoneId, integer, logRetentionDays, oneOf, pattern, sshIngressCidrs, sshPublicKey, strictObject } from "./primitives";

/*
 * Access and data options of an environment: bastion host, RDS database, static front end and
 * how the CodeDeploy agent reaches the fleet. All of them are off by default.
 */

export const bastionSchema = strictObject({
  enabled: bool.default(false).describe("Run a bastion host (one EC2 instance with its own security group) in the environment's VPC."),
  sshIngressCidrs: sshIngressCidrs.describe("Who may reach the bastion on SSH (22). Empty: no ingress rule at all; reach it with Session Manager."),
  ssm: bool.default(true).describe("Reach the bastion through Session Manager (AmazonSSMManagedInstanceCore on its role; port forwarding to the database)."),
  instanceType: instanceType.default("t4g.nano").describe("Instance type of the bastion (Graviton types get the arm64 Amazon Linux 2023 image)."),
  publicKey: sshPublicKey
    .optional()
    .describe("Public key of an EC2 key pair for SSH. Default: no key pair (EC2 Instance Connect or Session Manager)."),
  sshToFleet: bool.default(false).describe("Let the bastion reach the application instances on SSH (22)."),
  rootVolumeSizeGiB: integer(8, 100, "a size in GiB").default(8).describe("Root volume size, encrypted with the environment key."),
})
  .prefault({})
  .describe("Bastion host: SSH from the given CIDRs and/or Session Manager; reaches the database and, optionally, the fleet.");

export const databaseSchema = strictObject({
  enabled: bool.default(false).describe("Run an RDS instance in the data subnets (needs network.dataSubnets: true)."),
  engine: oneOf(DATABASE_ENGINES).default("postgres").describe("Database engine."),
  engineVersion: z
    .string({ error: "an engine version string such as 16 or 8.0" })
    .optional()
    .meta({ allowed: "PostgreSQL: 13 to 19 (optionally .minor); MySQL: 8.0 or 8.4 (optionally .patch)" })
    .describe("Engine version; a major (postgres) or major.minor (mysql) follows minor releases. Default: 16 (postgres), 8.0 (mysql)."),
  instanceClass: pattern(/^db\.[a-z0-9-]+\.(micro|small|medium|large|\d*xlarge)$/, "an RDS instance class such as db.t4g.medium or db.m7g.large")
    .default("db.t4g.medium")
    .describe("Instance class."),
  allocatedStorageGiB: integer(20, 65536, "a size in GiB").default(20).describe("Initial gp3 storage."),
  maxAllocatedStorageGiB: integer(20, 65536, "a size in GiB").optional().describe("Upper limit for storage autoscaling. Default: no autoscaling."),
  multiAz: bool.optional().describe("A standby in another zone. Default: the environment's protection flag."),
  backupRetentionDays: integer(1, 35, "a number of days").default(7).describe("Days automated backups are kept."),
  backupWindow: pattern(/^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/, "a UTC window hh:mm-hh:mm such as 03:00-04:00")
    .optional()
    .describe("Daily backup window (UTC). Default: chosen by RDS."),
  maintenanceWindow: pattern(/^(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d-(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d$/, "a UTC window ddd:hh:mm-ddd:hh:mm such as sun:04:00-sun:05:00")
    .optional()
    .describe("Weekly maintenance window (UTC). Default: chosen by RDS."),
  databaseName: pattern(/^[a-zA-Z][a-zA-Z0-9_]{0,62}$/, "a name of letters, digits and underscores starting with a letter (at most 63)").optional().describe("Database created with the instance. Default: none."),
  masterUsername: pattern(/^[a-zA-Z][a-zA-Z0-9_]{0,15}$/, "a user name of letters, digits and underscores starting with a letter (at most 16)")
    .default("dbadmin")
    .describe("Master user; its password is generated and rotated by RDS in Secrets Manager."),
  performanceInsights: bool.default(true).describe("Performance Insights (7 days, free tier), encrypted with the environment key."),
  monitoringIntervalSeconds: z
    .union([z.literal(0), z.literal(1), z.literal(5), z.literal(10), z.literal(15), z.literal(30), z.literal(60)], { error: "one of 0, 1, 5, 10, 15, 30, 60 (0 turns enhanced monitoring off)" })
    .default(60)
    .meta({ allowed: "one of 0, 1, 5, 10, 15, 30, 60 (0 turns enhanced monitoring off)" })
    .describe("Enhanced monitoring interval."),
  logRetentionDays: logRetentionDays.default(30).describe("Days the exported database logs are kept in CloudWatch Logs."),
  iamAuthenticationUser: pattern(/^[a-zA-Z][a-zA-Z0-9_]{0,62}$/, "a database user name of letters, digits and underscores")
    .optional()
    .describe("Turn IAM database authentication on and let the fleet connect as this database user (create it with rds_iam / AWSAuthenticationPlugin). Default: off."),
})
  .prefault({})
  .describe("RDS instance (PostgreSQL or MySQL) in the isolated data subnets, encrypted, never public, master password in Secrets Manager.");

export const frontendSchema = strictObject({
  enabled: bool.default(false).describe("Serve a single-page application from a private S3 bucket through CloudFront (origin access control)."),
  domainName: hostName.optional().describe("Custom domain of the site (needs certificateArn; with hostedZoneId also Route53 A/AAAA aliases)."),
  certificateArn: acmCertificateArn.optional().describe("ACM certificate in us-east-1 that covers domainName."),
  hostedZoneId: hostedZoneId.optional().describe("Public hosted zone for the domainName alias records."),
  priceClass: oneOf(["PriceClass_100", "PriceClass_200", "PriceClass_All"]).default("PriceClass_100").describe("Edge locations used."),
  noncurrentVersionExpirationDays: integer(1, 3650, "a number of days").default(30).describe("Days old versions of site files are kept (for rollback)."),
})
  .prefault({})
  .describe("Static front end: S3 bucket + CloudFront with origin access control, SPA fallback to /index.html, optional custom domain.");

const SCHEDULE_ALLOWED = `a cron expression with six fields (like ${CRON_EXAMPLE}) or rate(<n> days)`;
export const associationSchedule = z
  .string({ error: SCHEDULE_ALLOWED })
  .superRefine((value, ctx) => {
    if (/^rate\(([1-9]|[1-2]\d|30) days?\)$/.test(value)) return;
    if (!value.startsWith("cron(")) {
      ctx.addIssue({ code: "custom", input: value, message: SCHEDULE_ALLOWED });
      return;
    }
    const problem = cronProblem(value);
    if (problem) ctx.addIssue({ code: "custom", input: value, message: `${SCHEDULE_ALLOWED} (${problem})` });
  })
  .meta({ allowed: SCHEDULE_ALLOWED });

export const codedeployAgentSchema = strictObject({
  install: oneOf(["ami", "ssm-association"])
    .default("ami")
    .describe('ami: the golden AMI bakes the agent (component codedeploy-agent). ssm-association: a State Manager association installs and updates it (AWS-ConfigureAWSPackage, AWSCodeDeployAgent) on every fleet instance.'),
  schedule: associationSchedule.default("cron(0 3 ? * SUN *)").describe("When the association runs again to update the agent (it also runs on every new instance)."),
})
  .prefault({})
  .describe("How the CodeDeploy agent gets onto the fleet.");

export type BastionConfig = z.output<typeof bastionSchema>;
export type DatabaseConfig = z.output<typeof databaseSchema>;
export type FrontendConfig = z.output<typeof frontendSchema>;
export type CodedeployAgentConfig = z.output<typeof codedeployAgentSchema>;

type Ctx = z.core.$RefinementCtx<any>;

/**
 * Cross-field rules of the access and data options, called from the environment's superRefine.
 * Looks only at fields that parsed, so it runs with other problems present.
 */
export function checkAccessAndData(env: Record<string, any>, ctx: Ctx): void {
  const rec = (v: unknown): Record<string, any> => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, any>) : {});
  const network = rec(env.network);
  const lb = rec(env.loadBalancer);
  const bastion = rec(env.bastion);
  const db = rec(env.database);
  const frontend = rec(env.frontend);
  const agent = rec(env.codedeployAgent);
  const ami = rec(env.goldenAmi);
  const ownNetwork = lb.mode !== "shared";

  if (bastion.enabled === true) {
    if (Array.isArray(bastion.sshIngressCidrs) && bastion.sshIngressCidrs.length === 0 && bastion.ssm === false) {
      ctx.addIssue({
        code: "custom",
        path: ["bastion", "sshIngressCidrs"],
        input: [],
        message: "at least one CIDR while bastion.ssm is false: a bastion with neither SSH ingress nor Session Manager cannot be reached (or set ssm: true)",
      });
    }
    if (!ownNetwork) {
      ctx.addIssue({ code: "custom", path: ["bastion", "enabled"], input: true, message: 'false in shared load balancer mode (the shared stack owns the VPC; put the bastion there)' });
    }
  }

  if (db.enabled === true) {
    if (!ownNetwork) {
      ctx.addIssue({ code: "custom", path: ["database", "enabled"], input: true, message: "false in shared load balancer mode (the database needs the environment's own data subnets)" });
    } else if (network.dataSubnets !== true) {
      ctx.addIssue({
        code: "custom",
        path: ["network", "dataSubnets"],
        input: network.dataSubnets ?? false,
        message: "true while database.enabled is true: the database runs in the isolated data subnets behind the database security group",
      });
    }
    const engine: DatabaseEngine | undefined = (DATABASE_ENGINES as readonly string[]).includes(db.engine) ? db.engine : undefined;
    if (engine && typeof db.engineVersion === "string" && !ENGINE_VERSIONS[engine].re.test(db.engineVersion)) {
      ctx.addIssue({ code: "custom", path: ["database", "engineVersion"], input: db.engineVersion, message: ENGINE_VERSIONS[engine].allowed });
    }
    if (typeof db.maxAllocatedStorageGiB === "number" && typeof db.allocatedStorageGiB === "number" && db.maxAllocatedStorageGiB <= db.allocatedStorageGiB) {
      ctx.addIssue({
        code: "custom",
        path: ["database", "maxAllocatedStorageGiB"],
        input: db.maxAllocatedStorageGiB,
        message: `more than database.allocatedStorageGiB (${db.allocatedStorageGiB}), or nothing to turn storage autoscaling off`,
      });
    }
    if (engine === "mysql" && db.performanceInsights === true && typeof db.instanceClass === "string" && /\.(micro|small)$/.test(db.instanceClass)) {
      ctx.addIssue({
        code: "custom",
        path: ["database", "performanceInsights"],
        input: true,
        message: `false for ${db.instanceClass}: Performance Insights for MySQL does not support micro and small classes (or choose db.t4g.medium or larger)`,
      });
    }
  }

  if (frontend.enabled === true) {
    if (frontend.domainName && !frontend.certificateArn) {
      ctx.addIssue({ code: "custom", path: ["frontend", "certificateArn"], input: undefined, message: "an ACM certificate in us-east-1, required for frontend.domainName" });
    }
    if (frontend.hostedZoneId && !frontend.domainName) {
      ctx.addIssue({ code: "custom", path: ["frontend", "domainName"], input: undefined, message: "a domain name, required for the alias records in frontend.hostedZoneId" });
    }
    if (frontend.certificateArn && !frontend.domainName) {
      ctx.addIssue({ code: "custom", path: ["frontend", "domainName"], input: undefined, message: "a domain name the certificate covers (frontend.certificateArn is only used for a custom domain)" });
    }
  }
  if (typeof frontend.certificateArn === "string" && !frontend.certificateArn.includes(":acm:us-east-1:")) {
    ctx.addIssue({ code: "custom", path: ["frontend", "certificateArn"], input: frontend.certificateArn, message: "a certificate in us-east-1 (CloudFront only uses certificates from that region)" });
  }

  // The components are baked into the golden AMI, or installed at first boot without one.
  if (agent.install === "ami" && Array.isArray(ami.components) && !ami.components.includes("codedeploy-agent")) {
    // Without the agent every deployment fails: refuse the configuration rather than find out at the first release.
    ctx.addIssue({
      code: "custom",
      path: ["codedeployAgent", "install"],
      input: "ami",
      message: '"ssm-association" while goldenAmi.components leaves out "codedeploy-agent": nothing else installs the agent, and deployments fail without it',
    });
  }
  if (agent.install === "ssm-association" && Array.isArray(ami.components) && ami.components.includes("codedeploy-agent")) {
    ctx.addIssue({
      code: "custom",
      path: ["goldenAmi", "components"],
      input: ami.components,
      message: 'a list without "codedeploy-agent" while codedeployAgent.install is "ssm-association": the association installs and updates the agent, and one owner is enough',
    });
  }
}
