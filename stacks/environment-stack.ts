import { DataAwsEc2ManagedPrefixList } from "@cdktf/provider-aws/lib/data-aws-ec2-managed-prefix-list";
import { LbListenerCertificate } from "@cdktf/provider-aws/lib/lb-listener-certificate";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformOutput, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { assertUniqueAddresses, pinName } from "../lib/address";
import { suppress } from "../policy";
import { AppConfig, EnvironmentConfig, SharedLoadBalancerConfig } from "../lib/config/schema";
import { resolveInstanceRefresh } from "../lib/config/instance-refresh";
import { instanceArchitecture } from "../lib/ec2";
import { listenerRulePriority } from "../lib/priority";
import { FleetReconciler } from "../constructs/fleet-reconciler";
import { FLEET_PROXY_PORT, fleetProxyLogFiles, FleetUserDataOptions, renderFleetUserData } from "../lib/release/user-data";
import { AccountContext } from "../constructs/account-context";
import { AliasRecord } from "../constructs/alias-record";
import { ArtifactStore } from "../constructs/artifact-store";
import { BuildProject } from "../constructs/build-project";
import { CodeDeployApplication } from "../constructs/codedeploy-application";
import { DeploymentGroup } from "../constructs/deployment-group";
import { Pipeline } from "../constructs/pipeline";
import { CdnDistribution } from "../constructs/cdn-distribution";
import { EncryptionKey } from "../constructs/encryption-key";
import { Fleet } from "../constructs/fleet";
import { FleetAlarms } from "../constructs/fleet-alarms";
import { GoldenAmi } from "../constructs/golden-ami";
import { buildSteps, componentDocument } from "../constructs/image-components";
import { ImportedNetwork } from "../constructs/imported-network";
import { LoadBalancer } from "../constructs/load-balancer";
import { INetwork, Network } from "../constructs/network";
import { NotificationTopic } from "../constructs/notification-topic";
import { OriginSecret } from "../constructs/origin-secret";
import { ReleaseParameters } from "../constructs/release-parameters";
import { SecurityGroup } from "../constructs/security-group";
import { TargetGroup } from "../constructs/target-group";
import { WebAcl } from "../constructs/web-acl";
import { stackDefaultTags } from "../lib/tags";

import { applyBackend, remoteState } from "./backend";
import { pipelineSource } from "./pipeline-source";
import { fleetCiIdentity } from "./ci-release";
import { alarmWidget, fleetWidgets, natWidgets, trafficWidgets } from "./environment-dashboards";
import { Dashboard } from "../constructs/dashboard";
import {
  environmentArtifacts,
  environmentCloudWatchAgent,
  environmentGoldenAmi,
  environmentNetwork,
  environmentNotifications,
  environmentTags,
  environmentWebAcl,
  launchImage,
  LaunchImage,
} from "./environment-parts";
import { SHARED_OUTPUTS, SHARED_STACK_SUFFIX } from "./shared-load-balancer-stack";
// Access and data options (accessAndData below).
import { BastionHost } from "../constructs/bastion-host";
import { CodedeployAgentAssociation } from "../constructs/codedeploy-agent-association";
import { Database } from "../constructs/database";
import { FLEET_TAG_KEY } from "../constructs/fleet";
import { StaticSite } from "../constructs/static-site";
import { ENGINE_VERSIONS } from "../lib/rds";

/** CloudFront's web ACLs (scope CLOUDFRONT) and their log groups must be created in us-east-1. */
const CLOUDFRONT_WAF_REGION = "us-east-1";

export interface EnvironmentStackProps {
  readonly app: AppConfig;
  /** Environment name (a key of `environments`). */
  readonly envName: string;
  readonly environment: EnvironmentConfig;
  /** The shared load balancer stack's configuration, for environments in shared mode. */
  readonly shared?: SharedLoadBalancerConfig;
}

/** How the environment's traffic arrives: what the fleet and the alarms need to know of it. */
interface Traffic {
  readonly loadBalancerArnSuffix: string;
  readonly url: string;
}

/**
 * One environment, one Terraform state: network (its own, or the shared load balancer's VPC),
 * encryption key, artifact store, fleet, load balancer or shared-ALB host rule, CDN, DNS,
 * observability and the SSM parameters the release files read. Everything environment-specific
 * comes from configuration; nothing here branches on the environment's name.
 */
export class EnvironmentStack extends TerraformStack {
  public readonly namePrefix: string;
  public readonly network: INetwork;
  /** The fleet's security group (app port from the load balancer only). */
  public readonly instanceSecurityGroup: SecurityGroup;
  public readonly encryptionKey: EncryptionKey;
  public readonly artifacts: ArtifactStore;
  public readonly notifications: NotificationTopic;
  public readonly targetGroup: TargetGroup;
  /**
   * Blue/green with `deployment.blueGreen.testListener`: the group the test listener forwards to; the
   * fleet reconciler attaches it to CodeDeploy's copy while a deployment waits before traffic moves.
   */
  public readonly testTargetGroup?: TargetGroup;
  public readonly fleet: Fleet;
  public readonly alarms: FleetAlarms;
  public readonly releaseParameters: ReleaseParameters;
  /** Absent when `goldenAmi.enabled` is false (the fleet then boots the stock Amazon Linux 2023 image). */
  public readonly goldenAmi?: GoldenAmi;
  /** What the fleet's launch template starts instances from (see {@link launchImage}). */
  public readonly launchImage: LaunchImage;
  public readonly buildProject: BuildProject;
  public readonly deploymentGroup: DeploymentGroup;
  /** Absent when `pipeline.enabled` is false. */
  public readonly pipeline?: Pipeline;

