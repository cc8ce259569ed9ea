/*
 * Issue 16, items 8 and 9: VPC endpoints (S3 gateway by default, interface endpoints as an option,
 * required without NAT) and AWS WAF (web ACL on the ALB or on CloudFront, with logging).
 */
import { App, Testing } from "cdktf";
import { EncryptionKey } from "../constructs/encryption-key";
import { Network, NetworkProps } from "../constructs/network";
import { MANAGED_RULE_GROUPS, WebAcl } from "../constructs/web-acl";
import { WAF_MANAGED_RULE_GROUPS } from "../lib/config/waf";
import * as path from "path";
import { estimateConfig } from "../lib/cost/summary";
import { loadPriceTable } from "../lib/cost/prices";
import { loadConfigFile, parseConfig } from "../lib/config/load";
import { buildApp } from "../lib/synth/build-app";
import { configProblems, expectProblemLine } from "./helpers/config";
import { bareStack, configWith, ref, resource, resourcesOfType, statements, Synth, synthConfig, synthEnv, synthStack } from "./helpers/synth";

function synthNetwork(props: Partial<NetworkProps> = {}): Synth {
  const { stack } = bareStack();
  const key = new EncryptionKey(stack, "environment-key", { alias: "app-test", description: "test" });
  new Network(stack, "network", { namePrefix: "app-test", cidr: "10.10.0.0/16", availabilityZones: ["eu-west-1a", "eu-west-1b"], appPort: 3000, encryptionKey: key, ...props });
  return synthStack(stack);
}

/** A valid single-environment configuration with `env` merged over `{ network: { cidr } }`. */
function rawConfig(env: Record<string, any>, extra: Record<string, any> = {}): Record<string, any> {
  return { app: { name: "webapp", region: "eu-west-1" }, environments: { staging: { ...env, network: { cidr: "10.10.0.0/16", ...env.network } } }, ...extra };
}

const FLEET_WITHOUT_NAT = ["ssm", "ssmmessages", "ec2messages", "logs", "monitoring", "codedeploy", "codedeploy-commands-secure"];

describe("VPC endpoints (construct)", () => {
  test("by default: the S3 gateway endpoint on every private route table, and no interface endpoint", () => {
    const json = synthNetwork();
    expect(resourcesOfType(json, "aws_vpc_endpoint")).toEqual({
      network_s3: {
        vpc_id: ref("aws_vpc.network_vpc", "id"),
        service_name: "com.amazonaws.eu-west-1.s3",
        vpc_endpoint_type: "Gateway",
        route_table_ids: [ref("aws_route_table.network_private_0", "id"), ref("aws_route_table.network_private_1", "id")],
        tags: { Name: "app-test-s3" },
      },
    });
    expect(resourcesOfType(json, "aws_security_group").network_endpoints).toBeUndefined();
  });

  test("no gateway endpoint when it is turned off or there are no private subnets", () => {
    expect(resourcesOfType(synthNetwork({ endpoints: { s3Gateway: false } }), "aws_vpc_endpoint")).toEqual({});
    expect(resourcesOfType(synthNetwork({ privateSubnets: false, endpoints: { interface: ["ssm"] } }), "aws_vpc_endpoint")).toEqual({});
  });

  test("interface endpoints: one per service in the private subnets, private DNS, a group admitting 443 from the VPC CIDR only", () => {
    const json = synthNetwork({ endpoints: { interface: ["ssm", "ecr.dkr"] } });
    expect(Object.keys(resourcesOfType(json, "aws_vpc_endpoint")).sort()).toEqual(["network_endpoint_ecr_dkr", "network_endpoint_ssm", "network_s3"]);
    expect(resource(json, "aws_vpc_endpoint", "network_endpoint_ecr_dkr")).toEqual({
      vpc_id: ref("aws_vpc.network_vpc", "id"),
      service_name: "com.amazonaws.eu-west-1.ecr.dkr",
      vpc_endpoint_type: "Interface",
      private_dns_enabled: true,
      subnet_ids: [ref("aws_subnet.network_private_0", "id"), ref("aws_subnet.network_private_1", "id")],
      security_group_ids: [ref("aws_security_group.network_endpoints", "id")],
      tags: { Name: "app-test-ecr.dkr" },
    });
    const group = ref("aws_security_group.network_endpoints", "id");
    const ingress = Object.values(resourcesOfType(json, "aws_vpc_security_group_ingress_rule")).filter((r) => r.security_group_id === group);
    expect(ingress).toEqual([expect.objectContaining({ cidr_ipv4: "10.10.0.0/16", from_port: 443, to_port: 443, ip_protocol: "tcp" })]);
    const egress = Object.values(resourcesOfType(json, "aws_vpc_security_group_egress_rule")).filter((r) => r.security_group_id === group);
    expect(egress).toEqual([]);
  });

  test("China regions name services cn.com.amazonaws.<region>.<service>", () => {
    const { stack } = bareStack({ region: "cn-north-1" });
    const key = new EncryptionKey(stack, "environment-key", { alias: "app-test", description: "test" });
    new Network(stack, "network", { namePrefix: "app-test", cidr: "10.10.0.0/16", availabilityZones: ["cn-north-1a", "cn-north-1b"], appPort: 3000, encryptionKey: key });
    expect(resource(synthStack(stack), "aws_vpc_endpoint", "network_s3").service_name).toBe("cn.com.amazonaws.cn-north-1.s3");
  });
});

