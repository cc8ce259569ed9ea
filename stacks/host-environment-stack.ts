import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformOutput, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { assertUniqueAddresses } from "../lib/address";
import { AppConfig, EnvironmentConfig } from "../lib/config/schema";
import { instanceArchitecture } from "../lib/ec2";
import { renderHostUserData } from "../lib/release/user-data";
import { environmentImageTag, githubActionsRoleName } from "../lib/release/github-actions-workflow";
import { AccountContext } from "../constructs/account-context";
import { ArtifactStore } from "../constructs/artifact-store";
import { CloudWatchAgent } from "../constructs/cloudwatch-agent";
import { DnsRecord } from "../constructs/dns-record";
import { EncryptionKey } from "../constructs/encryption-key";
import { GithubActionsRole } from "../constructs/github-actions-role";
import { GoldenAmi } from "../constructs/golden-ami";
import { Host } from "../constructs/host";
import { HostAlarms } from "../constructs/host-alarms";
import { Dashboard } from "../constructs/dashboard";
import { alarmWidget, hostWidgets, natWidgets } from "./environment-dashboards";
import { HostDeployDocument } from "../constructs/host-deploy-document";
import { ReleaseParameters } from "../constructs/release-parameters";
import { hostLayout, renderHostDeployScript } from "../lib/release/host-files";
import { terraformLiteral } from "../lib/release/templates";
import { Network } from "../constructs/network";
import { NotificationTopic } from "../constructs/notification-topic";
import { SecurityGroup } from "../constructs/security-group";
import { applyBackend } from "./backend";
import { environmentArtifacts, environmentCloudWatchAgent, environmentGoldenAmi, environmentNetwork, environmentNotifications, environmentTags, stockImageId } from "./environment-parts";

export interface HostEnvironmentStackProps {
  readonly app: AppConfig;
  /** Environment name (a key of `environments`). */
  readonly envName: string;
  /** An environment with `platform: host`. */
  readonly environment: EnvironmentConfig;
}

/**
 * One environment served by one EC2 host (`platform: host`), for teams before an autoscaling fleet:
 * the environment's network, key, artifact store and optional golden AMI as in EnvironmentStack,
 * then the host with its Elastic IP, DNS record, security group (public ports, SSH only from listed
 * CIDRs), recovery alarms, an Ansible inventory output, and an optional GitHub Actions role that
 * pushes images to the environment's ECR repository. No load balancer: the host serves traffic itself.
 */
export class HostEnvironmentStack extends TerraformStack {
  public readonly namePrefix: string;
  public readonly network: Network;
  public readonly encryptionKey: EncryptionKey;
  public readonly artifacts: ArtifactStore;
  public readonly notifications: NotificationTopic;
  public readonly securityGroup: SecurityGroup;
  public readonly host: Host;
  public readonly alarms: HostAlarms;
  /** CloudWatch agent configuration and the log groups it ships to. */
  public readonly agent: CloudWatchAgent;
  /** Absent unless the host boots the golden AMI. */
  public readonly goldenAmi?: GoldenAmi;
  /** Absent without `githubActions`. */
  public readonly githubActions?: GithubActionsRole;
  /** The SSM document the workflow sends to deploy; absent unless `host.deploy.enabled`. */
  public readonly deployDocument?: HostDeployDocument;
  /** `/<app>/<env>/release/host-instance-id`, which the workflow targets; absent unless `host.deploy.enabled`. */
  public readonly releaseParameters?: ReleaseParameters;

