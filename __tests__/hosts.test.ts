import { generateKeyPairSync } from "crypto";
import * as path from "path";
import { Testing } from "cdktf";
import { parse } from "yaml";
import { Network } from "../constructs/network";
import { EncryptionKey } from "../constructs/encryption-key";
import { loadConfigFile, parseConfig } from "../lib/config/load";
import { sshPublicKeyProblem } from "../lib/config/primitives";
import { Config } from "../lib/config/schema";
import { ACTION_VERSIONS, githubActionsWorkflow } from "../lib/release/github-actions-workflow";
import { generatedFiles, MARKER_FILE, releaseFiles } from "../lib/release/release-files";
import { checkStack } from "../policy";
import { HostEnvironmentStack } from "../stacks/host-environment-stack";
import { configProblems, expectProblemLine } from "./helpers/config";
import { lintShell } from "./helpers/shell";
import { bareStack, data, ref, resource, resourcesOfType, statements, Synth, synthConfig } from "./helpers/synth";

const ED25519 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIC8gxBMPsAJQXLYaWDHSJ05qeKuXJb5wpIqFoeICeftV ops@example.com";

/** An OpenSSH ssh-rsa line for a fresh key of `bits` bits. */
function rsaKey(bits: number): string {
  const { publicKey } = generateKeyPairSync("rsa", { modulusLength: bits });
  const jwk = publicKey.export({ format: "jwk" }) as { n: string; e: string };
  const field = (b: Buffer) => Buffer.concat([Buffer.from([b.length >>> 24, (b.length >>> 16) & 255, (b.length >>> 8) & 255, b.length & 255]), b]);
  const mpint = (b64url: string) => {
    const raw = Buffer.from(b64url, "base64url");
    return field(raw[0] & 0x80 ? Buffer.concat([Buffer.from([0]), raw]) : raw);
  };
  return `ssh-rsa ${Buffer.concat([field(Buffer.from("ssh-rsa")), mpint(jwk.e), mpint(jwk.n)]).toString("base64")} test`;
}

/** Two host environments in one account: staging creates the OIDC provider, production uses it. */
const hostConfig = (): any => ({
  app: { name: "webapp", region: "eu-west-1" },
  defaults: { platform: "host", artifacts: { containerRepository: { immutableTags: false } } },
  environments: {
    staging: {
      protection: false,
      network: { cidr: "10.10.0.0/16", privateSubnets: false, natGateways: "none" },
      goldenAmi: { enabled: false },
      host: { publicKey: ED25519, sshIngressCidrs: ["203.0.113.0/24"], hostName: "staging.example.com", hostedZoneId: "Z0123456789ABCDEFGHIJ" },
      githubActions: { repository: "acme/webapp", branches: ["staging"], createOidcProvider: true },
    },
    production: {
      network: { cidr: "10.20.0.0/16" },
      host: { instanceType: "t3.medium" },
      githubActions: { repository: "acme/webapp", branches: ["main", "release/v2"], imageTag: "latest" },
    },
  },
});

function problems(mutate: (c: any) => void): string[] {
  const config = hostConfig();
  mutate(config);
  return configProblems(config);
}

function expectProblem(mutate: (c: any) => void, path: string, received: string, allowed: RegExp): void {
  expectProblemLine(problems(mutate), path, received, allowed);
}

