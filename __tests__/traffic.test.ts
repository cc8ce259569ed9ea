import * as path from "path";
import { loadConfigFile, parseConfig } from "../lib/config/load";
import { listenerRulePriority } from "../lib/priority";
import { data, ref, resource, resourcesOfType, statements, synthConfig, synthEnv } from "./helpers/synth";

const CERT = "arn:aws:acm:eu-west-1:111122223333:certificate/1a2b3c4d-5e6f-4a8b-9c0d-1e2f3a4b5c6d";
const CDN_CERT = "arn:aws:acm:us-east-1:111122223333:certificate/9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a";
const ZONE = "Z0123456789ABCDEFGHIJ";

const env = (extra: Record<string, unknown> = {}) => ({ environments: { qa: { network: { cidr: "10.10.0.0/16" }, ...extra } } });

describe("dedicated load balancer", () => {
  const http = synthEnv(env());
  const https = synthEnv(env({ protection: false, loadBalancer: { certificateArn: CERT, sslPolicy: "ELBSecurityPolicy-TLS13-1-3-2021-06" } }));

  test("internet-facing ALB in the public subnets, invalid headers dropped, access logs, deletion protection", () => {
    expect(resource(http, "aws_lb", "load_balancer_alb")).toMatchObject({
      name: "webapp-qa-alb",
      internal: false,
      load_balancer_type: "application",
      subnets: [ref("aws_subnet.network_public_0", "id"), ref("aws_subnet.network_public_1", "id")],
      security_groups: [ref("aws_security_group.network_alb", "id")],
      drop_invalid_header_fields: true,
      enable_deletion_protection: true,
      idle_timeout: 60,
      access_logs: { bucket: ref("aws_s3_bucket.load_balancer_logs", "bucket"), enabled: true },
      depends_on: ["aws_s3_bucket_policy.load_balancer_logs"],
    });
  });

  test("deletion protection follows `protection`", () => {
    expect(resource(https, "aws_lb", "load_balancer_alb").enable_deletion_protection).toBe(false);
    expect(resource(https, "aws_s3_bucket", "load_balancer_logs").force_destroy).toBe(true);
  });

  test("without a certificate: port 80 forwards to the target group, no 443 listener", () => {
    expect(resource(http, "aws_lb_listener", "load_balancer_http")).toMatchObject({
      port: 80,
      protocol: "HTTP",
      default_action: [{ type: "forward", target_group_arn: ref("aws_lb_target_group.target_group", "arn") }],
    });
    expect(resourcesOfType(http, "aws_lb_listener").load_balancer_https).toBeUndefined();
  });

  test("the ALB's group opens only the ports that have listeners: 80 without a certificate, 80 and 443 with one", () => {
    const ports = (json: Record<string, any>) =>
      Object.entries(resourcesOfType(json, "aws_vpc_security_group_ingress_rule"))
        .filter(([, r]) => r.security_group_id === ref("aws_security_group.network_alb", "id"))
        .map(([, r]) => r.from_port)
        .sort();
    expect(ports(http)).toEqual([80]);
    expect(ports(https)).toEqual([443, 80]);
    // The default configuration's environments have no certificate.
    const defaults = synthConfig(loadConfigFile(path.join(__dirname, "..", "config/default.yaml")));
    expect(ports(defaults.staging)).toEqual([80]);
    expect(ports(defaults.production)).toEqual([80]);
  });

  test("with a certificate: 80 redirects permanently to 443, which serves with the TLS policy", () => {
    expect(resource(https, "aws_lb_listener", "load_balancer_http").default_action).toEqual([
      { type: "redirect", redirect: { port: "443", protocol: "HTTPS", status_code: "HTTP_301" } },
    ]);
    expect(resource(https, "aws_lb_listener", "load_balancer_https")).toMatchObject({
      port: 443,
      protocol: "HTTPS",
      certificate_arn: CERT,
      ssl_policy: "ELBSecurityPolicy-TLS13-1-3-2021-06",
      default_action: [{ type: "forward", target_group_arn: ref("aws_lb_target_group.target_group", "arn") }],
    });
  });

  test("`https: false` keeps a configured certificate unused", () => {
    const json = synthEnv(env({ loadBalancer: { certificateArn: CERT, https: false } }));
    expect(resourcesOfType(json, "aws_lb_listener").load_balancer_https).toBeUndefined();
  });

  test("access log bucket: SSE-S3 (all ALB log delivery supports), delivery by the ELB account and the log delivery service", () => {
    expect(resource(http, "aws_s3_bucket_server_side_encryption_configuration", "load_balancer_logs").rule).toEqual([
      { apply_server_side_encryption_by_default: { sse_algorithm: "AES256" } },
    ]);
    const policy = statements(http, "load_balancer_logs_policy");
    const objects = `${ref("aws_s3_bucket.load_balancer_logs", "arn")}/AWSLogs/\${data.aws_caller_identity.current.account_id}/*`;
    expect(policy.find((s) => s.sid === "ElbAccountLogDelivery")).toMatchObject({
      actions: ["s3:PutObject"],
      resources: [objects],
      principals: [{ type: "AWS", identifiers: [ref("data.aws_elb_service_account.load_balancer_elb", "arn")] }],
    });
    expect(policy.find((s) => s.sid === "ElbServiceLogDelivery")).toMatchObject({
      principals: [{ type: "Service", identifiers: ["logdelivery.elasticloadbalancing.amazonaws.com"] }],
    });
    expect(policy.find((s) => s.sid === "DenyInsecureTransport")).toBeDefined();
    expect(resource(http, "aws_s3_bucket_lifecycle_configuration", "load_balancer_logs").rule[0]).toMatchObject({ id: "expire-access-logs", expiration: [{ days: 90 }] });
  });

  test("target group: the instances' Nginx on port 80 (not the app port behind it), HTTP health check on the configured path, short deregistration", () => {
    const json = synthEnv(env({ application: { port: 8080 }, loadBalancer: { healthCheck: { path: "/ready", matcher: "200", intervalSeconds: 10, timeoutSeconds: 4 }, deregistrationDelaySeconds: 20 } }));
    expect(resource(json, "aws_lb_target_group", "target_group")).toMatchObject({
      name: "webapp-qa-80",
      port: 80,
      protocol: "HTTP",
      target_type: "instance",
      vpc_id: ref("aws_vpc.network_vpc", "id"),
      deregistration_delay: "20",
      health_check: { enabled: true, path: "/ready", matcher: "200", interval: 10, timeout: 4, healthy_threshold: 2, unhealthy_threshold: 3, port: "traffic-port", protocol: "HTTP" },
      lifecycle: { create_before_destroy: true },
    });
    expect(resource(http, "aws_lb_target_group", "target_group").deregistration_delay).toBe("30");
    // The load balancer reaches Nginx only; the application port stays inside the instance.
    expect(resource(json, "aws_vpc_security_group_ingress_rule", "network_instances_app_from_network_alb")).toMatchObject({ from_port: 80, to_port: 80, ip_protocol: "tcp" });
    expect(resource(json, "aws_vpc_security_group_egress_rule", "network_alb_app_to_network_instances")).toMatchObject({ from_port: 80, to_port: 80 });
    expect(JSON.stringify(resourcesOfType(json, "aws_vpc_security_group_ingress_rule"))).not.toContain("8080");
    // Nginx proxies to the application port and the health path, keeping connections longer than the ALB's idle timeout.
    const userData = Buffer.from(resource(json, "aws_launch_template", "fleet_template").user_data, "base64").toString("utf8");
    expect(userData).toContain("proxy_pass http://127.0.0.1:8080;");
    expect(userData).toContain("location = /ready {");
    expect(userData).toContain("keepalive_timeout 65s;");
    const longIdle = synthEnv(env({ loadBalancer: { idleTimeoutSeconds: 300 }, fleet: { proxy: { clientMaxBodyMiB: 64 } } }));
    const longIdleUserData = Buffer.from(resource(longIdle, "aws_launch_template", "fleet_template").user_data, "base64").toString("utf8");
    expect(longIdleUserData).toContain("keepalive_timeout 305s;");
    expect(longIdleUserData).toContain("proxy_read_timeout 300s;");
    expect(longIdleUserData).toContain("client_max_body_size 64m;");
  });

  test("host name: an alias record to the ALB", () => {
    const json = synthEnv(env({ loadBalancer: { hostName: "qa.example.com", hostedZoneId: ZONE } }));
    expect(resource(json, "aws_route53_record", "dns_a")).toEqual(
      expect.objectContaining({
        zone_id: ZONE,
        name: "qa.example.com",
        type: "A",
        alias: { name: ref("aws_lb.load_balancer_alb", "dns_name"), zone_id: ref("aws_lb.load_balancer_alb", "zone_id"), evaluate_target_health: true },
      }),
    );
    expect(json.output.url.value).toBe("http://qa.example.com");
  });
});

