import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { loadConfigFile, parseConfig } from "../lib/config/load";
import { configProblems, expectProblemLine } from "./helpers/config";

const base = () => ({
  app: { name: "webapp", region: "eu-west-1" },
  environments: {
    staging: { network: { cidr: "10.10.0.0/16" } },
    production: { network: { cidr: "10.20.0.0/16" } },
  },
});

/** Applies `mutate` to a fresh valid configuration and returns the problem lines. */
function problems(mutate: (c: any) => void): string[] {
  const config = base();
  mutate(config);
  return configProblems(config);
}

function expectProblem(mutate: (c: any) => void, path: string, received: string, allowed: RegExp): void {
  expectProblemLine(problems(mutate), path, received, allowed);
}

describe("configuration files", () => {
  test("the default configuration is valid and has staging and production", () => {
    const config = loadConfigFile(path.join(__dirname, "..", "config", "default.yaml"));
    expect(Object.keys(config.environments)).toEqual(["staging", "production"]);
    expect(config.environments.production.protection).toBe(true);
    expect(config.environments.staging.protection).toBe(false);
  });

  test("every example configuration is valid", () => {
    const dir = path.join(__dirname, "..", "config", "examples");
    const files = fs.readdirSync(dir).filter((f) => /\.(ya?ml|json)$/.test(f));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) expect(() => loadConfigFile(path.join(dir, file))).not.toThrow();
  });

  test("defaults are merged under every environment and the environment's own value wins", () => {
    const config = parseConfig({
      ...base(),
      defaults: { fleet: { instanceType: "m7g.large", maxSize: 4 }, network: { azCount: 3 } },
      environments: { staging: { network: { cidr: "10.10.0.0/16" }, fleet: { maxSize: 9 } } },
    });
    expect(config.environments.staging.fleet).toMatchObject({ instanceType: "m7g.large", maxSize: 9 });
    expect(config.environments.staging.network?.azCount).toBe(3);
  });

  test("schema defaults are applied", () => {
    const env = parseConfig(base()).environments.staging;
    expect(env.backend).toEqual({ type: "local" });
    expect(env.network).toMatchObject({ azCount: 2, privateSubnets: true, natGateways: "single", dataSubnets: false, sshIngressCidrs: [], albIngressCidrs: ["0.0.0.0/0"] });
    expect(env.network?.flowLogs).toEqual({ enabled: true, retentionDays: 90, trafficType: "ALL" });
    expect(env.artifacts.containerRepository).toEqual({ immutableTags: true, keepLastImages: 30, untaggedExpirationDays: 7 });
    expect(env.protection).toBe(true);
    expect(env.goldenAmi).toEqual({
      enabled: true,
      components: ["codedeploy-agent", "cloudwatch-agent", "docker", "nodejs", "nginx"],
      nodejsMajor: 22,
      rootVolume: { sizeGiB: 30, type: "gp3" },
      terminateInstanceOnFailure: true,
      buildTimeoutMinutes: 120,
      imageTests: true,
      distribution: { amiTags: {}, additionalRegions: [] },
    });
  });

  test("a JSON configuration file is accepted", () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "cfg-")), "c.json");
    fs.writeFileSync(file, JSON.stringify(base()));
    expect(Object.keys(loadConfigFile(file).environments)).toEqual(["staging", "production"]);
  });

  test("a missing file is reported with its path", () => {
    expect(() => loadConfigFile("/nonexistent/config.yaml")).toThrow(/\/nonexistent\/config\.yaml.*readable configuration file/s);
  });

  test("YAML syntax errors name the line", () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "cfg-")), "bad.yaml");
    fs.writeFileSync(file, "app:\n  name: x\n   region: [\n");
    expect(() => loadConfigFile(file)).toThrow(/\(line \d+\): received text that is not valid YAML/);
  });

  test("duplicate YAML keys are rejected instead of silently overwritten", () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "cfg-")), "dup.yaml");
    fs.writeFileSync(file, "app:\n  name: a\n  name: b\n  region: eu-west-1\nenvironments: {}\n");
    expect(() => loadConfigFile(file)).toThrow(/not valid YAML.*[Mm]ap keys must be unique/);
  });

  test("all problems are reported at once, each with path, received value and what is allowed", () => {
    const lines = problems((c) => {
      c.app.name = "Web_App";
      c.app.colour = "blue";
      c.environments.staging.network.cidr = "10.0.0.1/16";
      c.environments.production.fleet = { minSize: 5, maxSize: 2 };
      c.environments.production.loadBalancer = { https: true };
    });
    expect(lines).toEqual([
      expect.stringMatching(/^app\.name: received "Web_App"; allowed: lower-case letters/),
      expect.stringMatching(/^app\.colour: received an unknown key "colour"; allowed: known keys here are: name, output, region, tags$/),
      expect.stringMatching(/^environments\.staging\.network\.cidr: received "10\.0\.0\.1\/16"; allowed: an IPv4 CIDR block in network form/),
      expect.stringMatching(/^environments\.production\.fleet\.minSize: received 5; allowed: a value no larger than fleet\.maxSize \(2\)$/),
      expect.stringMatching(/^environments\.production\.loadBalancer\.certificateArn: received nothing; allowed: an ACM certificate ARN, required when loadBalancer\.https is true$/),
    ]);
  });

  test("the error message says nothing was synthesized and counts the problems", () => {
    expect(() => parseConfig({ ...base(), app: { name: "x", region: "moon-1" } }, "my.yaml")).toThrow(
      /^Invalid configuration my\.yaml \(1 problem\); nothing was synthesized:\n  - app\.region: received "moon-1"; allowed: an AWS region code/,
    );
  });

  test("a value inherited from defaults is reported where it must be fixed", () => {
    expectProblem(
      (c) => {
        c.defaults = { fleet: { minSize: 7 } };
        c.environments.staging.fleet = { maxSize: 3 };
      },
      "defaults.fleet.minSize (inherited by environments.staging)",
      "7",
      /no larger than fleet\.maxSize \(3\)/,
    );
  });
});