describe("host configuration", () => {
  test("the example and the test configuration are valid; platform defaults to fleet", () => {
    const example = loadConfigFile(path.join(__dirname, "..", "config", "examples", "hosts.yaml"));
    expect(Object.keys(example.environments)).toEqual(["staging", "production"]);
    expect(example.environments.production.githubActions?.imageTag).toBe("latest");
    const config = parseConfig(hostConfig());
    expect(config.environments.production.host).toMatchObject({ instanceType: "t3.medium", publicPorts: [80, 443], publicIngressCidrs: ["0.0.0.0/0"], sshIngressCidrs: [] });
    expect(config.environments.production.githubActions).toMatchObject({ dockerfile: "Dockerfile", context: ".", createOidcProvider: false });
    expect(parseConfig({ app: { name: "webapp", region: "eu-west-1" }, environments: { staging: { network: { cidr: "10.10.0.0/16" } } } }).environments.staging.platform).toBe("fleet");
  });

  test("platform: only fleet or host", () => {
    expectProblem((c) => (c.environments.staging.platform = "lambda"), "environments.staging.platform", '"lambda"', /one of "fleet", "host"/);
  });

  test("public keys: OpenSSH ed25519, ECDSA or RSA of at least 2048 bits", () => {
    expect(sshPublicKeyProblem(ED25519)).toBeUndefined();
    expect(sshPublicKeyProblem(rsaKey(2048))).toBeUndefined();
    expect(sshPublicKeyProblem(rsaKey(1024))).toMatch(/1024 bits; at least 2048/);
    expect(sshPublicKeyProblem("ssh-dss AAAAB3NzaC1kc3M=")).toMatch(/key type "ssh-dss"/);
    expect(sshPublicKeyProblem("ssh-ed25519 not*base64")).toMatch(/not base64/);
    // An ed25519 blob announced as ssh-rsa.
    expect(sshPublicKeyProblem(ED25519.replace("ssh-ed25519", "ssh-rsa"))).toMatch(/does not describe a ssh-rsa key/);
    expectProblem((c) => (c.environments.staging.host.publicKey = "ssh-rsa AAAA"), "environments.staging.host.publicKey", '"ssh-rsa AAAA"', /OpenSSH public key line .* at least 2048 bits/);
    expectProblem((c) => (c.environments.staging.host.publicKey = rsaKey(1024)), "environments.staging.host.publicKey", '"ssh-rsa ', /RSA keys with at least 2048 bits/);
  });

  test("SSH: only with a public key, never from /0; admin ports are not public ports", () => {
    expectProblem((c) => delete c.environments.staging.host.publicKey, "environments.staging.host.publicKey", "nothing", /required when host.sshIngressCidrs opens SSH/);
    expectProblem((c) => (c.environments.staging.host.sshIngressCidrs = ["0.0.0.0/0"]), "environments.staging.host.sshIngressCidrs", '["0.0.0.0/0"]', /none of them \/0|use Session Manager/);
    expectProblem((c) => (c.environments.staging.host.publicPorts = [443, 22]), "environments.staging.host.publicPorts.1", "22", /other than 22 and 3389/);
    expectProblem((c) => (c.environments.staging.network.sshIngressCidrs = ["198.51.100.0/24"]), "environments.staging.network.sshIngressCidrs", '["198.51.100.0/24"]', /SSH to the host is host.sshIngressCidrs/);
    expectProblem((c) => (c.environments.staging.host.publicIngressCidrs = []), "environments.staging.host.publicIngressCidrs", "[]", /at least one CIDR/);
    expectProblem((c) => (c.environments.staging.host.publicPorts = [443, 443]), "environments.staging.host.publicPorts", "[443,443]", /without duplicates/);
  });

  test("fleet-stack options are refused on a host (the host stack would drop them)", () => {
    expectProblem((c) => (c.environments.production.bastion = { enabled: true }), "environments.production.bastion.enabled", "true", /false with platform: host/);
    expectProblem((c) => (c.environments.production.frontend = { enabled: true }), "environments.production.frontend.enabled", "true", /false with platform: host/);
    expectProblem((c) => (c.environments.production.codedeployAgent = { install: "ssm-association" }), "environments.production.codedeployAgent.install", '"ssm-association"', /"ami" with platform: host/);
  });

  test("sections of the fleet's load balancer and release pipeline are refused on a host; defaults keep them for fleets", () => {
    expectProblem((c) => (c.environments.staging.pipeline = { manualApproval: true }), "environments.staging.pipeline", "a pipeline section", /no pipeline section when platform is "host" \(its stack does not read it\)/);
    expectProblem((c) => (c.environments.staging.loadBalancer = { healthCheck: { path: "/up" } }), "environments.staging.loadBalancer", "a loadBalancer section", /no loadBalancer section when platform is "host"/);
    expectProblem((c) => (c.environments.staging.deployment = { mode: "in-place" }), "environments.staging.deployment", "a deployment section", /no deployment section when platform is "host"/);
  });

  test("hostName and hostedZoneId go together", () => {
    expectProblem((c) => delete c.environments.staging.host.hostedZoneId, "environments.staging.host.hostedZoneId", "nothing", /go together/);
    expectProblem((c) => delete c.environments.staging.host.hostName, "environments.staging.host.hostName", "nothing", /go together/);
  });

  test("a host runs in its own network, not on the shared load balancer", () => {
    expectProblem((c) => (c.environments.production.loadBalancer = { mode: "shared", hostName: "a.example.com", hostedZoneId: "Z0123456789ABCDEFGHIJ" }), "environments.production.loadBalancer.mode", '"shared"', /"dedicated"/);
  });

  test("the golden AMI must match the host's architecture, not the fleet's", () => {
    expectProblem((c) => (c.environments.production.goldenAmi = { architecture: "arm64" }), "environments.production.goldenAmi.architecture", '"arm64"', /"x86_64", the architecture of host.instanceType \(t3.medium\)/);
    expect(() => parseConfig({ ...hostConfig(), environments: { production: { ...hostConfig().environments.production, host: { instanceType: "t4g.medium" }, goldenAmi: { architecture: "arm64" } } } })).not.toThrow();
  });

  test("githubActions: repository owner/name, exact branches, Docker tag", () => {
    expectProblem((c) => (c.environments.staging.githubActions.repository = "https://github.com/acme/webapp"), "environments.staging.githubActions.repository", '"https://github.com/acme/webapp"', /owner\/name/);
    expectProblem((c) => (c.environments.staging.githubActions.branches = []), "environments.staging.githubActions.branches", "[]", /at least one branch/);
    expectProblem((c) => (c.environments.staging.githubActions.branches = ["release/*"]), "environments.staging.githubActions.branches.0", '"release/*"', /no wildcards/);
    expectProblem((c) => (c.environments.staging.githubActions.branches = ["main", "main"]), "environments.staging.githubActions.branches", '["main","main"]', /without duplicates/);
    expectProblem((c) => (c.environments.staging.githubActions.dockerfile = "../other/Dockerfile"), "environments.staging.githubActions.dockerfile", '"../other/Dockerfile"', /inside the repository/);
    expectProblem((c) => (c.environments.staging.githubActions.context = "/srv"), "environments.staging.githubActions.context", '"/srv"', /inside the repository/);
    expect(() => parseConfig({ ...hostConfig(), defaults: { ...hostConfig().defaults, githubActions: { dockerfile: "docker/app.Dockerfile", context: "services/app" } } })).not.toThrow();
    expectProblem((c) => (c.environments.staging.githubActions.imageTag = "-latest"), "environments.staging.githubActions.imageTag", '"-latest"', /Docker tag/);
  });

  test("githubActions only on the host platform", () => {
    expectProblem((c) => (c.environments.production.platform = "fleet"), "environments.production.githubActions", "{", /nothing unless platform is "host"/);
  });

  test("githubActions needs a mutable repository (the environment tag moves)", () => {
    expectProblem((c) => (c.environments.production.artifacts = { containerRepository: { immutableTags: true } }), "environments.production.artifacts.containerRepository.immutableTags", "true", /false while githubActions is set: every push moves the image tag latest/);
  });

  test("the OIDC provider: created or referenced, not both; one creator per account", () => {
    expectProblem(
      (c) => (c.environments.staging.githubActions.oidcProviderArn = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"),
      "environments.staging.githubActions.oidcProviderArn",
      '"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"',
      /nothing while githubActions.createOidcProvider is true/,
    );
    expectProblem((c) => (c.environments.staging.githubActions.oidcProviderArn = "arn:aws:iam::123456789012:oidc-provider/example.com"), "environments.staging.githubActions.oidcProviderArn", '"arn:aws:iam::123456789012:oidc-provider/example.com"', /token.actions.githubusercontent.com/);
    expectProblem((c) => (c.environments.production.githubActions.createOidcProvider = true), "environments.production.githubActions.createOidcProvider", "true", /false: environments.staging already creates the GitHub OIDC provider .*set accountId on both/);
    expectProblem(
      (c) => {
        c.environments.staging.accountId = "111111111111";
        c.environments.production.accountId = "111111111111";
        c.environments.production.githubActions.createOidcProvider = true;
      },
      "environments.production.githubActions.createOidcProvider",
      "true",
      /already creates the GitHub OIDC provider in account 111111111111/,
    );
    const separate = hostConfig();
    separate.environments.staging.accountId = "111111111111";
    separate.environments.production.accountId = "222222222222";
    separate.environments.production.githubActions.createOidcProvider = true;
    expect(() => parseConfig(separate)).not.toThrow();
  });
});

describe("HostEnvironmentStack", () => {
  const config = parseConfig(hostConfig());
  const stacks = synthConfig(config);
  const staging = stacks.staging;
  const production = stacks.production;

  test("build-app creates host stacks for platform: host, and the policy pack passes", () => {
    const app = Testing.app({ stackTraces: false });
    const stack = new HostEnvironmentStack(app, "webapp-production", { app: config.app, envName: "production", environment: config.environments.production });
    expect(checkStack(stack, { protection: true }).failures).toEqual([]);
    expect(resourcesOfType(staging, "aws_autoscaling_group")).toEqual({});
    expect(resourcesOfType(staging, "aws_lb")).toEqual({});
  });

  test("the instance: IMDSv2, encrypted root volume with the environment key, no public IP at launch, AMI changes ignored", () => {
    const instance = resource(production, "aws_instance", "host_instance");
    expect(instance.metadata_options).toEqual({ http_endpoint: "enabled", http_tokens: "required", http_put_response_hop_limit: 1, instance_metadata_tags: "enabled" });
    expect(instance.root_block_device).toMatchObject({ encrypted: true, kms_key_id: ref("aws_kms_key.environment_key", "arn"), volume_type: "gp3", volume_size: 30, delete_on_termination: true });
    expect(instance.associate_public_ip_address).toBe(false);
    expect(instance.subnet_id).toBe(ref("aws_subnet.network_public_0", "id"));
    expect(instance.vpc_security_group_ids).toEqual([ref("aws_security_group.network_host", "id")]);
    expect(instance.iam_instance_profile).toBe(ref("aws_iam_instance_profile.host_role", "name"));
    expect(instance.instance_type).toBe("t3.medium");
    // The Elastic IP gives the primary interface a public address, which the provider reads back as
    // associate_public_ip_address = true: not ignored, every plan would replace the host.
    expect(instance.lifecycle).toEqual({ ignore_changes: ["ami", "user_data_base64", "associate_public_ip_address"] });
    expect(instance.depends_on).toEqual(["aws_route.network_public_internet", "aws_route_table_association.network_public_0", "aws_ssm_parameter.cloudwatch_agent_config"]);
  });

  test("user data starts the CloudWatch agent from its SSM parameter (installing it on stock AL2023); the role may read it and ship logs", () => {
    const script = Buffer.from(resource(staging, "aws_instance", "host_instance").user_data_base64, "base64").toString("utf8");
    expect(script).toContain('-a fetch-config -m ec2 -s -c "ssm:/webapp/staging/cloudwatch-agent/config"');
    expect(script).toContain("dnf install -y amazon-cloudwatch-agent");
    expect(lintShell(script, "host-user-data.sh")).toEqual([]);
    expect(resource(staging, "aws_ssm_parameter", "cloudwatch_agent_config").name).toBe("/webapp/staging/cloudwatch-agent/config");
    expect(resource(staging, "aws_cloudwatch_log_group", "cloudwatch_agent_application_logs")).toMatchObject({ name: "/app/webapp/staging/application", retention_in_days: 30 });
    const policy = statements(staging, "host_role_policy");
    expect(policy.find((s) => s.actions.includes("ssm:GetParameter"))?.resources).toEqual([ref("aws_ssm_parameter.cloudwatch_agent_config", "arn")]);
    expect(policy.some((s) => s.actions.includes("logs:PutLogEvents"))).toBe(true);
  });

  test("protection decides termination protection", () => {
    expect(resource(production, "aws_instance", "host_instance").disable_api_termination).toBe(true);
    expect(resource(staging, "aws_instance", "host_instance").disable_api_termination).toBe(false);
  });

  test("image: the golden AMI when enabled, otherwise Amazon Linux 2023 read from AWS's public parameter", () => {
    expect(resource(production, "aws_instance", "host_instance").ami).toContain("aws_imagebuilder_image.golden_ami.output_resources");
    expect(production.data?.aws_ssm_parameter?.host_image).toBeUndefined();
    // Not `resolve:ssm:` in `ami`: with a root block device the provider looks the image up with
    // DescribeImages, which refuses the alias (InvalidAMIID.Malformed), so the instance could never be created.
    expect(data(staging, "aws_ssm_parameter", "host_image").name).toBe("/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64");
    expect(resource(staging, "aws_instance", "host_instance").ami).toBe(ref("data.aws_ssm_parameter.host_image", "insecure_value"));
    expect(resource(staging, "aws_instance", "host_instance").lifecycle.ignore_changes).toContain("ami");
    expect(resourcesOfType(staging, "aws_imagebuilder_image")).toEqual({});
  });

  test("goldenAmi.pinnedImageId is the image a host is created (or replaced) from, with or without the golden AMI", () => {
    const config = hostConfig();
    config.environments.staging.goldenAmi.pinnedImageId = "ami-0123456789abcdef0";
    config.environments.production.goldenAmi = { pinnedImageId: "ami-0fedcba9876543210" };
    const pinned = synthConfig(parseConfig(config));
    expect(resource(pinned.staging, "aws_instance", "host_instance").ami).toBe("ami-0123456789abcdef0");
    expect(pinned.staging.data?.aws_ssm_parameter?.host_image).toBeUndefined();
    expect(resource(pinned.production, "aws_instance", "host_instance").ami).toBe("ami-0fedcba9876543210");
    expect(resourcesOfType(pinned.production, "aws_imagebuilder_image")).toHaveProperty("golden_ami");
  });

  test("Elastic IP associated with the instance; key pair only from a configured public key", () => {
    expect(resource(staging, "aws_eip", "host_eip").domain).toBe("vpc");
    expect(resource(staging, "aws_eip_association", "host_eip_association")).toMatchObject({
      allocation_id: ref("aws_eip.host_eip", "allocation_id"),
      instance_id: ref("aws_instance.host_instance", "id"),
    });
    expect(resource(staging, "aws_key_pair", "host_key_pair")).toMatchObject({ key_name: "webapp-staging-host", public_key: ED25519 });
    expect(resource(staging, "aws_instance", "host_instance").key_name).toBe(ref("aws_key_pair.host_key_pair", "key_name"));
    expect(resourcesOfType(production, "aws_key_pair")).toEqual({});
    expect(resource(production, "aws_instance", "host_instance").key_name).toBeUndefined();
  });

  test("instance role: Session Manager and pulling from the environment's repository", () => {
    expect(resource(production, "aws_iam_role_policy_attachment", "host_role_amazon_ssm_managed_instance_core").policy_arn).toBe("arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore");
    const pull = statements(production, "host_role_policy").find((s) => s.actions.includes("ecr:BatchGetImage"));
    expect(pull?.resources).toEqual([ref("aws_ecr_repository.artifacts_repository", "arn")]);
    expect(statements(production, "host_role_policy").some((s) => s.actions.includes("ecr:PutImage"))).toBe(false);
  });

  test("security group: public ports from the world, SSH only from the listed CIDRs, HTTPS out; no ALB or fleet groups", () => {
    const ingress = resourcesOfType(staging, "aws_vpc_security_group_ingress_rule");
    expect(Object.keys(ingress).sort()).toEqual(["network_host_port_443_from_0_0_0_0_0", "network_host_port_80_from_0_0_0_0_0", "network_host_ssh_from_203_0_113_0_24"]);
    expect(ingress.network_host_ssh_from_203_0_113_0_24).toMatchObject({ cidr_ipv4: "203.0.113.0/24", from_port: 22, to_port: 22, ip_protocol: "tcp" });
    expect(ingress.network_host_port_443_from_0_0_0_0_0).toMatchObject({ cidr_ipv4: "0.0.0.0/0", from_port: 443, to_port: 443 });
    expect(Object.keys(resourcesOfType(production, "aws_vpc_security_group_ingress_rule")).sort()).toEqual(["network_host_port_443_from_0_0_0_0_0", "network_host_port_80_from_0_0_0_0_0"]);
    expect(Object.keys(resourcesOfType(staging, "aws_vpc_security_group_egress_rule"))).toEqual(["network_host_https_to_0_0_0_0_0"]);
    expect(Object.keys(resourcesOfType(staging, "aws_security_group"))).toEqual(["network_host"]);
  });

  test("DNS: an A record to the Elastic IP when hostName is set", () => {
    expect(resource(staging, "aws_route53_record", "dns_a")).toMatchObject({
      zone_id: "Z0123456789ABCDEFGHIJ",
      name: "staging.example.com",
      type: "A",
      ttl: 300,
      records: [ref("aws_eip.host_eip", "public_ip")],
    });
    expect(resourcesOfType(production, "aws_route53_record")).toEqual({});
  });

  test("alarms: system check recovers, instance check reboots, CPU notifies", () => {
    const alarms = resourcesOfType(production, "aws_cloudwatch_metric_alarm");
    const topic = ref("aws_sns_topic.notifications", "arn");
    expect(alarms.alarms_system_check).toMatchObject({
      metric_name: "StatusCheckFailed_System",
      namespace: "AWS/EC2",
      dimensions: { InstanceId: ref("aws_instance.host_instance", "id") },
      alarm_actions: ["arn:aws:automate:eu-west-1:ec2:recover", topic],
      ok_actions: [topic],
    });
    expect(alarms.alarms_instance_check.alarm_actions).toEqual(["arn:aws:automate:eu-west-1:ec2:reboot", topic]);
    expect(alarms.alarms_cpu_high).toMatchObject({ metric_name: "CPUUtilization", threshold: 85, alarm_actions: [topic] });
  });

  test("GitHub Actions role: web identity from exactly the repository's branches, audience sts.amazonaws.com", () => {
    const [trust] = statements(production, "github_actions_role_trust");
    expect(trust.actions).toEqual(["sts:AssumeRoleWithWebIdentity"]);
    expect(trust.principals).toEqual([{ type: "Federated", identifiers: ["arn:aws:iam::${data.aws_caller_identity.current.account_id}:oidc-provider/token.actions.githubusercontent.com"] }]);
    expect(trust.condition).toEqual([
      { test: "StringEquals", variable: "token.actions.githubusercontent.com:aud", values: ["sts.amazonaws.com"] },
      { test: "StringEquals", variable: "token.actions.githubusercontent.com:sub", values: ["repo:acme/webapp:ref:refs/heads/main", "repo:acme/webapp:ref:refs/heads/release/v2"] },
    ]);
    expect(resource(production, "aws_iam_role", "github_actions_role").name).toBe("webapp-production-github-actions");
    expect(resourcesOfType(production, "aws_iam_openid_connect_provider")).toEqual({});
  });

  test("the stack with createOidcProvider creates the provider and trusts it", () => {
    expect(resource(staging, "aws_iam_openid_connect_provider", "github_actions_oidc_provider")).toMatchObject({
      url: "https://token.actions.githubusercontent.com",
      client_id_list: ["sts.amazonaws.com"],
    });
    expect(resource(staging, "aws_iam_openid_connect_provider", "github_actions_oidc_provider").thumbprint_list).toBeUndefined();
    expect(statements(staging, "github_actions_role_trust")[0].principals[0].identifiers).toEqual([ref("aws_iam_openid_connect_provider.github_actions_oidc_provider", "arn")]);
  });

  test("GitHub Actions role may push to the environment's repository only", () => {
    const policy = statements(production, "github_actions_role_policy");
    const push = policy.find((s) => s.actions.includes("ecr:PutImage"));
    expect(push?.resources).toEqual([ref("aws_ecr_repository.artifacts_repository", "arn")]);
    expect(policy.find((s) => s.sid === "EcrAuthToken")?.actions).toEqual(["ecr:GetAuthorizationToken"]);
    expect(policy.filter((s) => (s.resources ?? []).includes("*")).flatMap((s) => s.actions)).toEqual(["ecr:GetAuthorizationToken"]);
  });

  test("no githubActions: no role, no output", () => {
    const raw = hostConfig();
    delete raw.environments.production.githubActions;
    delete raw.environments.staging.githubActions;
    const json = synthConfig(parseConfig(raw)).production;
    expect(resourcesOfType(json, "aws_iam_role").github_actions_role).toBeUndefined();
    expect(json.output.github_actions_role_arn).toBeUndefined();
    expect(json.output.image_tag.value).toBe("production-latest");
  });

  test("Ansible inventory: SSH when SSH is open, otherwise Session Manager through the artifact bucket", () => {
    expect(staging.output.ansible_inventory.value).toBe(
      [
        "[webapp_staging]",
        "staging.example.com ansible_host=${aws_eip.host_eip.public_ip} ansible_user=ec2-user",
        "",
        "[webapp_staging:vars]",
        "app_name=webapp",
        "env_name=staging",
        "aws_region=eu-west-1",
        "app_port=3000",
        "ecr_repository_url=${aws_ecr_repository.artifacts_repository.repository_url}",
        "image_tag=staging-latest",
        "",
      ].join("\n"),
    );
    const [, line] = production.output.ansible_inventory.value.split("\n");
    expect(line).toBe(
      "webapp-production ansible_host=${aws_eip.host_eip.public_ip} ansible_user=ec2-user ansible_connection=community.aws.aws_ssm ansible_aws_ssm_instance_id=${aws_instance.host_instance.id} ansible_aws_ssm_region=eu-west-1 ansible_aws_ssm_bucket_name=${aws_s3_bucket.artifacts_bucket.bucket}",
    );
    expect(production.output.ansible_inventory.value).toContain("image_tag=latest\n");
  });

  test("outputs", () => {
    expect(Object.keys(staging.output).sort()).toEqual([
      "ansible_inventory",
      "application_log_group",
      "artifact_bucket_name",
      "dashboard_name",
      "ecr_repository_url",
      "github_actions_role_arn",
      "host_name",
      "host_role_name",
      "image_tag",
      "instance_id",
      "kms_key_arn",
      "notification_topic_arn",
      "public_ip",
      "public_subnet_ids",
      "security_group_id",
      "url",
      "vpc_id",
    ]);
    expect(staging.output.public_ip.value).toBe(ref("aws_eip.host_eip", "public_ip"));
    expect(staging.output.url.value).toBe("http://staging.example.com");
    expect(production.output.url.value).toBe("http://${aws_eip.host_eip.public_ip}");
    expect(production.output.golden_ami_id).toBeDefined();
    for (const output of Object.values<any>(staging.output)) expect(output.description).toMatch(/\w+/);
  });

  test("golden snapshot of a host stack", () => {
    expect(production).toMatchSnapshot();
  });
});

describe("Network without load balancer or fleet groups", () => {
  test("creates neither group; asking for the ALB group is an error", () => {
    const { stack } = bareStack({ availabilityZones: ["eu-west-1a", "eu-west-1b"] });
    const key = new EncryptionKey(stack, "environment-key", { alias: "a", description: "test" });
    const network = new Network(stack, "network", {
      namePrefix: "app-test",
      cidr: "10.0.0.0/16",
      availabilityZones: ["eu-west-1a", "eu-west-1b"],
      encryptionKey: key,
      loadBalancerSecurityGroup: false,
      instanceSecurityGroup: false,
      flowLogs: false,
    });
    expect(() => network.albSecurityGroup).toThrow(/loadBalancerSecurityGroup: false/);
    expect(JSON.parse(Testing.synth(stack)).resource.aws_security_group).toBeUndefined();
  });
});

describe("githubActionsWorkflow", () => {
  const config: Config = parseConfig(hostConfig());

  test("on push to the branches: OIDC role, ECR login, build, tag with the SHA and the environment tag, push", () => {
    const file = githubActionsWorkflow(config, "production")!;
    expect(file.path).toBe(".github/workflows/webapp-production-image.yml");
    expect(file.content.startsWith("# GitHub Actions workflow of webapp-production: build, tag and push the image to ECR.\n# Generated by cdktf-ec2-release")).toBe(true);
    const workflow = parse(file.content);
    expect(workflow.on).toEqual({ push: { branches: ["main", "release/v2"] }, workflow_dispatch: {} });
    expect(workflow.permissions).toEqual({ "id-token": "write", contents: "read" });
    const job = workflow.jobs.image;
    expect(job.environment).toBeUndefined();
    const [checkout, credentials, login, build] = job.steps;
    expect(checkout.uses).toBe("actions/checkout@v4");
    expect(credentials.uses).toBe(ACTION_VERSIONS.configureAwsCredentials);
    expect(credentials.uses).toMatch(/@v4$/);
    expect(credentials.with).toMatchObject({ "role-to-assume": "arn:aws:iam::${{ vars.AWS_ACCOUNT_ID }}:role/webapp-production-github-actions", "aws-region": "eu-west-1" });
    expect(login).toMatchObject({ id: "ecr", uses: "aws-actions/amazon-ecr-login@v2" });
    expect(build.env).toEqual({ IMAGE: "${{ steps.ecr.outputs.registry }}/webapp-production", ENV_TAG: "latest", DOCKERFILE: "Dockerfile", CONTEXT: "." });
    expect(build.run.split("\n").filter(Boolean)).toEqual([
      'docker build --file "$DOCKERFILE" --tag "$IMAGE:$GITHUB_SHA" "$CONTEXT"',
      'docker tag "$IMAGE:$GITHUB_SHA" "$IMAGE:$ENV_TAG"',
      'docker push "$IMAGE:$GITHUB_SHA"',
      'docker push "$IMAGE:$ENV_TAG"',
    ]);
  });

  test("a configured account goes into the role ARN; the default tag is <env>-latest", () => {
    const raw = hostConfig();
    raw.environments.staging.accountId = "111122223333";
    const workflow = parse(githubActionsWorkflow(parseConfig(raw), "staging")!.content);
    expect(workflow.jobs.image.steps[1].with["role-to-assume"]).toBe("arn:aws:iam::111122223333:role/webapp-staging-github-actions");
    expect(workflow.jobs.image.steps[3].env.ENV_TAG).toBe("staging-latest");
  });

  test("no workflow without githubActions; unknown environments are an error", () => {
    const raw = hostConfig();
    delete raw.environments.production.githubActions;
    expect(githubActionsWorkflow(parseConfig(raw), "production")).toBeUndefined();
    expect(() => githubActionsWorkflow(config, "qa")).toThrow(/no environment "qa"/);
  });

  test("the role name in the workflow is the role the stack creates", () => {
    const json: Synth = synthConfig(config).production;
    const workflow = parse(githubActionsWorkflow(config, "production")!.content);
    expect(workflow.jobs.image.steps[1].with["role-to-assume"]).toMatch(new RegExp(`:role/${resource(json, "aws_iam_role", "github_actions_role").name}$`));
    expect(data(json, "aws_iam_policy_document", "github_actions_role_trust")).toBeDefined();
  });
});

describe("release files of host environments", () => {
  test("the workflow, the Dockerfile and .dockerignore, and the marker; no CodeDeploy or CodeBuild files", () => {
    const config = parseConfig(hostConfig());
    expect(releaseFiles(config, "production").map((f) => f.path)).toEqual([".dockerignore", ".github/workflows/webapp-production-image.yml", MARKER_FILE, "Dockerfile"]);
    const workflow = releaseFiles(config, "production").find((f) => f.path.startsWith(".github/"))!;
    expect(workflow.content).toBe(githubActionsWorkflow(config, "production")!.content);
    expect(generatedFiles(config).map((f) => f.path)).toContain("staging/.github/workflows/webapp-staging-image.yml");
  });

  test("the Dockerfile goes where the workflow builds it; without githubActions only the marker", () => {
    const raw = hostConfig();
    raw.environments.production.githubActions = { ...raw.environments.production.githubActions, dockerfile: "docker/app.Dockerfile", context: "services/app" };
    delete raw.environments.staging.githubActions;
    const config = parseConfig(raw);
    expect(releaseFiles(config, "production").map((f) => f.path)).toEqual([".github/workflows/webapp-production-image.yml", MARKER_FILE, "docker/app.Dockerfile", "services/app/.dockerignore"]);
    expect(releaseFiles(config, "staging").map((f) => f.path)).toEqual([MARKER_FILE]);
  });
});