  constructor(scope: Construct, id: string, props: EnvironmentStackProps) {
    super(scope, id);
    const { app, envName, environment: env } = props;
    const region = env.region ?? app.region;
    this.namePrefix = `${app.name}-${envName}`;
    const shared = env.loadBalancer.mode === "shared";
    if (shared && !props.shared) throw new Error(`${id}: shared load balancer mode needs the sharedLoadBalancer configuration`);

    new AwsProvider(this, "aws", {
      region,
      allowedAccountIds: env.accountId ? [env.accountId] : undefined,
      defaultTags: [{ tags: this.defaultTags(app, envName, env) }],
    });
    applyBackend(this, { appName: app.name, envName, region, backend: env.backend });
    const context = new AccountContext(this, { region, accountId: env.accountId, availabilityZones: env.network?.availabilityZones });

    this.encryptionKey = new EncryptionKey(this, "environment-key", {
      alias: this.namePrefix,
      description: `Encrypts ${this.namePrefix}: artifacts, images, logs and notifications`,
      deletionWindowDays: env.encryption.keyDeletionWindowDays,
    });

    const appPort = env.application.port;
    const lb = env.loadBalancer;
    const cdn = !shared && lb.cdn.enabled;
    const albHttps = lb.https ?? lb.certificateArn !== undefined;

    // Network: this environment's own VPC, or the shared load balancer's.
    const sharedState = shared
      ? remoteState(this, "shared", { appName: app.name, stackSuffix: SHARED_STACK_SUFFIX, region, backend: props.shared!.backend })
      : undefined;
    if (sharedState) {
      const imported = new ImportedNetwork(this, "network", { state: sharedState, namePrefix: this.namePrefix });
      this.instanceSecurityGroup = imported.addSecurityGroup("instances", `Application instances of ${this.namePrefix}: app port from the shared load balancer only`);
      // The load balancer reaches the instances' Nginx, never the application port behind it.
      const fromAlb = this.instanceSecurityGroup.allowIngress(
        "app",
        { securityGroupId: sharedState.getString(SHARED_OUTPUTS.albSecurityGroupId), name: "shared-alb" },
        { from: FLEET_PROXY_PORT },
        "HTTP to the instances' Nginx from the shared load balancer",
      );
      suppress(
        fromAlb,
        "SG.FLEET_INGRESS_FROM_LB",
        "The peer is the shared load balancer's security group, read from the shared stack's outputs (data.terraform_remote_state.shared); the pack cannot see its type from here",
      );
      this.instanceSecurityGroup.allowEgress("https", { cidr: "0.0.0.0/0" }, { from: 443 }, "HTTPS to AWS APIs and package repositories");
      this.network = imported;
    } else {
      const net = env.network!;
      const own = environmentNetwork(this, this.namePrefix, env, this.encryptionKey, {
        // The port the load balancer forwards to: the instances' Nginx (application.port is behind it).
        appPort: FLEET_PROXY_PORT,
        // Behind CloudFront the load balancer only admits CloudFront (below).
        albIngressCidrs: cdn ? [] : net.albIngressCidrs,
        albHttps,
        sshIngressCidrs: net.sshIngressCidrs,
      });
      this.instanceSecurityGroup = own.instanceSecurityGroup!;
      this.network = own;
    }

    this.artifacts = environmentArtifacts(this, this.namePrefix, env, this.encryptionKey);

    const ami = env.goldenAmi;
    const architecture = ami.architecture ?? instanceArchitecture(env.fleet.instanceType);
    this.goldenAmi = environmentGoldenAmi(this, env, {
      namePrefix: this.namePrefix,
      network: this.network,
      artifacts: this.artifacts,
      encryptionKey: this.encryptionKey,
      architecture,
      tags: this.defaultTags(app, envName, env),
    });

    this.notifications = environmentNotifications(this, this.namePrefix, env, this.encryptionKey);

    // What the instances and the release files read at run time.
    const parameterRoot = `/${app.name}/${envName}`;
    const appDirectory = env.application.directory ?? `/opt/${app.name}`;
    const envFile = `/etc/${app.name}/app.env`;
    this.releaseParameters = new ReleaseParameters(this, "release-parameters", {
      root: parameterRoot,
      encryptionKey: this.encryptionKey,
      values: {
        region,
        runtime: env.application.runtime,
        "ecr-repository-url": this.artifacts.repository.repositoryUrl,
        "artifact-bucket": this.artifacts.bucket.bucketName,
        "env-parameter-path": `${parameterRoot}/env/`,
        "env-file": envFile,
        "app-directory": appDirectory,
        "app-port": String(appPort),
        "health-check-path": lb.healthCheck.path,
      },
    });

    const proxyLogs = fleetProxyLogFiles(app.name);
    const agent = environmentCloudWatchAgent(this, app, envName, env, this.encryptionKey, [
      { path: proxyLogs.access, group: "application", stream: "nginx-access" },
      { path: proxyLogs.error, group: "system", stream: "nginx-error" },
    ]);

    this.targetGroup = new TargetGroup(this, "target-group", {
      namePrefix: this.namePrefix,
      vpcId: this.network.vpcId,
      // Nginx on the instances (docs/decisions.md, "Nginx in front of the application").
      port: FLEET_PROXY_PORT,
      healthCheck: lb.healthCheck,
      deregistrationDelaySeconds: lb.deregistrationDelaySeconds,
    });

    // Validation admits a test listener only with blue/green and a dedicated load balancer.
    const testListener = env.deployment.mode === "blue-green" && !shared ? env.deployment.blueGreen?.testListener : undefined;
    if (testListener) {
      this.testTargetGroup = new TargetGroup(this, "test-target-group", {
        namePrefix: this.namePrefix,
        name: `${this.namePrefix}-test`,
        vpcId: this.network.vpcId,
        port: FLEET_PROXY_PORT,
        healthCheck: lb.healthCheck,
        deregistrationDelaySeconds: lb.deregistrationDelaySeconds,
      });
    }

    const traffic = sharedState ? this.sharedTraffic(envName, env, props.shared!, sharedState) : this.dedicatedTraffic(env, albHttps);

    const userData: FleetUserDataOptions = {
      appName: app.name,
      envName,
      region,
      runtime: env.application.runtime,
      appUser: app.name,
      appDirectory,
      appPort,
      agentConfigParameter: agent.parameterName,
      parameterPath: this.releaseParameters.environmentPath,
      envFile,
      // Without a golden AMI the stock image gets the same components at first boot.
      baseline: ami.enabled
        ? undefined
        : buildSteps(
            ami.components.map((c) => componentDocument(c, { region, urlSuffix: context.urlSuffix, nodejsMajor: ami.nodejsMajor, namePrefix: this.namePrefix })),
            ami.components,
          ),
      codedeployAgent: env.codedeployAgent.install === "ami",
      proxy: {
        healthCheckPath: lb.healthCheck.path,
        idleTimeoutSeconds: shared ? props.shared!.idleTimeoutSeconds : lb.idleTimeoutSeconds,
        clientMaxBodyMiB: env.fleet.proxy.clientMaxBodyMiB,
      },
      // A warm pool stops instances without waiting for user data (docs/fleet-and-traffic.md).
      resumeInterruptedBoot: env.fleet.warmPool.enabled && env.fleet.warmPool.poolState !== "Running",
    };
    const fleet = env.fleet;
    const refresh = resolveInstanceRefresh(fleet.instanceRefresh);
    this.launchImage = launchImage(this, env, this.goldenAmi, architecture);
    this.fleet = new Fleet(this, "fleet", {
      namePrefix: this.namePrefix,
      imageId: this.launchImage.imageId,
      instanceType: fleet.instanceType,
      subnetIds: this.network.subnetIds(fleet.subnets),
      associatePublicIp: fleet.subnets === "public",
      securityGroup: this.instanceSecurityGroup,
      encryptionKey: this.encryptionKey,
      userData: renderFleetUserData(userData),
      containers: env.application.runtime === "docker",
      minSize: fleet.minSize,
      maxSize: fleet.maxSize,
      desiredCapacity: fleet.desiredCapacity,
      targetGroupArns: [this.targetGroup.targetGroupArn],
      healthCheckGracePeriodSeconds: fleet.healthCheckGracePeriodSeconds,
      rootVolume: { sizeGb: fleet.rootVolume.sizeGb, type: fleet.rootVolume.type },
      detailedMonitoring: fleet.detailedMonitoring,
      keyName: fleet.keyName,
      cpuTargetPercent: fleet.scaling.cpuTargetPercent,
      requestScaling:
        fleet.scaling.requestsPerTarget !== undefined
          ? { requestsPerTarget: fleet.scaling.requestsPerTarget, resourceLabel: `${traffic.loadBalancerArnSuffix}/${this.targetGroup.arnSuffix}` }
          : undefined,
      instanceWarmupSeconds: fleet.scaling.instanceWarmupSeconds,
      terminationPolicies: fleet.terminationPolicies,
      notificationTopic: this.notifications,
      instanceRefresh: refresh && {
        minHealthyPercentage: refresh.minHealthyPercent,
        maxHealthyPercentage: refresh.maxHealthyPercent,
        checkpointPercentages: refresh.checkpoints?.percentages,
        checkpointDelaySeconds: refresh.checkpoints?.delaySeconds,
        skipMatching: refresh.skipMatching,
        autoRollback: refresh.autoRollback,
        scaleInProtectedInstances: refresh.scaleInProtectedInstances,
        standbyInstances: refresh.standbyInstances,
      },
      instanceTags: this.defaultTags(app, envName, env),
      copiedByReleases: env.deployment.mode === "blue-green",
      warmPool: fleet.warmPool.enabled
        ? { poolState: fleet.warmPool.poolState, minSize: fleet.warmPool.minSize, maxGroupPreparedCapacity: fleet.warmPool.maxGroupPreparedCapacity, reuseOnScaleIn: fleet.warmPool.reuseOnScaleIn }
        : undefined,
      purchase: fleet.purchase.enabled
        ? {
            onDemandBaseCapacity: fleet.purchase.onDemandBaseCapacity,
            onDemandPercentageAboveBase: fleet.purchase.onDemandPercentageAboveBase,
            spotAllocationStrategy: fleet.purchase.spotAllocationStrategy,
            onDemandAllocationStrategy: fleet.purchase.onDemandAllocationStrategy,
            instanceTypes: fleet.purchase.instanceTypes,
            instanceRequirements: fleet.purchase.instanceRequirements,
            capacityRebalance: fleet.purchase.capacityRebalance,
          }
        : undefined,
      dependsOn: [agent.parameter, ...this.releaseParameters.parameters],
    });
    this.artifacts.bucket.grantRead(this.fleet.role);
    if (env.application.runtime === "docker") this.artifacts.repository.grantPull(this.fleet.role);
    this.releaseParameters.grantRead(this.fleet.role);
    agent.grantAgent(this.fleet.role);

    const alarms = env.observability.alarms;
    this.alarms = new FleetAlarms(this, "alarms", {
      namePrefix: this.namePrefix,
      topic: this.notifications,
      loadBalancerArnSuffix: traffic.loadBalancerArnSuffix,
      // A shared ALB's own 5xx are every environment's: the shared stack alarms on them, and they
      // must not stop (roll back) this environment's deployments.
      loadBalancerAlarm: !shared,
      targetGroupArnSuffix: this.targetGroup.arnSuffix,
      autoScalingGroupName: this.fleet.liveGroupName,
      // Blue/green: the fleet reconciler points the CPU, memory and disk alarms at each new copy.
      autoScalingGroupFollowsReleases: env.deployment.mode === "blue-green",
      http5xxPerMinute: alarms.http5xxPerMinute,
      cpuHighPercent: alarms.cpuHighPercent,
      memoryHighPercent: alarms.memoryHighPercent,
      diskHighPercent: alarms.diskHighPercent,
      latencyP95Seconds: alarms.latencyP95Seconds,
      latencyP99Seconds: alarms.latencyP99Seconds,
      unhealthyHosts: alarms.unhealthyHosts,
      evaluationMinutes: alarms.evaluationMinutes,
      stopDeployments: alarms.stopDeployments,
    });
    // A refresh that fires the alarms that stop a deployment (by default) fails there.
    if (refresh) this.fleet.failRefreshOn(this.alarms.alarmNamesOf(refresh.alarms ?? alarms.stopDeployments));

    this.output("vpc_id", this.network.vpcId, "VPC of the environment");
    this.output("public_subnet_ids", this.network.subnetIds("public"), "Public subnets, one per availability zone");
    this.output("private_subnet_ids", this.network.subnetIds("private"), "Private application subnets (empty when disabled)");
    this.output("data_subnet_ids", this.network.subnetIds("data"), "Isolated data subnets (empty when disabled)");
    this.output("artifact_bucket_name", this.artifacts.bucket.bucketName, "S3 bucket for build artifacts and pipeline revisions");
    this.output("ecr_repository_url", this.artifacts.repository.repositoryUrl, "ECR repository for container images");
    this.output("kms_key_arn", this.encryptionKey.keyArn, "Customer-managed key of the environment");
    this.output("url", traffic.url, "Where the application answers");
    // Blue/green: the live group changes with every release (the deployment group names it), so an
    // output of it would change under every plan; the reconciler's function is output instead.
    if (env.deployment.mode !== "blue-green") this.output("autoscaling_group_name", this.fleet.liveGroupName, "The fleet's Auto Scaling group");
    this.output("launch_template_id", this.fleet.launchTemplate.launchTemplateId, "Launch template of the fleet");
    this.output("target_group_arn", this.targetGroup.targetGroupArn, "Target group the fleet registers with");
    this.output("notification_topic_arn", this.notifications.topicArn, "SNS topic for fleet events, alarms and deployments");
    this.output("release_parameter_path", `${parameterRoot}/release/`, "SSM path the release files read");
    if (this.goldenAmi) {
      this.output("golden_ami_id", this.goldenAmi.imageId, "AMI of Terraform's own Image Builder build in the environment's region; instances launch the newest build, in golden_ami_parameter_name");
      this.output("golden_ami_parameter_name", this.goldenAmi.imageParameterName, fleet.purchase.enabled
          ? "SSM parameter every build writes its AMI ID to; with fleet.purchase (a mixed instances policy) the launch template names the AMI read from it at plan time, so a new build reaches instances after the next terraform apply"
          : "SSM parameter every build writes its AMI ID to; the launch template resolves it at each launch unless goldenAmi.pinnedImageId is set");
      this.output("golden_ami_image_arn", this.goldenAmi.imageArn, "Image Builder image (build version) that produced golden_ami_id");
      if (this.goldenAmi.pipelineArn) {
        this.output("golden_ami_pipeline_arn", this.goldenAmi.pipelineArn, "Scheduled Image Builder pipeline; start a rebuild with aws imagebuilder start-image-pipeline-execution");
      }
    }

    this.accessAndData(env, this.defaultTags(app, envName, env));
    ({ build: this.buildProject, deployment: this.deploymentGroup, pipeline: this.pipeline } = this.releasePipeline(app, envName, env, architecture));

    if (env.observability.dashboard.enabled) {
      const dashboard = new Dashboard(this, "dashboard", {
        dashboardName: this.namePrefix,
        widgets: [
          // A shared ALB's own 5xx are every environment's: its stack watches them.
          ...trafficWidgets([{ label: "", loadBalancerArnSuffix: traffic.loadBalancerArnSuffix, targetGroupArnSuffix: this.targetGroup.arnSuffix }], shared ? undefined : traffic.loadBalancerArnSuffix),
          // The deployment group is named after the environment (releasePipeline), and so are its copies of the fleet.
          ...fleetWidgets(this.fleet.bootstrapGroupName, this.namePrefix),
          ...alarmWidget("Alarms that stop a deployment", this.alarms.deploymentAlarmArns),
          ...natWidgets(this.network instanceof Network ? this.network.natGatewayIds : []),
        ],
      });
      this.output("dashboard_name", dashboard.dashboardName, "CloudWatch dashboard of the environment");
    }

    this.node.addValidation({ validate: () => (assertUniqueAddresses(this), []) });
  }