describe("VPC endpoints (configuration)", () => {
  test("defaults: the S3 gateway on, no interface endpoint; every environment's network gets the gateway", () => {
    const config = configWith();
    expect(config.environments.staging.network!.endpoints).toEqual({ s3Gateway: true, interface: [] });
    expect(Object.keys(resourcesOfType(synthEnv(), "aws_vpc_endpoint"))).toEqual(["network_s3"]);
  });

  test("natGateways none with a private fleet names the endpoints it lacks", () => {
    const lines = configProblems(rawConfig({ network: { natGateways: "none" }, goldenAmi: { enabled: false } }));
    expectProblemLine(lines, "environments.staging.network.endpoints.interface", "[]", /includes "ssm", "ssmmessages", "ec2messages", "logs", "monitoring", "codedeploy", "codedeploy-commands-secure" while network\.natGateways is "none"/);
    // Docker releases pull from ECR too.
    const docker = configProblems(rawConfig({ network: { natGateways: "none", endpoints: { interface: FLEET_WITHOUT_NAT } }, goldenAmi: { enabled: false }, application: { runtime: "docker", port: 8080 } }));
    expectProblemLine(docker, "environments.staging.network.endpoints.interface", JSON.stringify(FLEET_WITHOUT_NAT), /includes "ecr\.api", "ecr\.dkr" while/);
  });

  test("natGateways none: the S3 gateway must stay on, and the golden AMI build needs NAT", () => {
    const lines = configProblems(rawConfig({ network: { natGateways: "none", endpoints: { s3Gateway: false, interface: FLEET_WITHOUT_NAT } }, goldenAmi: { enabled: true } }));
    expectProblemLine(lines, "environments.staging.network.endpoints.s3Gateway", "false", /true while network\.natGateways is "none" and the fleet runs in private subnets/);
    expectProblemLine(lines, "environments.staging.goldenAmi.enabled", "true", /false while network\.natGateways is "none": the Image Builder build/);
  });

  test("natGateways none is accepted with the endpoints, and synthesizes no NAT", () => {
    const json = synthConfig(configWith({ environments: { staging: { network: { cidr: "10.10.0.0/16", natGateways: "none", endpoints: { interface: FLEET_WITHOUT_NAT } }, goldenAmi: { enabled: false } } } })).staging;
    expect(resourcesOfType(json, "aws_nat_gateway")).toEqual({});
    expect(Object.keys(resourcesOfType(json, "aws_vpc_endpoint")).length).toBe(FLEET_WITHOUT_NAT.length + 1);
    // A fleet in public subnets needs no endpoint.
    expect(() => configWith({ environments: { staging: { network: { cidr: "10.10.0.0/16", natGateways: "none" }, goldenAmi: { enabled: false }, fleet: { subnets: "public" } } } })).not.toThrow();
  });

  test("ECS without NAT: image pulls and logs, and the agent's channels with EC2 capacity", () => {
    const ecs = (launchType: string) => ({ services: [{ name: "web", launchType, image: { tag: "latest" } }] });
    const fargate = configProblems(rawConfig({ platform: "ecs", network: { natGateways: "none" }, goldenAmi: { enabled: false }, ecs: ecs("FARGATE") }));
    expectProblemLine(fargate, "environments.staging.network.endpoints.interface", "[]", /includes "ecr\.api", "ecr\.dkr", "logs" while network\.natGateways is "none" and ECS tasks run/);
    const ec2 = configProblems(rawConfig({ platform: "ecs", network: { natGateways: "none", endpoints: { interface: ["ecr.api", "ecr.dkr", "logs"] } }, goldenAmi: { enabled: false }, ecs: ecs("EC2") }));
    expectProblemLine(ec2, "environments.staging.network.endpoints.interface", '["ecr.api","ecr.dkr","logs"]', /includes "ecs", "ecs-agent", "ecs-telemetry", "ssm", "ssmmessages", "ec2messages"/);
  });

  test("interface endpoints need private subnets; names are checked and not repeated", () => {
    const lines = configProblems(rawConfig({ network: { privateSubnets: false, natGateways: "none", endpoints: { interface: ["ssm"] } }, fleet: { subnets: "public" }, goldenAmi: { enabled: false } }));
    expectProblemLine(lines, "environments.staging.network.endpoints.interface", '["ssm"]', /\[\] while network\.privateSubnets is false/);
    expectProblemLine(configProblems(rawConfig({ network: { endpoints: { interface: ["s3"] } } })), "environments.staging.network.endpoints.interface.0", '"s3"', /one of "ssm", .*"ecs-telemetry"/);
    expectProblemLine(configProblems(rawConfig({ network: { endpoints: { interface: ["ssm", "ssm"] } } })), "environments.staging.network.endpoints.interface", '["ssm","ssm"]', /without duplicates/);
  });

  test("shared mode: the shared VPC without NAT must carry the endpoints of the fleets in it", () => {
    const lines = configProblems({
      app: { name: "portal", region: "eu-west-1" },
      sharedLoadBalancer: { network: { cidr: "10.50.0.0/16", natGateways: "none" } },
      environments: { qa: { loadBalancer: { mode: "shared", hostName: "qa.example.com", hostedZoneId: "Z0123456789ABCDEFGHIJ" }, goldenAmi: { enabled: false } } },
    });
    expectProblemLine(lines, "sharedLoadBalancer.network.endpoints.interface", "[]", /includes "ssm".* while sharedLoadBalancer\.network\.natGateways is "none" and the fleet runs in private subnets, which environments\.qa runs in/);
  });
});