describe("CloudFront in front", () => {
  const json = synthEnv(
    env({
      loadBalancer: {
        certificateArn: CERT,
        hostName: "shop.example.com",
        hostedZoneId: ZONE,
        cdn: { enabled: true, certificateArn: CDN_CERT, aliases: ["shop.example.com"], originDomainName: "origin.shop.example.com", staticPathPatterns: ["/assets/*"] },
      },
    }),
  );
  const distribution = resource(json, "aws_cloudfront_distribution", "cdn_distribution");

  test("viewers on HTTPS with TLS 1.2, nothing cached except static paths, all viewer data but Host to the origin", () => {
    expect(distribution.default_cache_behavior).toMatchObject({
      viewer_protocol_policy: "redirect-to-https",
      cache_policy_id: "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
      origin_request_policy_id: "b689b0a8-53d0-40ab-baf2-68738e2966ac",
      allowed_methods: ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"],
    });
    expect(distribution.ordered_cache_behavior).toEqual([expect.objectContaining({ path_pattern: "/assets/*", cache_policy_id: "658327ea-f89d-4fab-a63d-7e88639e58f6", viewer_protocol_policy: "redirect-to-https" })]);
    expect(distribution.viewer_certificate).toEqual({ acm_certificate_arn: CDN_CERT, ssl_support_method: "sni-only", minimum_protocol_version: "TLSv1.2_2021" });
    expect(distribution.aliases).toEqual(["shop.example.com"]);
  });

  test("the origin is reached over HTTPS by a name the ALB certificate covers, published as an alias to the ALB", () => {
    expect(distribution.origin).toEqual([
      expect.objectContaining({ domain_name: "origin.shop.example.com", custom_origin_config: expect.objectContaining({ origin_protocol_policy: "https-only", origin_ssl_protocols: ["TLSv1.2"] }) }),
    ]);
    expect(resource(json, "aws_route53_record", "origin_dns_a")).toMatchObject({ name: "origin.shop.example.com", alias: { name: ref("aws_lb.load_balancer_alb", "dns_name") } });
  });

  test("only CloudFront's origin-facing servers reach the ALB, on the origin port only", () => {
    const ingress = resourcesOfType(json, "aws_vpc_security_group_ingress_rule");
    const albRules = Object.entries(ingress).filter(([name]) => name.startsWith("network_alb_"));
    expect(albRules.map(([name]) => name)).toEqual(["network_alb_https_from_cloudfront"]);
    expect(albRules[0][1]).toMatchObject({ prefix_list_id: ref("data.aws_ec2_managed_prefix_list.cloudfront_origin_facing", "id"), from_port: 443, to_port: 443 });
    expect(data(json, "aws_ec2_managed_prefix_list", "cloudfront_origin_facing").name).toBe("com.amazonaws.global.cloudfront.origin-facing");
  });

  test("the site name aliases the distribution, A and AAAA", () => {
    expect(resource(json, "aws_route53_record", "dns_a").alias).toEqual({ name: ref("aws_cloudfront_distribution.cdn_distribution", "domain_name"), zone_id: ref("aws_cloudfront_distribution.cdn_distribution", "hosted_zone_id"), evaluate_target_health: false });
    expect(resource(json, "aws_route53_record", "dns_aaaa").type).toBe("AAAA");
    expect(json.output.url.value).toBe("https://shop.example.com");
  });

  test("an HTTP-only ALB is reached over HTTP on 80, and CloudFront's default certificate is used without aliases", () => {
    const plain = synthEnv(env({ loadBalancer: { cdn: { enabled: true } } }));
    const d = resource(plain, "aws_cloudfront_distribution", "cdn_distribution");
    expect(d.origin[0]).toMatchObject({ domain_name: ref("aws_lb.load_balancer_alb", "dns_name"), custom_origin_config: { origin_protocol_policy: "http-only" } });
    expect(d.viewer_certificate).toEqual({ cloudfront_default_certificate: true });
    expect(resource(plain, "aws_vpc_security_group_ingress_rule", "network_alb_http_from_cloudfront").from_port).toBe(80);
  });

  const secret = '${sensitive(sha256(aws_kms_ciphertext.origin_secret.ciphertext_blob))}';

  test("CloudFront sends a secret header to the origin; the ALB answers 403 without it and forwards with it", () => {
    expect(distribution.origin[0].custom_header).toEqual([{ name: "X-Origin-Verify", value: secret }]);
    expect(resource(json, "aws_lb_listener", "load_balancer_https").default_action).toEqual([
      { type: "fixed-response", fixed_response: { content_type: "text/plain", status_code: "403", message_body: "Forbidden" } },
    ]);
    expect(resource(json, "aws_lb_listener_rule", "load_balancer_required_header")).toEqual(
      expect.objectContaining({
        listener_arn: ref("aws_lb_listener.load_balancer_https", "arn"),
        priority: 1,
        condition: [{ http_header: { http_header_name: "X-Origin-Verify", values: [secret] } }],
        action: [{ type: "forward", target_group_arn: ref("aws_lb_target_group.target_group", "arn") }],
      }),
    );
    // Port 80 only redirects to HTTPS (and is closed: CloudFront reaches 443 only).
    expect(resource(json, "aws_lb_listener", "load_balancer_http").default_action[0].type).toBe("redirect");
  });

  test("the secret is made once per environment and kept: a KMS ciphertext of the environment key, hashed, never printed", () => {
    expect(resource(json, "aws_kms_ciphertext", "origin_secret")).toEqual({
      key_id: ref("aws_kms_key.environment_key", "arn"),
      plaintext: "webapp-qa CloudFront origin header",
      context: { purpose: "cloudfront-origin-header", environment: "webapp-qa" },
    });
    // No generator that answers a new value (or prints it) on every plan.
    expect(json.data?.aws_secretsmanager_random_password).toBeUndefined();
  });

  test("an HTTP-only origin checks the header on its HTTP listener", () => {
    const plain = synthEnv(env({ loadBalancer: { cdn: { enabled: true } } }));
    expect(resource(plain, "aws_lb_listener", "load_balancer_http").default_action[0].fixed_response.status_code).toBe("403");
    expect(resource(plain, "aws_lb_listener_rule", "load_balancer_required_header").listener_arn).toBe(ref("aws_lb_listener.load_balancer_http", "arn"));
    expect(resource(plain, "aws_cloudfront_distribution", "cdn_distribution").origin[0].custom_header).toEqual([{ name: "X-Origin-Verify", value: secret }]);
  });

  test("without CloudFront no header is required and no secret exists", () => {
    const direct = synthEnv(env());
    expect(resourcesOfType(direct, "aws_lb_listener_rule")).toEqual({});
    expect(resourcesOfType(direct, "aws_kms_ciphertext")).toEqual({});
    expect(resource(direct, "aws_lb_listener", "load_balancer_http").default_action[0].type).toBe("forward");
  });
});

