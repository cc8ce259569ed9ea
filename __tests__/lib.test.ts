import { TerraformStack, Testing } from "cdktf";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { Construct } from "constructs";
import { addressesOf, assertUniqueAddresses, pin, snake } from "../lib/address";
import { cidrSubnet, formatCidr, isCidr, overlaps, parseCidr } from "../lib/cidr";

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