describe("AWS WAF (configuration)", () => {
  test("off by default, with safe defaults for when it is turned on", () => {
    expect(configWith().environments.staging.loadBalancer.waf).toEqual({
      enabled: false,
      rateLimit: 2000,
      rateLimitWindowSeconds: 300,
      countRuleGroups: [],
      countRules: [],
      logging: { retentionDays: 90, redactedHeaders: ["authorization", "cookie"] },
    });
    expect(resourcesOfType(synthEnv(), "aws_wafv2_web_acl")).toEqual({});
  });

  test("bad values name the field, the value and what is allowed", () => {
    const waf = (w: Record<string, any>) => configProblems(rawConfig({ loadBalancer: { waf: { enabled: true, ...w } } }));
    expectProblemLine(waf({ rateLimit: 50 }), "environments.staging.loadBalancer.waf.rateLimit", "50", /from 100 to 2000000000/);
    expectProblemLine(waf({ rateLimitWindowSeconds: 30 }), "environments.staging.loadBalancer.waf.rateLimitWindowSeconds", "30", /one of 60, 120, 300, 600/);
    expectProblemLine(waf({ countRuleGroups: ["AWSManagedRulesSQLiRuleSet"] }), "environments.staging.loadBalancer.waf.countRuleGroups.0", '"AWSManagedRulesSQLiRuleSet"', /AWSManagedRulesCommonRuleSet/);
    expectProblemLine(
      waf({ countRuleGroups: ["AWSManagedRulesCommonRuleSet", "AWSManagedRulesCommonRuleSet"] }),
      "environments.staging.loadBalancer.waf.countRuleGroups",
      '["AWSManagedRulesCommonRuleSet","AWSManagedRulesCommonRuleSet"]',
      /without duplicates/,
    );
    expectProblemLine(waf({ countRules: [{ group: "AWSManagedRulesCommonRuleSet", name: "bad name" }] }), "environments.staging.loadBalancer.waf.countRules.0.name", '"bad name"', /rule name of the group/);
    expectProblemLine(waf({ logging: { redactedHeaders: ["Authorization"] } }), "environments.staging.loadBalancer.waf.logging.redactedHeaders.0", '"Authorization"', /lower-case HTTP header name/);
    expectProblemLine(waf({ logging: { retentionDays: 7.5 } }), "environments.staging.loadBalancer.waf.logging.retentionDays", "7.5", /1, 3, 5, 7/);
  });

  test("shared mode: the web ACL belongs to the shared stack; a host has nothing to put one on", () => {
    const shared = configProblems({
      app: { name: "portal", region: "eu-west-1" },
      sharedLoadBalancer: { network: { cidr: "10.50.0.0/16" } },
      environments: { qa: { loadBalancer: { mode: "shared", hostName: "qa.example.com", hostedZoneId: "Z0123456789ABCDEFGHIJ", waf: { enabled: true } } } },
    });
    expectProblemLine(shared, "environments.qa.loadBalancer.waf.enabled", "true", /false in shared mode: .*set sharedLoadBalancer\.waf\.enabled/);
    const host = configProblems(rawConfig({ platform: "host", loadBalancer: { waf: { enabled: true } } }));
    expectProblemLine(host, "environments.staging.loadBalancer.waf.enabled", "true", /false with platform: host/);
  });
});