describe("validation rules", () => {
  test.each([
    ["not a CIDR", "banana", /IPv4 CIDR block in network form/],
    ["host bits set", "10.10.0.1/16", /network form/],
    ["prefix too wide", "10.0.0.0/8", /prefix from \/16 to \/22/],
    ["prefix too narrow", "10.10.0.0/24", /prefix from \/16 to \/22/],
    ["IPv6", "fd00::/48", /IPv4 CIDR/],
  ])("network.cidr: %s", (_label, cidr, allowed) => {
    expectProblem((c) => (c.environments.staging.network.cidr = cidr), "environments.staging.network.cidr", JSON.stringify(cidr), allowed);
  });

  test("overlapping CIDRs between environments", () => {
    expectProblem(
      (c) => (c.environments.production.network.cidr = "10.10.16.0/20"),
      "environments.production.network.cidr",
      '"10.10.16.0/20"',
      /does not overlap environments\.staging\.network\.cidr \(10\.10\.0\.0\/16\)/,
    );
  });

  test("minSize larger than maxSize", () => {
    expectProblem((c) => (c.environments.staging.fleet = { minSize: 3, maxSize: 2 }), "environments.staging.fleet.minSize", "3", /no larger than fleet\.maxSize \(2\)/);
  });

  test.each([
    [0, { minSize: 1, maxSize: 3, desiredCapacity: 0 }],
    [4, { minSize: 1, maxSize: 3, desiredCapacity: 4 }],
  ])("desiredCapacity %s outside [min, max]", (desired, fleet) => {
    expectProblem((c) => (c.environments.staging.fleet = fleet), "environments.staging.fleet.desiredCapacity", String(desired), /from fleet\.minSize \(1\) to fleet\.maxSize \(3\)/);
  });

  test("negative and fractional sizes", () => {
    expectProblem((c) => (c.environments.staging.fleet = { maxSize: 2.5 }), "environments.staging.fleet.maxSize", "2.5", /a number of instances from 1 to 1000/);
    expectProblem((c) => (c.environments.staging.fleet = { minSize: -1 }), "environments.staging.fleet.minSize", "-1", /from 0 to 1000/);
  });

  test.each(["Staging", "1st", "qa_env", "a-", "waytoolongenvname"])("environment name %p is not a valid identifier", (name) => {
    expectProblem(
      (c) => (c.environments = { [name]: { network: { cidr: "10.10.0.0/16" } } }),
      `environments.${name}`,
      JSON.stringify(name),
      /lower-case letters, digits and inner hyphens, starting with a letter, at most 12 characters/,
    );
  });

  test("app name and environment name together too long for AWS name limits", () => {
    expectProblem(
      (c) => {
        c.app.name = "averylongappname";
        c.environments = { preproduction: { network: { cidr: "10.10.0.0/16" } } };
        c.environments = { preprod12345: { network: { cidr: "10.10.0.0/16" } } };
      },
      "environments.preprod12345",
      '"averylongappname-preprod12345"',
      /at most 24 characters; "averylongappname-preprod12345" has 29/,
    );
  });

  test("no environments", () => {
    expectProblem((c) => (c.environments = {}), "environments", "{}", /at least one environment/);
  });

  test("HTTPS without a certificate ARN", () => {
    expectProblem((c) => (c.environments.staging.loadBalancer = { https: true }), "environments.staging.loadBalancer.certificateArn", "nothing", /required when loadBalancer\.https is true/);
  });

  test("certificate ARN that is not an ACM ARN", () => {
    expectProblem(
      (c) => (c.environments.staging.loadBalancer = { certificateArn: "arn:aws:iam::123456789012:server-certificate/x" }),
      "environments.staging.loadBalancer.certificateArn",
      '"arn:aws:iam::123456789012:server-certificate/x"',
      /an ACM certificate ARN/,
    );
  });

  test.each(["hostedZoneId", "hostName"])("shared load balancer without %s", (field) => {
    expectProblem(
      (c) => (c.environments.staging.loadBalancer = { mode: "shared", hostedZoneId: "Z0123456789ABC", hostName: "app.example.com", [field]: undefined }),
      `environments.staging.loadBalancer.${field}`,
      "nothing",
      /required when loadBalancer\.mode is "shared"/,
    );
  });

  test("unknown keys at any depth", () => {
    expectProblem((c) => (c.extra = 1), "extra", 'an unknown key "extra"', /known keys here are: app, defaults, environments/);
    expectProblem((c) => (c.environments.staging.network.cdir = "x"), "environments.staging.network.cdir", 'an unknown key "cdir"', /known keys here are: .*cidr/);
    expectProblem((c) => (c.environments.staging.fleet = { minsize: 1 }), "environments.staging.fleet.minsize", 'an unknown key "minsize"', /minSize/);
  });

  test("region", () => {
    expectProblem((c) => (c.app.region = "Europe"), "app.region", '"Europe"', /an AWS region code/);
    expectProblem((c) => (c.environments.staging.region = "eu-west"), "environments.staging.region", '"eu-west"', /an AWS region code/);
  });

  test("availability zones outside the environment's region, duplicated, or too few", () => {
    expectProblem(
      (c) => (c.environments.staging.network.availabilityZones = ["us-east-1a", "eu-west-1b"]),
      "environments.staging.network.availabilityZones.0",
      '"us-east-1a"',
      /availability zone of the environment's region eu-west-1/,
    );
    expectProblem(
      (c) => (c.environments.staging.network.availabilityZones = ["eu-west-1a", "eu-west-1a"]),
      "environments.staging.network.availabilityZones",
      '["eu-west-1a","eu-west-1a"]',
      /without duplicates/,
    );
    expectProblem((c) => (c.environments.staging.network.availabilityZones = ["eu-west-1a"]), "environments.staging.network.availabilityZones", '["eu-west-1a"]', /at least 2/);
    expectProblem((c) => (c.environments.staging.network.azCount = 5), "environments.staging.network.azCount", "5", /from 2 to 4/);
  });

  test("SSH from the whole internet", () => {
    expectProblem((c) => (c.environments.staging.network.sshIngressCidrs = ["0.0.0.0/0"]), "environments.staging.network.sshIngressCidrs", '["0.0.0.0/0"]', /SSH from the whole internet/);
    expectProblem((c) => (c.environments.staging.network.sshIngressCidrs = ["::/0"]), "environments.staging.network.sshIngressCidrs", '["::/0"]', /not allowed/);
  });

  test("ingress CIDR that is not a CIDR", () => {
    expectProblem((c) => (c.environments.staging.network.albIngressCidrs = ["office"]), "environments.staging.network.albIngressCidrs.0", '"office"', /IPv4 CIDR .* or an IPv6 CIDR/);
  });

  test("private subnets without NAT need the VPC endpoints of what runs there (more in network-and-edge.test.ts)", () => {
    expectProblem((c) => (c.environments.staging.network.natGateways = "none"), "environments.staging.network.endpoints.interface", "[]", /includes "ssm", .* while network\.natGateways is "none"/);
  });

  test("fleet in private subnets that do not exist", () => {
    expectProblem(
      (c) => {
        c.environments.staging.network.privateSubnets = false;
        c.environments.staging.fleet = { subnets: "private" };
      },
      "environments.staging.fleet.subnets",
      '"private"',
      /"public" while network\.privateSubnets is false/,
    );
  });

  test("unknown NAT mode lists the allowed ones", () => {
    expectProblem((c) => (c.environments.staging.network.natGateways = "double"), "environments.staging.network.natGateways", '"double"', /one of "none", "single", "per-az"/);
  });

  test("flow log retention must be a period CloudWatch Logs accepts", () => {
    expectProblem((c) => (c.environments.staging.network.flowLogs = { retentionDays: 10 }), "environments.staging.network.flowLogs.retentionDays", "10", /one of 1, 3, 5, 7, 14, 30/);
  });

  test("tags", () => {
    expectProblem((c) => (c.app.tags = { "aws:owner": "x" }), "app.tags.aws:owner", '"aws:owner"', /not starting with aws:/);
    expectProblem((c) => (c.app.tags = { team: "x".repeat(257) }), "app.tags.team", `"${"x".repeat(116)}...`, /at most 256 characters/);
  });

  test("account ID", () => {
    expectProblem((c) => (c.environments.staging.accountId = 123456789012), "environments.staging.accountId", "123456789012", /12-digit AWS account ID written as a string/);
  });

  test("artifact expiration", () => {
    expectProblem((c) => (c.environments.staging.artifacts = { artifactExpirationDays: 7 }), "environments.staging.artifacts.artifactExpirationDays", "7", /from 30 to 3650/);
  });

  test("output format", () => {
    expectProblem((c) => (c.app.output = "yaml"), "app.output", '"yaml"', /one of "json", "hcl"/);
  });
});

