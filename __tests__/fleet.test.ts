import { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";
import { EncryptionKey } from "../constructs/encryption-key";
import { Fleet, FleetProps, FLEET_TAG_KEY } from "../constructs/fleet";
import { NotificationTopic } from "../constructs/notification-topic";
import { SecurityGroup } from "../constructs/security-group";
import { bareStack, data, ref, resource, resourcesOfType, statements, Synth, synthStack } from "./helpers/synth";

const LIVE = '((length(data.aws_autoscaling_groups.fleet_groups.names) < 1) || contains(data.aws_autoscaling_groups.fleet_groups.names, "app-test-fleet"))';

function synthFleet(props: Partial<FleetProps> = {}, withTopic = false): Synth {
  const { stack } = bareStack();
  const key = new EncryptionKey(stack, "environment-key", { alias: "app-test", description: "test" });
  const securityGroup = new SecurityGroup(stack, "instances", { vpcId: "vpc-1", groupName: "app-test-instances", description: "test" });
  new Fleet(stack, "fleet", {
    namePrefix: "app-test",
    imageId: "ami-0123456789abcdef0",
    instanceType: "t3.small",
    subnetIds: ["subnet-a", "subnet-b"],
    securityGroup,
    encryptionKey: key,
    userData: "#!/bin/bash\necho hello\n",
    minSize: 1,
    maxSize: 3,
    targetGroupArns: ["arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/tg/1"],
    notificationTopic: withTopic ? new NotificationTopic(stack, "notifications", { topicName: "t", encryptionKey: key }) : undefined,
    ...props,
  });
  return synthStack(stack);
}

describe("LaunchTemplate (through Fleet)", () => {
  const json = synthFleet();
  const template = resource(json, "aws_launch_template", "fleet_template");

  test("IMDSv2 required with hop limit 1 by default, tags in metadata", () => {
    expect(template.metadata_options).toEqual({ http_endpoint: "enabled", http_tokens: "required", http_put_response_hop_limit: 1, instance_metadata_tags: "enabled" });
  });

  test("hop limit 2 when containers run on the instances", () => {
    expect(resource(synthFleet({ containers: true }), "aws_launch_template", "fleet_template").metadata_options.http_put_response_hop_limit).toBe(2);
  });

  test("encrypted gp3 root volume with the environment key, deleted with the instance", () => {
    expect(template.block_device_mappings).toEqual([
      {
        device_name: "/dev/xvda",
        ebs: { encrypted: "true", kms_key_id: ref("aws_kms_key.environment_key", "arn"), volume_size: 30, volume_type: "gp3", delete_on_termination: "true" },
      },
    ]);
  });

  test("no public IP, no key pair, no detailed monitoring by default", () => {
    expect(template.network_interfaces).toEqual([
      { device_index: 0, associate_public_ip_address: "false", security_groups: [ref("aws_security_group.instances", "id")], delete_on_termination: "true" },
    ]);
    expect(template.key_name).toBeUndefined();
    expect(template.monitoring).toEqual({ enabled: false });
  });

  test("options: public IP (suppressed in the policy pack with a reason), key pair, monitoring, volume", () => {
    const lt = resource(
      synthFleet({ associatePublicIp: true, keyName: "ops", detailedMonitoring: true, rootVolume: { sizeGb: 50, type: "io2" } }),
      "aws_launch_template",
      "fleet_template",
    );
    expect(lt.network_interfaces[0].associate_public_ip_address).toBe("true");
    expect(lt.key_name).toBe("ops");
    expect(lt.monitoring).toEqual({ enabled: true });
    expect(lt.block_device_mappings[0].ebs).toMatchObject({ volume_size: 50, volume_type: "io2" });
  });

  test("user data is base64 of the script, so Terraform never interpolates it", () => {
    expect(Buffer.from(template.user_data, "base64").toString("utf8")).toBe("#!/bin/bash\necho hello\n");
  });

  test("user data with a Terraform reference is refused", () => {
    expect(() => synthFleet({ userData: "echo ${aws_s3_bucket.x.id}" })).not.toThrow();
    expect(() => synthFleet({ userData: `echo ${"${TfToken[TOKEN.1]}"}` })).toThrow(/user data contains a Terraform reference/);
  });

  test("instance profile, create-before-destroy, new versions become the default, tags on instances and volumes", () => {
    expect(template.iam_instance_profile).toEqual({ arn: ref("aws_iam_instance_profile.fleet_role", "arn") });
    expect(template.lifecycle).toEqual({ create_before_destroy: true });
    expect(template.update_default_version).toBe(true);
    expect(template.tag_specifications.map((t: any) => t.resource_type)).toEqual(["instance", "volume"]);
  });
});

describe("Fleet", () => {
  const json = synthFleet({}, true);
  const asg = resource(json, "aws_autoscaling_group", "fleet_asg");

  test("the instance role: EC2 trust, SSM core, an instance profile", () => {
    expect(resource(json, "aws_iam_role", "fleet_role").name).toBe("app-test-instance");
    expect(statements(json, "fleet_role_trust")[0].principals).toEqual([{ type: "Service", identifiers: ["ec2.amazonaws.com"] }]);
    expect(resource(json, "aws_iam_role_policy_attachment", "fleet_role_amazon_ssm_managed_instance_core").policy_arn).toBe("arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore");
  });

  test("the bootstrap group exists only while no group of the fleet exists or while it is alive itself", () => {
    expect(asg.count).toBe(`\${${LIVE} ? 1 : 0}`);
    expect(data(json, "aws_autoscaling_groups", "fleet_groups").filter).toEqual([{ name: `tag:${FLEET_TAG_KEY}`, values: ["app-test"] }]);
  });

  test("policies, notifications and outputs follow the live group (bootstrap or CodeDeploy's copy)", () => {
    const live = `\${${LIVE} ? "app-test-fleet" : element(sort(data.aws_autoscaling_groups.fleet_groups.names), 0)}`;
    expect(resource(json, "aws_autoscaling_policy", "fleet_cpu").autoscaling_group_name).toBe(live);
    expect(resource(json, "aws_autoscaling_notification", "fleet_notifications").group_names).toEqual([live]);
  });

  test("ELB health checks with a grace period, sizes, desired capacity ignored after creation", () => {
    expect(asg).toMatchObject({
      name: "app-test-fleet",
      min_size: 1,
      max_size: 3,
      desired_capacity: 1,
      health_check_type: "ELB",
      health_check_grace_period: 300,
      wait_for_capacity_timeout: "0",
      vpc_zone_identifier: ["subnet-a", "subnet-b"],
      termination_policies: ["OldestLaunchTemplate", "OldestInstance"],
      lifecycle: { ignore_changes: ["desired_capacity"] },
    });
  });

  test("the fleet tag is on the group and propagated to instances (CodeDeploy copies it to its groups)", () => {
    expect(asg.tag).toContainEqual({ key: FLEET_TAG_KEY, value: "app-test", propagate_at_launch: true });
  });

  test("follows $Latest of the template (blue/green copies keep following it) unless instance refresh pins the version", () => {
    expect(asg.launch_template).toEqual({ id: ref("aws_launch_template.fleet_template", "id"), version: "$Latest" });
    expect(asg.instance_refresh).toBeUndefined();
    const pinned = resource(synthFleet({ instanceRefresh: true }), "aws_autoscaling_group", "fleet_asg");
    expect(pinned.launch_template.version).toBe(ref("aws_launch_template.fleet_template", "latest_version"));
    // `true` is every default (__tests__/instance-refresh.test.ts covers the preferences).
    expect(pinned.instance_refresh).toEqual({
      strategy: "Rolling",
      preferences: { min_healthy_percentage: 90, max_healthy_percentage: 100, instance_warmup: "300", skip_matching: false, auto_rollback: false, scale_in_protected_instances: "Ignore", standby_instances: "Ignore" },
    });
  });

  test("without a target group the group uses EC2 health checks", () => {
    expect(resource(synthFleet({ targetGroupArns: [] }), "aws_autoscaling_group", "fleet_asg").health_check_type).toBe("EC2");
  });

  test("target tracking on CPU, and on requests per target when asked", () => {
    expect(resource(json, "aws_autoscaling_policy", "fleet_cpu").target_tracking_configuration).toEqual({
      predefined_metric_specification: { predefined_metric_type: "ASGAverageCPUUtilization" },
      target_value: 50,
    });
    expect(resourcesOfType(json, "aws_autoscaling_policy").fleet_requests).toBeUndefined();
    const withRequests = synthFleet({ cpuTargetPercent: 65, requestScaling: { requestsPerTarget: 800, resourceLabel: "app/alb/1/targetgroup/tg/2" } });
    expect(resource(withRequests, "aws_autoscaling_policy", "fleet_cpu").target_tracking_configuration.target_value).toBe(65);
    expect(resource(withRequests, "aws_autoscaling_policy", "fleet_requests").target_tracking_configuration).toEqual({
      predefined_metric_specification: { predefined_metric_type: "ALBRequestCountPerTarget", resource_label: "app/alb/1/targetgroup/tg/2" },
      target_value: 800,
    });
  });

  test("launch, terminate and error notifications go to the topic", () => {
    expect(resource(json, "aws_autoscaling_notification", "fleet_notifications")).toMatchObject({
      topic_arn: ref("aws_sns_topic.notifications", "arn"),
      notifications: ["autoscaling:EC2_INSTANCE_LAUNCH", "autoscaling:EC2_INSTANCE_TERMINATE", "autoscaling:EC2_INSTANCE_LAUNCH_ERROR", "autoscaling:EC2_INSTANCE_TERMINATE_ERROR"],
    });
    expect(resourcesOfType(synthFleet(), "aws_autoscaling_notification")).toEqual({});
  });

  test("the key policy lets Auto Scaling's service-linked role use the key for volumes, matched by ARN condition", () => {
    const policy = statements(json, "environment_key_policy");
    const volumes = policy.find((s) => s.sid === "AutoScalingEbsVolumes")!;
    const grants = policy.find((s) => s.sid === "AutoScalingEbsGrants")!;
    const slr = "arn:aws:iam::123456789012:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling*";
    expect(volumes).toMatchObject({ principals: [{ type: "AWS", identifiers: ["*"] }] });
    expect(volumes.condition).toContainEqual({ test: "ArnLike", variable: "aws:PrincipalArn", values: [slr] });
    expect(volumes.condition).toContainEqual({ test: "StringEquals", variable: "kms:CallerAccount", values: ["123456789012"] });
    expect(grants.actions).toEqual(["kms:CreateGrant"]);
    expect(grants.condition).toContainEqual({ test: "Bool", variable: "kms:GrantIsForAWSResource", values: ["true"] });
  });

  test("the group waits for what instances read at boot", () => {
    const { stack } = bareStack();
    const key = new EncryptionKey(stack, "environment-key", { alias: "a", description: "d" });
    const sg = new SecurityGroup(stack, "instances", { vpcId: "vpc-1", groupName: "g", description: "d" });
    const other = new SecurityGroup(stack, "other", { vpcId: "vpc-1", groupName: "o", description: "d" });
    new Fleet(stack, "fleet", {
      namePrefix: "app-test",
      imageId: "ami-0123456789abcdef0",
      instanceType: "t3.small",
      subnetIds: ["s"],
      securityGroup: sg,
      encryptionKey: key,
      userData: "#!/bin/bash\n",
      minSize: 0,
      maxSize: 1,
      targetGroupArns: [],
      dependsOn: [other.node.findChild("group") as any],
    });
    expect(resource(synthStack(stack), "aws_autoscaling_group", "fleet_asg").depends_on).toEqual(["aws_security_group.other"]);
  });
});

describe("LaunchTemplate image", () => {
  const imageOf = (imageId: string) => resource(synthFleet({ imageId }), "aws_launch_template", "fleet_template").image_id;

  test.each([
    "ami-0123456789abcdef0",
    "ami-12345678",
    "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
    "resolve:ssm:/imagebuilder/app-test/golden-ami-id",
    "resolve:ssm:/imagebuilder/app-test/golden-ami-id:3",
  ])("an AMI ID or resolve:ssm:<parameter>[:<version>] goes to the template as is: %s", (imageId) => {
    expect(imageOf(imageId)).toBe(imageId);
  });

  test.each([
    ["Image Builder's parent image form", "ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"],
    ["a parameter name without resolve:ssm:", "/imagebuilder/app-test/golden-ami-id"],
    ["an AMI ID that is too short", "ami-123"],
    ["an AMI ID in upper case", "ami-0123456789ABCDEF0"],
    ["resolve:ssm: without a name", "resolve:ssm:"],
    ["a parameter name with a space", "resolve:ssm:/my ami"],
  ])("%s is refused before EC2 refuses the template", (_label, imageId) => {
    expect(() => synthFleet({ imageId })).toThrow(
      `fleet/fleet-template: imageId ${JSON.stringify(imageId)} is neither an AMI ID (ami- and 8 or 17 hexadecimal digits) nor resolve:ssm:<parameter name>[:<version>]`,
    );
  });

  test("references pass: a golden AMI's ID, or resolve:ssm: with a parameter resource's name", () => {
    const { stack } = bareStack();
    const key = new EncryptionKey(stack, "environment-key", { alias: "app-test", description: "test" });
    const securityGroup = new SecurityGroup(stack, "instances", { vpcId: "vpc-1", groupName: "app-test-instances", description: "test" });
    const parameter = new SsmParameter(stack, "image", { name: "/imagebuilder/app-test/golden-ami-id", type: "String", insecureValue: "ami-0123456789abcdef0" });
    const common = { instanceType: "t3.small", subnetIds: ["subnet-a"], securityGroup, encryptionKey: key, userData: "#!/bin/bash\n", minSize: 1, maxSize: 1, targetGroupArns: [] };
    new Fleet(stack, "fleet", { ...common, namePrefix: "app-test", imageId: `resolve:ssm:${parameter.name}` });
    new Fleet(stack, "other", { ...common, namePrefix: "app-other", imageId: parameter.insecureValue });
    const json = synthStack(stack);
    expect(resource(json, "aws_launch_template", "fleet_template").image_id).toBe("resolve:ssm:${aws_ssm_parameter.image.name}");
    expect(resource(json, "aws_launch_template", "other_template").image_id).toBe("${aws_ssm_parameter.image.insecure_value}");
  });
});
