import * as path from "path";
import { TerraformStack } from "cdktf";
import { BastionHost, BastionHostProps } from "../constructs/bastion-host";
import { CdnDistribution } from "../constructs/cdn-distribution";
import { CodedeployAgentAssociation } from "../constructs/codedeploy-agent-association";
import { Database, DatabaseProps } from "../constructs/database";
import { EncryptionKey } from "../constructs/encryption-key";
import { Network } from "../constructs/network";
import { Role } from "../constructs/role";
import { StaticSite, StaticSiteProps } from "../constructs/static-site";
import { addressesOf } from "../lib/address";
import { loadConfigFile } from "../lib/config/load";
import { checkStack } from "../policy";
import { bareStack, data, ref, resource, resourcesOfType, statements, Synth, synthConfig, synthEnv, synthStack } from "./helpers/synth";

const root = path.join(__dirname, "..");
const ZONES = ["eu-west-1a", "eu-west-1b"];

function networkStack(options: { privateSubnets?: boolean } = {}): { stack: TerraformStack; key: EncryptionKey; network: Network } {
  const { stack } = bareStack({ availabilityZones: ZONES });
  const key = new EncryptionKey(stack, "environment-key", { alias: "app-test", description: "test" });
  const network = new Network(stack, "network", {
    namePrefix: "app-test",
    cidr: "10.10.0.0/16",
    availabilityZones: ZONES,
    appPort: 3000,
    encryptionKey: key,
    privateSubnets: options.privateSubnets ?? true,
    dataSubnets: true,
    flowLogs: false,
  });
  return { stack, key, network };
}

function synthBastion(props: Partial<BastionHostProps> = {}, options: { privateSubnets?: boolean } = {}): { json: Synth; stack: TerraformStack } {
  const { stack, key, network } = networkStack(options);
  const bastion = new BastionHost(stack, "bastion", { namePrefix: "app-test", network, encryptionKey: key, ...props });
  bastion.allowTo("db", network.databaseSecurityGroup!, 5432, "Database port");
  return { json: synthStack(stack), stack };
}