  /**
   * The access and data options (all off by default): bastion host, RDS database in the data
   * subnets, static front end, and the SSM association that installs the CodeDeploy agent.
   */
  private accessAndData(env: EnvironmentConfig, tags: Record<string, string>): void {
    const { bastion: b, database: d, frontend: f, codedeployAgent: agent } = env;
    const own = this.network instanceof Network ? this.network : undefined;
    if ((b.enabled || d.enabled) && !own) throw new Error(`${this.node.id}: bastion and database need the environment's own network (not shared load balancer mode)`);

    let bastion: BastionHost | undefined;
    if (b.enabled) {
      bastion = new BastionHost(this, "bastion", {
        namePrefix: this.namePrefix,
        network: own!,
        encryptionKey: this.encryptionKey,
        sshIngressCidrs: b.sshIngressCidrs,
        ssm: b.ssm,
        instanceType: b.instanceType,
        publicKey: b.publicKey,
        rootVolumeSizeGiB: b.rootVolumeSizeGiB,
        volumeTags: tags,
      });
      if (b.sshToFleet) {
        const ssh = bastion.allowTo("ssh", this.instanceSecurityGroup, 22, "SSH");
        suppress(ssh, "SG.FLEET_INGRESS_FROM_LB", "SSH from the bastion's security group is an explicit choice of the configuration (bastion.sshToFleet)");
      }
      this.output("bastion_instance_id", bastion.instanceId, "Bastion host: aws ssm start-session --target <id>");
      if (bastion.isPublic) this.output("bastion_public_ip", bastion.publicIp, "Public address of the bastion (SSH from bastion.sshIngressCidrs)");
    }

    if (d.enabled) {
      const port = env.network!.databasePort;
      const database = new Database(this, "database", {
        namePrefix: this.namePrefix,
        engine: d.engine,
        engineVersion: d.engineVersion ?? ENGINE_VERSIONS[d.engine].default,
        instanceClass: d.instanceClass,
        subnetIds: own!.dataSubnetIds,
        securityGroup: own!.databaseSecurityGroup!,
        port,
        encryptionKey: this.encryptionKey,
        protection: env.protection,
        multiAz: d.multiAz ?? env.protection,
        allocatedStorageGiB: d.allocatedStorageGiB,
        maxAllocatedStorageGiB: d.maxAllocatedStorageGiB,
        backupRetentionDays: d.backupRetentionDays,
        backupWindow: d.backupWindow,
        maintenanceWindow: d.maintenanceWindow,
        databaseName: d.databaseName,
        masterUsername: d.masterUsername,
        performanceInsights: d.performanceInsights,
        monitoringIntervalSeconds: d.monitoringIntervalSeconds,
        logRetentionDays: d.logRetentionDays,
        iamAuthentication: d.iamAuthenticationUser !== undefined,
      });
      if (d.iamAuthenticationUser) database.grantConnect(this.fleet.role, d.iamAuthenticationUser);
      if (bastion) bastion.allowTo("db", own!.databaseSecurityGroup!, port, "Database port");
      this.releaseParameters.add("database-host", database.address);
      this.releaseParameters.add("database-port", String(port));
      if (d.databaseName) this.releaseParameters.add("database-name", d.databaseName);
      this.output("database_address", database.address, "Host name of the RDS instance (port: network.databasePort)");
      this.output("database_master_secret_arn", database.masterUserSecretArn, "Secrets Manager secret of the master user, kept and rotated by RDS");
    }

    if (f.enabled) {
      const site = new StaticSite(this, "frontend", {
        namePrefix: this.namePrefix,
        domainName: f.domainName,
        certificateArn: f.certificateArn,
        hostedZoneId: f.hostedZoneId,
        priceClass: f.priceClass,
        noncurrentVersionExpirationDays: f.noncurrentVersionExpirationDays,
        forceDestroy: !env.protection,
      });
      this.output("frontend_bucket_name", site.bucket.bucketName, "S3 bucket of the front end (upload the build output here)");
      this.output("frontend_distribution_id", site.distribution.distributionId, "CloudFront distribution of the front end (invalidate after an upload)");
      this.output("frontend_domain_name", site.distribution.domainName, "CloudFront domain name of the front end");
      this.output("frontend_url", site.url, "Where the front end answers");
    }

    if (agent.install === "ssm-association") {
      new CodedeployAgentAssociation(this, "codedeploy-agent", {
        namePrefix: this.namePrefix,
        targetTag: { key: FLEET_TAG_KEY, value: this.fleet.fleetTag },
        schedule: agent.schedule,
      });
    }
  }