describe("shared load balancer", () => {
  const config = {
    app: { name: "portal", region: "eu-west-1" },
    defaults: { loadBalancer: { mode: "shared", hostedZoneId: ZONE } },
    environments: {
      dev: { loadBalancer: { hostName: "dev.example.com" } },
      qa: { loadBalancer: { hostName: "qa.example.com", rulePriority: 77, certificateArn: CERT } },
    } as Record<string, unknown>,
  };
  const withShared = (extra: Record<string, unknown> = {}) => parseConfig({ ...config, ...extra });
  const stacks = synthConfig(withShared({ sharedLoadBalancer: { network: { cidr: "10.50.0.0/16" }, certificateArn: CERT } }));

  test("the shared stack owns the VPC and an ALB whose listeners answer 404 unless a host rule matches", () => {
    const shared = stacks.shared;
    expect(resource(shared, "aws_lb", "load_balancer_alb").name).toBe("portal-shared-alb");
    expect(resource(shared, "aws_lb_listener", "load_balancer_https").default_action).toEqual([
      { type: "fixed-response", fixed_response: { content_type: "text/plain", status_code: "404", message_body: "Not found" } },
    ]);
    expect(resourcesOfType(shared, "aws_autoscaling_group")).toEqual({});
    expect(resourcesOfType(shared, "aws_security_group").network_instances).toBeUndefined();
    expect(Object.keys(shared.output).sort()).toEqual([
      "alb_arn",
      "alb_arn_suffix",
      "alb_dns_name",
      "alb_security_group_id",
      "alb_zone_id",
      "data_subnet_ids",
      "notification_topic_arn",
      "private_subnet_ids",
      "public_subnet_ids",
      "service_listener_arn",
      "vpc_cidr",
      "vpc_id",
    ]);
    expect(shared.output.service_listener_arn.value).toBe(ref("aws_lb_listener.load_balancer_https", "arn"));
  });

  test("the shared ALB may reach the environments' Nginx (port 80) in its VPC, not their app ports", () => {
    expect(resource(stacks.shared, "aws_vpc_security_group_egress_rule", "network_alb_app_80_to_10_50_0_0_16")).toMatchObject({ from_port: 80, to_port: 80, cidr_ipv4: "10.50.0.0/16" });
    expect(Object.keys(resourcesOfType(stacks.shared, "aws_vpc_security_group_egress_rule")).filter((n) => n.startsWith("network_alb_app_"))).toEqual(["network_alb_app_80_to_10_50_0_0_16"]);
  });

  test("environments read the shared stack through its remote state and run in its VPC", () => {
    const dev = stacks.dev;
    expect(data(dev, "terraform_remote_state", "shared")).toMatchObject({ backend: "local", config: { path: "../../../terraform.portal-shared.tfstate" } });
    expect(resourcesOfType(dev, "aws_vpc")).toEqual({});
    expect(resource(dev, "aws_lb_target_group", "target_group").vpc_id).toBe("${data.terraform_remote_state.shared.outputs.vpc_id}");
    expect(resource(dev, "aws_security_group", "network_instances").vpc_id).toBe("${data.terraform_remote_state.shared.outputs.vpc_id}");
    expect(resource(dev, "aws_vpc_security_group_ingress_rule", "network_instances_app_from_shared_alb").referenced_security_group_id).toBe(
      "${data.terraform_remote_state.shared.outputs.alb_security_group_id}",
    );
    expect(resource(dev, "aws_vpc_security_group_ingress_rule", "network_instances_app_from_shared_alb")).toMatchObject({ from_port: 80, to_port: 80 });
    expect(resource(dev, "aws_lb_target_group", "target_group")).toMatchObject({ port: 80 });
  });

  test("a host rule on the shared listener with the derived or configured priority", () => {
    expect(resource(stacks.dev, "aws_lb_listener_rule", "target_group_host")).toEqual(
      expect.objectContaining({
        listener_arn: "${data.terraform_remote_state.shared.outputs.service_listener_arn}",
        priority: listenerRulePriority("dev"),
        condition: [{ host_header: { values: ["dev.example.com"] } }],
        action: [{ type: "forward", target_group_arn: ref("aws_lb_target_group.target_group", "arn") }],
      }),
    );
    expect(resource(stacks.qa, "aws_lb_listener_rule", "target_group_host").priority).toBe(77);
  });

  test("an environment's own certificate joins the shared listener for SNI; DNS aliases the shared ALB", () => {
    expect(resource(stacks.qa, "aws_lb_listener_certificate", "listener_certificate")).toMatchObject({ certificate_arn: CERT, listener_arn: "${data.terraform_remote_state.shared.outputs.service_listener_arn}" });
    expect(resourcesOfType(stacks.dev, "aws_lb_listener_certificate")).toEqual({});
    expect(resource(stacks.dev, "aws_route53_record", "dns_a").alias).toEqual({
      name: "${data.terraform_remote_state.shared.outputs.alb_dns_name}",
      zone_id: "${data.terraform_remote_state.shared.outputs.alb_zone_id}",
      evaluate_target_health: true,
    });
    expect(stacks.dev.output.url.value).toBe("https://dev.example.com");
  });

  test("adding an environment never changes another environment's rule priority", () => {
    const before = Object.fromEntries(Object.entries(stacks).filter(([n]) => n !== "shared").map(([n, j]) => [n, resource(j, "aws_lb_listener_rule", "target_group_host").priority]));
    const more = synthConfig(
      parseConfig({
        ...config,
        sharedLoadBalancer: { network: { cidr: "10.50.0.0/16" }, certificateArn: CERT },
        environments: {
          alpha: { loadBalancer: { hostName: "alpha.example.com" } },
          ...config.environments,
          zulu: { loadBalancer: { hostName: "zulu.example.com" } },
        },
      }),
    );
    for (const [name, priority] of Object.entries(before)) expect(resource(more[name], "aws_lb_listener_rule", "target_group_host").priority).toBe(priority);
    const all = Object.entries(more).filter(([n]) => n !== "shared").map(([, j]) => resource(j, "aws_lb_listener_rule", "target_group_host").priority);
    expect(new Set(all).size).toBe(all.length);
  });

  test("derived priorities depend on the name only, fall in [1000, 41000), and a configured one wins", () => {
    expect(listenerRulePriority("staging")).toBe(listenerRulePriority("staging"));
    for (const name of ["dev", "qa", "staging", "production", "preview-1"]) {
      expect(listenerRulePriority(name)).toBeGreaterThanOrEqual(1000);
      expect(listenerRulePriority(name)).toBeLessThan(41000);
    }
    expect(listenerRulePriority("dev", 5)).toBe(5);
  });

  test("environments in shared mode deploy after the shared stack (cdktf stack dependency)", () => {
    const app = require("cdktf").Testing.app();
    const { buildApp } = require("../lib/synth/build-app");
    const built = buildApp(app, withShared({ sharedLoadBalancer: { network: { cidr: "10.50.0.0/16" }, certificateArn: CERT } }));
    const [shared, dev] = built;
    expect(dev.dependencies).toContain(shared);
  });

  test("an environment's deployments stop only on alarms of its own target group and fleet, never on the shared ALB's 5xx", () => {
    for (const name of ["dev", "qa"]) {
      const alarms = resourcesOfType(stacks[name], "aws_cloudwatch_metric_alarm");
      // No alarm of the environment watches the shared ALB as a whole.
      expect(alarms.alarms_alb_5xx).toBeUndefined();
      for (const alarm of Object.values(alarms)) {
        if (alarm.namespace === "AWS/ApplicationELB") expect(Object.keys(alarm.dimensions).sort()).toEqual(["LoadBalancer", "TargetGroup"]);
      }
      const stops: string[] = resource(stacks[name], "aws_codedeploy_deployment_group", "deployment_group").alarm_configuration.alarms;
      expect(stops).toEqual(["target_5xx", "unhealthy_hosts", "cpu_high"].map((a) => ref(`aws_cloudwatch_metric_alarm.alarms_${a}`, "alarm_name")));
      for (const stop of stops) {
        const alarm = alarms[/aws_cloudwatch_metric_alarm\.([a-z0-9_]+)\.alarm_name/.exec(stop)![1]];
        expect(alarm.dimensions.TargetGroup ?? alarm.dimensions.AutoScalingGroupName).toBeDefined();
      }
    }
  });

  test("the shared stack alarms on the shared ALB's own 5xx, to a topic of its own", () => {
    const more = synthConfig(
      withShared({
        sharedLoadBalancer: { network: { cidr: "10.50.0.0/16" }, certificateArn: CERT, notifications: { email: "lb-team@example.com" }, alarms: { http5xxPerMinute: 50, evaluationMinutes: 3 } },
      }),
    ).shared;
    expect(resource(more, "aws_cloudwatch_metric_alarm", "alarms_alb_5xx")).toMatchObject({
      alarm_name: "portal-shared-alb-5xx",
      namespace: "AWS/ApplicationELB",
      metric_name: "HTTPCode_ELB_5XX_Count",
      dimensions: { LoadBalancer: ref("aws_lb.load_balancer_alb", "arn_suffix") },
      threshold: 50,
      evaluation_periods: 3,
      alarm_actions: [ref("aws_sns_topic.notifications", "arn")],
      ok_actions: [ref("aws_sns_topic.notifications", "arn")],
    });
    expect(resource(more, "aws_sns_topic", "notifications")).toMatchObject({ name: "portal-shared-notifications", kms_master_key_id: ref("aws_kms_key.shared_key", "arn") });
    expect(resource(more, "aws_sns_topic_subscription", "notifications_email")).toMatchObject({ protocol: "email", endpoint: "lb-team@example.com" });
    expect(resource(stacks.shared, "aws_cloudwatch_metric_alarm", "alarms_alb_5xx")).toMatchObject({ threshold: 10, evaluation_periods: 5 });
    expect(resourcesOfType(stacks.shared, "aws_sns_topic_subscription")).toEqual({});
  });

  test("a dedicated ALB's own 5xx still stop its environment's deployments", () => {
    const dedicated = synthEnv(env());
    expect(resource(dedicated, "aws_codedeploy_deployment_group", "deployment_group").alarm_configuration.alarms).toContain(ref("aws_cloudwatch_metric_alarm.alarms_alb_5xx", "alarm_name"));
  });
});