describe("BastionHost", () => {
  const { json: ssh, stack: sshStack } = synthBastion({ sshIngressCidrs: ["203.0.113.0/24"], publicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGVYrU7mGQ6cOeB1QdRZMZp2bq7HchlnsbWxjk+3rz7K ops" });
  const { json: ssmOnly, stack: ssmStack } = synthBastion();

  test("SSH: the only ingress is 22/tcp from each configured CIDR, on the bastion's own group", () => {
    const rules = Object.entries(resourcesOfType(ssh, "aws_vpc_security_group_ingress_rule")).filter(([, r]) => r.security_group_id === ref("aws_security_group.network_bastion", "id"));
    expect(rules.map(([name, r]) => [name, r.cidr_ipv4, r.from_port, r.to_port, r.ip_protocol])).toEqual([["network_bastion_ssh_from_203_0_113_0_24", "203.0.113.0/24", 22, 22, "tcp"]]);
    expect(resource(ssh, "aws_instance", "bastion").vpc_security_group_ids).toEqual([ref("aws_security_group.network_bastion", "id")]);
  });

  test("SSM only: no ingress rule at all, a private subnet, no public address, Session Manager on the role", () => {
    const ingress = Object.values(resourcesOfType(ssmOnly, "aws_vpc_security_group_ingress_rule")).filter((r) => r.security_group_id === ref("aws_security_group.network_bastion", "id"));
    expect(ingress).toEqual([]);
    const instance = resource(ssmOnly, "aws_instance", "bastion");
    expect(instance.subnet_id).toBe(ref("aws_subnet.network_private_0", "id"));
    expect(instance.associate_public_ip_address).toBe(false);
    expect(instance.depends_on).toEqual(["aws_route.network_private_0_nat", "aws_route_table_association.network_private_0"]);
    expect(resource(ssmOnly, "aws_iam_role_policy_attachment", "bastion_role_amazon_ssm_managed_instance_core").policy_arn).toBe("arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore");
    expect(ssmOnly.resource.aws_key_pair).toBeUndefined();
  });

  test("SSH: a public subnet with a public address (suppressed in the policy pack with the reason) and the key pair", () => {
    const instance = resource(ssh, "aws_instance", "bastion");
    expect(instance.subnet_id).toBe(ref("aws_subnet.network_public_0", "id"));
    expect(instance.associate_public_ip_address).toBe(true);
    expect(instance.key_name).toBe(ref("aws_key_pair.bastion", "key_name"));
    expect(resource(ssh, "aws_key_pair", "bastion").public_key).toMatch(/^ssh-ed25519 /);
    const finding = checkStack(sshStack).findings.find((f) => f.ruleId === "EC2.NO_PUBLIC_IP" && f.address === "aws_instance.bastion");
    expect(finding).toMatchObject({ status: "suppressed", reason: expect.stringMatching(/bastion\.sshIngressCidrs/) });
  });

  test("without private subnets an SSM-only bastion sits in a public subnet with an address, still with no ingress", () => {
    const { json } = synthBastion({}, { privateSubnets: false });
    expect(resource(json, "aws_instance", "bastion")).toMatchObject({ subnet_id: ref("aws_subnet.network_public_0", "id"), associate_public_ip_address: true });
  });

  test("IMDSv2, encrypted gp3 root volume with the environment key, current AL2023 image of the type's architecture, AMI ignored after launch", () => {
    const instance = resource(ssmOnly, "aws_instance", "bastion");
    expect(instance.metadata_options).toEqual({ http_endpoint: "enabled", http_tokens: "required", http_put_response_hop_limit: 1, instance_metadata_tags: "enabled" });
    expect(instance.root_block_device).toEqual({ volume_type: "gp3", volume_size: 8, encrypted: true, kms_key_id: ref("aws_kms_key.environment_key", "arn"), delete_on_termination: true });
    // Read from AWS's public parameter, not `resolve:ssm:` in `ami`: with a root block device the provider
    // looks the image up with DescribeImages, which refuses the alias (InvalidAMIID.Malformed).
    expect(data(ssmOnly, "aws_ssm_parameter", "bastion_image").name).toBe("/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64");
    expect(instance.ami).toBe(ref("data.aws_ssm_parameter.bastion_image", "insecure_value"));
    expect(instance.lifecycle).toEqual({ ignore_changes: ["ami"] });
    expect(data(synthBastion({ instanceType: "t3.micro" }).json, "aws_ssm_parameter", "bastion_image").name).toMatch(/x86_64$/);
  });

  test("allowTo: egress from the bastion and ingress on the target, both naming the other group, on the port only", () => {
    expect(resource(ssmOnly, "aws_vpc_security_group_egress_rule", "network_bastion_db_to_network_database")).toMatchObject({
      security_group_id: ref("aws_security_group.network_bastion", "id"),
      referenced_security_group_id: ref("aws_security_group.network_database", "id"),
      from_port: 5432,
      to_port: 5432,
    });
    expect(resource(ssmOnly, "aws_vpc_security_group_ingress_rule", "network_database_db_from_network_bastion")).toMatchObject({
      security_group_id: ref("aws_security_group.network_database", "id"),
      referenced_security_group_id: ref("aws_security_group.network_bastion", "id"),
      from_port: 5432,
    });
  });

  test("the policy pack has no unsuppressed failure on either bastion", () => {
    expect(checkStack(sshStack).failures).toEqual([]);
    expect(checkStack(ssmStack).failures).toEqual([]);
  });

  test("refused: no way in (no CIDRs and no SSM), SSH from the whole internet", () => {
    expect(() => synthBastion({ ssm: false })).toThrow(/sshIngressCidrs is empty and ssm is false; allowed: at least one CIDR, or ssm: true/);
    expect(() => synthBastion({ sshIngressCidrs: ["0.0.0.0/0"] })).toThrow(/sshIngressCidrs has 0\.0\.0\.0\/0; allowed: specific CIDRs only/);
    expect(() => synthBastion({ sshIngressCidrs: ["::/0"] })).toThrow(/sshIngressCidrs has ::\/0/);
  });
});

function synthDatabase(props: Partial<DatabaseProps> = {}): Synth {
  const { stack, key, network } = networkStack();
  const db = new Database(stack, "database", {
    namePrefix: "app-test",
    engine: "postgres",
    engineVersion: "16",
    instanceClass: "db.t4g.medium",
    subnetIds: network.dataSubnetIds,
    securityGroup: network.databaseSecurityGroup!,
    port: 5432,
    encryptionKey: key,
    ...props,
  });
  const role = new Role(stack, "app-role", { roleName: "app", description: "app", assumedBy: { type: "Service", identifiers: ["ec2.amazonaws.com"] } });
  db.grantConnect(role, "app_user");
  return synthStack(stack);
}

describe("Database", () => {
  const pg = synthDatabase();
  const instance = resource(pg, "aws_db_instance", "database");

  test("encrypted with the environment key, never public, master password kept by RDS in Secrets Manager with the same key", () => {
    expect(instance).toMatchObject({
      storage_encrypted: true,
      kms_key_id: ref("aws_kms_key.environment_key", "arn"),
      publicly_accessible: false,
      manage_master_user_password: true,
      master_user_secret_kms_key_id: ref("aws_kms_key.environment_key", "arn"),
      username: "dbadmin",
    });
    expect(instance.password).toBeUndefined();
  });

  test("in the data subnets behind the network's database group, on the network's database port", () => {
    expect(resource(pg, "aws_db_subnet_group", "database").subnet_ids).toEqual([ref("aws_subnet.network_data_0", "id"), ref("aws_subnet.network_data_1", "id")]);
    expect(instance.db_subnet_group_name).toBe(ref("aws_db_subnet_group.database", "name"));
    expect(instance.vpc_security_group_ids).toEqual([ref("aws_security_group.network_database", "id")]);
    expect(instance.port).toBe(5432);
  });

  test("protected by default: deletion protection, a final snapshot, Multi-AZ, automated backups kept", () => {
    expect(instance).toMatchObject({
      deletion_protection: true,
      skip_final_snapshot: false,
      final_snapshot_identifier: "app-test-db-final",
      multi_az: true,
      delete_automated_backups: false,
      backup_retention_period: 7,
      copy_tags_to_snapshot: true,
    });
  });

  test("without protection: destroyable, no final snapshot, single-AZ unless asked", () => {
    const open = resource(synthDatabase({ protection: false }), "aws_db_instance", "database");
    expect(open).toMatchObject({ deletion_protection: false, skip_final_snapshot: true, multi_az: false, delete_automated_backups: true });
    expect(open.final_snapshot_identifier).toBeUndefined();
    expect(resource(synthDatabase({ protection: false, multiAz: true }), "aws_db_instance", "database").multi_az).toBe(true);
  });

  test("PostgreSQL: parameter group of the major's family that forces TLS, replaced before destroy", () => {
    expect(resource(pg, "aws_db_parameter_group", "database")).toMatchObject({
      family: "postgres16",
      name_prefix: "app-test-db-postgres16-",
      parameter: [{ name: "rds.force_ssl", value: "1" }],
      lifecycle: { create_before_destroy: true },
    });
    expect(instance.parameter_group_name).toBe(ref("aws_db_parameter_group.database", "name"));
  });

  test("MySQL: require_secure_transport, the mysql8.0 family, error and slow query logs", () => {
    const json = synthDatabase({ engine: "mysql", engineVersion: "8.0.39", port: 3306 });
    expect(resource(json, "aws_db_parameter_group", "database")).toMatchObject({ family: "mysql8.0", parameter: [{ name: "require_secure_transport", value: "1" }] });
    expect(resource(json, "aws_db_instance", "database")).toMatchObject({ engine: "mysql", engine_version: "8.0.39", port: 3306, enabled_cloudwatch_logs_exports: ["error", "slowquery"] });
    expect(Object.keys(resourcesOfType(json, "aws_cloudwatch_log_group")).sort()).toEqual(["database_error_logs", "database_slowquery_logs"]);
  });

  test("engine logs go to log groups created first, with retention and the environment key", () => {
    expect(instance.enabled_cloudwatch_logs_exports).toEqual(["postgresql", "upgrade"]);
    expect(resource(pg, "aws_cloudwatch_log_group", "database_postgresql_logs")).toEqual({
      name: "/aws/rds/instance/app-test-db/postgresql",
      retention_in_days: 30,
      kms_key_id: ref("aws_kms_key.environment_key", "arn"),
    });
    expect(instance.depends_on).toEqual(["aws_cloudwatch_log_group.database_postgresql_logs", "aws_cloudwatch_log_group.database_upgrade_logs"]);
  });

  test("Performance Insights with the environment key; enhanced monitoring through a role only RDS monitoring may assume", () => {
    expect(instance).toMatchObject({
      performance_insights_enabled: true,
      performance_insights_kms_key_id: ref("aws_kms_key.environment_key", "arn"),
      performance_insights_retention_period: 7,
      monitoring_interval: 60,
      monitoring_role_arn: ref("aws_iam_role.database_monitoring_role", "arn"),
      auto_minor_version_upgrade: true,
      allow_major_version_upgrade: false,
    });
    expect(statements(pg, "database_monitoring_role_trust")[0].principals).toEqual([{ type: "Service", identifiers: ["monitoring.rds.amazonaws.com"] }]);
    expect(resource(pg, "aws_iam_role_policy_attachment", "database_monitoring_role_amazon_rds_enhanced_monitoring_role").policy_arn).toBe(
      "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole",
    );
    const off = synthDatabase({ monitoringIntervalSeconds: 0, performanceInsights: false });
    expect(resource(off, "aws_db_instance", "database")).toMatchObject({ monitoring_interval: 0, performance_insights_enabled: false });
    expect(resource(off, "aws_db_instance", "database").monitoring_role_arn).toBeUndefined();
    expect(off.resource.aws_iam_role.database_monitoring_role).toBeUndefined();
  });

  test("grantConnect: rds-db:connect for one database user of this instance only", () => {
    expect(statements(pg, "app_role_policy")).toContainEqual(
      expect.objectContaining({ actions: ["rds-db:connect"], resources: ["arn:aws:rds-db:eu-west-1:123456789012:dbuser:${aws_db_instance.database.resource_id}/app_user"] }),
    );
  });

  test("refused: one subnet, storage autoscaling limit not above the initial size", () => {
    expect(() => synthDatabase({ subnetIds: ["subnet-a"] })).toThrow(/subnetIds has 1 subnet\(s\); allowed: at least 2/);
    expect(() => synthDatabase({ allocatedStorageGiB: 100, maxAllocatedStorageGiB: 100 })).toThrow(/maxAllocatedStorageGiB 100; allowed: more than allocatedStorageGiB \(100\)/);
  });
});

function synthSite(props: Partial<StaticSiteProps> = {}): { json: Synth; stack: TerraformStack } {
  const { stack } = bareStack();
  const site = new StaticSite(stack, "frontend", { namePrefix: "app-test", ...props });
  const deployer = new Role(stack, "deployer", { roleName: "deployer", description: "d", assumedBy: { type: "Service", identifiers: ["codebuild.amazonaws.com"] } });
  site.grantDeploy(deployer);
  return { json: synthStack(stack), stack };
}

describe("StaticSite", () => {
  const { json, stack } = synthSite();
  const distribution = resource(json, "aws_cloudfront_distribution", "frontend_cdn_distribution");

  test("origin access control: S3, signs every request with SigV4", () => {
    expect(resource(json, "aws_cloudfront_origin_access_control", "frontend")).toEqual({
      name: "app-test-site",
      description: "CloudFront reads the site bucket of app-test",
      origin_access_control_origin_type: "s3",
      signing_behavior: "always",
      signing_protocol: "sigv4",
    });
    expect(distribution.origin).toEqual([
      { origin_id: "site-bucket", domain_name: ref("aws_s3_bucket.frontend_bucket", "bucket_regional_domain_name"), origin_access_control_id: ref("aws_cloudfront_origin_access_control.frontend", "id") },
    ]);
  });

  test("bucket policy: CloudFront may get objects only for this distribution (AWS:SourceArn), besides the TLS-only deny", () => {
    const policy = statements(json, "frontend_bucket_policy");
    expect(policy.map((s) => s.sid)).toEqual(["DenyInsecureTransport", "CloudFrontReadsThroughOriginAccessControl"]);
    expect(policy[1]).toEqual({
      sid: "CloudFrontReadsThroughOriginAccessControl",
      effect: "Allow",
      actions: ["s3:GetObject"],
      resources: ["${aws_s3_bucket.frontend_bucket.arn}/*"],
      principals: [{ type: "Service", identifiers: ["cloudfront.amazonaws.com"] }],
      condition: [{ test: "StringEquals", variable: "AWS:SourceArn", values: [ref("aws_cloudfront_distribution.frontend_cdn_distribution", "arn")] }],
    });
  });

  test("a private bucket with SSE-S3 (site files are public once served), versioned, old versions expire", () => {
    expect(resource(json, "aws_s3_bucket_server_side_encryption_configuration", "frontend_bucket").rule).toEqual([{ apply_server_side_encryption_by_default: { sse_algorithm: "AES256" } }]);
    expect(resource(json, "aws_s3_bucket_public_access_block", "frontend_bucket")).toMatchObject({ block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true });
    expect(resource(json, "aws_s3_bucket", "frontend_bucket")).toEqual({ bucket_prefix: "app-test-site-", force_destroy: false });
    expect(resource(json, "aws_s3_bucket_lifecycle_configuration", "frontend_bucket").rule[0]).toMatchObject({ id: "old-versions-and-uploads", noncurrent_version_expiration: [{ noncurrent_days: 30 }] });
  });

  test("single-page application: index.html at / and for 403/404 with 200; static caching, security headers, HTTPS", () => {
    expect(distribution.default_root_object).toBe("index.html");
    expect(distribution.custom_error_response).toEqual([
      { error_code: 403, response_code: 200, response_page_path: "/index.html", error_caching_min_ttl: 10 },
      { error_code: 404, response_code: 200, response_page_path: "/index.html", error_caching_min_ttl: 10 },
    ]);
    expect(distribution.default_cache_behavior).toEqual({
      target_origin_id: "site-bucket",
      viewer_protocol_policy: "redirect-to-https",
      compress: true,
      response_headers_policy_id: "67f7725c-6f97-4210-82d7-5512b31e9d03",
      allowed_methods: ["GET", "HEAD", "OPTIONS"],
      cached_methods: ["GET", "HEAD"],
      cache_policy_id: "658327ea-f89d-4fab-a63d-7e88639e58f6",
    });
    expect(distribution.viewer_certificate).toEqual({ cloudfront_default_certificate: true });
    expect(distribution.aliases).toBeUndefined();
    expect(json.resource.aws_route53_record).toBeUndefined();
  });

  test("custom domain: alias, TLS 1.2 certificate, A and AAAA alias records to the distribution", () => {
    const { json: custom } = synthSite({
      domainName: "app.example.com",
      certificateArn: "arn:aws:acm:us-east-1:111122223333:certificate/9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a",
      hostedZoneId: "Z0123456789ABCDEFGHIJ",
      priceClass: "PriceClass_All",
    });
    const d = resource(custom, "aws_cloudfront_distribution", "frontend_cdn_distribution");
    expect(d.aliases).toEqual(["app.example.com"]);
    expect(d.price_class).toBe("PriceClass_All");
    expect(d.viewer_certificate).toEqual({ acm_certificate_arn: "arn:aws:acm:us-east-1:111122223333:certificate/9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a", ssl_support_method: "sni-only", minimum_protocol_version: "TLSv1.2_2021" });
    for (const type of ["a", "aaaa"]) {
      expect(resource(custom, "aws_route53_record", `frontend_dns_${type}`)).toMatchObject({
        zone_id: "Z0123456789ABCDEFGHIJ",
        name: "app.example.com",
        type: type.toUpperCase(),
        alias: { name: ref("aws_cloudfront_distribution.frontend_cdn_distribution", "domain_name"), zone_id: ref("aws_cloudfront_distribution.frontend_cdn_distribution", "hosted_zone_id"), evaluate_target_health: false },
      });
    }
  });

  test("grantDeploy: write and delete site files, invalidate this distribution", () => {
    const policy = statements(json, "deployer_policy");
    expect(policy).toContainEqual(expect.objectContaining({ actions: ["s3:DeleteObject"], resources: ["${aws_s3_bucket.frontend_bucket.arn}/*"] }));
    expect(policy).toContainEqual(expect.objectContaining({ actions: ["cloudfront:CreateInvalidation"], resources: [ref("aws_cloudfront_distribution.frontend_cdn_distribution", "arn")] }));
  });

  test("the policy pack (S3.*, CLOUDFRONT.*) passes", () => {
    const report = checkStack(stack);
    expect(report.failures).toEqual([]);
    for (const rule of ["S3.PUBLIC_ACCESS_BLOCK", "S3.ENCRYPTION", "S3.VERSIONING", "S3.TLS_ONLY", "S3.LIFECYCLE", "CLOUDFRONT.VIEWER_HTTPS"]) {
      expect(report.summary.find((s) => s.ruleId === rule)).toMatchObject({ failed: 0, passed: expect.any(Number) });
      expect(report.summary.find((s) => s.ruleId === rule)!.passed).toBeGreaterThan(0);
    }
  });

  test("refused: a domain without certificate, a certificate outside us-east-1, a zone without a domain", () => {
    expect(() => synthSite({ domainName: "app.example.com" })).toThrow(/domainName app\.example\.com needs a certificateArn/);
    expect(() => synthSite({ domainName: "app.example.com", certificateArn: "arn:aws:acm:eu-west-1:111122223333:certificate/9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a" })).toThrow(
      /allowed: a certificate in us-east-1/,
    );
    expect(() => synthSite({ hostedZoneId: "Z0123456789ABCDEFGHIJ" })).toThrow(/hostedZoneId needs a domainName/);
  });
});

describe("CdnDistribution", () => {
  test("without an origin access control it stays the load balancer's distribution (custom origin, nothing cached, no SPA fallback)", () => {
    const { stack } = bareStack();
    new CdnDistribution(stack, "cdn", { comment: "c", originDomainName: "origin.example.com", originHttps: true });
    const d = resource(synthStack(stack), "aws_cloudfront_distribution", "cdn_distribution");
    expect(d.origin[0].custom_origin_config.origin_protocol_policy).toBe("https-only");
    expect(d.default_cache_behavior.cache_policy_id).toBe("4135ea2d-6df8-44a3-9df3-4b5a84be39ad");
    expect(d.default_cache_behavior.origin_request_policy_id).toBe("b689b0a8-53d0-40ab-baf2-68738e2966ac");
    expect(d.default_cache_behavior.response_headers_policy_id).toBeUndefined();
    expect(d.custom_error_response).toBeUndefined();
    expect(d.default_root_object).toBeUndefined();
  });
});

describe("CodedeployAgentAssociation", () => {
  test("AWS-ConfigureAWSPackage installs AWSCodeDeployAgent on the tagged fleet, weekly and on new instances", () => {
    const { stack } = bareStack();
    new CodedeployAgentAssociation(stack, "codedeploy-agent", { namePrefix: "app-test", targetTag: { key: "app:fleet", value: "app-test" } });
    expect(resource(synthStack(stack), "aws_ssm_association", "codedeploy_agent")).toEqual({
      name: "AWS-ConfigureAWSPackage",
      association_name: "app-test-codedeploy-agent",
      parameters: { action: "Install", name: "AWSCodeDeployAgent", installationType: "Uninstall and reinstall" },
      targets: [{ key: "tag:app:fleet", values: ["app-test"] }],
      schedule_expression: "cron(0 3 ? * SUN *)",
      apply_only_at_cron_interval: false,
      compliance_severity: "HIGH",
      max_concurrency: "50%",
      max_errors: "25%",
    });
  });
});

describe("EnvironmentStack access and data options", () => {
  const OPTION_ADDRESS = /aws_instance\.|aws_db_|aws_ssm_association|origin_access_control|frontend|bastion|database_|aws_key_pair/;

  test("all off by default: none of their resources or outputs", () => {
    const json = synthEnv();
    expect(addressesOf(json).filter((a) => OPTION_ADDRESS.test(a))).toEqual([]);
    expect(Object.keys(json.output).filter((o) => /bastion|database|frontend/.test(o))).toEqual([]);
  });

  const example = synthConfig(loadConfigFile(path.join(root, "config/examples/bastion-rds-frontend.yaml")));

  test("the bastion's root volume carries the environment's tags (default tags do not reach volume_tags)", () => {
    expect(resource(example.staging, "aws_instance", "bastion").volume_tags).toEqual({ application: "portal", environment: "staging", "managed-by": "cdktf", Name: "portal-staging-bastion" });
  });

  test("Multi-AZ, deletion protection and the final snapshot follow the environment's protection flag", () => {
    expect(resource(example.staging, "aws_db_instance", "database")).toMatchObject({ multi_az: false, deletion_protection: false, skip_final_snapshot: true });
    expect(resource(example.production, "aws_db_instance", "database")).toMatchObject({ multi_az: true, deletion_protection: true, skip_final_snapshot: false });
    const overridden = synthEnv({
      environments: { qa: { protection: false, network: { cidr: "10.10.0.0/16", dataSubnets: true }, database: { enabled: true, multiAz: true } } },
    });
    expect(resource(overridden, "aws_db_instance", "database").multi_az).toBe(true);
  });

  test("the database listens on network.databasePort; MySQL gets its default version and family", () => {
    const json = synthEnv({ environments: { qa: { network: { cidr: "10.10.0.0/16", dataSubnets: true, databasePort: 3306 }, database: { enabled: true, engine: "mysql" } } } });
    expect(resource(json, "aws_db_instance", "database")).toMatchObject({ port: 3306, engine_version: "8.0" });
    expect(resource(json, "aws_db_parameter_group", "database").family).toBe("mysql8.0");
    expect(resource(json, "aws_vpc_security_group_ingress_rule", "network_database_db_from_network_instances").from_port).toBe(3306);
  });

  test("release parameters and outputs: endpoint, port, database name; the master secret only as an output", () => {
    const json = example.staging;
    expect(resource(json, "aws_ssm_parameter", "release_parameters_database_host")).toMatchObject({ name: "/portal/staging/release/database-host", value: ref("aws_db_instance.database", "address") });
    expect(resource(json, "aws_ssm_parameter", "release_parameters_database_port").value).toBe("5432");
    expect(resource(json, "aws_ssm_parameter", "release_parameters_database_name").value).toBe("portal");
    expect(json.output.database_master_secret_arn.value).toBe("${aws_db_instance.database.master_user_secret[0].secret_arn}");
    const fleetPolicy = JSON.stringify(data(json, "aws_iam_policy_document", "fleet_role_policy"));
    expect(fleetPolicy).not.toContain("secretsmanager");
    expect(statements(json, "fleet_role_policy")).toContainEqual(
      expect.objectContaining({ actions: ["rds-db:connect"], resources: ["arn:aws:rds-db:eu-west-1:${data.aws_caller_identity.current.account_id}:dbuser:${aws_db_instance.database.resource_id}/portal_app"] }),
    );
  });

  test("bastion: SSH to the fleet only with bastion.sshToFleet; database access whenever both exist", () => {
    expect(resource(example.staging, "aws_vpc_security_group_ingress_rule", "network_instances_ssh_from_network_bastion")).toMatchObject({
      security_group_id: ref("aws_security_group.network_instances", "id"),
      referenced_security_group_id: ref("aws_security_group.network_bastion", "id"),
      from_port: 22,
    });
    expect(example.production.resource.aws_vpc_security_group_ingress_rule.network_instances_ssh_from_network_bastion).toBeUndefined();
    for (const env of ["staging", "production"]) expect(resource(example[env], "aws_vpc_security_group_ingress_rule", "network_database_db_from_network_bastion").from_port).toBe(5432);
    expect(Object.keys(example.production.output)).toContain("bastion_instance_id");
    expect(Object.keys(example.production.output)).not.toContain("bastion_public_ip");
    expect(example.staging.output.bastion_public_ip.value).toBe(ref("aws_instance.bastion", "public_ip"));
  });

  test("the CodeDeploy agent association targets the fleet's tag", () => {
    const association = resource(example.production, "aws_ssm_association", "codedeploy_agent");
    expect(association.targets).toEqual([{ key: "tag:app:fleet", values: ["portal-production"] }]);
    expect(resource(example.production, "aws_autoscaling_group", "fleet_asg").tag).toContainEqual({ key: "app:fleet", value: "portal-production", propagate_at_launch: true });
    expect(addressesOf(example.production).filter((a) => a.startsWith("aws_imagebuilder_component."))).not.toContain("aws_imagebuilder_component.golden_ami_codedeploy_agent");
  });

  test("front end outputs; the custom domain only where configured; force_destroy follows protection", () => {
    expect(example.production.output.frontend_url.value).toBe("https://app.portal.example.com");
    expect(example.staging.output.frontend_url.value).toBe(`https://${ref("aws_cloudfront_distribution.frontend_cdn_distribution", "domain_name")}`);
    expect(example.staging.resource.aws_route53_record).toBeUndefined();
    expect(resource(example.staging, "aws_s3_bucket", "frontend_bucket").force_destroy).toBe(true);
    expect(resource(example.production, "aws_s3_bucket", "frontend_bucket").force_destroy).toBe(false);
    for (const output of ["frontend_bucket_name", "frontend_distribution_id", "frontend_domain_name"]) expect(example.production.output[output].description).toMatch(/\w+/);
  });
});