  /**
   * CodeBuild (Docker build when the runtime is docker), CodeDeploy (blue/green or in-place on the
   * fleet behind the target group) and, unless disabled, the CodePipeline that chains them.
   */
  private releasePipeline(
    app: AppConfig,
    envName: string,
    env: EnvironmentConfig,
    architecture: "x86_64" | "arm64",
  ): { build: BuildProject; deployment: DeploymentGroup; pipeline?: Pipeline } {
    const docker = env.application.runtime === "docker";
    const release = { build: env.build, deployment: env.deployment, pipeline: env.pipeline };
    const build = new BuildProject(this, "build", {
      projectName: this.namePrefix,
      description: `Builds ${docker ? "the container image" : "the application bundle"} of ${this.namePrefix}`,
      encryptionKey: this.encryptionKey,
      artifactBucket: this.artifacts.bucket,
      logRetentionDays: release.build.logRetentionDays ?? env.observability.logRetentionDays,
      dockerRepository: docker ? this.artifacts.repository : undefined,
      architecture,
      computeType: release.build.computeType,
      timeoutMinutes: release.build.timeoutMinutes,
      environmentVariables: {
        APP_NAME: app.name,
        APP_ENV: envName,
        RELEASE_PARAMETER_PATH: `${this.releaseParameters.root}/release/`,
        IMAGE_TAG_ENV: release.build.imageTag ?? envName,
      },
    });
    this.releaseParameters.grantRead(build.role);
    // release/build-image.sh checks for existing tags and reads the pushed image's digest.
    if (docker) this.artifacts.repository.grantDescribeImages(build.role);

    const application = new CodeDeployApplication(this, "codedeploy", { applicationName: this.namePrefix });
    const deployment = release.deployment;
    const group = new DeploymentGroup(this, "deployment", {
      application,
      deploymentGroupName: this.namePrefix,
      autoScalingGroupName: this.fleet.liveGroupName,
      targetGroupName: this.targetGroup.targetGroupName,
      mode: deployment.mode,
      fleet: { instanceRole: this.fleet.role, launchTemplateId: this.fleet.launchTemplate.launchTemplateId, imageParameterArn: this.launchImage.parameterArn },
      blueGreen: deployment.blueGreen,
      inPlace: deployment.inPlace,
      alarmNames: deployment.rollbackOnAlarms ? this.alarms.deploymentAlarmNames : [],
      notificationTopic: this.notifications,
    });
    this.output("codebuild_project_name", build.projectName, "CodeBuild project of the release pipeline");
    this.output("codedeploy_application_name", application.applicationName, "CodeDeploy application");
    this.output("codedeploy_deployment_group_name", group.deploymentGroupName, "CodeDeploy deployment group of the fleet");
    if (deployment.mode === "blue-green") {
      const reconciler = new FleetReconciler(this, "fleet-reconciler", {
        namePrefix: this.namePrefix,
        fleet: this.fleet,
        deploymentGroup: group,
        encryptionKey: this.encryptionKey,
        topic: this.notifications,
        groupAlarmNames: this.alarms.groupAlarmNames,
        imageParameterArn: this.launchImage.parameterArn,
        logRetentionDays: env.observability.logRetentionDays,
        testTargetGroupArn: this.testTargetGroup?.targetGroupArn,
      });
      this.output("fleet_reconciler_function_name", reconciler.functionName, "Lambda function that keeps CodeDeploy's copies of the fleet in line with Terraform");
    }

    if (!release.pipeline.enabled) return { build, deployment: group };
    const source = pipelineSource(release.pipeline.source);
    const pipeline = new Pipeline(this, "pipeline", {
      pipelineName: this.namePrefix,
      artifactBucket: this.artifacts.bucket,
      encryptionKey: this.encryptionKey,
      source,
      build,
      deployTarget: group,
      approvalTopic: (release.pipeline.manualApproval ?? env.protection) ? this.notifications : undefined,
    });
    this.output("pipeline_name", pipeline.pipelineName, "CodePipeline of the environment");
    if (source.kind === "s3") {
      this.output("pipeline_source_location", `s3://${this.artifacts.bucket.bucketName}/${source.objectKey}`, "Upload a zip of the application here to start a release");
      // A third-party CI (ci.provider) uploads that zip (validation requires the s3 source).
      fleetCiIdentity(this, {
        appName: app.name,
        envName,
        ci: env.ci,
        bucket: this.artifacts.bucket,
        objectKey: source.objectKey,
        encryptionKey: this.encryptionKey,
        bucketParameterName: this.releaseParameters.names["artifact-bucket"],
      });
    }
    return { build, deployment: group, pipeline };
  }

