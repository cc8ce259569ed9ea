import { TerraformStack, Testing } from "cdktf";
import { AccountContext } from "../constructs/account-context";
import { EncryptionKey } from "../constructs/encryption-key";
import { Role } from "../constructs/role";
import { bareStack, data, ref, resource, resourcesOfType, statements, synthStack } from "./helpers/synth";

describe("Role", () => {
  test("trust policy, managed policies by partition-aware ARN, instance profile", () => {
    const { stack } = bareStack({ region: "cn-north-1" });
    new Role(stack, "fleet-role", {
      roleName: "app-fleet",
      description: "fleet",
      assumedBy: { type: "Service", identifiers: ["ec2.amazonaws.com.cn"] },
      managedPolicies: ["AmazonSSMManagedInstanceCore", "CloudWatchAgentServerPolicy"],
      instanceProfile: true,
    });
    const json = synthStack(stack);
    expect(resource(json, "aws_iam_role", "fleet_role")).toMatchObject({ name: "app-fleet", assume_role_policy: ref("data.aws_iam_policy_document.fleet_role_trust", "json") });
    expect(statements(json, "fleet_role_trust")).toEqual([{ effect: "Allow", actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: ["ec2.amazonaws.com.cn"] }] }]);
    expect(resource(json, "aws_iam_role_policy_attachment", "fleet_role_amazon_ssm_managed_instance_core").policy_arn).toBe("arn:aws-cn:iam::aws:policy/AmazonSSMManagedInstanceCore");
    expect(resource(json, "aws_iam_instance_profile", "fleet_role")).toMatchObject({ name: "app-fleet", role: ref("aws_iam_role.fleet_role", "name") });
  });

  test("no inline policy until something is granted", () => {
    const { stack } = bareStack();
    new Role(stack, "idle", { roleName: "idle", description: "x", assumedBy: { type: "Service", identifiers: ["ec2.amazonaws.com"] } });
    const json = synthStack(stack);
    expect(resourcesOfType(json, "aws_iam_role_policy")).toEqual({});
  });

  test("grantPassRole is limited to one role and one service", () => {
    const { stack } = bareStack();
    const instance = new Role(stack, "instance", { roleName: "i", description: "x", assumedBy: { type: "Service", identifiers: ["ec2.amazonaws.com"] } });
    const deployer = new Role(stack, "deployer", { roleName: "d", description: "x", assumedBy: { type: "Service", identifiers: ["codedeploy.amazonaws.com"] } });
    instance.grantPassRole(deployer, "ec2.amazonaws.com");
    expect(statements(synthStack(stack), "deployer_policy")).toEqual([
      {
        sid: "PassRoleinstance",
        effect: "Allow",
        actions: ["iam:PassRole"],
        resources: [ref("aws_iam_role.instance", "arn")],
        condition: [{ test: "StringEquals", variable: "iam:PassedToService", values: ["ec2.amazonaws.com"] }],
      },
    ]);
  });
});

describe("EncryptionKey", () => {
  test("rotation, deletion window, alias, and a policy that delegates to IAM", () => {
    const { stack } = bareStack();
    new EncryptionKey(stack, "environment-key", { alias: "app-test", description: "d", deletionWindowDays: 7 });
    const json = synthStack(stack);
    expect(resource(json, "aws_kms_key", "environment_key")).toMatchObject({ enable_key_rotation: true, deletion_window_in_days: 7, policy: ref("data.aws_iam_policy_document.environment_key_policy", "json") });
    expect(resource(json, "aws_kms_alias", "environment_key")).toMatchObject({ name: "alias/app-test", target_key_id: ref("aws_kms_key.environment_key", "key_id") });
    expect(statements(json, "environment_key_policy")).toEqual([
      { sid: "EnableIamPolicies", effect: "Allow", actions: ["kms:*"], resources: ["*"], principals: [{ type: "AWS", identifiers: ["arn:aws:iam::123456789012:root"] }] },
    ]);
  });

  test("allowServiceToPublish admits one service principal, for this account only", () => {
    const { stack } = bareStack();
    const key = new EncryptionKey(stack, "k", { alias: "a", description: "d" });
    key.allowServiceToPublish("cloudwatch.amazonaws.com");
    const publish = statements(synthStack(stack), "k_policy").find((s) => s.sid === "PublishCloudwatch");
    expect(publish).toMatchObject({
      actions: ["kms:Decrypt", "kms:GenerateDataKey*"],
      principals: [{ type: "Service", identifiers: ["cloudwatch.amazonaws.com"] }],
      condition: [{ test: "StringEquals", variable: "aws:SourceAccount", values: ["123456789012"] }],
    });
  });
});

describe("AccountContext", () => {
  test("without a configured account, one caller identity data source per stack", () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, "s");
    const context = new AccountContext(stack, { region: "eu-west-1" });
    expect(context.accountId).toMatch(/TfToken/);
    const json = JSON.parse(Testing.synth(stack));
    expect(Object.keys(json.data.aws_caller_identity)).toEqual(["current"]);
  });

  test("zones come from one data source, filtered to zones that need no opt-in", () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, "s");
    const context = new AccountContext(stack, { region: "eu-west-1", accountId: "123456789012" });
    const zones = context.availabilityZones(2);
    expect(zones).toHaveLength(2);
    context.availabilityZones(3);
    const json = JSON.parse(Testing.synth(stack));
    expect(Object.keys(json.data.aws_availability_zones)).toEqual(["available"]);
    expect(data(json, "aws_availability_zones", "available")).toMatchObject({ state: "available", filter: [{ name: "opt-in-status", values: ["opt-in-not-required"] }] });
    expect(json.data.aws_caller_identity).toBeUndefined();
  });

  test("configured zones need no lookup", () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, "s");
    const context = new AccountContext(stack, { region: "eu-west-1", accountId: "123456789012", availabilityZones: ["eu-west-1a", "eu-west-1c"] });
    expect(context.availabilityZones(2)).toEqual(["eu-west-1a", "eu-west-1c"]);
    expect(JSON.parse(Testing.synth(stack)).data).toBeUndefined();
  });

  test("partition and URL suffix follow the region", () => {
    const app = Testing.app();
    expect(new AccountContext(new TerraformStack(app, "a"), { region: "us-gov-west-1", accountId: "1" }).partition).toBe("aws-us-gov");
    const cn = new AccountContext(new TerraformStack(app, "b"), { region: "cn-north-1", accountId: "1" });
    expect([cn.partition, cn.urlSuffix]).toEqual(["aws-cn", "amazonaws.com.cn"]);
  });

  test("constructs fail clearly when the stack has no context", () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, "s");
    expect(() => new EncryptionKey(stack, "k", { alias: "a", description: "d" })).toThrow(/the stack has no AccountContext/);
  });
});