  constructor(scope: Construct, id: string, props: HostEnvironmentStackProps) {
    super(scope, id);
    const { app, envName, environment: env } = props;
    if (env.platform !== "host") throw new Error(`${id}: HostEnvironmentStack builds environments with platform "host", not ${JSON.stringify(env.platform)}`);
    if (!env.network) throw new Error(`${id}: a host environment needs network (its own VPC)`);
    const region = env.region ?? app.region;
    this.namePrefix = `${app.name}-${envName}`;
    const tags = environmentTags(app, envName, env);
    const hostConfig = env.host;

    new AwsProvider(this, "aws", { region, allowedAccountIds: env.accountId ? [env.accountId] : undefined, defaultTags: [{ tags }] });
    applyBackend(this, { appName: app.name, envName, region, backend: env.backend });
    new AccountContext(this, { region, accountId: env.accountId, availabilityZones: env.network.availabilityZones });

    this.encryptionKey = new EncryptionKey(this, "environment-key", {
      alias: this.namePrefix,
      description: `Encrypts ${this.namePrefix}: host volume, artifacts, images, logs and notifications`,
      deletionWindowDays: env.encryption.keyDeletionWindowDays,
    });

    // No load balancer and no fleet: the host's own group below takes their place.
    this.network = environmentNetwork(this, this.namePrefix, env, this.encryptionKey, { loadBalancerSecurityGroup: false, instanceSecurityGroup: false });

    this.artifacts = environmentArtifacts(this, this.namePrefix, env, this.encryptionKey);
    const architecture = env.goldenAmi.architecture ?? instanceArchitecture(hostConfig.instanceType);
    this.goldenAmi = environmentGoldenAmi(this, env, {
      namePrefix: this.namePrefix,
      network: this.network,
      artifacts: this.artifacts,
      encryptionKey: this.encryptionKey,
      architecture,
      tags,
    });
    this.notifications = environmentNotifications(this, this.namePrefix, env, this.encryptionKey);

    this.securityGroup = this.network.addSecurityGroup("host", `Host of ${this.namePrefix}: public ports ${hostConfig.publicPorts.join(", ") || "(none)"}, SSH only from listed CIDRs`);
    for (const port of hostConfig.publicPorts) {
      for (const cidr of hostConfig.publicIngressCidrs) {
        this.securityGroup.allowIngress(`port-${port}`, { cidr }, { from: port }, `Port ${port} from ${cidr}: the host serves traffic itself (no load balancer)`);
      }
    }
    for (const cidr of hostConfig.sshIngressCidrs) {
      this.securityGroup.allowIngress("ssh", { cidr }, { from: 22 }, `SSH from ${cidr} (host.sshIngressCidrs)`);
    }
    // HTTPS out reaches AWS APIs (SSM, ECR, CloudWatch), S3, the AL2023 package repositories and registries.
    this.securityGroup.allowEgress("https", { cidr: "0.0.0.0/0" }, { from: 443 }, "HTTPS to AWS APIs, package repositories and registries");

    // No Auto Scaling group: the memory and disk alarms name the instance.
    this.agent = environmentCloudWatchAgent(this, app, envName, env, this.encryptionKey, undefined, [["InstanceId"]]);

    this.host = new Host(this, "host", {
      namePrefix: this.namePrefix,
      imageId: env.goldenAmi.pinnedImageId ?? this.goldenAmi?.imageId ?? stockImageId(architecture),
      instanceType: hostConfig.instanceType,
      subnetId: this.network.subnetId("public", 0),
      securityGroup: this.securityGroup,
      encryptionKey: this.encryptionKey,
      publicKey: hostConfig.publicKey,
      userData: renderHostUserData({ appName: app.name, envName, agentConfigParameter: this.agent.parameterName }),
      rootVolume: hostConfig.rootVolume,
      detailedMonitoring: hostConfig.detailedMonitoring,
      terminationProtection: env.protection,
      volumeTags: tags,
      // The agent reads its configuration at first boot.
      dependsOn: [...this.network.egressDependencies("public", 0), this.agent.parameter],
    });
    this.artifacts.repository.grantPull(this.host.role);
    this.agent.grantAgent(this.host.role);

    const dns = hostConfig.hostName && hostConfig.hostedZoneId
      ? new DnsRecord(this, "dns", { hostedZoneId: hostConfig.hostedZoneId, recordName: hostConfig.hostName, addresses: [this.host.publicIp] })
      : undefined;

    this.alarms = new HostAlarms(this, "alarms", {
      namePrefix: this.namePrefix,
      topic: this.notifications,
      instanceId: this.host.instanceId,
      cpuHighPercent: env.observability.alarms.cpuHighPercent,
      memoryHighPercent: env.observability.alarms.memoryHighPercent,
      diskHighPercent: env.observability.alarms.diskHighPercent,
      evaluationMinutes: env.observability.alarms.evaluationMinutes,
    });
    if (env.observability.dashboard.enabled) {
      const dashboard = new Dashboard(this, "dashboard", {
        dashboardName: this.namePrefix,
        widgets: [...hostWidgets(this.host.instanceId), ...alarmWidget("Host alarms", this.alarms.alarmArns), ...natWidgets(this.network.natGatewayIds)],
      });
      new TerraformOutput(this, "dashboard_name", { value: dashboard.dashboardName, description: "CloudWatch dashboard of the environment" });
    }

    const github = env.githubActions;
    if (github) {
      this.githubActions = new GithubActionsRole(this, "github-actions", {
        roleName: githubActionsRoleName(app.name, envName),
        repository: github.repository,
        branches: github.branches,
        createOidcProvider: github.createOidcProvider,
        oidcProviderArn: github.oidcProviderArn,
      });
      this.artifacts.repository.grantPush(this.githubActions.role);
    }

    const layout = hostLayout(app, envName, env);
    if (hostConfig.deploy.enabled || hostConfig.ansible.enabled) {
      // The deploy script and the playbook write the env file as the fleet's env-sync does: the path
      // string itself is what GetParametersByPath is authorized against (constructs/release-parameters.ts).
      const parameter = (path: string) => AccountContext.of(this).arn("ssm", `parameter${path}`);
      this.host.role.addToPolicy({ sid: "ApplicationParameters", actions: ["ssm:GetParametersByPath"], resources: [parameter(layout.parameterPath), parameter(`${layout.parameterPath}*`)] });
      // SecureStrings under the path use the environment key (grantPull above grants the same for ECR's encryption).
      this.encryptionKey.grantDecrypt(this.host.role);
    }
    if (hostConfig.deploy.enabled) {
      if (!this.githubActions) throw new Error(`${id}: host.deploy needs githubActions (its workflow sends the deploy command)`);
      const placeholder = "__ECR_REPOSITORY_URL__";
      this.deployDocument = new HostDeployDocument(this, "deploy", {
        documentName: layout.documentName,
        script: terraformLiteral(renderHostDeployScript(layout, placeholder)).split(placeholder).join(this.artifacts.repository.repositoryUrl),
        timeoutSeconds: hostConfig.deploy.timeoutSeconds,
      });
      // The workflow finds the host here: a replaced host is a new ID, and this parameter follows it.
      this.releaseParameters = new ReleaseParameters(this, "release-parameters", {
        root: `/${app.name}/${envName}`,
        encryptionKey: this.encryptionKey,
        values: { "host-instance-id": this.host.instanceId },
      });
      const instanceArn = AccountContext.of(this).arn("ec2", `instance/${this.host.instanceId}`);
      this.deployDocument.grantSend(this.githubActions.role, [instanceArn]);
      this.githubActions.role.addToPolicy({ sid: "FindHost", actions: ["ssm:GetParameter"], resources: [this.releaseParameters.parameters[0].arn] });
      this.artifacts.repository.grantDescribeImages(this.githubActions.role);
    }

    const imageTag = environmentImageTag(envName, github);
    const overSsh = hostConfig.sshIngressCidrs.length > 0;
    const group = `${app.name}_${envName}`.replace(/-/g, "_");
    const hostVars = [
      `ansible_host=${this.host.publicIp}`,
      "ansible_user=ec2-user",
      ...(overSsh
        ? []
        : [
            // No SSH port: Ansible reaches the host through Session Manager, moving files through the artifact bucket.
            "ansible_connection=community.aws.aws_ssm",
            `ansible_aws_ssm_instance_id=${this.host.instanceId}`,
            `ansible_aws_ssm_region=${region}`,
            `ansible_aws_ssm_bucket_name=${this.artifacts.bucket.bucketName}`,
          ]),
    ];
    const inventory = [
      `[${group}]`,
      `${hostConfig.hostName ?? this.namePrefix} ${hostVars.join(" ")}`,
      "",
      `[${group}:vars]`,
      `app_name=${app.name}`,
      `env_name=${envName}`,
      `aws_region=${region}`,
      `app_port=${env.application.port}`,
      `ecr_repository_url=${this.artifacts.repository.repositoryUrl}`,
      `image_tag=${imageTag}`,
      "",
    ].join("\n");

    this.output("ansible_inventory", inventory, "Ansible inventory (INI) of the environment: terraform output -raw ansible_inventory > inventory.ini");
    this.output("public_ip", this.host.publicIp, "Elastic IP of the host");
    this.output("instance_id", this.host.instanceId, "EC2 instance ID of the host (aws ssm start-session --target <id>)");
    this.output("url", `http://${dns ? hostConfig.hostName! : this.host.publicIp}`, "Where the host answers (HTTPS once the host terminates TLS on 443)");
    if (dns) this.output("host_name", dns.fqdn, "DNS name of the host (A record to the Elastic IP)");
    this.output("ecr_repository_url", this.artifacts.repository.repositoryUrl, "ECR repository for container images");
    this.output("image_tag", imageTag, "Moving tag of the environment's image");
    if (this.deployDocument) this.output("deploy_document_name", this.deployDocument.documentName, "SSM document the workflow sends to deploy an image to the host");
    if (this.githubActions) this.output("github_actions_role_arn", this.githubActions.roleArn, "Role the GitHub Actions workflow assumes through OIDC");
    this.output("artifact_bucket_name", this.artifacts.bucket.bucketName, "S3 bucket for artifacts and Ansible's Session Manager file transfers");
    this.output("host_role_name", this.host.role.roleName, "Instance role of the host");
    this.output("application_log_group", this.agent.applicationLogGroup.logGroupName, "CloudWatch log group of the application's log files");
    this.output("security_group_id", this.securityGroup.securityGroupId, "Security group of the host");
    this.output("kms_key_arn", this.encryptionKey.keyArn, "Customer-managed key of the environment");
    this.output("notification_topic_arn", this.notifications.topicArn, "SNS topic for host alarms");
    this.output("vpc_id", this.network.vpcId, "VPC of the environment");
    this.output("public_subnet_ids", this.network.subnetIds("public"), "Public subnets, one per availability zone");
    if (this.goldenAmi) {
      this.output("golden_ami_id", this.goldenAmi.imageId, "AMI built by Image Builder (the host's image at creation; later images apply with terraform apply -replace)");
      this.output("golden_ami_image_arn", this.goldenAmi.imageArn, "Image Builder image (build version) that produced golden_ami_id");
      if (this.goldenAmi.pipelineArn) {
        this.output("golden_ami_pipeline_arn", this.goldenAmi.pipelineArn, "Scheduled Image Builder pipeline; start a rebuild with aws imagebuilder start-image-pipeline-execution");
      }
    }

    this.node.addValidation({ validate: () => (assertUniqueAddresses(this), []) });
  }

  private output(name: string, value: string | string[], description: string): void {
    new TerraformOutput(this, name, { value, description });
  }
}