  /** One ALB for this environment, optionally behind CloudFront, with its DNS records. */
  private dedicatedTraffic(env: EnvironmentConfig, https: boolean): Traffic {
    const lb = env.loadBalancer;
    const net = this.network as Network;
    // Behind CloudFront the ALB serves only requests that carry this distribution's secret header:
    // the origin-facing prefix list below admits every distribution, of every account.
    const originSecret = lb.cdn.enabled
      ? new OriginSecret(this, "origin-secret", { namePrefix: this.namePrefix, encryptionKey: this.encryptionKey })
      : undefined;
    const test = env.deployment.blueGreen?.testListener;
    const testSecurityGroup =
      test && this.testTargetGroup ? net.addSecurityGroup("alb-test", `Test listener of ${this.namePrefix}: port ${test.port} from the testers' CIDRs only`) : undefined;
    if (test && testSecurityGroup) {
      for (const cidr of test.allowedCidrs) {
        testSecurityGroup.allowIngress("test", { cidr }, { from: test.port }, `Test listener (${https ? "HTTPS" : "HTTP"}) from ${cidr}`);
      }
    }
    const alb = new LoadBalancer(this, "load-balancer", {
      namePrefix: this.namePrefix,
      subnetIds: net.publicSubnetIds,
      securityGroup: net.albSecurityGroup,
      certificateArn: https ? lb.certificateArn : undefined,
      sslPolicy: lb.sslPolicy,
      defaultTargetGroupArn: this.targetGroup.targetGroupArn,
      requiredHeader: originSecret ? { name: originSecret.headerName, value: originSecret.value } : undefined,
      idleTimeoutSeconds: lb.idleTimeoutSeconds,
      deletionProtection: env.protection,
      accessLogExpirationDays: lb.accessLogs.expirationDays,
      forceDestroyLogs: !env.protection,
      testListener: test && testSecurityGroup ? { port: test.port, targetGroupArn: this.testTargetGroup!.targetGroupArn, securityGroup: testSecurityGroup } : undefined,
    });
    this.output("alb_dns_name", alb.dnsName, "DNS name of the load balancer");
    const scheme = https ? "https" : "http";
    if (test) {
      // A name the certificate covers: the origin name behind CloudFront, else the environment's host name.
      const host = (lb.cdn.enabled ? lb.cdn.originDomainName : lb.hostName) ?? alb.dnsName;
      this.output("test_listener_url", `${scheme}://${host}:${test.port}`, "The new fleet while a blue/green deployment waits before traffic moves (from deployment.blueGreen.testListener.allowedCidrs only)");
    }
    // WAF: on the distribution when there is one (the ALB then only answers CloudFront), else on the ALB.
    const waf = lb.waf.enabled ? this.webAcl(env, lb.cdn.enabled ? undefined : alb.loadBalancerArn) : undefined;

    if (!lb.cdn.enabled) {
      if (lb.hostName && lb.hostedZoneId) {
        new AliasRecord(this, "dns", { hostedZoneId: lb.hostedZoneId, recordName: lb.hostName, targetDnsName: alb.dnsName, targetZoneId: alb.zoneId });
        return { loadBalancerArnSuffix: alb.arnSuffix, url: `${scheme}://${lb.hostName}` };
      }
      return { loadBalancerArnSuffix: alb.arnSuffix, url: `${scheme}://${alb.dnsName}` };
    }

    // CloudFront in front: only CloudFront may reach the ALB, on the one port it uses. (The
    // origin-facing prefix list counts as ~55 rules of a group's 60, so one rule is all there is room for.)
    const originFacing = pinName(
      new DataAwsEc2ManagedPrefixList(this, "cloudfront-origin-facing", { name: "com.amazonaws.global.cloudfront.origin-facing" }),
      "cloudfront_origin_facing",
    );
    const originPort = https ? 443 : 80;
    net.albSecurityGroup.allowIngress(
      https ? "https" : "http",
      { prefixListId: originFacing.id, name: "cloudfront" },
      { from: originPort },
      `${https ? "HTTPS" : "HTTP"} from CloudFront's origin-facing servers only`,
    );
    if (lb.cdn.originDomainName && lb.hostedZoneId) {
      new AliasRecord(this, "origin-dns", { hostedZoneId: lb.hostedZoneId, recordName: lb.cdn.originDomainName, targetDnsName: alb.dnsName, targetZoneId: alb.zoneId });
    }
    const distribution = new CdnDistribution(this, "cdn", {
      comment: `${this.namePrefix} application`,
      originDomainName: https ? lb.cdn.originDomainName! : alb.dnsName,
      originHttps: https,
      originCustomHeaders: [{ name: originSecret!.headerName, value: originSecret!.value }],
      aliases: lb.cdn.aliases,
      certificateArn: lb.cdn.certificateArn,
      priceClass: lb.cdn.priceClass,
      staticPathPatterns: lb.cdn.staticPathPatterns,
      webAclArn: waf?.webAclArn,
    });
    this.output("cloudfront_domain_name", distribution.domainName, "Domain name of the CloudFront distribution");
    if (lb.hostName && lb.hostedZoneId) {
      new AliasRecord(this, "dns", {
        hostedZoneId: lb.hostedZoneId,
        recordName: lb.hostName,
        targetDnsName: distribution.domainName,
        targetZoneId: distribution.hostedZoneId,
        ipv6: true,
        evaluateTargetHealth: false,
      });
      return { loadBalancerArnSuffix: alb.arnSuffix, url: `https://${lb.hostName}` };
    }
    return { loadBalancerArnSuffix: alb.arnSuffix, url: `https://${distribution.domainName}` };
  }