describe("AWS WAF (stacks)", () => {
  test("on the ALB: a REGIONAL ACL, its association, logging with redaction to an encrypted aws-waf-logs- group", () => {
    const json = synthEnv({ environments: { staging: { network: { cidr: "10.10.0.0/16" }, loadBalancer: { waf: { enabled: true, rateLimit: 500, rateLimitWindowSeconds: 60 } } } } });
    const acl = resource(json, "aws_wafv2_web_acl", "waf");
    expect(acl).toMatchObject({ name: "webapp-staging", scope: "REGIONAL", default_action: { allow: {} } });
    expect(acl.provider).toBeUndefined();
    expect(acl.rule.map((r: any) => [r.priority, r.name, r.action ?? r.override_action])).toEqual([
      [0, "rate-limit", { block: {} }],
      [10, "AWSManagedRulesAmazonIpReputationList", { none: {} }],
      [20, "AWSManagedRulesCommonRuleSet", { none: {} }],
      [30, "AWSManagedRulesKnownBadInputsRuleSet", { none: {} }],
    ]);
    expect(acl.rule[0].statement).toEqual({ rate_based_statement: { limit: 500, aggregate_key_type: "IP", evaluation_window_sec: 60 } });
    expect(acl.rule[2].statement).toEqual({ managed_rule_group_statement: { vendor_name: "AWS", name: "AWSManagedRulesCommonRuleSet" } });
    for (const rule of acl.rule) expect(rule.visibility_config).toEqual({ cloudwatch_metrics_enabled: true, sampled_requests_enabled: true, metric_name: `webapp-staging-${rule.name}` });
    expect(resource(json, "aws_wafv2_web_acl_association", "waf")).toEqual({ resource_arn: ref("aws_lb.load_balancer_alb", "arn"), web_acl_arn: ref("aws_wafv2_web_acl.waf", "arn") });
    expect(resource(json, "aws_cloudwatch_log_group", "waf_logs")).toEqual({ name: "aws-waf-logs-webapp-staging", retention_in_days: 90, kms_key_id: ref("aws_kms_key.environment_key", "arn") });
    expect(resource(json, "aws_wafv2_web_acl_logging_configuration", "waf")).toEqual({
      resource_arn: ref("aws_wafv2_web_acl.waf", "arn"),
      log_destination_configs: [ref("aws_cloudwatch_log_group.waf_logs", "arn")],
      redacted_fields: [{ single_header: { name: "authorization" } }, { single_header: { name: "cookie" } }],
    });
    // The environment key admits CloudWatch Logs for the WAF group.
    const logs = statements(json, "environment_key_policy").find((s) => s.sid === "LogsAwsWafLogsWebappStaging");
    expect(logs).toMatchObject({ principals: [{ type: "Service", identifiers: ["logs.eu-west-1.amazonaws.com"] }] });
    expect(json.resource.aws_cloudfront_distribution).toBeUndefined();
    expect(json.output.waf_web_acl_arn.value).toBe(ref("aws_wafv2_web_acl.waf", "arn"));
  });

  test("count mode for a false positive: a whole group, or one rule of a group", () => {
    const json = synthEnv({
      environments: {
        staging: {
          network: { cidr: "10.10.0.0/16" },
          loadBalancer: { waf: { enabled: true, countRuleGroups: ["AWSManagedRulesKnownBadInputsRuleSet"], countRules: [{ group: "AWSManagedRulesCommonRuleSet", name: "SizeRestrictions_BODY" }] } },
        },
      },
    });
    const rules = resource(json, "aws_wafv2_web_acl", "waf").rule;
    expect(rules[3]).toMatchObject({ name: "AWSManagedRulesKnownBadInputsRuleSet", override_action: { count: {} } });
    expect(rules[2].override_action).toEqual({ none: {} });
    expect(rules[2].statement.managed_rule_group_statement.rule_action_override).toEqual([{ name: "SizeRestrictions_BODY", action_to_use: { count: {} } }]);
    expect(rules[1].statement.managed_rule_group_statement.rule_action_override).toBeUndefined();
  });

  test("on CloudFront: a CLOUDFRONT ACL, log group and key in us-east-1 through a second provider; the distribution names the ACL", () => {
    const json = synthEnv({
      environments: {
        staging: { network: { cidr: "10.10.0.0/16" }, accountId: "111122223333", tags: { team: "web" }, loadBalancer: { cdn: { enabled: true }, waf: { enabled: true } } },
      },
    });
    const east = json.provider.aws.find((p: any) => p.alias === "us_east_1");
    const main = json.provider.aws.find((p: any) => p.alias === undefined);
    expect(east).toMatchObject({ region: "us-east-1", allowed_account_ids: ["111122223333"], default_tags: main.default_tags });
    expect(main.region).toBe("eu-west-1");
    const viaEast = "aws.us_east_1";
    expect(resource(json, "aws_wafv2_web_acl", "waf")).toMatchObject({ scope: "CLOUDFRONT", provider: viaEast });
    expect(resource(json, "aws_wafv2_web_acl_logging_configuration", "waf").provider).toBe(viaEast);
    expect(resource(json, "aws_cloudwatch_log_group", "waf_logs")).toMatchObject({ provider: viaEast, kms_key_id: ref("aws_kms_key.waf_logs_key", "arn") });
    expect(resource(json, "aws_kms_key", "waf_logs_key")).toMatchObject({ provider: viaEast, enable_key_rotation: true });
    expect(resource(json, "aws_kms_alias", "waf_logs_key")).toMatchObject({ provider: viaEast, name: "alias/webapp-staging-waf-logs" });
    const logs = statements(json, "waf_logs_key_policy").find((s) => s.sid === "LogsAwsWafLogsWebappStaging");
    expect(logs).toMatchObject({ principals: [{ type: "Service", identifiers: ["logs.us-east-1.amazonaws.com"] }] });
    expect(JSON.stringify(logs!.condition)).toContain(":logs:us-east-1:");
    expect(resourcesOfType(json, "aws_wafv2_web_acl_association")).toEqual({});
    expect(resource(json, "aws_cloudfront_distribution", "cdn_distribution").web_acl_id).toBe(ref("aws_wafv2_web_acl.waf", "arn"));
  });

  test("on CloudFront from us-east-1: the environment key serves, no second key", () => {
    const json = synthEnv({ app: { region: "us-east-1" }, environments: { staging: { network: { cidr: "10.10.0.0/16" }, loadBalancer: { cdn: { enabled: true }, waf: { enabled: true } } } } });
    expect(resourcesOfType(json, "aws_kms_key").waf_logs_key).toBeUndefined();
    expect(resource(json, "aws_cloudwatch_log_group", "waf_logs").kms_key_id).toBe(ref("aws_kms_key.environment_key", "arn"));
  });

  test("the schema offers exactly the groups the construct runs", () => {
    expect([...WAF_MANAGED_RULE_GROUPS]).toEqual([...MANAGED_RULE_GROUPS]);
  });

  test("the construct refuses to associate a CLOUDFRONT ACL with a load balancer", () => {
    const { stack } = bareStack();
    const key = new EncryptionKey(stack, "key", { alias: "k", description: "k" });
    expect(() => new WebAcl(stack, "waf", { namePrefix: "x", scope: "CLOUDFRONT", logEncryptionKey: key, logRetentionDays: 30, rateLimit: 100, loadBalancerArn: "arn:aws:elasticloadbalancing:eu-west-1:1:loadbalancer/app/x/1" })).toThrow(
      /CLOUDFRONT web ACL cannot be associated with a load balancer/,
    );
  });

  test("shared mode: the shared stack owns the ACL on the shared ALB; environments add none", () => {
    const raw = {
      app: { name: "portal", region: "eu-west-1" },
      sharedLoadBalancer: { network: { cidr: "10.50.0.0/16" }, waf: { enabled: true } },
      environments: { qa: { loadBalancer: { mode: "shared", hostName: "qa.example.com", hostedZoneId: "Z0123456789ABCDEFGHIJ" } } },
    };
    const app = Testing.app({ stackTraces: false }) as App;
    const stacks = buildApp(app, parseConfig(raw));
    const byName = Object.fromEntries(stacks.map((s) => [s.node.id, JSON.parse(Testing.synth(s))]));
    const shared = byName["portal-shared"];
    expect(resource(shared, "aws_wafv2_web_acl", "waf")).toMatchObject({ scope: "REGIONAL", name: "portal-shared" });
    expect(resource(shared, "aws_wafv2_web_acl_association", "waf").resource_arn).toBe(ref("aws_lb.load_balancer_alb", "arn"));
    expect(Object.keys(resourcesOfType(shared, "aws_vpc_endpoint"))).toEqual(["network_s3"]);
    expect(byName["portal-qa"].resource.aws_wafv2_web_acl).toBeUndefined();
  });
});

describe("cost estimate", () => {
  test("docker-in-place production: interface endpoints per zone and hour, the web ACL and its four rules", () => {
    const config = loadConfigFile(path.join(__dirname, "..", "config", "examples", "docker-in-place.yaml"));
    const byEnv = synthConfig(config);
    const result = estimateConfig(config, [{ name: "shop-production", terraform: byEnv.production }], loadPriceTable());
    const lines = result.stacks[0].lines;
    const find = (component: string) => lines.find((l) => l.component === component);
    // 6 services × 3 zones × 730 h × $0.011 (eu-west-1 in the price table).
    expect(find("Interface VPC endpoints")).toMatchObject({ quantity: "18 endpoint-AZ × 730 h", min: 144.54 });
    expect(find("WAF web ACL")).toMatchObject({ min: 5 });
    expect(find("WAF rules")).toMatchObject({ quantity: "4", min: 4 });
  });
});
