import { AutoscalingGroup } from "@cdktf/provider-aws/lib/autoscaling-group";
import { CloudfrontDistribution, CloudfrontDistributionConfig } from "@cdktf/provider-aws/lib/cloudfront-distribution";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { CodebuildProject, CodebuildProjectConfig } from "@cdktf/provider-aws/lib/codebuild-project";
import { CodedeployDeploymentGroup, CodedeployDeploymentGroupConfig } from "@cdktf/provider-aws/lib/codedeploy-deployment-group";
import { DbInstance, DbInstanceConfig } from "@cdktf/provider-aws/lib/db-instance";
import { EbsEncryptionByDefault } from "@cdktf/provider-aws/lib/ebs-encryption-by-default";
import { EbsVolume } from "@cdktf/provider-aws/lib/ebs-volume";
import { EcrLifecyclePolicy } from "@cdktf/provider-aws/lib/ecr-lifecycle-policy";
import { EcrRepository, EcrRepositoryConfig } from "@cdktf/provider-aws/lib/ecr-repository";
import { EcsCapacityProvider } from "@cdktf/provider-aws/lib/ecs-capacity-provider";
import { EcsCluster, EcsClusterConfigurationExecuteCommandConfiguration } from "@cdktf/provider-aws/lib/ecs-cluster";
import { EcsService, EcsServiceConfig } from "@cdktf/provider-aws/lib/ecs-service";
import { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { Instance } from "@cdktf/provider-aws/lib/instance";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { LbListenerRule } from "@cdktf/provider-aws/lib/lb-listener-rule";
import { RdsClusterInstance } from "@cdktf/provider-aws/lib/rds-cluster-instance";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { SecurityGroupRule } from "@cdktf/provider-aws/lib/security-group-rule";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Wafv2WebAcl } from "@cdktf/provider-aws/lib/wafv2-web-acl";
import { Wafv2WebAclLoggingConfiguration, Wafv2WebAclLoggingConfigurationConfig } from "@cdktf/provider-aws/lib/wafv2-web-acl-logging-configuration";
import { Fn, TerraformStack } from "cdktf";
import { Bucket } from "../../constructs/bucket";
import { RULES, userDataText, SECRET_PATTERNS } from "../../policy";
import {
  Build,
  CERTIFICATE,
  document,
  evaluated,
  fleet,
  launchTemplate,
  listener,
  loadBalancer,
  REDIRECT_TO_HTTPS,
  role,
  SECURE_METADATA,
  targetGroup,
  verdict,
} from "./fixtures";

interface RuleCase {
  /** Address of the resource the verdict is about. */
  readonly subject: string;
  /** Stacks on which the subject complies. */
  readonly pass: readonly Build[];
  /** Stacks on which it fails, with the problem the message must name. */
  readonly fail: ReadonlyArray<readonly [Build, RegExp]>;
}

