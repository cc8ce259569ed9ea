import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformOutput, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { assertUniqueAddresses } from "../lib/address";
import { blueGreenSettings, EcsConfig } from "../lib/config/ecs";
import { AppConfig, EnvironmentConfig } from "../lib/config/schema";
import { AccountContext } from "../constructs/account-context";
import { AliasRecord } from "../constructs/alias-record";
import { Bucket } from "../constructs/bucket";
import { BuildProject } from "../constructs/build-project";
import { BuildProjectDeployTarget, IPipelineDeployTarget, Pipeline } from "../constructs/pipeline";
import { EcsDeploymentGroup } from "../constructs/ecs-deployment-group";
import { EcsCluster } from "../constructs/ecs-cluster";
import { EcsService } from "../constructs/ecs-service";
import { EcsServiceAlarms } from "../constructs/ecs-service-alarms";
import { Dashboard } from "../constructs/dashboard";
import { alarmWidget, ecsServiceWidgets, natWidgets, trafficWidgets } from "./environment-dashboards";
import { EncryptionKey } from "../constructs/encryption-key";
import { LoadBalancer } from "../constructs/load-balancer";
import { Network } from "../constructs/network";
import { environmentWebAcl } from "./environment-parts";
import { NotificationTopic } from "../constructs/notification-topic";
import { TaskDefinitionCleaner } from "../constructs/task-definition-cleaner";
import { SecurityGroup } from "../constructs/security-group";
import { applyBackend } from "./backend";
import { pipelineSource } from "./pipeline-source";
import { ecsCiIdentity } from "./ci-release";
import { instanceArchitecture } from "../lib/ec2";
import { renderTemplate } from "../lib/release/templates";
import { DEFAULT_SOURCE_OBJECT_KEY } from "../lib/config/release";
import * as path from "path";

/**
 * Longest a release's deploy step may take (the CodeBuild project's timeout). It waits for ECS to
 * report the deployment COMPLETED; the wait gives up five minutes earlier, with a message.
 * CodePipeline's own ECS action waits up to 60 minutes by default as well.
 */
export const ECS_DEPLOY_TIMEOUT_MINUTES = 60;

/** Host ports Docker picks for bridge-mode containers with hostPort 0 (the Linux ephemeral range ECS uses). */
export const DYNAMIC_HOST_PORTS = { from: 32768, to: 65535 } as const;

export interface EcsEnvironmentStackProps {
  readonly app: AppConfig;
  /** Environment name (a key of `environments`). */
  readonly envName: string;
  /** An environment with `platform: ecs` (and so an `ecs` section). */
  readonly environment: EnvironmentConfig;
}

/**
 * One environment on ECS, one Terraform state: network, encryption key, an ALB whose listener
 * answers 404 unless a service's path rule matches, the cluster with Fargate, Fargate Spot and
 * (when a service asks for EC2) an EC2 capacity provider, the services with their repositories,
 * logs, roles and autoscaling, and DNS. Everything comes from configuration.
 */
export class EcsEnvironmentStack extends TerraformStack {
  public readonly namePrefix: string;
  public readonly network: Network;
  public readonly encryptionKey: EncryptionKey;
  public readonly loadBalancer: LoadBalancer;
  public readonly notifications: NotificationTopic;
  public readonly cluster: EcsCluster;
  public readonly services: EcsService[];
  /** CPU, memory, 5xx and latency alarms of each service, in the order of {@link services}. */
  public readonly serviceAlarms: EcsServiceAlarms[];
  /** Pipeline artifacts and the s3 sources. */
  public readonly artifactBucket: Bucket;
  /** One per service, in the order of `ecs.services`. */
  public readonly buildProjects: BuildProject[] = [];
  /** One per service unless `pipeline.enabled` is false. */
  public readonly pipelines: Pipeline[] = [];
  /** The pipelines' deploy steps, one per service unless `pipeline.enabled` is false. */
  public readonly deployProjects: BuildProject[] = [];
  /** CodeDeploy blue/green of each service, in the order of {@link services}; undefined for rolling services. */
  public readonly deploymentGroups: Array<EcsDeploymentGroup | undefined>;
  /** Group of the EC2 container instances (EC2 services only). */
  public readonly containerInstanceSecurityGroup?: SecurityGroup;

