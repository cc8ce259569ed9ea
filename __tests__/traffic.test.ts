import { parseConfig } from "../lib/config/load";
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

  test("target group: app port, HTTP health check on the configured path, short deregistration", () => {
    const json = synthEnv(env({ application: { port: 8080 }, loadBalancer: { healthCheck: { path: "/ready", matcher: "200", intervalSeconds: 10, timeoutSeconds: 4 }, deregistrationDelaySeconds: 20 } }));
    expect(resource(json, "aws_lb_target_group", "target_group")).toMatchObject({
      name: "webapp-qa-8080",
      port: 8080,
      protocol: "HTTP",
      target_type: "instance",
      vpc_id: ref("aws_vpc.network_vpc", "id"),
      deregistration_delay: "20",
      health_check: { enabled: true, path: "/ready", matcher: "200", interval: 10, timeout: 4, healthy_threshold: 2, unhealthy_threshold: 3, port: "traffic-port", protocol: "HTTP" },
      lifecycle: { create_before_destroy: true },
    });
    expect(resource(http, "aws_lb_target_group", "target_group").deregistration_delay).toBe("30");
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
      "private_subnet_ids",
      "public_subnet_ids",
      "service_listener_arn",
      "vpc_cidr",
      "vpc_id",
    ]);
    expect(shared.output.service_listener_arn.value).toBe(ref("aws_lb_listener.load_balancer_https", "arn"));
  });

  test("the shared ALB may reach the environments' app ports in its VPC", () => {
    expect(resource(stacks.shared, "aws_vpc_security_group_egress_rule", "network_alb_app_3000_to_10_50_0_0_16")).toMatchObject({ from_port: 3000, to_port: 3000, cidr_ipv4: "10.50.0.0/16" });
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
    const { buildApp } = require("../lib/build-app");
    const built = buildApp(app, withShared({ sharedLoadBalancer: { network: { cidr: "10.50.0.0/16" }, certificateArn: CERT } }));
    const [shared, dev] = built;
    expect(dev.dependencies).toContain(shared);
  });
});
