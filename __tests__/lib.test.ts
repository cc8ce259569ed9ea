import { TerraformStack, Testing } from "cdktf";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { Construct } from "constructs";
import { addressesOf, assertUniqueAddresses, pin, snake } from "../lib/address";
import { cidrSubnet, formatCidr, isCidr, overlaps, parseCidr } from "../lib/cidr";
import { instanceArchitecture } from "../lib/ec2";
import { canonicalJson, contentVersion, cronProblem, MAX_VERSION_NODE } from "../lib/image-builder";

describe("cidr", () => {
  test("parses network-form IPv4 blocks only", () => {
    expect(parseCidr("10.20.0.0/16")).toEqual({ network: 0x0a140000, prefix: 16 });
    expect(parseCidr("10.20.0.1/16")).toBeUndefined();
    expect(parseCidr("10.20.0.0/33")).toBeUndefined();
    expect(parseCidr("fd00::/8")).toBeUndefined();
    expect(parseCidr("0.0.0.0/0")).toEqual({ network: 0, prefix: 0 });
  });

  test("cidrSubnet matches Terraform's cidrsubnet", () => {
    const vpc = parseCidr("10.10.0.0/16")!;
    expect(formatCidr(cidrSubnet(vpc, 4, 0))).toBe("10.10.0.0/20");
    expect(formatCidr(cidrSubnet(vpc, 4, 9))).toBe("10.10.144.0/20");
    expect(formatCidr(cidrSubnet(parseCidr("192.168.255.0/24")!, 4, 15))).toBe("192.168.255.240/28");
    expect(() => cidrSubnet(vpc, 4, 16)).toThrow(/does not fit/);
    expect(() => cidrSubnet(parseCidr("10.0.0.0/30")!, 4, 0)).toThrow(/cannot add/);
  });

  test("overlaps", () => {
    expect(overlaps(parseCidr("10.0.0.0/16")!, parseCidr("10.0.128.0/20")!)).toBe(true);
    expect(overlaps(parseCidr("10.0.0.0/16")!, parseCidr("10.1.0.0/16")!)).toBe(false);
    expect(overlaps(parseCidr("0.0.0.0/0")!, parseCidr("192.168.0.0/16")!)).toBe(true);
  });

  test("isCidr accepts IPv6 too", () => {
    expect(["::/0", "2001:db8::/32", "203.0.113.0/24"].every(isCidr)).toBe(true);
    expect(["203.0.113.1/24", "office", "::/129"].some(isCidr)).toBe(false);
  });
});

describe("addresses", () => {
  test("snake case keeps acronyms readable", () => {
    expect(snake("AmazonSSMManagedInstanceCore")).toBe("amazon_ssm_managed_instance_core");
    expect(snake("network-flow-logs")).toBe("network_flow_logs");
    expect(snake("0.0.0.0/0")).toBe("0_0_0_0_0");
  });

  test("pin uses the owner's own id, whatever the nesting", () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, "s");
    const deep = new Construct(new Construct(stack, "wrapper"), "network");
    pin(deep, new Vpc(deep, "x", { cidrBlock: "10.0.0.0/16" }), "vpc");
    expect(addressesOf(JSON.parse(Testing.synth(stack)))).toEqual(["aws_vpc.network_vpc"]);
  });

  test("two elements with the same address fail loudly", () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, "s");
    const a = new Construct(stack, "network");
    const b = new Construct(new Construct(stack, "other"), "network");
    pin(a, new Vpc(a, "x", { cidrBlock: "10.0.0.0/16" }), "vpc");
    pin(b, new Vpc(b, "x", { cidrBlock: "10.1.0.0/16" }), "vpc");
    expect(() => assertUniqueAddresses(stack)).toThrow(/Two elements share the Terraform address aws_vpc\.network_vpc: s\/network\/x and s\/other\/network\/x/);
  });
});

describe("content versions", () => {
  test("a semantic version 1.0.<n>, n within Image Builder's limit, the same for the same content", () => {
    const version = contentVersion({ name: "c", data: "phases: []" });
    expect(version).toMatch(/^1\.0\.\d+$/);
    expect(Number(version.split(".")[2])).toBeLessThanOrEqual(MAX_VERSION_NODE);
    expect(contentVersion({ name: "c", data: "phases: []" })).toBe(version);
  });

  test("key order and undefined fields do not matter; any content change does", () => {
    expect(contentVersion({ a: 1, b: { c: 2, d: 3 } })).toBe(contentVersion({ b: { d: 3, c: 2 }, a: 1, e: undefined }));
    expect(contentVersion({ a: 1, b: { c: 2, d: 3 } })).not.toBe(contentVersion({ a: 1, b: { c: 2, d: 4 } }));
    expect(contentVersion({ list: [1, 2] })).not.toBe(contentVersion({ list: [2, 1] }));
    expect(canonicalJson({ b: [{ y: 1, x: 2 }], a: "s" })).toBe('{"a":"s","b":[{"x":2,"y":1}]}');
  });

  test("major and minor may be set", () => {
    expect(contentVersion("x", 2, 3)).toMatch(/^2\.3\.\d+$/);
  });

  test("values Terraform only knows at apply time are refused (their token text is not stable)", () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, "s");
    const vpc = new Vpc(stack, "v", { cidrBlock: "10.0.0.0/16" });
    expect(() => contentVersion({ nested: [{ id: vpc.id }] })).toThrow(/content\.nested\[0\]\.id holds a value Terraform only knows at apply time/);
  });
});