const base64 = (text: string) => Buffer.from(text).toString("base64");
const ingress = (stack: TerraformStack, config: Partial<ConstructorParameters<typeof VpcSecurityGroupIngressRule>[2]>) => {
  const group = new SecurityGroup(stack, "sg", { description: "test group" });
  new VpcSecurityGroupIngressRule(stack, "rule", { securityGroupId: group.id, description: "test rule", ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0", ...config });
};
const repository = (stack: TerraformStack, overrides: Partial<EcrRepositoryConfig> = {}, lifecycle = true) => {
  const repo = new EcrRepository(stack, "repo", { name: "app", imageTagMutability: "IMMUTABLE", imageScanningConfiguration: { scanOnPush: true }, ...overrides });
  const rules = [{ rulePriority: 1, description: "untagged", selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 7 }, action: { type: "expire" } }];
  if (lifecycle) new EcrLifecyclePolicy(stack, "repo_lifecycle", { repository: repo.name, policy: JSON.stringify({ rules }) });
};
const compliantBucket = (stack: TerraformStack) => new Bucket(stack, "b", { bucketPrefix: "app-", lifecycleRules: [{ id: "expire", expirationDays: 30 }] });
const rawBucket = (stack: TerraformStack) => new S3Bucket(stack, "b", { bucketPrefix: "app-" });
const distribution = (stack: TerraformStack, overrides: Partial<CloudfrontDistributionConfig> = {}) =>
  new CloudfrontDistribution(stack, "cdn", {
    enabled: true,
    origin: [{ domainName: "origin.example.com", originId: "alb" }],
    defaultCacheBehavior: { allowedMethods: ["GET", "HEAD"], cachedMethods: ["GET", "HEAD"], targetOriginId: "alb", viewerProtocolPolicy: "redirect-to-https" },
    restrictions: { geoRestriction: { restrictionType: "none" } },
    viewerCertificate: { acmCertificateArn: CERTIFICATE, minimumProtocolVersion: "TLSv1.2_2021", sslSupportMethod: "sni-only" },
    ...overrides,
  });
const project = (stack: TerraformStack, overrides: Partial<CodebuildProjectConfig> = {}, serviceRole = "arn:aws:iam::123456789012:role/build") =>
  new CodebuildProject(stack, "build", {
    name: "app",
    serviceRole,
    artifacts: { type: "S3", location: "artifacts" },
    environment: { computeType: "BUILD_GENERAL1_SMALL", image: "aws/codebuild/amazonlinux2-x86_64-standard:5.0", type: "LINUX_CONTAINER" },
    source: { type: "NO_SOURCE", buildspec: "version: 0.2\nphases:\n  build:\n    commands:\n      - npm ci\n" },
    logsConfig: { cloudwatchLogs: { groupName: "/codebuild/app" } },
    ...overrides,
  });
const ROLLBACK = { enabled: true, events: ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"] };
const deploymentGroup = (stack: TerraformStack, overrides: Partial<CodedeployDeploymentGroupConfig> = {}) =>
  new CodedeployDeploymentGroup(stack, "dg", {
    appName: "app",
    deploymentGroupName: "app",
    serviceRoleArn: "arn:aws:iam::123456789012:role/deploy",
    autoRollbackConfiguration: ROLLBACK,
    deploymentStyle: { deploymentType: "BLUE_GREEN", deploymentOption: "WITH_TRAFFIC_CONTROL" },
    blueGreenDeploymentConfig: { terminateBlueInstancesOnDeploymentSuccess: { action: "TERMINATE", terminationWaitTimeInMinutes: 60 } },
    ...overrides,
  });
const alarm = (stack: TerraformStack) =>
  new CloudwatchMetricAlarm(stack, "errors", { alarmName: "app-5xx", comparisonOperator: "GreaterThanThreshold", evaluationPeriods: 1, metricName: "HTTPCode_Target_5XX_Count", namespace: "AWS/ApplicationELB", period: 60, statistic: "Sum", threshold: 5 });
const database = (stack: TerraformStack, overrides: Partial<DbInstanceConfig> = {}) =>
  new DbInstance(stack, "db", { instanceClass: "db.t4g.micro", engine: "postgres", allocatedStorage: 20, storageEncrypted: true, deletionProtection: true, ...overrides });
const containers = (definitions: unknown[]) => JSON.stringify(definitions);
const taskDefinition = (stack: TerraformStack, definitions: string, roles: { task?: string; execution?: string } = {}) =>
  new EcsTaskDefinition(stack, "task", { family: "app", containerDefinitions: definitions, taskRoleArn: roles.task, executionRoleArn: roles.execution });

const CASES: Record<string, RuleCase> = {
  "S3.PUBLIC_ACCESS_BLOCK": {
    subject: "aws_s3_bucket.b",
    pass: [compliantBucket],
    fail: [
      [rawBucket, /no aws_s3_bucket_public_access_block refers to this bucket/],
      [
        (s) => new S3BucketPublicAccessBlock(s, "pab", { bucket: rawBucket(s).id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: false }),
        /aws_s3_bucket_public_access_block\.pab: restrict_public_buckets is false/,
      ],
    ],
  },
  "S3.ENCRYPTION": { subject: "aws_s3_bucket.b", pass: [compliantBucket], fail: [[rawBucket, /no aws_s3_bucket_server_side_encryption_configuration/]] },
  "S3.VERSIONING": {
    subject: "aws_s3_bucket.b",
    pass: [compliantBucket],
    fail: [
      [rawBucket, /no aws_s3_bucket_versioning/],
      [(s) => new S3BucketVersioningA(s, "v", { bucket: rawBucket(s).id, versioningConfiguration: { status: "Suspended" } }), /status is "Suspended"/],
    ],
  },
  "S3.TLS_ONLY": {
    subject: "aws_s3_bucket.b",
    pass: [compliantBucket],
    fail: [
      [rawBucket, /no aws_s3_bucket_policy/],
      [
        (s) => {
          const b = rawBucket(s);
          const doc = document(s, "doc", [
            { effect: "Deny", actions: ["s3:*"], resources: [`${b.arn}/*`], principals: [{ type: "*", identifiers: ["*"] }], condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }] },
          ]);
          new S3BucketPolicy(s, "p", { bucket: b.id, policy: doc.json });
        },
        /covers both the bucket ARN and its objects/,
      ],
    ],
  },
  "S3.LIFECYCLE": {
    subject: "aws_s3_bucket.b",
    pass: [compliantBucket],
    fail: [
      [rawBucket, /no aws_s3_bucket_lifecycle_configuration/],
      [(s) => new S3BucketLifecycleConfiguration(s, "l", { bucket: rawBucket(s).id, rule: [{ id: "off", status: "Disabled", expiration: [{ days: 1 }] }] }), /no rule with status Enabled/],
    ],
  },
  "ECR.SCAN_ON_PUSH": { subject: "aws_ecr_repository.repo", pass: [(s) => repository(s)], fail: [[(s) => repository(s, { imageScanningConfiguration: { scanOnPush: false } }), /scan_on_push is false/]] },
  "ECR.IMMUTABLE_TAGS": {
    subject: "aws_ecr_repository.repo",
    pass: [(s) => repository(s)],
    fail: [
      [(s) => repository(s, { imageTagMutability: "MUTABLE" }), /image_tag_mutability is "MUTABLE"/],
      [(s) => repository(s, { imageTagMutability: undefined }), /not set \(MUTABLE by default\)/],
    ],
  },
  "ECR.LIFECYCLE_POLICY": { subject: "aws_ecr_repository.repo", pass: [(s) => repository(s)], fail: [[(s) => repository(s, {}, false), /no aws_ecr_lifecycle_policy/]] },
  "EC2.IMDSV2": {
    subject: "aws_launch_template.lt",
    pass: [(s) => launchTemplate(s), (s) => launchTemplate(s, { metadataOptions: { httpEndpoint: "disabled" } })],
    fail: [
      [(s) => launchTemplate(s, { metadataOptions: { httpTokens: "optional" } }), /http_tokens is "optional"/],
      [(s) => launchTemplate(s, { metadataOptions: undefined }), /http_tokens is not set/],
    ],
  },
  "EC2.IMDS_HOP_LIMIT": {
    subject: "aws_launch_template.lt",
    pass: [
      (s) => launchTemplate(s),
      (s) => launchTemplate(s, { metadataOptions: { ...SECURE_METADATA, httpPutResponseHopLimit: 2 }, userData: base64("#!/bin/bash\nsystemctl enable --now docker\n") }),
    ],
    fail: [
      [(s) => launchTemplate(s, { metadataOptions: { ...SECURE_METADATA, httpPutResponseHopLimit: 2 }, userData: base64("#!/bin/bash\nsystemctl start nginx\n") }), /is 2, but nothing shows containers run here/],
      [(s) => launchTemplate(s, { metadataOptions: { ...SECURE_METADATA, httpPutResponseHopLimit: 3 }, userData: base64("docker run app") }), /is 3; at most 2/],
    ],
  },
  "EC2.EBS_ENCRYPTED": {
    subject: "aws_launch_template.lt",
    pass: [(s) => launchTemplate(s), (s) => {
        new EbsEncryptionByDefault(s, "default", { enabled: true });
        launchTemplate(s, { blockDeviceMappings: undefined });
      }],
    fail: [
      [(s) => launchTemplate(s, { blockDeviceMappings: undefined }), /root volume's encryption follows the AMI/],
      [(s) => launchTemplate(s, { blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { volumeSize: 20 } }] }), /"\/dev\/xvda": ebs\.encrypted is not set/],
    ],
  },
  "EC2.NO_PUBLIC_IP": {
    subject: "aws_launch_template.lt",
    pass: [(s) => launchTemplate(s), (s) => fleet(s, { group: { vpcZoneIdentifier: [new Subnet(s, "private", { vpcId: "vpc-1", cidrBlock: "10.0.0.0/24" }).id] } })],
    fail: [
      [(s) => launchTemplate(s, { networkInterfaces: [{ associatePublicIpAddress: "true" }] }), /network_interfaces\[0\]\.associate_public_ip_address is true/],
      [
        (s) => fleet(s, { group: { vpcZoneIdentifier: [new Subnet(s, "public", { vpcId: "vpc-1", cidrBlock: "10.0.0.0/24", mapPublicIpOnLaunch: true }).id] } }),
        /launch in aws_subnet\.public, which has map_public_ip_on_launch = true/,
      ],
    ],
  },
  "EC2.USER_DATA_SECRETS": {
    subject: "aws_launch_template.lt",
    pass: [(s) => launchTemplate(s, { userData: base64("#!/bin/bash\nDB_PASSWORD=$(aws ssm get-parameter --name /app/db --with-decryption --query Parameter.Value --output text)\n") })],
    fail: [
      [(s) => launchTemplate(s, { userData: base64("export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n") }), /looks like an AWS access key id/],
      [(s) => launchTemplate(s, { userData: base64("DB_PASSWORD=correct-horse-battery\n") }), /looks like a password, secret, token or API key/],
    ],
  },
  "ASG.LAUNCH_TEMPLATE": {
    subject: "aws_autoscaling_group.asg",
    pass: [(s) => fleet(s)],
    fail: [
      [(s) => new AutoscalingGroup(s, "asg", { minSize: 1, maxSize: 2, launchConfiguration: "legacy" }), /launch_configuration is "legacy"/],
      [(s) => new AutoscalingGroup(s, "asg", { minSize: 1, maxSize: 2 }), /neither launch_template nor mixed_instances_policy/],
    ],
  },
  "ASG.ELB_HEALTH_CHECK": {
    subject: "aws_autoscaling_group.asg",
    pass: [(s) => fleet(s)],
    fail: [
      [(s) => fleet(s, { group: { healthCheckType: "EC2" } }), /health_check_type is "EC2"/],
      [(s) => fleet(s, { group: { healthCheckType: undefined } }), /not set \(EC2 by default\)/],
    ],
  },
  "ASG.IGNORE_DESIRED_CAPACITY": {
    subject: "aws_autoscaling_group.asg",
    pass: [(s) => fleet(s, { group: { desiredCapacity: 2, lifecycle: { ignoreChanges: ["desired_capacity"] } } })],
    fail: [[(s) => fleet(s, { group: { desiredCapacity: 2 } }), /lifecycle\.ignore_changes is not set/]],
  },
  "ASG.INSTANCE_REFRESH_ALARMS": {
    subject: "aws_autoscaling_group.asg",
    pass: [
      (s) => {
        const f = fleet(s, { group: { instanceRefresh: { strategy: "Rolling", preferences: { alarmSpecification: { alarms: ["app-target-5xx"] } } } } });
        f.asg.putLaunchTemplate({ id: f.lt.id, version: f.lt.latestVersion.toString() });
      },
    ],
    fail: [
      [(s) => fleet(s, { group: { instanceRefresh: { strategy: "Rolling", preferences: { alarmSpecification: { alarms: ["app-target-5xx"] } } } } }), /the launch template version is "\$Latest"/],
      [
        (s) => {
          const f = fleet(s, { group: { instanceRefresh: { strategy: "Rolling", preferences: { minHealthyPercentage: 90 } } } });
          f.asg.putLaunchTemplate({ id: f.lt.id, version: f.lt.latestVersion.toString() });
        },
        /alarm_specification\.alarms is not set/,
      ],
    ],
  },
  "ALB.DROP_INVALID_HEADERS": { subject: "aws_lb.alb", pass: [(s) => loadBalancer(s)], fail: [[(s) => loadBalancer(s, { dropInvalidHeaderFields: false }), /drop_invalid_header_fields is false/]] },
  "ALB.ACCESS_LOGS": {
    subject: "aws_lb.alb",
    pass: [(s) => loadBalancer(s)],
    fail: [
      [(s) => loadBalancer(s, { accessLogs: { bucket: "access-logs", enabled: false } }), /access_logs is/],
      [(s) => loadBalancer(s, { accessLogs: undefined }), /access_logs is not set/],
    ],
  },
  "ALB.DELETION_PROTECTION": { subject: "aws_lb.alb", pass: [(s) => loadBalancer(s)], fail: [[(s) => loadBalancer(s, { enableDeletionProtection: undefined }), /enable_deletion_protection is not set/]] },
  "ALB.TLS_POLICY": {
    subject: "aws_lb_listener.https",
    pass: [(s) => listener(s, "https", loadBalancer(s).lb, { protocol: "HTTPS", certificateArn: CERTIFICATE, sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06" })],
    fail: [
      [(s) => listener(s, "https", loadBalancer(s).lb, { protocol: "HTTPS", certificateArn: CERTIFICATE }), /ssl_policy is not set \(the provider uses ELBSecurityPolicy-2016-08/],
      [(s) => listener(s, "https", loadBalancer(s).lb, { protocol: "HTTPS", certificateArn: CERTIFICATE, sslPolicy: "ELBSecurityPolicy-TLS13-1-0-2021-06" }), /"ELBSecurityPolicy-TLS13-1-0-2021-06"/],
    ],
  },
  "ALB.HTTP_REDIRECTS_TO_HTTPS": {
    subject: "aws_lb_listener.http",
    pass: [
      (s) => {
        const { lb } = loadBalancer(s);
        listener(s, "https", lb, { protocol: "HTTPS", certificateArn: CERTIFICATE, sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06" });
        listener(s, "http", lb, { protocol: "HTTP", port: 80, defaultAction: REDIRECT_TO_HTTPS });
      },
    ],
    fail: [
      [
        (s) => {
          const { lb } = loadBalancer(s);
          listener(s, "https", lb, { protocol: "HTTPS", certificateArn: CERTIFICATE });
          listener(s, "http", lb, { protocol: "HTTP", port: 80, defaultAction: [{ type: "forward", targetGroupArn: targetGroup(s).arn }] });
        },
        /default_action\[0\]: action type is "forward"/,
      ],
      [
        (s) => {
          const { lb } = loadBalancer(s);
          listener(s, "https", lb, { protocol: "HTTPS", certificateArn: CERTIFICATE });
          const http = listener(s, "http", lb, { protocol: "HTTP", port: 80, defaultAction: REDIRECT_TO_HTTPS });
          new LbListenerRule(s, "host", { listenerArn: http.arn, action: [{ type: "forward", targetGroupArn: targetGroup(s).arn }], condition: [{ hostHeader: { values: ["app.example.com"] } }] });
        },
        /aws_lb_listener_rule\.host: action type is "forward"/,
      ],
    ],
  },
  "ALB.TARGET_GROUP_HEALTH_CHECK": {
    subject: "aws_lb_target_group.tg",
    pass: [(s) => targetGroup(s)],
    fail: [
      [(s) => targetGroup(s, { healthCheck: undefined }), /no health_check block/],
      [(s) => targetGroup(s, { healthCheck: { enabled: true } }), /health_check\.path is not set/],
    ],
  },
  "SG.WORLD_ADMIN_PORTS": {
    subject: "aws_vpc_security_group_ingress_rule.rule",
    pass: [(s) => ingress(s, {}), (s) => ingress(s, { fromPort: 22, toPort: 22, cidrIpv4: "203.0.113.0/24" })],
    fail: [
      [(s) => ingress(s, { fromPort: 22, toPort: 22 }), /ingress from 0\.0\.0\.0\/0 reaches port 22 \(SSH\)/],
      [(s) => ingress(s, { fromPort: 3000, toPort: 4000, cidrIpv4: undefined, cidrIpv6: "::/0" }), /ingress from ::\/0 reaches port 3389 \(RDP\)/],
    ],
  },
  "SG.WORLD_ALL_PORTS": {
    subject: "aws_vpc_security_group_ingress_rule.rule",
    pass: [(s) => ingress(s, {}), (s) => ingress(s, { ipProtocol: "-1", fromPort: undefined, toPort: undefined, cidrIpv4: "10.0.0.0/8" })],
    fail: [
      [(s) => ingress(s, { ipProtocol: "-1", fromPort: undefined, toPort: undefined }), /ingress from 0\.0\.0\.0\/0 on all ports/],
      [(s) => ingress(s, { fromPort: 0, toPort: 65535, cidrIpv4: undefined, cidrIpv6: "::/0" }), /ingress from ::\/0 on all ports/],
    ],
  },
  "SG.DESCRIPTIONS": {
    subject: "aws_vpc_security_group_ingress_rule.rule",
    pass: [(s) => ingress(s, {})],
    fail: [[(s) => ingress(s, { description: undefined }), /the ingress rule has no description/]],
  },
  "SG.FLEET_INGRESS_FROM_LB": {
    subject: "aws_vpc_security_group_ingress_rule.ingress_0",
    pass: [(s) => fleet(s)],
    fail: [
      [(s) => fleet(s, { ingress: () => [{ description: "ssh", ipProtocol: "tcp", fromPort: 22, toPort: 22, cidrIpv4: "10.0.0.0/8" }] }), /ingress from the CIDR block 10\.0\.0\.0\/8/],
      [(s) => fleet(s, { ingress: (_i, alb) => [{ description: "other", ipProtocol: "tcp", fromPort: 8080, toPort: 8080, referencedSecurityGroupId: alb.id }] }), /port 8080; allowed: port 3000/],
    ],
  },
  "IAM.NO_WILDCARD_ACTION": {
    subject: "aws_iam_role_policy.policy",
    pass: [(s) => role(s, { policy: [{ actions: ["s3:GetObject", "s3:Put*"], resources: ["arn:aws:s3:::bucket/*"] }] })],
    fail: [
      [(s) => role(s, { policy: [{ actions: ["*"], resources: ["*"] }] }), /data\.aws_iam_policy_document\.permissions statement 1: allows \*/],
      [(s) => role(s, { policy: [{ sid: "Everything", actions: ["s3:*"], resources: ["arn:aws:s3:::bucket/*"] }] }), /statement 1 \(Everything\): allows s3:\*/],
    ],
  },
  "IAM.RESOURCE_WILDCARD": {
    subject: "aws_iam_role_policy.policy",
    pass: [(s) => role(s, { policy: [{ actions: ["ecr:GetAuthorizationToken", "ec2:DescribeInstances", "cloudwatch:PutMetricData", "ssmmessages:OpenDataChannel"], resources: ["*"] }] })],
    fail: [
      [(s) => role(s, { policy: [{ actions: ["s3:GetObject", "s3:PutObject"], resources: ["*"] }] }), /statement 1: s3:PutObject on Resource "\*"/],
      [(s) => role(s, { policy: [{ actions: ["kms:Decrypt"], resources: ["*"] }] }), /kms:Decrypt on Resource "\*"/],
    ],
  },
  "IAM.TRUST_EXPECTED_SERVICE": {
    subject: "aws_iam_role.role",
    pass: [(s) => role(s), (s) => role(s, { instanceProfile: false, trust: [{ actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: ["lambda.amazonaws.com"] }] }] })],
    fail: [
      [(s) => role(s, { trust: [{ actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: ["codebuild.amazonaws.com"] }] }] }), /trusts codebuild\.amazonaws\.com, but the role is used by ec2 \(aws_iam_instance_profile\.profile\)/],
      [(s) => role(s, { instanceProfile: false, trust: [{ actions: ["sts:AssumeRole"], principals: [{ type: "AWS", identifiers: ["*"] }] }] }), /any principal may assume the role/],
      [
        (s) => role(s, { instanceProfile: false, trust: [{ actions: ["sts:AssumeRoleWithWebIdentity"], principals: [{ type: "Federated", identifiers: ["arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"] }] }] }),
        /federated principal .* without conditions/,
      ],
    ],
  },
  "IAM.NO_ADMINISTRATOR_ACCESS": {
    subject: "aws_iam_role_policy_attachment.managed",
    pass: [(s) => new IamRolePolicyAttachment(s, "managed", { role: role(s).name, policyArn: "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore" })],
    fail: [[(s) => new IamRolePolicyAttachment(s, "managed", { role: role(s).name, policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" }), /attaches arn:aws:iam::aws:policy\/AdministratorAccess/]],
  },
  "CLOUDFRONT.VIEWER_HTTPS": {
    subject: "aws_cloudfront_distribution.cdn",
    pass: [distribution],
    fail: [
      [(s) => distribution(s, { defaultCacheBehavior: { allowedMethods: ["GET", "HEAD"], cachedMethods: ["GET", "HEAD"], targetOriginId: "alb", viewerProtocolPolicy: "allow-all" } }), /default_cache_behavior: viewer_protocol_policy is "allow-all"/],
      [
        (s) => distribution(s, { orderedCacheBehavior: [{ pathPattern: "/api/*", allowedMethods: ["GET", "HEAD"], cachedMethods: ["GET", "HEAD"], targetOriginId: "alb", viewerProtocolPolicy: "allow-all" }] }),
        /ordered_cache_behavior\[0\] \(\/api\/\*\): viewer_protocol_policy is "allow-all"/,
      ],
    ],
  },
  "CLOUDFRONT.TLS_MIN_VERSION": {
    subject: "aws_cloudfront_distribution.cdn",
    pass: [distribution],
    fail: [[(s) => distribution(s, { viewerCertificate: { acmCertificateArn: CERTIFICATE, sslSupportMethod: "sni-only" } }), /minimum_protocol_version is not set \(TLSv1 by default\)/]],
  },
  "CODEBUILD.PRIVILEGED_DOCKER_ONLY": {
    subject: "aws_codebuild_project.build",
    pass: [
      (s) =>
        project(s, {
          environment: { computeType: "BUILD_GENERAL1_SMALL", image: "aws/codebuild/standard:7.0", type: "LINUX_CONTAINER", privilegedMode: true },
          source: { type: "NO_SOURCE", buildspec: "version: 0.2\nphases:\n  build:\n    commands:\n      - docker build -t app .\n" },
        }),
      (s) =>
        project(
          s,
          { environment: { computeType: "BUILD_GENERAL1_SMALL", image: "aws/codebuild/standard:7.0", type: "LINUX_CONTAINER", privilegedMode: true }, source: { type: "CODEPIPELINE" } },
          role(s, { instanceProfile: false, policy: [{ actions: ["ecr:PutImage", "ecr:CompleteLayerUpload"], resources: ["arn:aws:ecr:eu-west-1:123456789012:repository/app"] }] }).arn,
        ),
    ],
    fail: [[(s) => project(s, { environment: { computeType: "BUILD_GENERAL1_SMALL", image: "aws/codebuild/standard:7.0", type: "LINUX_CONTAINER", privilegedMode: true } }), /neither the buildspec nor the service role shows a Docker image build/]],
  },
  "CODEBUILD.ARTIFACTS_ENCRYPTED": {
    subject: "aws_codebuild_project.build",
    pass: [project],
    fail: [[(s) => project(s, { artifacts: { type: "S3", location: "artifacts", encryptionDisabled: true } }), /artifacts\.encryption_disabled is true/]],
  },
  "CODEBUILD.LOGS": {
    subject: "aws_codebuild_project.build",
    pass: [project, (s) => project(s, { logsConfig: { cloudwatchLogs: { status: "DISABLED" }, s3Logs: { status: "ENABLED", location: "logs/build" } } })],
    fail: [
      [(s) => project(s, { logsConfig: undefined }), /no logs_config/],
      [(s) => project(s, { logsConfig: { cloudwatchLogs: { status: "DISABLED" } } }), /logs_config is/],
    ],
  },
  "CODEDEPLOY.AUTO_ROLLBACK": {
    subject: "aws_codedeploy_deployment_group.dg",
    pass: [deploymentGroup],
    fail: [
      [(s) => deploymentGroup(s, { autoRollbackConfiguration: undefined }), /auto_rollback_configuration is not set/],
      [(s) => deploymentGroup(s, { autoRollbackConfiguration: { enabled: true, events: ["DEPLOYMENT_STOP_ON_ALARM"] } }), /auto_rollback_configuration is/],
    ],
  },
  "CODEDEPLOY.BLUE_GREEN_TERMINATION": {
    subject: "aws_codedeploy_deployment_group.dg",
    pass: [deploymentGroup],
    fail: [
      [(s) => deploymentGroup(s, { blueGreenDeploymentConfig: { terminateBlueInstancesOnDeploymentSuccess: { action: "KEEP_ALIVE" } } }), /action is "KEEP_ALIVE"[\s\S]*/],
      [(s) => deploymentGroup(s, { blueGreenDeploymentConfig: { terminateBlueInstancesOnDeploymentSuccess: { action: "TERMINATE" } } }), /termination_wait_time_in_minutes is not set/],
    ],
  },
  "CODEDEPLOY.ALARMS": {
    subject: "aws_codedeploy_deployment_group.dg",
    pass: [(s) => deploymentGroup(s, { alarmConfiguration: { enabled: true, alarms: [alarm(s).alarmName] } })],
    fail: [
      [
        (s) => {
          alarm(s);
          deploymentGroup(s);
        },
        /alarm_configuration is not set/,
      ],
      [(s) => deploymentGroup(s, { alarmConfiguration: { enabled: true, alarms: [alarm(s).alarmName] }, autoRollbackConfiguration: { enabled: true, events: ["DEPLOYMENT_FAILURE"] } }), /lacks DEPLOYMENT_STOP_ON_ALARM/],
    ],
  },
  "LOGS.RETENTION": {
    subject: "aws_cloudwatch_log_group.logs",
    pass: [(s) => new CloudwatchLogGroup(s, "logs", { name: "/app", retentionInDays: 30 })],
    fail: [
      [(s) => new CloudwatchLogGroup(s, "logs", { name: "/app" }), /retention_in_days is not set \(events never expire\)/],
      [(s) => new CloudwatchLogGroup(s, "logs", { name: "/app", retentionInDays: 0 }), /retention_in_days is 0/],
    ],
  },
  "SNS.ENCRYPTION": {
    subject: "aws_sns_topic.topic",
    pass: [(s) => new SnsTopic(s, "topic", { name: "events", kmsMasterKeyId: "alias/app" })],
    fail: [[(s) => new SnsTopic(s, "topic", { name: "events" }), /kms_master_key_id is not set/]],
  },
  "RDS.ENCRYPTION": { subject: "aws_db_instance.db", pass: [database], fail: [[(s) => database(s, { storageEncrypted: undefined }), /storage_encrypted is not set/]] },
  "RDS.NOT_PUBLIC": {
    subject: "aws_db_instance.db",
    pass: [database, (s) => database(s, { publiclyAccessible: false })],
    fail: [[(s) => database(s, { publiclyAccessible: true }), /publicly_accessible is true/]],
  },
  "RDS.DELETION_PROTECTION": { subject: "aws_db_instance.db", pass: [database], fail: [[(s) => database(s, { deletionProtection: false }), /deletion_protection is false/]] },
  "ECS.SEPARATE_TASK_ROLE": {
    subject: "aws_ecs_task_definition.task",
    pass: [(s) => taskDefinition(s, containers([{ name: "app", image: "app" }]), { task: "arn:aws:iam::1:role/task", execution: "arn:aws:iam::1:role/execution" })],
    fail: [
      [
        (s) => {
          const r = role(s, { instanceProfile: false, trust: [{ actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: ["ecs-tasks.amazonaws.com"] }] }] });
          taskDefinition(s, containers([{ name: "app", image: "app" }]), { task: r.arn, execution: r.arn });
        },
        /both aws_iam_role\.role/,
      ],
    ],
  },
  "ECS.NO_PRIVILEGED_CONTAINERS": {
    subject: "aws_ecs_task_definition.task",
    pass: [(s) => taskDefinition(s, containers([{ name: "app", image: "app", privileged: false }]))],
    fail: [
      [(s) => taskDefinition(s, containers([{ name: "app", image: "app" }, { name: "agent", image: "agent", privileged: true }])), /container agent has privileged = true/],
      [(s) => taskDefinition(s, Fn.jsonencode([{ name: "app", image: "app", privileged: true }])), /privileged = true/],
    ],
  },
  "ECS.NO_PUBLIC_IP": {
    subject: "aws_ecs_service.service",
    pass: [(s) => new EcsService(s, "service", { name: "app", networkConfiguration: { subnets: ["subnet-a"], assignPublicIp: false } })],
    fail: [[(s) => new EcsService(s, "service", { name: "app", networkConfiguration: { subnets: ["subnet-a"], assignPublicIp: true } }), /assign_public_ip is true/]],
  },
  "ECS.CIRCUIT_BREAKER_ROLLBACK": {
    subject: "aws_ecs_service.service",
    pass: [(s) => ecsService(s), (s) => ecsService(s, { deploymentController: { type: "ECS" } })],
    fail: [
      [(s) => ecsService(s, { deploymentCircuitBreaker: undefined }), /deployment_circuit_breaker is not set/],
      [(s) => ecsService(s, { deploymentCircuitBreaker: { enable: true, rollback: false } }), /deployment_circuit_breaker is \{"enable":true,"rollback":false\}/],
    ],
  },
  "ECS.DEPLOYMENT_ALARMS": {
    subject: "aws_ecs_service.service",
    pass: [(s) => ecsService(s, { alarms: { alarmNames: [alarm(s).alarmName], enable: true, rollback: true } })],
    fail: [
      [
        (s) => {
          alarm(s);
          ecsService(s);
        },
        /alarms is not set/,
      ],
      [(s) => ecsService(s, { alarms: { alarmNames: [alarm(s).alarmName], enable: true, rollback: false } }), /"rollback":false/],
    ],
  },
  "ECS.EXEC_AUDITED": {
    subject: "aws_ecs_service.service",
    pass: [(s) => ecsService(s, { enableExecuteCommand: true, cluster: execCluster(s).arn })],
    fail: [
      [(s) => ecsService(s, { enableExecuteCommand: true, cluster: execCluster(s, null).arn }), /kms_key_id is not set[\s\S]*logging is not set[\s\S]*log_configuration is not set/],
      [(s) => ecsService(s, { enableExecuteCommand: true, cluster: execCluster(s, { logging: "DEFAULT" }).arn }), /execute_command_configuration\.logging is "DEFAULT"/],
      [
        (s) => ecsService(s, { enableExecuteCommand: true, cluster: execCluster(s, { logConfiguration: { cloudWatchLogGroupName: "/ecs-exec/app", cloudWatchEncryptionEnabled: false } }).arn }),
        /no encrypted CloudWatch Logs group or S3 bucket/,
      ],
      [(s) => ecsService(s, { enableExecuteCommand: true, cluster: "arn:aws:ecs:eu-west-1:123456789012:cluster/elsewhere" }), /not a cluster of this stack/],
    ],
  },
  "WAF.LOGGING": {
    subject: "aws_wafv2_web_acl.acl",
    pass: [(s) => wafLogging(s)],
    fail: [[webAcl, /no aws_wafv2_web_acl_logging_configuration refers to this web ACL/]],
  },
  "WAF.LOG_REDACTS_AUTHORIZATION": {
    subject: "aws_wafv2_web_acl_logging_configuration.logging",
    pass: [(s) => wafLogging(s), (s) => wafLogging(s, { redactedFields: [{ singleHeader: { name: "cookie" } }, { singleHeader: { name: "Authorization" } }] })],
    fail: [
      [(s) => wafLogging(s, { redactedFields: undefined }), /redacted_fields single_header names are not set \(none\)/],
      [(s) => wafLogging(s, { redactedFields: [{ singleHeader: { name: "cookie" } }] }), /names are \["cookie"\]/],
    ],
  },
};

/** A rolling ECS service with the circuit breaker and rollback on. */
function ecsService(s: TerraformStack, overrides: Partial<EcsServiceConfig> = {}): EcsService {
  return new EcsService(s, "service", { name: "app", cluster: "app", deploymentCircuitBreaker: { enable: true, rollback: true }, ...overrides });
}

/** A cluster whose ECS Exec sessions are KMS-encrypted and logged to an encrypted group; `null` leaves the exec configuration out. */
function execCluster(s: TerraformStack, exec: Partial<EcsClusterConfigurationExecuteCommandConfiguration> | null = {}): EcsCluster {
  const executeCommandConfiguration = {
    kmsKeyId: new KmsKey(s, "exec-key", { enableKeyRotation: true }).arn,
    logging: "OVERRIDE",
    logConfiguration: { cloudWatchLogGroupName: "/ecs-exec/app", cloudWatchEncryptionEnabled: true },
    ...exec,
  };
  return new EcsCluster(s, "cluster", { name: "app", configuration: exec === null ? undefined : { executeCommandConfiguration } });
}

function webAcl(s: TerraformStack): Wafv2WebAcl {
  const visibilityConfig = { cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: "acl" };
  return new Wafv2WebAcl(s, "acl", { name: "app", scope: "REGIONAL", defaultAction: { allow: {} }, visibilityConfig });
}

function wafLogging(s: TerraformStack, overrides: Partial<Wafv2WebAclLoggingConfigurationConfig> = {}): Wafv2WebAclLoggingConfiguration {
  const group = new CloudwatchLogGroup(s, "waf-logs", { name: "aws-waf-logs-app", retentionInDays: 90 });
  return new Wafv2WebAclLoggingConfiguration(s, "logging", {
    resourceArn: webAcl(s).arn,
    logDestinationConfigs: [group.arn],
    redactedFields: [{ singleHeader: { name: "authorization" } }],
    ...overrides,
  });
}

describe("every rule has a positive and a negative test", () => {
  test("the cases cover the pack exactly", () => {
    expect(Object.keys(CASES).sort()).toEqual(RULES.map((r) => r.id).sort());
  });

  for (const [ruleId, c] of Object.entries(CASES)) {
    test.each(c.pass.map((build, i) => [i + 1, build] as const))(`${ruleId} passes compliant stack %i`, (_i, build) => {
      expect(verdict(ruleId, c.subject, build)).toMatchObject({ status: "pass", problems: [] });
    });
    test.each(c.fail.map(([build, problem], i) => [i + 1, build, problem] as const))(`${ruleId} fails weakened stack %i`, (_i, build, problem) => {
      const finding = verdict(ruleId, c.subject, build);
      expect(finding.status).toBe("fail");
      expect(finding.problems.join("\n")).toMatch(problem);
    });
  }
});

describe("rules apply only where they make sense", () => {
  test("the instance refresh rule does not apply to a group without an instance refresh", () => {
    expect(evaluated("ASG.INSTANCE_REFRESH_ALARMS", (s) => fleet(s))).toEqual([]);
  });

  test("deletion protection rules do not apply when the stack's protection is off", () => {
    expect(evaluated("ALB.DELETION_PROTECTION", (s) => loadBalancer(s, { enableDeletionProtection: false }), { protection: false })).toEqual([]);
    expect(evaluated("RDS.DELETION_PROTECTION", (s) => database(s, { deletionProtection: false }), { protection: false })).toEqual([]);
  });

  test("an HTTP listener without an HTTPS sibling may serve (no certificate configured)", () => {
    const build: Build = (s) => listener(s, "http", loadBalancer(s).lb, { protocol: "HTTP", port: 80, defaultAction: [{ type: "forward", targetGroupArn: targetGroup(s).arn }] });
    expect(evaluated("ALB.HTTP_REDIRECTS_TO_HTTPS", build)).toEqual([]);
  });

  test("groups and instances not behind a load balancer are not fleet rules' business", () => {
    const standalone: Build = (s) => {
      const group = new SecurityGroup(s, "bastion", { description: "bastion" });
      new SecurityGroupRule(s, "ssh", { type: "ingress", securityGroupId: group.id, protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["198.51.100.0/24"], description: "office" });
      new AutoscalingGroup(s, "asg", { minSize: 1, maxSize: 1, launchTemplate: { id: launchTemplate(s, { vpcSecurityGroupIds: [group.id] }).id } });
    };
    expect(evaluated("SG.FLEET_INGRESS_FROM_LB", standalone)).toEqual([]);
    expect(evaluated("ASG.ELB_HEALTH_CHECK", standalone)).toEqual([]);
  });

  test("hop limit 2 is accepted for a launch template that backs an ECS capacity provider", () => {
    // The ECS-optimized AMI starts the agent itself, so nothing in user data names Docker.
    const build: Build = (s) => {
      const { asg } = fleet(s, { template: { metadataOptions: { ...SECURE_METADATA, httpPutResponseHopLimit: 2 } } });
      new EcsCapacityProvider(s, "capacity", { name: "ec2", autoScalingGroupProvider: { autoScalingGroupArn: asg.arn } });
    };
    expect(verdict("EC2.IMDS_HOP_LIMIT", "aws_launch_template.lt", build).status).toBe("pass");
  });

  test("the circuit breaker and service alarms are rules of the ECS (rolling) controller only; ECS Exec rules only where exec is on", () => {
    expect(evaluated("ECS.CIRCUIT_BREAKER_ROLLBACK", (s) => ecsService(s, { deploymentController: { type: "CODE_DEPLOY" }, deploymentCircuitBreaker: undefined }))).toEqual([]);
    const codeDeploy: Build = (s) => {
      alarm(s);
      ecsService(s, { deploymentController: { type: "CODE_DEPLOY" } });
    };
    expect(evaluated("ECS.DEPLOYMENT_ALARMS", codeDeploy)).toEqual([]);
    expect(evaluated("ECS.DEPLOYMENT_ALARMS", (s) => ecsService(s))).toEqual([]);
    expect(evaluated("ECS.EXEC_AUDITED", (s) => ecsService(s, { cluster: execCluster(s, null).arn }))).toEqual([]);
  });

  test("read replicas inherit encryption and are not checked for it", () => {
    expect(evaluated("RDS.ENCRYPTION", (s) => database(s, { storageEncrypted: undefined, replicateSourceDb: "primary" }))).toEqual([]);
  });

  test("CloudFront's default certificate cannot be tuned and is not checked for TLS", () => {
    expect(evaluated("CLOUDFRONT.TLS_MIN_VERSION", (s) => distribution(s, { viewerCertificate: { cloudfrontDefaultCertificate: true } }))).toEqual([]);
  });
});

describe("rules on other shapes of the same resources", () => {
  test("instances: IMDSv2, encrypted root volume, no public address", () => {
    const weak: Build = (s) => new Instance(s, "host", { ami: "ami-123", instanceType: "t3.micro", associatePublicIpAddress: true, rootBlockDevice: { encrypted: false } });
    expect(verdict("EC2.IMDSV2", "aws_instance.host", weak).status).toBe("fail");
    expect(verdict("EC2.EBS_ENCRYPTED", "aws_instance.host", weak).problems).toEqual(["root_block_device: encrypted is false"]);
    expect(verdict("EC2.NO_PUBLIC_IP", "aws_instance.host", weak).problems).toEqual(["associate_public_ip_address is true"]);
    const strong: Build = (s) => new Instance(s, "host", { ami: "ami-123", instanceType: "t3.micro", metadataOptions: SECURE_METADATA, rootBlockDevice: { encrypted: true } });
    for (const id of ["EC2.IMDSV2", "EC2.EBS_ENCRYPTED", "EC2.NO_PUBLIC_IP"]) expect(verdict(id, "aws_instance.host", strong).status).toBe("pass");
  });

  test("Aurora cluster instances must not be public", () => {
    const build: Build = (s) => new RdsClusterInstance(s, "member", { clusterIdentifier: "app", instanceClass: "db.r6g.large", engine: "aurora-postgresql", publiclyAccessible: true });
    expect(verdict("RDS.NOT_PUBLIC", "aws_rds_cluster_instance.member", build).problems).toEqual(["publicly_accessible is true"]);
  });

  test("standalone EBS volumes must be encrypted", () => {
    expect(verdict("EC2.EBS_ENCRYPTED", "aws_ebs_volume.data", (s) => new EbsVolume(s, "data", { availabilityZone: "eu-west-1a", size: 10 })).problems).toEqual(["encrypted is not set"]);
  });

  test("inline security group rules and aws_security_group_rule are read too", () => {
    const inline: Build = (s) =>
      new SecurityGroup(s, "legacy", { description: "legacy", ingress: [{ fromPort: 3389, toPort: 3389, protocol: "tcp", cidrBlocks: ["0.0.0.0/0"], description: "rdp" }] });
    expect(verdict("SG.WORLD_ADMIN_PORTS", "aws_security_group.legacy", inline).problems).toEqual(["ingress[0]: ingress from 0.0.0.0/0 reaches port 3389 (RDP)"]);
    const rule: Build = (s) => new SecurityGroupRule(s, "all", { type: "ingress", securityGroupId: "sg-1", protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] });
    expect(verdict("SG.WORLD_ALL_PORTS", "aws_security_group_rule.all", rule).problems).toEqual(["ingress from 0.0.0.0/0 on all ports"]);
    expect(verdict("SG.DESCRIPTIONS", "aws_security_group_rule.all", rule).problems).toEqual(["the ingress rule has no description"]);
    expect(verdict("SG.DESCRIPTIONS", "aws_security_group.bare", (s) => new SecurityGroup(s, "bare", {})).problems[0]).toMatch(/no description of its own/);
  });

  test("IAM: literal JSON documents are read; expressions the pack cannot read fail closed", () => {
    const literal: Build = (s) => new IamPolicy(s, "p", { policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] }) });
    expect(verdict("IAM.NO_WILDCARD_ACTION", "aws_iam_policy.p", literal).problems).toEqual(["statement 1: allows *"]);
    const opaque: Build = (s) => new IamPolicy(s, "p", { policy: Fn.jsonencode({ Statement: [] }) });
    expect(verdict("IAM.NO_WILDCARD_ACTION", "aws_iam_policy.p", opaque).problems[0]).toMatch(/policy is \$\{jsonencode\(.*\)\}, which the pack cannot read/);
  });

  test("IAM: a key policy may delegate kms:* on * to the account root, and to nobody else", () => {
    const key = (principal: { type: string; identifiers: string[] }): Build => (s) =>
      new KmsKey(s, "key", { policy: document(s, "key_policy", [{ actions: ["kms:*"], resources: ["*"], principals: [principal] }]).json });
    expect(verdict("IAM.NO_WILDCARD_ACTION", "aws_kms_key.key", key({ type: "AWS", identifiers: ["arn:aws:iam::123456789012:root"] })).status).toBe("pass");
    expect(verdict("IAM.NO_WILDCARD_ACTION", "aws_kms_key.key", key({ type: "AWS", identifiers: ["${data.aws_caller_identity.current.account_id}"] })).status).toBe("pass");
    expect(verdict("IAM.NO_WILDCARD_ACTION", "aws_kms_key.key", key({ type: "AWS", identifiers: ["arn:aws:iam::123456789012:role/admin"] })).status).toBe("fail");
    expect(verdict("IAM.NO_WILDCARD_ACTION", "aws_kms_key.key", key({ type: "Service", identifiers: ["logs.amazonaws.com"] })).problems).toEqual([
      "data.aws_iam_policy_document.key_policy statement 1: allows kms:*",
    ]);
    expect(evaluated("IAM.RESOURCE_WILDCARD", key({ type: "AWS", identifiers: ["arn:aws:iam::123456789012:root"] }))).toEqual([]);
  });
});