  /**
   * The environment's web ACL: REGIONAL on the ALB at `loadBalancerArn`, or CLOUDFRONT (no ARN; the
   * distribution names it), which AWS only accepts in us-east-1: a second provider for that region,
   * and there a key of its own for the log group unless the environment is in us-east-1 already.
   */
  private webAcl(env: EnvironmentConfig, loadBalancerArn: string | undefined): WebAcl {
    const waf = env.loadBalancer.waf;
    const region = AccountContext.of(this).region;
    let provider: AwsProvider | undefined;
    let key = this.encryptionKey;
    if (!loadBalancerArn) {
      provider = new AwsProvider(this, "aws-us-east-1", {
        alias: "us_east_1",
        region: CLOUDFRONT_WAF_REGION,
        allowedAccountIds: env.accountId ? [env.accountId] : undefined,
        defaultTags: [{ tags: stackDefaultTags(this) }],
      });
      if (region !== CLOUDFRONT_WAF_REGION) {
        key = new EncryptionKey(this, "waf-logs-key", {
          alias: `${this.namePrefix}-waf-logs`,
          description: `Encrypts the WAF request logs of ${this.namePrefix} in ${CLOUDFRONT_WAF_REGION} (CloudFront's web ACLs live there)`,
          deletionWindowDays: env.encryption.keyDeletionWindowDays,
          provider,
          region: CLOUDFRONT_WAF_REGION,
        });
      }
    }
    const acl = environmentWebAcl(this, this.namePrefix, waf, key, provider ? { cloudFrontProvider: provider } : { loadBalancerArn: loadBalancerArn! });
    this.output("waf_web_acl_arn", acl.webAclArn, "WAF web ACL of the environment");
    this.output("waf_log_group_name", acl.logGroupName, `CloudWatch Logs group of the WAF request logs (in ${loadBalancerArn ? region : CLOUDFRONT_WAF_REGION})`);
    return acl;
  }