describe("backend validation", () => {
  test("unknown backend type", () => {
    expectProblem((c) => (c.environments.staging.backend = { type: "gcs" }), "environments.staging.backend.type", '"gcs"', /type "local", "s3" or "cloud"/);
  });

  test("S3 bucket name", () => {
    expectProblem((c) => (c.environments.staging.backend = { type: "s3", bucket: "My_Bucket" }), "environments.staging.backend.bucket", '"My_Bucket"', /an S3 bucket name/);
  });

  test("S3 without any lock", () => {
    expectProblem(
      (c) => (c.environments.staging.backend = { type: "s3", bucket: "state-bucket", useLockfile: false }),
      "environments.staging.backend.useLockfile",
      "false",
      /true, or a dynamodbTable: without a lock/,
    );
  });

  test("S3 key and role", () => {
    expectProblem((c) => (c.environments.staging.backend = { type: "s3", bucket: "state-bucket", key: "/abs/state" }), "environments.staging.backend.key", '"/abs/state"', /neither starts nor ends with \//);
    expectProblem((c) => (c.environments.staging.backend = { type: "s3", bucket: "state-bucket", roleArn: "admin" }), "environments.staging.backend.roleArn", '"admin"', /an IAM role ARN/);
  });

  test("Terraform Cloud needs organization and workspace", () => {
    expectProblem((c) => (c.environments.staging.backend = { type: "cloud", workspace: "w" }), "environments.staging.backend.organization", "nothing", /organization name/);
    expectProblem((c) => (c.environments.staging.backend = { type: "cloud", organization: "acme", workspace: "has space" }), "environments.staging.backend.workspace", '"has space"', /workspace name/);
  });

  test("two environments may not share a state location", () => {
    expectProblem(
      (c) => {
        c.environments.staging.backend = { type: "s3", bucket: "state-bucket", key: "shared.tfstate" };
        c.environments.production.backend = { type: "s3", bucket: "state-bucket", key: "shared.tfstate" };
      },
      "environments.production.backend",
      '"s3://state-bucket/shared.tfstate"',
      /a state location of its own: environments\.staging already stores its state there/,
    );
  });
});

describe("golden AMI validation", () => {
  const ami = (c: any, value: Record<string, unknown>) => (c.environments.staging.goldenAmi = value);
  const at = "environments.staging.goldenAmi";

  test("unknown component name lists the known ones", () => {
    expectProblem((c) => ami(c, { components: ["docker", "apache"] }), `${at}.components.1`, '"apache"', /one of "codedeploy-agent", "cloudwatch-agent", "docker", "nodejs", "nginx"/);
  });

  test("a fleet without nginx: Nginx is the load balancer's target on the instances", () => {
    expectProblem(
      (c) => ami(c, { components: ["codedeploy-agent", "cloudwatch-agent", "nodejs"] }),
      `${at}.components`,
      '["codedeploy-agent","cloudwatch-agent","nodejs"]',
      /a list with "nginx" with platform: fleet: Nginx on the instances is the load balancer's target \(port 80\) and proxies to application\.port/,
    );
    // Without a golden AMI the same list is installed at first boot: the rule holds too.
    expectProblem((c) => ami(c, { enabled: false, components: ["codedeploy-agent", "nodejs"] }), `${at}.components`, '["codedeploy-agent","nodejs"]', /a list with "nginx" with platform: fleet/);
    const ok = base() as any;
    ok.environments.staging.goldenAmi = { components: ["codedeploy-agent", "nodejs", "nginx"] };
    expect(parseConfig(ok).environments.staging.goldenAmi.components).toEqual(["codedeploy-agent", "nodejs", "nginx"]);
  });

  test("a host may leave nginx out (it terminates traffic as its owner configures)", () => {
    const config = base() as any;
    config.environments.staging = { platform: "host", network: { cidr: "10.10.0.0/16" }, goldenAmi: { components: ["codedeploy-agent", "cloudwatch-agent", "docker"] } };
    expect(parseConfig(config).environments.staging.goldenAmi.components).toEqual(["codedeploy-agent", "cloudwatch-agent", "docker"]);
  });

  test("no component, or one twice", () => {
    expectProblem((c) => ami(c, { components: [] }), `${at}.components`, "[]", /at least one component/);
    expectProblem((c) => ami(c, { components: ["docker", "docker"] }), `${at}.components`, '["docker","docker"]', /components without duplicates/);
  });

  test.each([18, 21, 23, "22"])("Node.js major %p", (major) => {
    expectProblem((c) => ami(c, { nodejsMajor: major }), `${at}.nodejsMajor`, JSON.stringify(major), /^one of 20, 22, 24 \(the Node\.js majors Amazon Linux 2023 packages as nodejs<major>\)$/);
  });

  test.each([
    ["0 3 * * 0", /it must be written cron\(\.\.\.\)/],
    ["cron(0 3 * * SUN)", /it has 5 fields; six are needed/],
    ["cron(0 3 * * SUN *)", /exactly one of day-of-month and day-of-week must be \?/],
    ["cron(0 25 ? * SUN *)", /the hours field "25" is not valid \(0-23\)/],
  ])("pipeline schedule %p", (schedule, detail) => {
    expectProblem((c) => ami(c, { pipeline: { schedule } }), `${at}.pipeline.schedule`, JSON.stringify(schedule), /^an Image Builder cron expression with six fields, like cron\(0 3 \? \* SUN \*\)/);
    expectProblem((c) => ami(c, { pipeline: { schedule } }), `${at}.pipeline.schedule`, JSON.stringify(schedule), detail);
  });

  test("pipeline needs a schedule; time zone and start condition are checked", () => {
    expectProblem((c) => ami(c, { pipeline: {} }), `${at}.pipeline.schedule`, "nothing", /an Image Builder cron expression/);
    expectProblem((c) => ami(c, { pipeline: { schedule: "cron(0 3 ? * SUN *)", timezone: "CET +1" } }), `${at}.pipeline.timezone`, '"CET +1"', /an IANA time zone name/);
    expectProblem((c) => ami(c, { pipeline: { schedule: "cron(0 3 ? * SUN *)", startCondition: "weekly" } }), `${at}.pipeline.startCondition`, '"weekly"', /one of "updates-available", "always"/);
  });

  test.each([0, -5, 7, 20.5, 20000])("root volume size %p", (size) => {
    expectProblem((c) => ami(c, { rootVolume: { sizeGiB: size } }), `${at}.rootVolume.sizeGiB`, String(size), /^a size in GiB from 8 to 16384$/);
  });

  test("root volume type and IOPS", () => {
    expectProblem((c) => ami(c, { rootVolume: { type: "st1" } }), `${at}.rootVolume.type`, '"st1"', /one of "gp3", "gp2", "io1", "io2"/);
    expectProblem((c) => ami(c, { rootVolume: { type: "io1" } }), `${at}.rootVolume.iops`, "nothing", /a number of IOPS, required for io1 volumes/);
    expectProblem((c) => ami(c, { rootVolume: { type: "gp2", iops: 3000 } }), `${at}.rootVolume.iops`, "3000", /nothing for a gp2 volume/);
  });

  test("a golden AMI needs private subnets (Image Builder gives the build instance no public IP)", () => {
    expectProblem(
      (c) => (c.environments.staging.network.privateSubnets = false),
      `${at}.enabled`,
      "true",
      /^false while network\.privateSubnets is false: Image Builder cannot give the build instance a public IP, so it needs a private subnet with NAT/,
    );
    expect(() =>
      parseConfig({ app: { name: "webapp", region: "eu-west-1" }, environments: { staging: { network: { cidr: "10.10.0.0/16", privateSubnets: false }, fleet: { subnets: "public" }, goldenAmi: { enabled: false } } } }),
    ).not.toThrow();
  });

  test("the image's architecture must be the fleet's", () => {
    expectProblem(
      (c) => {
        c.environments.staging.fleet = { instanceType: "m7g.large" };
        ami(c, { architecture: "x86_64" });
      },
      `${at}.architecture`,
      '"x86_64"',
      /"arm64", the architecture of fleet\.instanceType \(m7g\.large\): an AMI boots only on its own architecture/,
    );
  });

  test("build instance types must match the image's architecture, given or taken from the fleet", () => {
    expectProblem((c) => ami(c, { instanceTypes: ["m5.large", "c7g.large"] }), `${at}.instanceTypes.1`, '"c7g.large"', /an instance type of the image's architecture \(x86_64\)/);
    expectProblem(
      (c) => {
        c.environments.staging.fleet = { instanceType: "t4g.small" };
        ami(c, { instanceTypes: ["m5.large"] });
      },
      `${at}.instanceTypes.0`,
      '"m5.large"',
      /architecture \(arm64\)/,
    );
    expectProblem((c) => ami(c, { instanceTypes: [] }), `${at}.instanceTypes`, "[]", /at least one instance type/);
  });

  test.each(["ami-123", "ami-0123456789ABCDEF0", "resolve:ssm:/imagebuilder/webapp-staging/golden-ami-id", "0123456789abcdef0", 42])("pinned image %p", (value) => {
    expectProblem((c) => ami(c, { pinnedImageId: value }), `${at}.pinnedImageId`, JSON.stringify(value), /^an AMI ID: ami- and 8 or 17 hexadecimal digits, such as ami-0123456789abcdef0$/);
  });

  test("an AMI ID pins the image, with or without the golden AMI; none by default", () => {
    const config = (goldenAmi: Record<string, unknown>, network: Record<string, unknown> = {}) =>
      parseConfig({ app: { name: "webapp", region: "eu-west-1" }, environments: { staging: { network: { cidr: "10.10.0.0/16", ...network }, fleet: { subnets: network.privateSubnets === false ? "public" : "private" }, goldenAmi } } }).environments.staging.goldenAmi;
    expect(config({}).pinnedImageId).toBeUndefined();
    expect(config({ pinnedImageId: "ami-0123456789abcdef0" }).pinnedImageId).toBe("ami-0123456789abcdef0");
    expect(config({ enabled: false, pinnedImageId: "ami-12345678" }, { privateSubnets: false }).pinnedImageId).toBe("ami-12345678");
  });

  test("AMI name must make every build's name unique", () => {
    expectProblem((c) => ami(c, { distribution: { amiName: "webapp-golden" } }), `${at}.distribution.amiName`, '"webapp-golden"', /contains \{\{ imagebuilder:buildDate \}\}/);
    expectProblem((c) => ami(c, { distribution: { amiName: "web#{{ imagebuilder:buildDate }}" } }), `${at}.distribution.amiName`, '"web#{{ imagebuilder:buildDate }}"', /letters, digits, spaces/);
  });

  test("additional regions: valid, distinct and not the environment's own", () => {
    expectProblem(
      (c) => ami(c, { distribution: { additionalRegions: ["us-east-1", "eu-west-1"] } }),
      `${at}.distribution.additionalRegions.1`,
      '"eu-west-1"',
      /a region other than the environment's own \(eu-west-1\), which always receives the AMI/,
    );
    expectProblem((c) => ami(c, { distribution: { additionalRegions: ["us-east-1", "us-east-1"] } }), `${at}.distribution.additionalRegions`, '["us-east-1","us-east-1"]', /regions without duplicates/);
    expectProblem((c) => ami(c, { distribution: { additionalRegions: ["mars-1"] } }), `${at}.distribution.additionalRegions.0`, '"mars-1"', /an AWS region code/);
  });

  test("notification topic, parent image, build timeout and unknown keys", () => {
    expectProblem((c) => ami(c, { notificationTopicArn: "image-builds" }), `${at}.notificationTopicArn`, '"image-builds"', /an SNS topic ARN/);
    expectProblem((c) => ami(c, { parentImage: "amazon-linux-2023" }), `${at}.parentImage`, '"amazon-linux-2023"', /an Image Builder image ARN .*, ssm:<parameter name> or an AMI ID/);
    expectProblem((c) => ami(c, { buildTimeoutMinutes: 10 }), `${at}.buildTimeoutMinutes`, "10", /a number of minutes from 30 to 1440/);
    expectProblem((c) => ami(c, { nodeVersion: 22 }), `${at}.nodeVersion`, 'an unknown key "nodeVersion"', /known keys here are: .*nodejsMajor/);
  });

  test("valid settings are accepted", () => {
    const config = parseConfig({
      ...base(),
      environments: {
        staging: {
          network: { cidr: "10.10.0.0/16" },
          fleet: { instanceType: "m7g.large" },
          goldenAmi: {
            components: ["nodejs", "codedeploy-agent", "nginx"],
            nodejsMajor: 24,
            parentImage: "ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64",
            rootVolume: { sizeGiB: 64, type: "io2", iops: 6000 },
            instanceTypes: ["c7g.large"],
            notificationTopicArn: "arn:aws:sns:eu-west-1:123456789012:image-builds",
            pipeline: { schedule: "cron(0 3 ? * SUN *)", timezone: "Europe/Berlin" },
            distribution: { amiName: "webapp {{ imagebuilder:buildDate }}", additionalRegions: ["eu-central-1"], amiTags: { os: "al2023" } },
          },
        },
      },
    });
    expect(config.environments.staging.goldenAmi.pipeline).toEqual({ schedule: "cron(0 3 ? * SUN *)", startCondition: "updates-available", timezone: "Europe/Berlin" });
  });
});

describe("fleet and traffic validation", () => {
  const CERT = "arn:aws:acm:eu-west-1:111122223333:certificate/1a2b3c4d-5e6f-4a8b-9c0d-1e2f3a4b5c6d";
  const ZONE = "Z0123456789ABCDEFGHIJ";
  const shared = (c: any, extra: Record<string, unknown> = {}) => {
    c.sharedLoadBalancer = { network: { cidr: "10.50.0.0/16" }, certificateArn: CERT, ...extra };
    for (const name of Object.keys(c.environments)) {
      c.environments[name] = { loadBalancer: { mode: "shared", hostedZoneId: ZONE, hostName: `${name}.example.com` } };
    }
  };

  test("the Nginx request body limit: whole MiB from 1 to 4096, 10 by default", () => {
    const at = "environments.staging.fleet.proxy.clientMaxBodyMiB";
    expectProblem((c) => (c.environments.staging.fleet = { proxy: { clientMaxBodyMiB: 0 } }), at, "0", /a size in MiB from 1 to 4096/);
    expectProblem((c) => (c.environments.staging.fleet = { proxy: { clientMaxBodyMiB: 4097 } }), at, "4097", /a size in MiB from 1 to 4096/);
    expectProblem((c) => (c.environments.staging.fleet = { proxy: { clientMaxBodyMiB: 1.5 } }), at, "1.5", /a size in MiB/);
    expectProblem((c) => (c.environments.staging.fleet = { proxy: { maxBody: 5 } }), "environments.staging.fleet.proxy.maxBody", 'an unknown key "maxBody"', /clientMaxBodyMiB/);
    const config = parseConfig({ ...base(), environments: { staging: { network: { cidr: "10.10.0.0/16" }, fleet: { proxy: { clientMaxBodyMiB: 250 } } }, production: { network: { cidr: "10.20.0.0/16" } } } });
    expect(config.environments.staging.fleet.proxy.clientMaxBodyMiB).toBe(250);
    expect(config.environments.production.fleet.proxy.clientMaxBodyMiB).toBe(10);
  });

  test("health check path must start with /", () => {
    expectProblem((c) => (c.environments.staging.loadBalancer = { healthCheck: { path: "health" } }), "environments.staging.loadBalancer.healthCheck.path", '"health"', /a URL path starting with \//);
  });

  test("health check timeout must be shorter than the interval", () => {
    expectProblem(
      (c) => (c.environments.staging.loadBalancer = { healthCheck: { intervalSeconds: 10, timeoutSeconds: 10 } }),
      "environments.staging.loadBalancer.healthCheck.timeoutSeconds",
      "10",
      /less than healthCheck\.intervalSeconds \(10\)/,
    );
  });

  test("health check matcher", () => {
    expectProblem((c) => (c.environments.staging.loadBalancer = { healthCheck: { matcher: "ok" } }), "environments.staging.loadBalancer.healthCheck.matcher", '"ok"', /HTTP codes such as 200/);
  });

  test("TLS policy must allow TLS 1.2+ only", () => {
    expectProblem((c) => (c.environments.staging.loadBalancer = { sslPolicy: "ELBSecurityPolicy-2016-08" }), "environments.staging.loadBalancer.sslPolicy", '"ELBSecurityPolicy-2016-08"', /one of "ELBSecurityPolicy-TLS13-1-2-2021-06"/);
  });

  test("host name and hosted zone go together on a dedicated load balancer", () => {
    expectProblem((c) => (c.environments.staging.loadBalancer = { hostName: "app.example.com" }), "environments.staging.loadBalancer.hostedZoneId", "nothing", /hostName and hostedZoneId go together/);
    expectProblem((c) => (c.environments.staging.loadBalancer = { hostedZoneId: ZONE }), "environments.staging.loadBalancer.hostName", "nothing", /go together/);
  });

  test("an application port below 1024 is refused", () => {
    expectProblem((c) => (c.environments.staging.application = { port: 80 }), "environments.staging.application.port", "80", /an unprivileged TCP port from 1024 to 65535/);
  });

  test("unknown runtime, termination policy, e-mail", () => {
    expectProblem((c) => (c.environments.staging.application = { runtime: "python" }), "environments.staging.application.runtime", '"python"', /one of "nodejs", "docker"/);
    expectProblem((c) => (c.environments.staging.fleet = { terminationPolicies: ["Random"] }), "environments.staging.fleet.terminationPolicies.0", '"Random"', /one of "OldestLaunchTemplate"/);
    expectProblem((c) => (c.environments.staging.notifications = { email: "ops" }), "environments.staging.notifications.email", '"ops"', /an e-mail address/);
  });

  test("rule priority only in shared mode", () => {
    expectProblem((c) => (c.environments.staging.loadBalancer = { rulePriority: 10 }), "environments.staging.loadBalancer.rulePriority", "10", /nothing unless loadBalancer\.mode is "shared"/);
  });

  describe("CloudFront", () => {
    const cdn = (c: any, lb: Record<string, unknown>) => (c.environments.staging.loadBalancer = lb);

    test("an HTTPS load balancer needs the origin name CloudFront connects to", () => {
      expectProblem((c) => cdn(c, { certificateArn: CERT, cdn: { enabled: true } }), "environments.staging.loadBalancer.cdn.originDomainName", "nothing", /covered by the ALB certificate/);
    });

    test("the origin record needs a hosted zone", () => {
      expectProblem((c) => cdn(c, { certificateArn: CERT, cdn: { enabled: true, originDomainName: "origin.example.com" } }), "environments.staging.loadBalancer.hostedZoneId", "nothing", /origin record/);
    });

    test("aliases need a certificate, and it must be in us-east-1", () => {
      expectProblem((c) => cdn(c, { cdn: { enabled: true, aliases: ["www.example.com"] } }), "environments.staging.loadBalancer.cdn.certificateArn", "nothing", /us-east-1, required for custom aliases/);
      expectProblem((c) => cdn(c, { cdn: { enabled: true, aliases: ["www.example.com"], certificateArn: CERT } }), "environments.staging.loadBalancer.cdn.certificateArn", JSON.stringify(CERT), /a certificate in us-east-1/);
    });

    test("not in shared mode", () => {
      expectProblem(
        (c) => {
          shared(c);
          c.environments.staging.loadBalancer.cdn = { enabled: true };
        },
        "environments.staging.loadBalancer.cdn.enabled",
        "true",
        /false in shared mode/,
      );
    });
  });

  describe("shared mode", () => {
    test("a valid shared configuration: environments without a network of their own", () => {
      const config = { ...base() } as any;
      shared(config);
      expect(() => parseConfig(config)).not.toThrow();
    });

    test("needs a sharedLoadBalancer section", () => {
      expectProblem(
        (c) => {
          shared(c);
          delete c.sharedLoadBalancer;
        },
        "environments.staging.loadBalancer.mode",
        '"shared"',
        /"dedicated", or a top-level sharedLoadBalancer section/,
      );
    });

    test("an environment in shared mode has no network of its own; a dedicated one needs one", () => {
      expectProblem(
        (c) => {
          shared(c);
          c.environments.staging.network = { cidr: "10.10.0.0/16" };
        },
        "environments.staging.network",
        '{"cidr":"10.10.0.0/16"',
        /no network in shared load balancer mode/,
      );
      expectProblem((c) => delete c.environments.staging.network, "environments.staging.network", "nothing", /a network \(at least network\.cidr\), required unless/);
    });

    test("same region as the shared load balancer", () => {
      expectProblem(
        (c) => {
          shared(c);
          c.environments.staging.region = "us-east-1";
        },
        "environments.staging.region",
        '"us-east-1"',
        /the shared load balancer's region eu-west-1/,
      );
    });

    test("HTTPS only when the shared load balancer serves it", () => {
      expectProblem(
        (c) => {
          shared(c);
          delete c.sharedLoadBalancer.certificateArn;
          c.environments.staging.loadBalancer.certificateArn = CERT;
        },
        "environments.staging.loadBalancer.https",
        "true",
        /unless sharedLoadBalancer serves HTTPS/,
      );
    });

    test("private fleets and image builds need private subnets in the shared VPC", () => {
      const lines = problems((c) => shared(c, { network: { cidr: "10.50.0.0/16", privateSubnets: false } }));
      expect(lines).toContainEqual(expect.stringMatching(/^environments\.staging\.fleet\.subnets: received "private"; allowed: "public" while sharedLoadBalancer\.network\.privateSubnets is false$/));
      expect(lines).toContainEqual(expect.stringMatching(/^environments\.staging\.goldenAmi\.enabled: received true; allowed: false while sharedLoadBalancer\.network\.privateSubnets is false/));
    });

    test("two environments with the same rule priority", () => {
      expectProblem(
        (c) => {
          shared(c);
          c.environments.staging.loadBalancer.rulePriority = 100;
          c.environments.production.loadBalancer.rulePriority = 100;
        },
        "environments.production.loadBalancer.rulePriority",
        "100",
        /a priority no other environment uses: environments\.staging has 100/,
      );
    });

    test("the shared VPC may not overlap an environment's", () => {
      expectProblem(
        (c) => (c.sharedLoadBalancer = { network: { cidr: "10.10.0.0/20" } }),
        "environments.staging.network.cidr",
        '"10.10.0.0/16"',
        /does not overlap sharedLoadBalancer\.network\.cidr \(10\.10\.0\.0\/20\)/,
      );
    });

    test("the shared stack's state location is its own", () => {
      expectProblem(
        (c) => {
          c.sharedLoadBalancer = { network: { cidr: "10.50.0.0/16" }, backend: { type: "s3", bucket: "state-bucket", key: "x.tfstate" } };
          c.environments.staging.backend = { type: "s3", bucket: "state-bucket", key: "x.tfstate" };
        },
        "environments.staging.backend",
        '"s3://state-bucket/x.tfstate"',
        /sharedLoadBalancer already stores its state there/,
      );
    });

    test("the shared stack's alarm e-mail and thresholds are checked", () => {
      expectProblem((c) => shared(c, { notifications: { email: "lb-team" } }), "sharedLoadBalancer.notifications.email", '"lb-team"', /an e-mail address/);
      expectProblem((c) => shared(c, { alarms: { http5xxPerMinute: 0 } }), "sharedLoadBalancer.alarms.http5xxPerMinute", "0", /a number of responses/);
      expectProblem((c) => shared(c, { alarms: { evaluationMinutes: 61 } }), "sharedLoadBalancer.alarms.evaluationMinutes", "61", /a number of minutes/);
      // The shared stack has no fleet: environment-only thresholds are refused there.
      expect(problems((c) => shared(c, { alarms: { cpuHighPercent: 80 } }))).toContainEqual(
        expect.stringMatching(/^sharedLoadBalancer\.alarms\.cpuHighPercent: received an unknown key "cpuHighPercent"; allowed: known keys here are: evaluationMinutes, http5xxPerMinute$/),
      );
    });

    test('"shared" is not an environment name (the shared stack is <app>-shared)', () => {
      expectProblem((c) => (c.environments = { shared: { network: { cidr: "10.10.0.0/16" } } }), "environments.shared", '"shared"', /reserved for the shared load balancer stack/);
    });
  });
});
