import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { DbParameterGroup } from "@cdktf/provider-aws/lib/db-parameter-group";
import { DbSubnetGroup } from "@cdktf/provider-aws/lib/db-subnet-group";
import { Construct } from "constructs";
import { childId, pin } from "../lib/address";
import { DatabaseEngine, parameterGroupFamily } from "../lib/rds";
import { AccountContext } from "./account-context";
import { EncryptionKey } from "./encryption-key";
import { LogGroup } from "./log-group";
import { Role } from "./role";
import { SecurityGroup } from "./security-group";

/** Logs each engine exports to CloudWatch Logs (what RDS offers without an option group). */
const LOG_EXPORTS: Record<DatabaseEngine, string[]> = { postgres: ["postgresql", "upgrade"], mysql: ["error", "slowquery"] };

/** The engine parameter that refuses unencrypted connections. */
const FORCE_TLS: Record<DatabaseEngine, { name: string; value: string }> = {
  postgres: { name: "rds.force_ssl", value: "1" },
  mysql: { name: "require_secure_transport", value: "1" },
};

export interface DatabaseProps {
  /** `<app>-<environment>`; the instance is `<prefix>-db`. */
  readonly namePrefix: string;
  readonly engine: DatabaseEngine;
  /** A major (`16`), major.minor (`8.0`) or full version; prefixes follow minor releases. */
  readonly engineVersion: string;
  /** e.g. `db.t4g.medium`. */
  readonly instanceClass: string;
  /** Isolated subnets (two zones at least) for the subnet group. */
  readonly subnetIds: readonly string[];
  /** The group that admits the database port from the application tier. */
  readonly securityGroup: SecurityGroup;
  /** Port the instance listens on (the one the security group and the data NACL admit). */
  readonly port: number;
  /** Encrypts storage, the master user secret, Performance Insights and the exported logs. */
  readonly encryptionKey: EncryptionKey;
  /**
   * Deletion protection and a final snapshot on destroy.
   * @default true
   */
  readonly protection?: boolean;
  /** @default protection */
  readonly multiAz?: boolean;
  /** @default 20 */
  readonly allocatedStorageGiB?: number;
  /** @default no storage autoscaling */
  readonly maxAllocatedStorageGiB?: number;
  /** @default 7 */
  readonly backupRetentionDays?: number;
  /** @default chosen by RDS */
  readonly backupWindow?: string;
  /** @default chosen by RDS */
  readonly maintenanceWindow?: string;
  /** @default none */
  readonly databaseName?: string;
  /** @default "dbadmin" */
  readonly masterUsername?: string;
  /** @default true */
  readonly performanceInsights?: boolean;
  /**
   * Enhanced monitoring interval in seconds; 0 turns it off.
   * @default 60
   */
  readonly monitoringIntervalSeconds?: number;
  /** @default 30 */
  readonly logRetentionDays?: number;
  /** @default false */
  readonly iamAuthentication?: boolean;
}

/**
 * An RDS instance as production needs it: in isolated subnets behind the database security group,
 * never public, storage encrypted with the environment key, the master password generated and
 * kept by RDS in Secrets Manager (encrypted with the same key), TLS forced by a parameter group,
 * backups, deletion protection and a final snapshot following `protection`, Performance Insights,
 * enhanced monitoring and engine logs in log groups with retention.
 */
export class Database extends Construct {
  public readonly instanceIdentifier: string;
  /** Host name of the instance (no port). */
  public readonly address: string;
  public readonly port: number;
  /** ARN of the Secrets Manager secret RDS keeps the master user's credentials in. */
  public readonly masterUserSecretArn: string;
  /** `db-...` resource id, used in IAM authentication ARNs. */
  public readonly resourceId: string;
  private readonly context: AccountContext;