describe("blue/green test listener", () => {
  const TEST = { port: 8443, allowedCidrs: ["198.51.100.0/24", "2001:db8::/32"] };
  const waiting = (extra: Record<string, unknown> = {}) => ({ deployment: { blueGreen: { waitForApproval: { minutes: 60 }, testListener: TEST } }, ...extra });
  const http = synthEnv(env(waiting()));
  const cdn = synthEnv(
    env(
      waiting({
        loadBalancer: {
          certificateArn: CERT,
          sslPolicy: "ELBSecurityPolicy-TLS13-1-3-2021-06",
          hostName: "shop.example.com",
          hostedZoneId: ZONE,
          cdn: { enabled: true, certificateArn: CDN_CERT, aliases: ["shop.example.com"], originDomainName: "origin.shop.example.com" },
        },
      }),
    ),
  );

  test("a target group of its own on the instances' Nginx, with the production group's health check", () => {
    const production = resource(http, "aws_lb_target_group", "target_group");
    const test = resource(http, "aws_lb_target_group", "test_target_group");
    expect(test).toMatchObject({ name: "webapp-qa-test", port: 80, protocol: "HTTP", target_type: "instance", vpc_id: production.vpc_id });
    expect(test.health_check).toEqual(production.health_check);
    expect(test.deregistration_delay).toBe(production.deregistration_delay);
    // Terraform attaches it to no group: the fleet reconciler puts it on the waiting deployment's copy.
    expect(resource(http, "aws_autoscaling_group", "fleet_asg").target_group_arns).toEqual([ref("aws_lb_target_group.target_group", "arn")]);
    expect(resourcesOfType(http, "aws_autoscaling_attachment")).toEqual({});
  });

  test("without a certificate: an HTTP listener on the test port forwarding to the test group", () => {
    expect(resource(http, "aws_lb_listener", "load_balancer_test")).toEqual({
      load_balancer_arn: ref("aws_lb.load_balancer_alb", "arn"),
      port: 8443,
      protocol: "HTTP",
      default_action: [{ type: "forward", target_group_arn: ref("aws_lb_target_group.test_target_group", "arn") }],
    });
    expect(http.output.test_listener_url.value).toBe(`http://${ref("aws_lb.load_balancer_alb", "dns_name")}:8443`);
  });

  test("with a certificate: HTTPS with the serving listener's certificate and TLS policy; the URL names the origin the certificate covers", () => {
    const serving = resource(cdn, "aws_lb_listener", "load_balancer_https");
    expect(resource(cdn, "aws_lb_listener", "load_balancer_test")).toMatchObject({
      port: 8443,
      protocol: "HTTPS",
      certificate_arn: CERT,
      ssl_policy: serving.ssl_policy,
      default_action: [{ type: "forward", target_group_arn: ref("aws_lb_target_group.test_target_group", "arn") }],
    });
    expect(serving.ssl_policy).toBe("ELBSecurityPolicy-TLS13-1-3-2021-06");
    expect(cdn.output.test_listener_url.value).toBe("https://origin.shop.example.com:8443");
  });

  test("only the configured CIDRs reach it, on the test port only, through a security group of its own on the ALB", () => {
    for (const json of [http, cdn]) {
      expect(resource(json, "aws_lb", "load_balancer_alb").security_groups).toEqual([ref("aws_security_group.network_alb", "id"), ref("aws_security_group.network_alb_test", "id")]);
      expect(resource(json, "aws_security_group", "network_alb_test").name).toBe("webapp-qa-alb-test");
      const rules = Object.values(resourcesOfType(json, "aws_vpc_security_group_ingress_rule")).filter((r) => r.security_group_id === ref("aws_security_group.network_alb_test", "id"));
      expect(rules.map((r) => [r.cidr_ipv4 ?? r.cidr_ipv6, r.from_port, r.to_port, r.ip_protocol])).toEqual([
        ["198.51.100.0/24", 8443, 8443, "tcp"],
        ["2001:db8::/32", 8443, 8443, "tcp"],
      ]);
      // Nothing else opens the test port, and the test group has no egress of its own.
      const others = Object.values(resourcesOfType(json, "aws_vpc_security_group_ingress_rule")).filter((r) => r.security_group_id !== ref("aws_security_group.network_alb_test", "id"));
      expect(others.filter((r) => r.from_port === 8443)).toEqual([]);
      expect(Object.values(resourcesOfType(json, "aws_vpc_security_group_egress_rule")).filter((r) => r.security_group_id === ref("aws_security_group.network_alb_test", "id"))).toEqual([]);
    }
    // Behind CloudFront the production group still admits only CloudFront (one prefix-list rule).
    const albRules = Object.keys(resourcesOfType(cdn, "aws_vpc_security_group_ingress_rule")).filter((name) => name.startsWith("network_alb_") && !name.startsWith("network_alb_test"));
    expect(albRules).toEqual(["network_alb_https_from_cloudfront"]);
  });

  test("none of it without a test listener, nor with the wait alone", () => {
    for (const json of [synthEnv(env()), synthEnv(env({ deployment: { blueGreen: { waitForApproval: { minutes: 60 } } } }))]) {
      expect(resourcesOfType(json, "aws_lb_listener").load_balancer_test).toBeUndefined();
      expect(resourcesOfType(json, "aws_lb_target_group").test_target_group).toBeUndefined();
      expect(resourcesOfType(json, "aws_security_group").network_alb_test).toBeUndefined();
      expect(json.output.test_listener_url).toBeUndefined();
    }
  });

  test("the construct refuses the serving ports", () => {
    const { LoadBalancer } = require("../constructs/load-balancer") as typeof import("../constructs/load-balancer");
    const { Network } = require("../constructs/network") as typeof import("../constructs/network");
    const { EncryptionKey } = require("../constructs/encryption-key") as typeof import("../constructs/encryption-key");
    const { bareStack } = require("./helpers/synth") as typeof import("./helpers/synth");
    for (const port of [80, 443, 0, 70000]) {
      const { stack } = bareStack();
      const key = new EncryptionKey(stack, "environment-key", { alias: "app-test", description: "test" });
      const network = new Network(stack, "network", { namePrefix: "app-test", cidr: "10.10.0.0/16", availabilityZones: ["eu-west-1a", "eu-west-1b"], appPort: 80, encryptionKey: key, flowLogs: false });
      expect(
        () =>
          new LoadBalancer(stack, "load-balancer", {
            namePrefix: "app-test",
            subnetIds: network.publicSubnetIds,
            securityGroup: network.albSecurityGroup,
            defaultTargetGroupArn: "arn:tg",
            testListener: { port, targetGroupArn: "arn:test", securityGroup: network.addSecurityGroup("alb-test", "test") },
          }),
      ).toThrow(`load-balancer: testListener.port: received ${port}; allowed: a TCP port other than 80 and 443`);
    }
  });
});

