import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformOutput, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { assertUniqueAddresses } from "../lib/address";
import { AppConfig, SharedLoadBalancerConfig } from "../lib/config/schema";
import { AccountContext } from "../constructs/account-context";
import { EncryptionKey } from "../constructs/encryption-key";
import { NETWORK_OUTPUTS } from "../constructs/imported-network";
import { LoadBalancer } from "../constructs/load-balancer";
import { LoadBalancerAlarms } from "../constructs/load-balancer-alarms";
import { Network } from "../constructs/network";
import { NotificationTopic } from "../constructs/notification-topic";
import { applyBackend } from "./backend";
import { environmentWebAcl } from "./environment-parts";

/** The shared stack is `<app>-shared`; "shared" is therefore not an environment name. */
export const SHARED_STACK_SUFFIX = "shared";

/** Outputs environments in shared mode read through `data.terraform_remote_state.shared`. */
export const SHARED_OUTPUTS = {
  ...NETWORK_OUTPUTS,
  albArn: "alb_arn",
  albArnSuffix: "alb_arn_suffix",
  albDnsName: "alb_dns_name",
  albZoneId: "alb_zone_id",
  albSecurityGroupId: "alb_security_group_id",
  serviceListenerArn: "service_listener_arn",
} as const;

export interface SharedLoadBalancerStackProps {
  readonly app: AppConfig;
  readonly shared: SharedLoadBalancerConfig;
  /** App ports of the environments that attach to this load balancer. */
  readonly appPorts: readonly number[];
}

/**
 * One ALB (and the VPC it lives in) shared by several environments, in a stack and state of its
 * own so that no environment's `terraform destroy` takes the others down. The listener answers 404
 * unless an environment's host rule matches; environments add their target groups, host rules,
 * SNI certificates and DNS records from their own stacks.
 */
export class SharedLoadBalancerStack extends TerraformStack {
  public readonly network: Network;
  public readonly loadBalancer: LoadBalancer;
  /** The shared stack's topic: the shared ALB's own alarms. */
  public readonly notifications: NotificationTopic;
  public readonly alarms: LoadBalancerAlarms;