  constructor(scope: Construct, id: string, props: DatabaseProps) {
    super(scope, id);
    if (props.subnetIds.length < 2) throw new Error(`${this.node.path}: subnetIds has ${props.subnetIds.length} subnet(s); allowed: at least 2 (a DB subnet group spans two zones)`);
    const storage = props.allocatedStorageGiB ?? 20;
    if (props.maxAllocatedStorageGiB !== undefined && props.maxAllocatedStorageGiB <= storage) {
      throw new Error(`${this.node.path}: maxAllocatedStorageGiB ${props.maxAllocatedStorageGiB}; allowed: more than allocatedStorageGiB (${storage})`);
    }
    this.context = AccountContext.of(this);
    const protection = props.protection ?? true;
    const identifier = `${props.namePrefix}-db`;
    this.instanceIdentifier = identifier;
    this.port = props.port;

    const subnetGroup = pin(
      this,
      new DbSubnetGroup(this, "subnet-group", { name: identifier, description: `Isolated data subnets of ${props.namePrefix}`, subnetIds: [...props.subnetIds] }),
    );
    const tls = FORCE_TLS[props.engine];
    const family = parameterGroupFamily(props.engine, props.engineVersion);
    // A new family (major upgrade) needs a new group while the instance still uses the old one.
    const parameters = pin(
      this,
      new DbParameterGroup(this, "parameter-group", {
        namePrefix: `${identifier}-${family.replace(/\./g, "-")}-`,
        family,
        description: `${identifier}: TLS only`,
        parameter: [{ name: tls.name, value: tls.value }],
        lifecycle: { createBeforeDestroy: true },
      }),
    );

    // RDS creates these groups itself on first export, without retention or key; owning them first keeps both.
    const logGroups = LOG_EXPORTS[props.engine].map(
      (log) =>
        new LogGroup(this, childId(this, `${log}-logs`), {
          logGroupName: `/aws/rds/instance/${identifier}/${log}`,
          retentionDays: props.logRetentionDays ?? 30,
          encryptionKey: props.encryptionKey,
        }),
    );

    const interval = props.monitoringIntervalSeconds ?? 60;
    const monitoringRole =
      interval > 0
        ? new Role(this, childId(this, "monitoring-role"), {
            roleName: `${identifier}-monitoring`,
            description: `Enhanced monitoring of ${identifier}`,
            assumedBy: { type: "Service", identifiers: ["monitoring.rds.amazonaws.com"] },
            assumeConditions: [{ test: "StringEquals", variable: "aws:SourceAccount", values: [this.context.accountId] }],
            managedPolicies: ["service-role/AmazonRDSEnhancedMonitoringRole"],
          })
        : undefined;

    const performanceInsights = props.performanceInsights ?? true;
    const instance = pin(
      this,
      new DbInstance(this, "instance", {
        identifier,
        engine: props.engine,
        engineVersion: props.engineVersion,
        instanceClass: props.instanceClass,
        port: props.port,
        dbName: props.databaseName,
        username: props.masterUsername ?? "dbadmin",
        manageMasterUserPassword: true,
        masterUserSecretKmsKeyId: props.encryptionKey.keyArn,
        iamDatabaseAuthenticationEnabled: props.iamAuthentication ?? false,
        dbSubnetGroupName: subnetGroup.name,
        vpcSecurityGroupIds: [props.securityGroup.securityGroupId],
        publiclyAccessible: false,
        multiAz: props.multiAz ?? protection,
        parameterGroupName: parameters.name,
        storageType: "gp3",
        allocatedStorage: storage,
        maxAllocatedStorage: props.maxAllocatedStorageGiB,
        storageEncrypted: true,
        kmsKeyId: props.encryptionKey.keyArn,
        backupRetentionPeriod: props.backupRetentionDays ?? 7,
        backupWindow: props.backupWindow,
        maintenanceWindow: props.maintenanceWindow,
        copyTagsToSnapshot: true,
        deleteAutomatedBackups: !protection,
        deletionProtection: protection,
        skipFinalSnapshot: !protection,
        finalSnapshotIdentifier: protection ? `${identifier}-final` : undefined,
        autoMinorVersionUpgrade: true,
        allowMajorVersionUpgrade: false,
        caCertIdentifier: "rds-ca-rsa2048-g1",
        performanceInsightsEnabled: performanceInsights,
        performanceInsightsKmsKeyId: performanceInsights ? props.encryptionKey.keyArn : undefined,
        performanceInsightsRetentionPeriod: performanceInsights ? 7 : undefined,
        monitoringInterval: interval,
        monitoringRoleArn: monitoringRole?.roleArn,
        enabledCloudwatchLogsExports: LOG_EXPORTS[props.engine],
        tags: { Name: identifier },
        dependsOn: logGroups.map((g) => g.node.findChild("log-group") as CloudwatchLogGroup),
      }),
    );
    this.address = instance.address;
    this.masterUserSecretArn = instance.masterUserSecret.get(0).secretArn;
    this.resourceId = instance.resourceId;
  }

  /**
   * IAM database authentication: lets `role` connect as the database user `dbUser` (create the user
   * with the rds_iam role on PostgreSQL, AWSAuthenticationPlugin on MySQL).
   */
  public grantConnect(role: Role, dbUser: string): void {
    role.addToPolicy({ actions: ["rds-db:connect"], resources: [this.context.arn("rds-db", `dbuser:${this.resourceId}/${dbUser}`)] });
  }
}
