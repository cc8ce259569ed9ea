import { TerraformResource } from "cdktf";
import { EncryptionKey } from "../constructs/encryption-key";
import { Network, NetworkProps } from "../constructs/network";
import { bareStack, ref, resource, resourcesOfType, statements, Synth, synthStack } from "./helpers/synth";

function synthNetwork(props: Partial<NetworkProps> = {}): { json: Synth; network: Network } {
  const { stack } = bareStack();
  const key = new EncryptionKey(stack, "environment-key", { alias: "app-test", description: "test" });
  const network = new Network(stack, "network", {
    namePrefix: "app-test",
    cidr: "10.10.0.0/16",
    availabilityZones: ["eu-west-1a", "eu-west-1b"],
    appPort: 3000,
    encryptionKey: key,
    ...props,
  });
  return { json: synthStack(stack), network };
}

const names = (json: Synth, type: string) => Object.keys(resourcesOfType(json, type)).sort();

describe("Network", () => {
  test("VPC with DNS support and a Name tag", () => {
    const { json } = synthNetwork();
    expect(resource(json, "aws_vpc", "network_vpc")).toMatchObject({
      cidr_block: "10.10.0.0/16",
      enable_dns_hostnames: true,
      enable_dns_support: true,
      tags: { Name: "app-test-vpc" },
    });
  });

  test("subnets are /+4 blocks: public slots 0-3, private 4-7, data 8-11, one per zone", () => {
    const { json, network } = synthNetwork({ availabilityZones: ["eu-west-1a", "eu-west-1b", "eu-west-1c"], dataSubnets: true });
    expect(network.subnetCidrs).toEqual({
      public: ["10.10.0.0/20", "10.10.16.0/20", "10.10.32.0/20"],
      private: ["10.10.64.0/20", "10.10.80.0/20", "10.10.96.0/20"],
      data: ["10.10.128.0/20", "10.10.144.0/20", "10.10.160.0/20"],
    });
    expect(resource(json, "aws_subnet", "network_private_2")).toMatchObject({
      cidr_block: "10.10.96.0/20",
      availability_zone: "eu-west-1c",
      map_public_ip_on_launch: false,
      tags: { Name: "app-test-private-2", Tier: "private" },
    });
  });

  test("a /22 VPC still yields valid /26 subnets", () => {
    const { network } = synthNetwork({ cidr: "10.0.4.0/22" });
    expect(network.subnetCidrs.public).toEqual(["10.0.4.0/26", "10.0.4.64/26"]);
    expect(network.subnetCidrs.private).toEqual(["10.0.5.0/26", "10.0.5.64/26"]);
  });

  test("public subnets route 0.0.0.0/0 to the internet gateway", () => {
    const { json } = synthNetwork();
    expect(resource(json, "aws_route", "network_public_internet")).toEqual(
      expect.objectContaining({ destination_cidr_block: "0.0.0.0/0", gateway_id: ref("aws_internet_gateway.network_igw", "id"), route_table_id: ref("aws_route_table.network_public", "id") }),
    );
    expect(resource(json, "aws_route_table_association", "network_public_1")).toMatchObject({
      subnet_id: ref("aws_subnet.network_public_1", "id"),
      route_table_id: ref("aws_route_table.network_public", "id"),
    });
  });

  test("single NAT: one gateway in the first public subnet, every private table routes to it", () => {
    const { json } = synthNetwork({ natGateways: "single", availabilityZones: ["eu-west-1a", "eu-west-1b", "eu-west-1c"] });
    expect(names(json, "aws_nat_gateway")).toEqual(["network_nat_0"]);
    expect(resource(json, "aws_nat_gateway", "network_nat_0")).toMatchObject({
      subnet_id: ref("aws_subnet.network_public_0", "id"),
      allocation_id: ref("aws_eip.network_nat_0", "allocation_id"),
    });
    for (const i of [0, 1, 2]) {
      expect(resource(json, "aws_route", `network_private_${i}_nat`).nat_gateway_id).toBe(ref("aws_nat_gateway.network_nat_0", "id"));
    }
  });

  test("per-AZ NAT: one gateway per zone, each private table routes to its own zone's gateway", () => {
    const { json } = synthNetwork({ natGateways: "per-az" });
    expect(names(json, "aws_nat_gateway")).toEqual(["network_nat_0", "network_nat_1"]);
    expect(names(json, "aws_eip")).toEqual(["network_nat_0", "network_nat_1"]);
    expect(resource(json, "aws_route", "network_private_1_nat").nat_gateway_id).toBe(ref("aws_nat_gateway.network_nat_1", "id"));
    expect(resource(json, "aws_nat_gateway", "network_nat_1").subnet_id).toBe(ref("aws_subnet.network_public_1", "id"));
  });

  test("no private subnets: no NAT, no private tier", () => {
    const { json, network } = synthNetwork({ privateSubnets: false, natGateways: "per-az" });
    expect(names(json, "aws_nat_gateway")).toEqual([]);
    expect(names(json, "aws_subnet")).toEqual(["network_public_0", "network_public_1"]);
    expect(network.privateSubnetIds).toEqual([]);
  });

  test("data subnets: no route out of the VPC, a NACL admitting only the database port from the VPC", () => {
    const { json } = synthNetwork({ dataSubnets: true, databasePort: 3306 });
    const dataRoutes = Object.values(resourcesOfType(json, "aws_route")).filter((r) => r.route_table_id === ref("aws_route_table.network_data", "id"));
    expect(dataRoutes).toEqual([]);
    expect(resource(json, "aws_network_acl", "network_data").subnet_ids).toEqual([ref("aws_subnet.network_data_0", "id"), ref("aws_subnet.network_data_1", "id")]);
    expect(resource(json, "aws_network_acl_rule", "network_data_db_in")).toMatchObject({ egress: false, from_port: 3306, to_port: 3306, cidr_block: "10.10.0.0/16", rule_action: "allow", protocol: "tcp" });
    expect(resource(json, "aws_network_acl_rule", "network_data_ephemeral_out")).toMatchObject({ egress: true, from_port: 1024, to_port: 65535, cidr_block: "10.10.0.0/16" });
    expect(resource(json, "aws_vpc_security_group_ingress_rule", "network_database_db_from_network_instances")).toMatchObject({
      from_port: 3306,
      to_port: 3306,
      referenced_security_group_id: ref("aws_security_group.network_instances", "id"),
    });
  });

  test("without data subnets there is no database security group", () => {
    const { json, network } = synthNetwork();
    expect(network.databaseSecurityGroup).toBeUndefined();
    expect(names(json, "aws_security_group")).toEqual(["network_alb", "network_instances"]);
    expect(names(json, "aws_network_acl")).toEqual([]);
  });

  test("an ALB without an HTTPS listener admits 80 only: no port without a listener is open", () => {
    const { json } = synthNetwork({ albIngressCidrs: ["203.0.113.0/24"] });
    const rules = Object.entries(resourcesOfType(json, "aws_vpc_security_group_ingress_rule")).filter(([n]) => n.startsWith("network_alb"));
    expect(rules.map(([n]) => n)).toEqual(["network_alb_http_from_203_0_113_0_24"]);
    expect(rules.map(([, r]) => [r.from_port, r.to_port])).toEqual([[80, 80]]);
  });

  test("ALB with HTTPS admits 80 and 443 from each allowed CIDR and reaches instances only on the app port", () => {
    const { json } = synthNetwork({ albIngressCidrs: ["203.0.113.0/24", "::/0"], albHttps: true });
    expect(names(json, "aws_vpc_security_group_ingress_rule").filter((n) => n.startsWith("network_alb"))).toEqual([
      "network_alb_http_from_203_0_113_0_24",
      "network_alb_http_from_ipv6_0",
      "network_alb_https_from_203_0_113_0_24",
      "network_alb_https_from_ipv6_0",
    ]);
    expect(resource(json, "aws_vpc_security_group_ingress_rule", "network_alb_https_from_ipv6_0")).toMatchObject({ cidr_ipv6: "::/0", from_port: 443, to_port: 443 });
    expect(resource(json, "aws_vpc_security_group_egress_rule", "network_alb_app_to_network_instances")).toMatchObject({
      from_port: 3000,
      to_port: 3000,
      referenced_security_group_id: ref("aws_security_group.network_instances", "id"),
    });
  });

  test("instances admit the app port from the ALB group only, and nothing else by default", () => {
    const { json } = synthNetwork();
    const ingress = Object.entries(resourcesOfType(json, "aws_vpc_security_group_ingress_rule")).filter(([, r]) => r.security_group_id === ref("aws_security_group.network_instances", "id"));
    expect(ingress).toHaveLength(1);
    expect(ingress[0][1]).toMatchObject({ from_port: 3000, to_port: 3000, referenced_security_group_id: ref("aws_security_group.network_alb", "id") });
    expect(ingress[0][1].cidr_ipv4).toBeUndefined();
  });

  test("SSH rules exist only for configured CIDRs", () => {
    expect(names(synthNetwork().json, "aws_vpc_security_group_ingress_rule").some((n) => n.includes("ssh"))).toBe(false);
    const { json } = synthNetwork({ sshIngressCidrs: ["198.51.100.0/24"] });
    expect(resource(json, "aws_vpc_security_group_ingress_rule", "network_instances_ssh_from_198_51_100_0_24")).toMatchObject({ from_port: 22, to_port: 22, cidr_ipv4: "198.51.100.0/24" });
  });

  test("every security group rule has a description", () => {
    const { json } = synthNetwork({ dataSubnets: true, sshIngressCidrs: ["198.51.100.0/24"] });
    const rules = [...Object.values(resourcesOfType(json, "aws_vpc_security_group_ingress_rule")), ...Object.values(resourcesOfType(json, "aws_vpc_security_group_egress_rule"))];
    expect(rules.length).toBeGreaterThan(5);
    for (const rule of rules) expect(rule.description).toMatch(/\w{4,}/);
  });

  test("security groups replace before destroy and carry no inline rules", () => {
    const { json } = synthNetwork();
    for (const group of Object.values(resourcesOfType(json, "aws_security_group"))) {
      expect(group.lifecycle).toEqual({ create_before_destroy: true });
      expect(group.ingress).toBeUndefined();
      expect(group.egress).toBeUndefined();
    }
  });

  test("the default security group is adopted with no rules", () => {
    const { json } = synthNetwork();
    const group = resource(json, "aws_default_security_group", "network_default");
    expect(group.vpc_id).toBe(ref("aws_vpc.network_vpc", "id"));
    expect(group.ingress).toBeUndefined();
    expect(group.egress).toBeUndefined();
  });

  test("flow logs go to an encrypted log group with retention through a role only VPC Flow Logs of this account may assume", () => {
    const { json } = synthNetwork({ flowLogs: { retentionDays: 30, trafficType: "REJECT" } });
    expect(resource(json, "aws_flow_log", "network_flow_log")).toMatchObject({
      vpc_id: ref("aws_vpc.network_vpc", "id"),
      traffic_type: "REJECT",
      log_destination_type: "cloud-watch-logs",
      log_destination: ref("aws_cloudwatch_log_group.network_flow_logs", "arn"),
      iam_role_arn: ref("aws_iam_role.network_flow_logs_role", "arn"),
    });
    expect(resource(json, "aws_cloudwatch_log_group", "network_flow_logs")).toMatchObject({
      name: "/vpc/app-test/flow-logs",
      retention_in_days: 30,
      kms_key_id: ref("aws_kms_key.environment_key", "arn"),
    });
    const [trust] = statements(json, "network_flow_logs_role_trust");
    expect(trust.principals).toEqual([{ type: "Service", identifiers: ["vpc-flow-logs.amazonaws.com"] }]);
    expect(trust.condition).toEqual([
      { test: "StringEquals", variable: "aws:SourceAccount", values: ["123456789012"] },
      { test: "ArnLike", variable: "aws:SourceArn", values: ["arn:aws:ec2:eu-west-1:123456789012:vpc-flow-log/*"] },
    ]);
    const [write] = statements(json, "network_flow_logs_role_policy");
    expect(write.actions).toEqual(["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]);
    expect(write.resources).toEqual([ref("aws_cloudwatch_log_group.network_flow_logs", "arn"), `${ref("aws_cloudwatch_log_group.network_flow_logs", "arn")}:*`]);
  });

  test("the key policy lets CloudWatch Logs use the key for the flow log group only", () => {
    const { json } = synthNetwork();
    const logs = statements(json, "environment_key_policy").find((s) => s.sid === "LogsVpcAppTestFlowLogs");
    expect(logs).toMatchObject({
      principals: [{ type: "Service", identifiers: ["logs.eu-west-1.amazonaws.com"] }],
      condition: [{ test: "ArnEquals", variable: "kms:EncryptionContext:aws:logs:arn", values: ["arn:aws:logs:eu-west-1:123456789012:log-group:/vpc/app-test/flow-logs"] }],
    });
  });

  test("flow logs can be turned off", () => {
    const { json } = synthNetwork({ flowLogs: false });
    expect(names(json, "aws_flow_log")).toEqual([]);
    expect(names(json, "aws_cloudwatch_log_group")).toEqual([]);
  });

  test("zones may be references (from the zones data source)", () => {
    const { json } = synthNetwork({ availabilityZones: ["${element(data.aws_availability_zones.available.names, 0)}", "${element(data.aws_availability_zones.available.names, 1)}"] });
    expect(resource(json, "aws_subnet", "network_public_1").availability_zone).toBe("${element(data.aws_availability_zones.available.names, 1)}");
  });

  test("egress dependencies: a subnet's default route (which waits for its NAT gateway) and its route table association", () => {
    const { network } = synthNetwork({ natGateways: "per-az" });
    const addresses = (tier: "public" | "private", i: number) =>
      network.egressDependencies(tier, i).map((d) => `${(d as TerraformResource).terraformResourceType}.${(d as TerraformResource).friendlyUniqueId}`);
    expect(addresses("private", 1)).toEqual(["aws_route.network_private_1_nat", "aws_route_table_association.network_private_1"]);
    expect(addresses("public", 0)).toEqual(["aws_route.network_public_internet", "aws_route_table_association.network_public_0"]);
    expect(() => network.egressDependencies("private", 2)).toThrow(/network: there is no private subnet 2/);
    expect(() => synthNetwork({ privateSubnets: false }).network.egressDependencies("private", 0)).toThrow(/there is no private subnet 0/);
  });

  test.each([
    ["10.0.0.0/8", /from \/16 to \/22/],
    ["10.0.0.1/16", /network form/],
  ])("rejects cidr %s", (cidr, message) => {
    expect(() => synthNetwork({ cidr })).toThrow(message);
  });

  test.each([[["eu-west-1a"]], [["a", "b", "c", "d", "e"]]])("rejects %p zones", (zones) => {
    expect(() => synthNetwork({ availabilityZones: zones })).toThrow(/2 to 4 are allowed/);
  });
});