  constructor(scope: Construct, id: string, props: EcsEnvironmentStackProps) {
    super(scope, id);
    const { app, envName, environment: env } = props;
    if (!env.ecs) throw new Error(`${id}: platform ecs needs the ecs section`);
    const ecs: EcsConfig = env.ecs;
    const region = env.region ?? app.region;
    this.namePrefix = `${app.name}-${envName}`;
    const tags = { ...app.tags, ...env.tags, application: app.name, environment: envName, "managed-by": "cdktf" };

    new AwsProvider(this, "aws", { region, allowedAccountIds: env.accountId ? [env.accountId] : undefined, defaultTags: [{ tags }] });
    applyBackend(this, { appName: app.name, envName, region, backend: env.backend });
    const context = new AccountContext(this, { region, accountId: env.accountId, availabilityZones: env.network?.availabilityZones });

    this.encryptionKey = new EncryptionKey(this, "environment-key", {
      alias: this.namePrefix,
      description: `Encrypts ${this.namePrefix}: images, logs and volumes`,
      deletionWindowDays: env.encryption.keyDeletionWindowDays,
    });

    const net = env.network!;
    const lb = env.loadBalancer;
    const https = lb.https ?? lb.certificateArn !== undefined;
    this.network = new Network(this, "network", {
      namePrefix: this.namePrefix,
      cidr: net.cidr,
      availabilityZones: context.availabilityZones(net.availabilityZones?.length ?? net.azCount),
      encryptionKey: this.encryptionKey,
      privateSubnets: net.privateSubnets,
      natGateways: net.natGateways,
      dataSubnets: false,
      albIngressCidrs: net.albIngressCidrs,
      albHttps: https,
      // Tasks and container instances get groups of their own below.
      instanceSecurityGroup: false,
      flowLogs: net.flowLogs.enabled ? { retentionDays: net.flowLogs.retentionDays, trafficType: net.flowLogs.trafficType } : false,
      endpoints: net.endpoints,
    });
    const privateSubnets = this.network.subnetIds("private");

    // No default target group: requests no service's path matches get the listener's plain 404.
    this.loadBalancer = new LoadBalancer(this, "load-balancer", {
      namePrefix: this.namePrefix,
      subnetIds: this.network.publicSubnetIds,
      securityGroup: this.network.albSecurityGroup,
      certificateArn: https ? lb.certificateArn : undefined,
      sslPolicy: lb.sslPolicy,
      idleTimeoutSeconds: lb.idleTimeoutSeconds,
      deletionProtection: env.protection,
      accessLogExpirationDays: lb.accessLogs.expirationDays,
      forceDestroyLogs: !env.protection,
    });
    if (lb.waf.enabled) {
      const waf = environmentWebAcl(this, this.namePrefix, lb.waf, this.encryptionKey, { loadBalancerArn: this.loadBalancer.loadBalancerArn });
      new TerraformOutput(this, "waf_web_acl_arn", { value: waf.webAclArn, description: "WAF web ACL of the environment's ALB" });
      new TerraformOutput(this, "waf_log_group_name", { value: waf.logGroupName, description: "CloudWatch Logs group of the WAF request logs" });
    }

    this.notifications = new NotificationTopic(this, "notifications", {
      topicName: `${this.namePrefix}-notifications`,
      encryptionKey: this.encryptionKey,
      email: env.notifications.email,
    });

    const ec2Services = ecs.services.filter((s) => s.launchType === "EC2");
    if (ec2Services.length > 0) {
      const instances = this.network.addSecurityGroup("container-instances", `Container instances of ${this.namePrefix}: bridge-mode host ports from the load balancer only`);
      instances.allowEgress("https", { cidr: "0.0.0.0/0" }, { from: 443 }, "HTTPS to ECS, ECR, CloudWatch Logs and AWS APIs");
      if (ec2Services.some((s) => s.networkMode === "bridge")) {
        instances.allowIngress("dynamic-ports", { securityGroup: this.network.albSecurityGroup }, DYNAMIC_HOST_PORTS, "Bridge-mode task host ports from the load balancer");
        this.network.albSecurityGroup.allowEgress("dynamic-ports", { securityGroup: instances }, DYNAMIC_HOST_PORTS, "Forward to bridge-mode tasks on their host ports");
      }
      this.containerInstanceSecurityGroup = instances;
    }

    const capacity = ecs.capacity;
    this.cluster = new EcsCluster(this, "cluster", {
      clusterName: this.namePrefix,
      containerInsights: ecs.containerInsights,
      fargate: { base: capacity.fargateBase, weight: capacity.fargateWeight, spotWeight: capacity.fargateSpotWeight },
      ec2Capacity: this.containerInstanceSecurityGroup
        ? {
            instanceType: capacity.instanceType,
            subnetIds: privateSubnets,
            securityGroup: this.containerInstanceSecurityGroup,
            encryptionKey: this.encryptionKey,
            minSize: capacity.minSize,
            maxSize: capacity.maxSize,
            targetCapacityPercent: capacity.targetCapacityPercent,
            scaleInProtection: capacity.scaleInProtection,
            rootVolumeSizeGb: capacity.rootVolumeSizeGb,
            instanceTags: tags,
            notificationTopic: this.notifications,
          }
        : undefined,
      exec: ecs.exec.enabled ? { logRetentionDays: ecs.exec.logRetentionDays, logEncryptionKey: this.encryptionKey, keyDeletionWindowDays: env.encryption.keyDeletionWindowDays } : undefined,
    });

    const repository = env.artifacts.containerRepository;
    this.services = ecs.services.map(
      (service) =>
        new EcsService(this, `service-${service.name}`, {
          namePrefix: this.namePrefix,
          serviceName: service.name,
          parameterRoot: `/${app.name}/${envName}`,
          cluster: this.cluster,
          network: this.network,
          subnetIds: privateSubnets,
          loadBalancerSecurityGroup: this.network.albSecurityGroup,
          listenerArn: this.loadBalancer.serviceListenerArn,
          pathPatterns: service.pathPatterns,
          priority: service.priority,
          encryptionKey: this.encryptionKey,
          logRetentionDays: env.observability.logRetentionDays,
          launchType: service.launchType,
          networkMode: service.networkMode,
          containerPort: service.containerPort,
          cpu: service.cpu,
          memory: service.memory,
          desiredCount: service.desiredCount,
          minCount: service.minCount,
          maxCount: service.maxCount,
          cpuTargetPercent: service.cpuTargetPercent,
          memoryTargetPercent: service.memoryTargetPercent,
          healthCheck: { ...lb.healthCheck, path: service.healthCheckPath },
          healthCheckGracePeriodSeconds: service.healthCheckGracePeriodSeconds,
          deregistrationDelaySeconds: lb.deregistrationDelaySeconds,
          initialImageTag: service.initialImageTag,
          repository: { ...repository, forceDelete: !env.protection },
          // Rolling services only: ECS refuses to change enableExecuteCommand of a CODE_DEPLOY service
          // through UpdateService (docs/ecs.md, ECS Exec instead of SSH).
          enableExecuteCommand: ecs.exec.enabled && !blueGreenSettings(service),
          deploymentController: blueGreenSettings(service) ? "CODE_DEPLOY" : undefined,
        }),
    );

    // Releases register revisions of every service's family outside Terraform; on destroy this
    // deregisters and deletes them (docs/ecs.md, "ECS releases").
    new TaskDefinitionCleaner(this, "task-definition-cleaner", {
      namePrefix: this.namePrefix,
      families: this.services.map((service) => ({ family: service.taskFamily, terraformRevisionArn: service.taskDefinitionArn })),
      encryptionKey: this.encryptionKey,
      logRetentionDays: env.observability.logRetentionDays,
    });

    const alarms = env.observability.alarms;
    this.serviceAlarms = this.services.map(
      (service) =>
        new EcsServiceAlarms(this, `${service.node.id}-alarms`, {
          namePrefix: `${this.namePrefix}-${service.serviceName}`,
          topic: this.notifications,
          clusterName: this.cluster.clusterName,
          serviceName: service.serviceName,
          loadBalancerArnSuffix: this.loadBalancer.arnSuffix,
          targetGroupArnSuffix: service.targetGroup.arnSuffix,
          greenTargetGroupArnSuffix: service.greenTargetGroup?.arnSuffix,
          cpuHighPercent: alarms.cpuHighPercent,
          memoryHighPercent: alarms.memoryHighPercent,
          http5xxPerMinute: alarms.http5xxPerMinute,
          latencyP95Seconds: alarms.latencyP95Seconds,
          latencyP99Seconds: alarms.latencyP99Seconds,
          evaluationMinutes: alarms.evaluationMinutes,
          stopDeployments: alarms.stopDeployments,
        }),
    );
    // Rolling services fail and roll back a deployment on their alarms of the kinds that stop
    // deployments (validation makes sure there is one when rollbackOnAlarms is on); CODE_DEPLOY
    // services hand theirs to the CodeDeploy deployment group.
    this.services.forEach((service, i) => {
      if (service.deploymentController !== "ECS") return;
      const names = this.serviceAlarms[i].deploymentAlarmNames;
      if (ecs.rollbackOnAlarms && names.length > 0) service.rollBackOnAlarms(names);
      else service.withoutAlarmRollback("the configuration turns alarm-based rollback off (ecs.rollbackOnAlarms: false)");
    });
    // Blue/green services: CodeDeploy over the service's target group pair, rolled back on the
    // alarms of the kinds that stop deployments, with a test listener where configured.
    this.deploymentGroups = ecs.services.map((config, i) => {
      const settings = blueGreenSettings(config);
      if (!settings) return undefined;
      const service = this.services[i];
      return new EcsDeploymentGroup(this, `${service.node.id}-deployment`, {
        service,
        namePrefix: this.namePrefix,
        productionListenerArn: this.loadBalancer.serviceListenerArn,
        loadBalancerArn: this.loadBalancer.loadBalancerArn,
        loadBalancerSecurityGroup: this.network.albSecurityGroup,
        trafficShift: { type: settings.trafficShift, ...settings.steps, predefinedConfig: settings.predefinedConfig },
        terminationWaitMinutes: settings.terminationWaitMinutes,
        testListener: settings.testListener,
        https: https && lb.certificateArn ? { certificateArn: lb.certificateArn, sslPolicy: lb.sslPolicy } : undefined,
        alarmNames: ecs.rollbackOnAlarms !== false ? this.serviceAlarms[i].deploymentAlarmNames : [],
        notificationTopic: this.notifications,
      });
    });
    if (env.observability.dashboard.enabled) {
      const dashboard = new Dashboard(this, "dashboard", {
        dashboardName: this.namePrefix,
        widgets: [
          ...trafficWidgets(
            // A blue-green service serves from either group of its pair: both are drawn.
            this.services.flatMap((service) => [
              { label: service.serviceName, loadBalancerArnSuffix: this.loadBalancer.arnSuffix, targetGroupArnSuffix: service.targetGroup.arnSuffix },
              ...(service.greenTargetGroup ? [{ label: `${service.serviceName} (green)`, loadBalancerArnSuffix: this.loadBalancer.arnSuffix, targetGroupArnSuffix: service.greenTargetGroup.arnSuffix }] : []),
            ]),
            this.loadBalancer.arnSuffix,
          ),
          ...ecsServiceWidgets(this.cluster.clusterName, this.services.map((service) => service.serviceName)),
          ...alarmWidget("Service alarms", this.serviceAlarms.flatMap((a) => a.alarmArns)),
          ...natWidgets(this.network.natGatewayIds),
        ],
      });
      this.output("dashboard_name", dashboard.dashboardName, "CloudWatch dashboard of the environment");
    }

    this.artifactBucket = new Bucket(this, "artifacts-bucket", {
      bucketPrefix: `${this.namePrefix}-artifacts-`,
      encryptionKey: this.encryptionKey,
      forceDestroy: !env.protection,
      lifecycleRules: [
        {
          id: "expire-artifacts",
          expirationDays: env.artifacts.artifactExpirationDays,
          noncurrentVersionExpirationDays: env.artifacts.noncurrentVersionExpirationDays,
          abortIncompleteMultipartUploadDays: 7,
        },
      ],
    });
    ecs.services.forEach((config, i) => this.release(env, config, this.services[i], this.deploymentGroups[i]));
    // A third-party CI (ci.provider) builds and deploys the services itself (pipeline.enabled is false then).
    ecsCiIdentity(this, app.name, envName, env.ci, this.services);

    const scheme = https ? "https" : "http";
    let url = `${scheme}://${this.loadBalancer.dnsName}`;
    if (lb.hostName && lb.hostedZoneId) {
      new AliasRecord(this, "dns", { hostedZoneId: lb.hostedZoneId, recordName: lb.hostName, targetDnsName: this.loadBalancer.dnsName, targetZoneId: this.loadBalancer.zoneId });
      url = `${scheme}://${lb.hostName}`;
    }

    this.output("vpc_id", this.network.vpcId, "VPC of the environment");
    this.output("public_subnet_ids", this.network.publicSubnetIds, "Public subnets (the load balancer's), one per availability zone");
    this.output("private_subnet_ids", privateSubnets, "Private subnets the tasks and container instances run in");
    this.output("kms_key_arn", this.encryptionKey.keyArn, "Customer-managed key of the environment");
    this.output("url", url, "Where the services answer (by path)");
    this.output("alb_dns_name", this.loadBalancer.dnsName, "DNS name of the load balancer");
    this.output("notification_topic_arn", this.notifications.topicArn, "SNS topic for container instance events and release approvals");
    this.output("ecs_cluster_name", this.cluster.clusterName, "ECS cluster of the environment");
    this.output("ecs_cluster_arn", this.cluster.clusterArn, "ECS cluster of the environment");
    this.output(
      "ecr_repository_urls",
      Object.fromEntries(this.services.map((s) => [s.serviceName, s.repository.repositoryUrl])),
      "ECR repository of each service, by service name",
    );

    if (this.cluster.exec) {
      this.output("ecs_exec_operator_policy_arn", this.cluster.exec.operatorPolicyArn, "Managed policy to attach to whoever may open ECS Exec sessions (aws ecs execute-command) in this cluster's tasks");
      this.output("ecs_exec_log_group_name", this.cluster.exec.logGroup.logGroupName, "CloudWatch Logs group with each ECS Exec session's commands and output");
    }

    this.output("artifact_bucket_name", this.artifactBucket.bucketName, "S3 bucket for pipeline artifacts (and s3 sources)");
    if (this.pipelines.length > 0) {
      this.output("pipeline_names", Object.fromEntries(ecs.services.map((s, i) => [s.name, this.pipelines[i].pipelineName])), "CodePipeline of each service, by service name");
    }

    this.node.addValidation({ validate: () => (assertUniqueAddresses(this), []) });
  }