  /** A host rule on the shared ALB's listener, the environment's certificate for SNI, and DNS. */
  private sharedTraffic(envName: string, env: EnvironmentConfig, shared: SharedLoadBalancerConfig, state: ReturnType<typeof remoteState>): Traffic {
    const lb = env.loadBalancer;
    const listenerArn = state.getString(SHARED_OUTPUTS.serviceListenerArn);
    this.targetGroup.routeHost(listenerArn, lb.hostName!, listenerRulePriority(envName, lb.rulePriority));
    const https = shared.https ?? shared.certificateArn !== undefined;
    if (lb.certificateArn) {
      pinName(new LbListenerCertificate(this, "listener-certificate", { listenerArn, certificateArn: lb.certificateArn }), "listener_certificate");
    }
    new AliasRecord(this, "dns", {
      hostedZoneId: lb.hostedZoneId!,
      recordName: lb.hostName!,
      targetDnsName: state.getString(SHARED_OUTPUTS.albDnsName),
      targetZoneId: state.getString(SHARED_OUTPUTS.albZoneId),
    });
    return { loadBalancerArnSuffix: state.getString(SHARED_OUTPUTS.albArnSuffix), url: `${https ? "https" : "http"}://${lb.hostName}` };
  }

  private defaultTags(app: AppConfig, envName: string, env: EnvironmentConfig): Record<string, string> {
    return environmentTags(app, envName, env);
  }

  protected output(name: string, value: string | string[], description: string): void {
    new TerraformOutput(this, name, { value, description });
  }
}