describe("user data secret patterns", () => {
  test.each([
    ["AKIAIOSFODNN7EXAMPLE", true],
    ["-----BEGIN RSA PRIVATE KEY-----\nMIIE...", true],
    ["-----BEGIN OPENSSH PRIVATE KEY-----", true],
    ["export DB_PASSWORD=hunter2hunter2", true],
    ['{"password": "s3cr3t-value"}', true],
    ["GITHUB_TOKEN=ghp_abcdefghijklmnop", true],
    ["aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", true],
    ['${base64encode("#!/bin/bash\\nAPI_KEY=\\"abcd1234efgh\\"\\n")}', true],
    ["DB_PASSWORD=$(aws ssm get-parameter --name /app/db --with-decryption)", false],
    ['TOKEN=$(curl -X PUT "http://169.254.169.254/latest/api/token" -H "X-aws-ec2-metadata-token-ttl-seconds: 21600")', false],
    ["docker login --username AWS --password-stdin 123456789012.dkr.ecr.eu-west-1.amazonaws.com", false],
    ["SECRET_ARN=arn:aws:secretsmanager:eu-west-1:123456789012:secret:app", false],
    ["PASSWORD_PARAMETER=/webapp/production/db-password", false],
    ["password: {{resolve:ssm-secure:/app/db}}", false],
  ])("%s → secret: %s", (text, secret) => {
    expect(SECRET_PATTERNS.some((p) => p.pattern.test(userDataText({ user_data: text })))).toBe(secret);
  });

  test("base64 user data is decoded before scanning", () => {
    expect(userDataText({ user_data: base64("hello docker") })).toContain("hello docker");
  });
});