describe("origin secret and required header: refused inputs", () => {
  const { OriginSecret } = require("../constructs/origin-secret") as typeof import("../constructs/origin-secret");
  const { LoadBalancer } = require("../constructs/load-balancer") as typeof import("../constructs/load-balancer");
  const { Network } = require("../constructs/network") as typeof import("../constructs/network");
  const { EncryptionKey } = require("../constructs/encryption-key") as typeof import("../constructs/encryption-key");
  const { bareStack } = require("./helpers/synth") as typeof import("./helpers/synth");
  const parts = () => {
    const { stack } = bareStack();
    const key = new EncryptionKey(stack, "environment-key", { alias: "app-test", description: "test" });
    return { stack, key };
  };

  test.each([
    ["a header name longer than an ALB condition allows", { headerName: `X-${"a".repeat(39)}` }, /origin-secret: headerName "X-a+" must be 1 to 40 letters, digits and dashes/],
    ["a header name with a space", { headerName: "X Origin" }, /headerName "X Origin" must be 1 to 40 letters, digits and dashes/],
    ["a header CloudFront reserves", { headerName: "X-Amz-Origin" }, /headerName "X-Amz-Origin" .*\(CloudFront reserves them\)/],
  ])("OriginSecret refuses %s", (_label, extra, message) => {
    const { stack, key } = parts();
    expect(() => new OriginSecret(stack, "origin-secret", { namePrefix: "app-test", encryptionKey: key, ...extra })).toThrow(message);
  });

  test("a required header needs the target group it admits requests to", () => {
    const { stack, key } = parts();
    const network = new Network(stack, "network", { namePrefix: "app-test", cidr: "10.10.0.0/16", availabilityZones: ["eu-west-1a", "eu-west-1b"], appPort: 3000, encryptionKey: key, flowLogs: false });
    expect(
      () =>
        new LoadBalancer(stack, "load-balancer", {
          namePrefix: "app-test",
          subnetIds: network.publicSubnetIds,
          securityGroup: network.albSecurityGroup,
          requiredHeader: { name: "X-Origin-Verify", value: "secret" },
        }),
    ).toThrow(/load-balancer: requiredHeader needs defaultTargetGroupArn/);
  });
});