  /**
   * A service's release: CodeBuild builds its image (for the architecture it runs on), pushes it
   * under a tag of its own and writes imagedefinitions.json; unless disabled, a pipeline chains
   * source → build → (approval) → deploy, where a second CodeBuild project registers the next
   * task definition revision from the one Terraform registered last, with the built image, and
   * rolls the service to it (docs/release-pipeline.md "ECS releases").
   */
  private release(env: EnvironmentConfig, config: EcsConfig["services"][number], service: EcsService, blueGreen?: EcsDeploymentGroup): void {
    const name = `${this.namePrefix}-${config.name}`;
    const logRetentionDays = env.build.logRetentionDays ?? env.observability.logRetentionDays;
    const build = new BuildProject(this, `${service.node.id}-build`, {
      projectName: name,
      description: `Builds the container image of ${name}`,
      encryptionKey: this.encryptionKey,
      artifactBucket: this.artifactBucket,
      logRetentionDays,
      dockerRepository: service.repository,
      // Fargate task definitions ask for X86_64; EC2 tasks run on the capacity's architecture.
      architecture: config.launchType === "EC2" ? instanceArchitecture(env.ecs!.capacity.instanceType) : "x86_64",
      computeType: env.build.computeType,
      timeoutMinutes: env.build.timeoutMinutes,
      environmentVariables: { REPOSITORY_URI: service.repository.repositoryUrl, CONTAINER_NAME: service.containerName, BUILD_CONTEXT: config.buildContext },
      buildspec: renderTemplate("ecs/buildspec.yml", {}),
    });
    this.buildProjects.push(build);
    if (!env.pipeline.enabled) return;
    let deployTarget: IPipelineDeployTarget;
    if (blueGreen) {
      // Blue/green: the CodeDeployToECS action deploys; a small project before it writes the
      // action's taskdef.json (Terraform's latest revision, image placeholder), imageDetail.json
      // and appspec.yaml. It reads Terraform's revision and nothing else.
      const prepare = new BuildProject(this, `${service.node.id}-prepare`, {
        projectName: `${name}-prepare`,
        description: `Prepares the blue/green release of ${name}: taskdef.json from Terraform's latest revision, appspec.yaml, imageDetail.json`,
        encryptionKey: this.encryptionKey,
        artifactBucket: this.artifactBucket,
        logRetentionDays,
        computeType: "BUILD_GENERAL1_SMALL",
        timeoutMinutes: 15,
        cache: false,
        environmentVariables: service.prepareVariables,
        buildspec: renderTemplate("ecs/prepare-blue-green-buildspec.yml", {}),
      });
      service.grantPrepare(prepare.role);
      blueGreen.usePrepareProject(prepare);
      this.deployProjects.push(prepare);
      deployTarget = blueGreen;
    } else {
      // The deploy step has a role of its own: the build runs the application's Dockerfile in
      // privileged mode and gets no ECS or PassRole permission; the deploy step runs no application
      // code and gets no ECR push. It produces nothing: no Docker, no cache, the smallest compute.
      const deploy = new BuildProject(this, `${service.node.id}-deploy`, {
        projectName: `${name}-deploy`,
        description: `Deploys ${name}: the next task definition revision from Terraform's latest with the built image, then the service`,
        encryptionKey: this.encryptionKey,
        artifactBucket: this.artifactBucket,
        logRetentionDays,
        computeType: "BUILD_GENERAL1_SMALL",
        timeoutMinutes: ECS_DEPLOY_TIMEOUT_MINUTES,
        cache: false,
        environmentVariables: { ...service.deployVariables, DEPLOY_TIMEOUT_SECONDS: String((ECS_DEPLOY_TIMEOUT_MINUTES - 5) * 60) },
        buildspec: renderTemplate("ecs/deploy-buildspec.yml", {}),
      });
      service.grantDeploy(deploy.role);
      this.deployProjects.push(deploy);
      deployTarget = new BuildProjectDeployTarget(deploy);
    }
    // One s3 object per service, next to the configured (or default) key.
    const objectKey = path.posix.join(path.posix.dirname(env.pipeline.source.objectKey ?? DEFAULT_SOURCE_OBJECT_KEY), `${config.name}.zip`);
    const source = pipelineSource({ ...env.pipeline.source, objectKey: undefined }, objectKey);
    this.pipelines.push(
      new Pipeline(this, `${service.node.id}-pipeline`, {
        pipelineName: name,
        artifactBucket: this.artifactBucket,
        encryptionKey: this.encryptionKey,
        source,
        build,
        deployTarget,
        approvalTopic: (env.pipeline.manualApproval ?? env.protection) ? this.notifications : undefined,
      }),
    );
  }

  private output(name: string, value: string | string[] | Record<string, string>, description: string): void {
    new TerraformOutput(this, name, { value, description });
  }
}