describe("Image Builder cron expressions", () => {
  test.each([
    "cron(0 3 ? * SUN *)",
    "cron(0 0 * * ? *)",
    "cron(0/15 * * * ? *)",
    "cron(30 2 ? * MON-FRI 2025-2030)",
    "cron(0 12 ? * 2#1 *)",
    "cron(0 12 ? * 6L *)",
    "cron(0 4 L * ? *)",
    "cron(0 4 15W * ? *)",
    "cron(0 8 1,15 jan-jun ? *)",
    "cron(5,35 */2 ? * sat,sun *)",
  ])("accepts %s", (expression) => {
    expect(cronProblem(expression)).toBeUndefined();
  });

  test.each([
    ["0 3 * * 0", /written cron\(\.\.\.\)/],
    ["rate(1 day)", /written cron\(\.\.\.\)/],
    ["cron(0 3 * * SUN)", /has 5 fields; six are needed/],
    ["cron(0 3 ? * SUN * *)", /has 7 fields; six are needed/],
    ["cron(0  3 ? * SUN *)", /separated by single spaces/],
    ["cron( 0 3 ? * SUN *)", /none before the first/],
    ["cron(0 3 * * SUN *)", /exactly one of day-of-month and day-of-week must be \?/],
    ["cron(0 3 ? * ? *)", /exactly one of day-of-month and day-of-week/],
    ["cron(60 3 ? * SUN *)", /minutes field "60"/],
    ["cron(0 24 ? * SUN *)", /hours field "24" is not valid \(0-23\)/],
    ["cron(0 3 32 * ? *)", /day-of-month field "32"/],
    ["cron(0 3 ? 13 SUN *)", /month field "13" is not valid \(1-12 or JAN-DEC\)/],
    ["cron(0 3 ? * FUNDAY *)", /day-of-week field "FUNDAY" is not valid \(1-7 or SUN-SAT\)/],
    ["cron(0 3 ? * 8 *)", /day-of-week field "8"/],
    ["cron(0 3 ? * SUN 1969)", /year field "1969" is not valid \(1970-2199\)/],
    ["cron(0 5-3 ? * SUN *)", /hours field "5-3"/],
    ["cron(0/0 3 ? * SUN *)", /minutes field "0\/0"/],
    ["cron(0 3 ?,1 * SUN *)", /day-of-month field "\?,1"/],
  ])("refuses %s", (expression, problem) => {
    expect(cronProblem(expression)).toMatch(problem);
  });
});

describe("instance architecture", () => {
  test.each([
    ["m7g.large", "arm64"],
    ["t4g.micro", "arm64"],
    ["c6gn.2xlarge", "arm64"],
    ["im4gn.large", "arm64"],
    ["g5g.xlarge", "arm64"],
    ["a1.large", "arm64"],
    ["r8gd.metal", "arm64"],
    ["t3.small", "x86_64"],
    ["m7i-flex.large", "x86_64"],
    ["g4dn.xlarge", "x86_64"],
    ["g5.2xlarge", "x86_64"],
    ["m6a.large", "x86_64"],
  ])("%s is %s", (type, architecture) => {
    expect(instanceArchitecture(type)).toBe(architecture);
  });
});

describe("Auto Scaling group tags from the provider's default tags", () => {
  const { autoScalingGroupTags, stackDefaultTags } = require("../lib/tags") as typeof import("../lib/tags");
  const { AwsProvider } = require("@cdktf/provider-aws/lib/provider") as typeof import("@cdktf/provider-aws/lib/provider");
  const stackWith = (...providers: Array<Record<string, unknown>>) => {
    const stack = new TerraformStack(Testing.app(), "tags");
    providers.forEach((p, i) => new AwsProvider(stack, `aws${i}`, { region: "eu-west-1", ...p }));
    return stack;
  };

  test("every default tag becomes a propagated tag block after the group's own, which win on a shared key", () => {
    const stack = stackWith({ defaultTags: [{ tags: { team: "web", Name: "ignored", "cost-center": "42" } }] });
    expect(autoScalingGroupTags(stack, [{ key: "Name", value: "app-fleet", propagateAtLaunch: true }])).toEqual([
      { key: "Name", value: "app-fleet", propagateAtLaunch: true },
      { key: "cost-center", value: "42", propagateAtLaunch: true },
      { key: "team", value: "web", propagateAtLaunch: true },
    ]);
  });

  test("the unaliased provider's tags only; none without default tags or a provider", () => {
    const stack = stackWith({ defaultTags: [{ tags: { team: "web" } }] }, { alias: "us_east_1", region: "us-east-1", defaultTags: [{ tags: { edge: "yes" } }] });
    expect(stackDefaultTags(stack)).toEqual({ team: "web" });
    expect(autoScalingGroupTags(stackWith({}))).toEqual([]);
    expect(autoScalingGroupTags(new TerraformStack(Testing.app(), "none"), [{ key: "a", value: "b", propagateAtLaunch: false }])).toEqual([{ key: "a", value: "b", propagateAtLaunch: false }]);
  });
});