  constructor(scope: Construct, id: string, props: SharedLoadBalancerStackProps) {
    super(scope, id);
    const { app, shared } = props;
    const region = shared.region ?? app.region;
    const namePrefix = `${app.name}-${SHARED_STACK_SUFFIX}`;

    new AwsProvider(this, "aws", {
      region,
      allowedAccountIds: shared.accountId ? [shared.accountId] : undefined,
      defaultTags: [{ tags: { ...app.tags, ...shared.tags, application: app.name, environment: SHARED_STACK_SUFFIX, "managed-by": "cdktf" } }],
    });
    applyBackend(this, { appName: app.name, envName: SHARED_STACK_SUFFIX, region, backend: shared.backend });
    const context = new AccountContext(this, { region, accountId: shared.accountId, availabilityZones: shared.network.availabilityZones });
    const key = new EncryptionKey(this, "shared-key", {
      alias: namePrefix,
      description: `Encrypts ${namePrefix}: flow logs and notifications`,
      deletionWindowDays: shared.encryption.keyDeletionWindowDays,
    });

    const net = shared.network;
    const https = shared.https ?? shared.certificateArn !== undefined;
    this.network = new Network(this, "network", {
      namePrefix,
      cidr: net.cidr,
      availabilityZones: context.availabilityZones(net.availabilityZones?.length ?? net.azCount),
      encryptionKey: key,
      instanceSecurityGroup: false,
      privateSubnets: net.privateSubnets,
      natGateways: net.natGateways,
      dataSubnets: net.dataSubnets,
      databasePort: net.databasePort,
      albIngressCidrs: net.albIngressCidrs,
      albHttps: https,
      flowLogs: net.flowLogs.enabled ? { retentionDays: net.flowLogs.retentionDays, trafficType: net.flowLogs.trafficType } : false,
      endpoints: net.endpoints,
    });
    // The environments' instance groups live in their own stacks; admit their app ports in the VPC.
    for (const port of [...new Set(props.appPorts)].sort((a, b) => a - b)) {
      this.network.albSecurityGroup.allowEgress(`app-${port}`, { cidr: net.cidr }, { from: port }, `Forward to environment instances on port ${port}`);
    }

    this.loadBalancer = new LoadBalancer(this, "load-balancer", {
      namePrefix,
      subnetIds: this.network.publicSubnetIds,
      securityGroup: this.network.albSecurityGroup,
      certificateArn: https ? shared.certificateArn : undefined,
      sslPolicy: shared.sslPolicy,
      idleTimeoutSeconds: shared.idleTimeoutSeconds,
      deletionProtection: shared.protection,
      accessLogExpirationDays: shared.accessLogExpirationDays,
      forceDestroyLogs: !shared.protection,
    });

    // One web ACL per ALB: the shared stack owns it, and it inspects every shared-mode environment.
    const waf = shared.waf.enabled ? environmentWebAcl(this, namePrefix, shared.waf, key, { loadBalancerArn: this.loadBalancer.loadBalancerArn }) : undefined;

    // The ALB's own 5xx count every environment's errors: they are watched here, where one team
    // owns the load balancer, and stop no environment's deployment (each rolls back on its own
    // target group's and fleet's alarms only).
    this.notifications = new NotificationTopic(this, "notifications", { topicName: `${namePrefix}-notifications`, encryptionKey: key, email: shared.notifications.email });
    this.alarms = new LoadBalancerAlarms(this, "alarms", {
      namePrefix,
      topic: this.notifications,
      loadBalancerArnSuffix: this.loadBalancer.arnSuffix,
      http5xxPerMinute: shared.alarms.http5xxPerMinute,
      evaluationMinutes: shared.alarms.evaluationMinutes,
    });

    const out = (name: string, value: string | string[], description: string) => new TerraformOutput(this, name, { value, description });
    out(SHARED_OUTPUTS.vpcId, this.network.vpcId, "VPC of the shared load balancer and its environments");
    out(SHARED_OUTPUTS.vpcCidr, this.network.vpcCidr, "CIDR of that VPC");
    out(SHARED_OUTPUTS.public, this.network.publicSubnetIds, "Public subnets");
    out(SHARED_OUTPUTS.private, this.network.privateSubnetIds, "Private application subnets");
    out(SHARED_OUTPUTS.data, this.network.dataSubnetIds, "Isolated data subnets");
    out(SHARED_OUTPUTS.albArn, this.loadBalancer.loadBalancerArn, "ARN of the shared ALB");
    out(SHARED_OUTPUTS.albArnSuffix, this.loadBalancer.arnSuffix, "ARN suffix of the shared ALB (CloudWatch dimension)");
    out(SHARED_OUTPUTS.albDnsName, this.loadBalancer.dnsName, "DNS name of the shared ALB");
    out(SHARED_OUTPUTS.albZoneId, this.loadBalancer.zoneId, "Hosted zone of the shared ALB (for alias records)");
    out(SHARED_OUTPUTS.albSecurityGroupId, this.network.albSecurityGroup.securityGroupId, "Security group of the shared ALB");
    out(SHARED_OUTPUTS.serviceListenerArn, this.loadBalancer.serviceListenerArn, "Listener environments add host rules to (HTTPS when configured)");
    out("notification_topic_arn", this.notifications.topicArn, "SNS topic for the shared ALB's alarms");
    if (waf) {
      out("waf_web_acl_arn", waf.webAclArn, "WAF web ACL of the shared ALB");
      out("waf_log_group_name", waf.logGroupName, "CloudWatch Logs group of the WAF request logs");
    }

    this.node.addValidation({ validate: () => (assertUniqueAddresses(this), []) });
  }
}

