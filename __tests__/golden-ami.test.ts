import { TerraformOutput } from "cdktf";
import * as YAML from "yaml";
import { ArtifactStore } from "../constructs/artifact-store";
import { EncryptionKey } from "../constructs/encryption-key";
import { GoldenAmi, GoldenAmiProps } from "../constructs/golden-ami";
import { Network } from "../constructs/network";
import { addressesOf } from "../lib/address";
import { MAX_VERSION_NODE } from "../lib/image-builder";
import { bareStack, ref, resource, resourcesOfType, statements, Synth, synthStack } from "./helpers/synth";

interface StackOptions {
  readonly region?: string;
  readonly privateSubnets?: boolean;
  /** Export `imageId` as output `ami` and `latestImageId` as `latest`, to see the expressions Terraform evaluates. */
  readonly exportImageId?: boolean;
}

function synthAmi(props: Partial<GoldenAmiProps> = {}, options: StackOptions = {}): { json: Synth; ami: GoldenAmi } {
  const region = options.region ?? "eu-west-1";
  const { stack } = bareStack({ region });
  const key = new EncryptionKey(stack, "environment-key", { alias: "app-test", description: "test" });
  const network = new Network(stack, "network", {
    namePrefix: "app-test",
    cidr: "10.10.0.0/16",
    availabilityZones: [`${region}a`, `${region}b`],
    appPort: 3000,
    encryptionKey: key,
    privateSubnets: options.privateSubnets,
    flowLogs: false,
  });
  const artifacts = new ArtifactStore(stack, "artifacts", { namePrefix: "app-test", encryptionKey: key });
  const ami = new GoldenAmi(stack, "golden-ami", { namePrefix: "app-test", network, artifacts, encryptionKey: key, ...props });
  if (options.exportImageId) {
    new TerraformOutput(stack, "ami", { value: ami.imageId });
    new TerraformOutput(stack, "latest", { value: ami.latestImageId });
  }
  return { json: synthStack(stack), ami };
}

const COMPONENT_ADDRESSES = ["golden_ami_cloudwatch_agent", "golden_ami_codedeploy_agent", "golden_ami_docker", "golden_ami_nginx", "golden_ami_nodejs"];
const names = (json: Synth, type: string) => Object.keys(resourcesOfType(json, type)).sort();

describe("GoldenAmi components", () => {
  const { json, ami } = synthAmi();

  test("one component per piece of software, each with a readable address", () => {
    expect(names(json, "aws_imagebuilder_component")).toEqual(COMPONENT_ADDRESSES);
  });

  test("Linux components for Amazon Linux 2023 with a content-derived version, replaced create-before-destroy", () => {
    for (const name of COMPONENT_ADDRESSES) {
      const component = resource(json, "aws_imagebuilder_component", name);
      expect(component).toMatchObject({ platform: "Linux", supported_os_versions: ["Amazon Linux 2023"], lifecycle: { create_before_destroy: true } });
      expect(component.version).toMatch(/^1\.0\.\d+$/);
      expect(Number(component.version.split(".")[2])).toBeLessThanOrEqual(MAX_VERSION_NODE);
      expect(component.uri).toBeUndefined();
    }
    expect(resource(json, "aws_imagebuilder_component", "golden_ami_nodejs")).toMatchObject({ name: "app-test-nodejs", version: ami.componentVersions.nodejs });
  });

  test("the data argument holds the YAML document, which parses back with its phases", () => {
    const doc = YAML.parse(resource(json, "aws_imagebuilder_component", "golden_ami_codedeploy_agent").data);
    expect(doc.name).toBe("app-test-codedeploy-agent");
    expect(doc.phases.map((p: any) => p.name)).toEqual(["build", "validate", "test"]);
    expect(JSON.stringify(doc)).toContain("https://aws-codedeploy-eu-west-1.s3.eu-west-1.amazonaws.com/latest/install");
  });

  test("the CodeDeploy installer follows the stack's region and partition", () => {
    const china = synthAmi({}, { region: "cn-north-1" }).json;
    expect(resource(china, "aws_imagebuilder_component", "golden_ami_codedeploy_agent").data).toContain("https://aws-codedeploy-cn-north-1.s3.cn-north-1.amazonaws.com.cn/latest/install");
  });

  test("components are configurable; the recipe runs them in a fixed order", () => {
    const { json: some } = synthAmi({ components: ["nginx", "codedeploy-agent", "nodejs"] });
    expect(names(some, "aws_imagebuilder_component")).toEqual(["golden_ami_codedeploy_agent", "golden_ami_nginx", "golden_ami_nodejs"]);
    expect(resource(some, "aws_imagebuilder_image_recipe", "golden_ami").component).toEqual([
      { component_arn: ref("aws_imagebuilder_component.golden_ami_codedeploy_agent", "arn") },
      { component_arn: ref("aws_imagebuilder_component.golden_ami_nodejs", "arn") },
      { component_arn: ref("aws_imagebuilder_component.golden_ami_nginx", "arn") },
    ]);
  });
});

describe("GoldenAmi recipe", () => {
  const { json, ami } = synthAmi();
  const recipe = resource(json, "aws_imagebuilder_image_recipe", "golden_ami");

  test("on the newest managed Amazon Linux 2023 image, no AMI lookup", () => {
    expect(recipe).toMatchObject({ name: "app-test-golden-ami", version: ami.recipeVersion, parent_image: "arn:aws:imagebuilder:eu-west-1:aws:image/amazon-linux-2023-x86/x.x.x" });
    expect(json.data.aws_ami).toBeUndefined();
    expect(recipe.version).toMatch(/^1\.0\.\d+$/);
  });

  test("arm64 and other partitions get their own managed image", () => {
    expect(resource(synthAmi({ architecture: "arm64" }).json, "aws_imagebuilder_image_recipe", "golden_ami").parent_image).toBe(
      "arn:aws:imagebuilder:eu-west-1:aws:image/amazon-linux-2023-arm64/x.x.x",
    );
    expect(resource(synthAmi({}, { region: "cn-north-1" }).json, "aws_imagebuilder_image_recipe", "golden_ami").parent_image).toBe(
      "arn:aws-cn:imagebuilder:cn-north-1:aws:image/amazon-linux-2023-x86/x.x.x",
    );
  });

  test("a parent image may be given, e.g. an SSM parameter", () => {
    const parent = "ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64";
    expect(resource(synthAmi({ parentImage: parent }).json, "aws_imagebuilder_image_recipe", "golden_ami").parent_image).toBe(parent);
  });

  test("every component in order, an encrypted gp3 root volume with the environment key, the SSM agent kept, replaced create-before-destroy", () => {
    expect(recipe.component).toEqual(
      ["codedeploy_agent", "cloudwatch_agent", "docker", "nodejs", "nginx"].map((c) => ({ component_arn: ref(`aws_imagebuilder_component.golden_ami_${c}`, "arn") })),
    );
    expect(recipe.block_device_mapping).toEqual([
      {
        device_name: "/dev/xvda",
        ebs: { volume_size: 30, volume_type: "gp3", encrypted: "true", delete_on_termination: "true", kms_key_id: ref("aws_kms_key.environment_key", "arn") },
      },
    ]);
    expect(recipe.systems_manager_agent).toEqual({ uninstall_after_build: false });
    expect(recipe.lifecycle).toEqual({ create_before_destroy: true });
  });

  test("root volume size, type and IOPS are configurable", () => {
    const ebs = resource(synthAmi({ rootVolume: { sizeGiB: 100, type: "io2", iops: 4000 } }).json, "aws_imagebuilder_image_recipe", "golden_ami").block_device_mapping[0].ebs;
    expect(ebs).toMatchObject({ volume_size: 100, volume_type: "io2", iops: 4000, encrypted: "true" });
  });
});

describe("GoldenAmi build infrastructure", () => {
  const { json } = synthAmi();
  const infrastructure = resource(json, "aws_imagebuilder_infrastructure_configuration", "golden_ami");

  test("the first private subnet, its own security group and instance profile, IMDSv2, logs to the artifact bucket", () => {
    expect(infrastructure).toMatchObject({
      name: "app-test-golden-ami",
      instance_profile_name: ref("aws_iam_instance_profile.golden_ami_role", "name"),
      instance_types: ["m6i.large", "m5.large"],
      subnet_id: ref("aws_subnet.network_private_0", "id"),
      security_group_ids: [ref("aws_security_group.golden_ami_builder", "id")],
      terminate_instance_on_failure: true,
      instance_metadata_options: { http_tokens: "required", http_put_response_hop_limit: 1 },
      logging: { s3_logs: { s3_bucket_name: ref("aws_s3_bucket.artifacts_bucket", "bucket"), s3_key_prefix: "image-builder" } },
    });
    expect(infrastructure.sns_topic_arn).toBeUndefined();
  });

  test("instance types, failure handling, notifications and tags are configurable", () => {
    const topic = "arn:aws:sns:eu-west-1:123456789012:image-builds";
    const configured = resource(
      synthAmi({ instanceTypes: ["c7i.xlarge"], terminateInstanceOnFailure: false, notificationTopicArn: topic, tags: { team: "platform" } }).json,
      "aws_imagebuilder_infrastructure_configuration",
      "golden_ami",
    );
    expect(configured).toMatchObject({
      instance_types: ["c7i.xlarge"],
      terminate_instance_on_failure: false,
      sns_topic_arn: topic,
      resource_tags: { team: "platform", Name: "app-test-imagebuilder" },
    });
  });

  test("arm64 images build on Graviton instance types", () => {
    expect(resource(synthAmi({ architecture: "arm64" }).json, "aws_imagebuilder_infrastructure_configuration", "golden_ami").instance_types).toEqual(["m7g.large", "m6g.large"]);
  });

  test("the security group allows HTTPS out and nothing in", () => {
    expect(resource(json, "aws_security_group", "golden_ami_builder")).toMatchObject({ name: "app-test-imagebuilder", lifecycle: { create_before_destroy: true } });
    const egress = Object.values(resourcesOfType(json, "aws_vpc_security_group_egress_rule")).filter((r) => r.security_group_id === ref("aws_security_group.golden_ami_builder", "id"));
    expect(egress).toEqual([expect.objectContaining({ ip_protocol: "tcp", from_port: 443, to_port: 443, cidr_ipv4: "0.0.0.0/0", description: expect.stringMatching(/HTTPS/) })]);
    const ingress = Object.values(resourcesOfType(json, "aws_vpc_security_group_ingress_rule")).filter((r) => r.security_group_id === ref("aws_security_group.golden_ami_builder", "id"));
    expect(ingress).toEqual([]);
  });
});

describe("GoldenAmi IAM", () => {
  const { json } = synthAmi();

  test("a role of its own for EC2, with an instance profile whose name Image Builder's managed operator policy can pass", () => {
    expect(resource(json, "aws_iam_role", "golden_ami_role").name).toBe("app-test-imagebuilder");
    expect(resource(json, "aws_iam_instance_profile", "golden_ami_role")).toMatchObject({ name: "app-test-imagebuilder", role: ref("aws_iam_role.golden_ami_role", "name") });
    expect(statements(json, "golden_ami_role_trust")).toEqual([{ effect: "Allow", actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: ["ec2.amazonaws.com"] }] }]);
  });

  test("the managed policies Image Builder instances need", () => {
    const attached = Object.values(resourcesOfType(json, "aws_iam_role_policy_attachment"))
      .filter((a) => a.role === ref("aws_iam_role.golden_ami_role", "name"))
      .map((a) => a.policy_arn);
    expect(attached).toEqual([
      "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
      "arn:aws:iam::aws:policy/EC2InstanceProfileForImageBuilder",
      "arn:aws:iam::aws:policy/EC2InstanceProfileForImageBuilderECRContainerBuilds",
    ]);
  });

  test("least privilege inline: write logs under the prefix, pull from the repository, use the key", () => {
    const bucket = ref("aws_s3_bucket.artifacts_bucket", "arn");
    const policy = statements(json, "golden_ami_role_policy");
    expect(policy).toEqual([
      { effect: "Allow", actions: ["s3:PutObject", "s3:AbortMultipartUpload"], resources: [`${bucket}/image-builder/*`] },
      { effect: "Allow", actions: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*", "kms:DescribeKey"], resources: [ref("aws_kms_key.environment_key", "arn")] },
      { sid: "EcrAuthToken", effect: "Allow", actions: ["ecr:GetAuthorizationToken"], resources: ["*"] },
      { effect: "Allow", actions: ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"], resources: [ref("aws_ecr_repository.artifacts_repository", "arn")] },
      { effect: "Allow", actions: ["kms:Decrypt", "kms:DescribeKey"], resources: [ref("aws_kms_key.environment_key", "arn")] },
    ]);
    expect(JSON.stringify(policy)).not.toMatch(/"s3:\*"|"\*:\*"|"iam:/);
  });
});

describe("GoldenAmi image and distribution", () => {
  const { json, ami } = synthAmi();
  const image = resource(json, "aws_imagebuilder_image", "golden_ami");

  test("built from the recipe, infrastructure and distribution, tested, with the build timeout, replaced create-before-destroy", () => {
    expect(image).toMatchObject({
      image_recipe_arn: ref("aws_imagebuilder_image_recipe.golden_ami", "arn"),
      infrastructure_configuration_arn: ref("aws_imagebuilder_infrastructure_configuration.golden_ami", "arn"),
      distribution_configuration_arn: ref("aws_imagebuilder_distribution_configuration.golden_ami", "arn"),
      image_tests_configuration: { image_tests_enabled: true, timeout_minutes: 720 },
      timeouts: { create: "120m" },
      lifecycle: { create_before_destroy: true },
    });
  });

  test("the build waits for the route to NAT and every permission of its role", () => {
    expect(image.depends_on).toEqual([
      "aws_route.network_private_0_nat",
      "aws_route_table_association.network_private_0",
      "aws_iam_role.golden_ami_role",
      "aws_iam_role_policy_attachment.golden_ami_role_amazon_ssm_managed_instance_core",
      "aws_iam_role_policy_attachment.golden_ami_role_ec2_instance_profile_for_image_builder",
      "aws_iam_role_policy_attachment.golden_ami_role_ec2_instance_profile_for_image_builder_ecr_container_builds",
      "aws_iam_instance_profile.golden_ami_role",
      "aws_iam_role_policy.golden_ami_role",
    ]);
  });

  test("tests and build timeout are configurable", () => {
    expect(resource(synthAmi({ imageTests: false, buildTimeoutMinutes: 240 }).json, "aws_imagebuilder_image", "golden_ami")).toMatchObject({
      image_tests_configuration: { image_tests_enabled: false },
      timeouts: { create: "240m" },
    });
  });

  test("imageId is the AMI of the stack's own region among the image's outputs", () => {
    expect(ami.imageId).toMatch(/TfToken/);
    const { json: out } = synthAmi({}, { exportImageId: true });
    expect(out.output.ami.value).toBe(
      '${one([ for key, val in toset(tolist(aws_imagebuilder_image.golden_ami.output_resources[0].amis)): val.image if val.region == "eu-west-1"])}',
    );
  });

  test("distribution: a unique name per build, tags the provider cannot add, the stack's region first", () => {
    const { json: tagged } = synthAmi({ tags: { team: "platform" }, distribution: { amiTags: { os: "al2023" }, additionalRegions: ["us-west-2"] } });
    expect(resource(tagged, "aws_imagebuilder_distribution_configuration", "golden_ami").distribution).toEqual(
      ["eu-west-1", "us-west-2"].map((region) => ({
        region,
        ami_distribution_configuration: {
          name: "app-test-golden-ami-{{ imagebuilder:buildDate }}",
          description: "Golden AMI of app-test",
          ami_tags: { team: "platform", os: "al2023", Name: "app-test-golden-ami" },
        },
        ...(region === "eu-west-1" ? { ssm_parameter_configuration: [{ parameter_name: "/imagebuilder/app-test/golden-ami-id", data_type: "aws:ec2:image" }] } : {}),
      })),
    );
    const named = resource(synthAmi({ distribution: { amiName: "web {{ imagebuilder:buildDate }}" } }).json, "aws_imagebuilder_distribution_configuration", "golden_ami");
    expect(named.distribution[0].ami_distribution_configuration.name).toBe("web {{ imagebuilder:buildDate }}");
  });
});

describe("GoldenAmi publishes every build for launch templates", () => {
  const { json, ami } = synthAmi({ pipeline: { schedule: "cron(0 3 ? * SUN *)" }, distribution: { additionalRegions: ["us-west-2", "eu-central-1"] } });
  const parameter = resource(json, "aws_ssm_parameter", "golden_ami_image_id");

  test("the distribution writes the AMI ID of every build to one aws:ec2:image parameter in the stack's region, not in copy regions", () => {
    const distributions = resource(json, "aws_imagebuilder_distribution_configuration", "golden_ami").distribution;
    expect(distributions.map((d: any) => [d.region, d.ssm_parameter_configuration])).toEqual([
      ["eu-west-1", [{ parameter_name: "/imagebuilder/app-test/golden-ami-id", data_type: "aws:ec2:image" }]],
      ["us-west-2", undefined],
      ["eu-central-1", undefined],
    ]);
    // One distribution for both: the image Terraform builds and every scheduled build publish alike.
    expect(resource(json, "aws_imagebuilder_image_pipeline", "golden_ami").distribution_configuration_arn).toBe(ref("aws_imagebuilder_distribution_configuration.golden_ami", "arn"));
    expect(resource(json, "aws_imagebuilder_image", "golden_ami").distribution_configuration_arn).toBe(ref("aws_imagebuilder_distribution_configuration.golden_ami", "arn"));
  });

  test("Terraform owns the parameter: created with the AMI it built, adopting the one that build wrote, later values left to Image Builder", () => {
    expect(parameter).toEqual({
      name: "/imagebuilder/app-test/golden-ami-id",
      description: "AMI of app-test's newest golden AMI build, resolved by launch templates at launch; Image Builder updates it with every build",
      type: "String",
      data_type: "aws:ec2:image",
      insecure_value: '${one([ for key, val in toset(tolist(aws_imagebuilder_image.golden_ami.output_resources[0].amis)): val.image if val.region == "eu-west-1"])}',
      overwrite: true,
      lifecycle: { ignore_changes: ["insecure_value", "description"] },
    });
    expect(ami.imageParameterName).toBe("/imagebuilder/app-test/golden-ami-id");
    expect(ami.imageParameterArn).toBe("arn:aws:ssm:eu-west-1:123456789012:parameter/imagebuilder/app-test/golden-ami-id");
  });

  test("Image Builder's service-linked role writes it: the name is under /imagebuilder/ and no execution role replaces that role", () => {
    // AWSServiceRoleForImageBuilder allows ssm:PutParameter on parameter/imagebuilder/* only.
    expect(parameter.name).toMatch(/^\/imagebuilder\//);
    expect(ami.imageParameterArn).toMatch(/:parameter\/imagebuilder\//);
    expect(resource(json, "aws_imagebuilder_image", "golden_ami").execution_role).toBeUndefined();
    expect(resource(json, "aws_imagebuilder_image_pipeline", "golden_ami").execution_role).toBeUndefined();
    expect(statements(json, "golden_ami_role_policy").flatMap((s: any) => s.actions ?? [])).not.toContain("ssm:PutParameter");
  });

  test("latestImageId resolves the parameter at launch and references the resource, so a template waits for it", () => {
    expect(ami.latestImageId).toMatch(/^resolve:ssm:.*TfToken/);
    expect(synthAmi({}, { exportImageId: true }).json.output.latest.value).toBe("resolve:ssm:${aws_ssm_parameter.golden_ami_image_id.name}");
  });
});

describe("GoldenAmi pipeline", () => {
  test("none unless scheduled", () => {
    const { json, ami } = synthAmi();
    expect(names(json, "aws_imagebuilder_image_pipeline")).toEqual([]);
    expect(ami.pipelineArn).toBeUndefined();
  });

  test("a scheduled pipeline builds the same recipe on the same infrastructure with the same distribution", () => {
    const { json, ami } = synthAmi({ pipeline: { schedule: "cron(0 3 ? * SUN *)" } });
    expect(resource(json, "aws_imagebuilder_image_pipeline", "golden_ami")).toMatchObject({
      name: "app-test-golden-ami",
      image_recipe_arn: ref("aws_imagebuilder_image_recipe.golden_ami", "arn"),
      infrastructure_configuration_arn: ref("aws_imagebuilder_infrastructure_configuration.golden_ami", "arn"),
      distribution_configuration_arn: ref("aws_imagebuilder_distribution_configuration.golden_ami", "arn"),
      image_tests_configuration: { image_tests_enabled: true, timeout_minutes: 720 },
      schedule: { schedule_expression: "cron(0 3 ? * SUN *)", pipeline_execution_start_condition: "EXPRESSION_MATCH_AND_DEPENDENCY_UPDATES_AVAILABLE", timezone: "Etc/UTC" },
      status: "ENABLED",
    });
    expect(ami.pipelineArn).toMatch(/TfToken/);
  });

  test("start condition and time zone are configurable", () => {
    const { json } = synthAmi({ pipeline: { schedule: "cron(30 2 ? * MON-FRI *)", startCondition: "always", timezone: "Europe/Berlin" } });
    expect(resource(json, "aws_imagebuilder_image_pipeline", "golden_ami").schedule).toEqual({
      schedule_expression: "cron(30 2 ? * MON-FRI *)",
      pipeline_execution_start_condition: "EXPRESSION_MATCH_ONLY",
      timezone: "Europe/Berlin",
    });
  });
});

describe("GoldenAmi versions follow content", () => {
  test("unchanged content synthesizes identically", () => {
    expect(synthAmi().json).toEqual(synthAmi().json);
  });

  test("changing a component changes its version and the recipe's, and no address", () => {
    const before = synthAmi({ nodejsMajor: 22 });
    const after = synthAmi({ nodejsMajor: 24 });
    expect(addressesOf(after.json)).toEqual(addressesOf(before.json));
    expect(after.ami.componentVersions.nodejs).not.toBe(before.ami.componentVersions.nodejs);
    expect(resource(after.json, "aws_imagebuilder_component", "golden_ami_nodejs").version).toBe(after.ami.componentVersions.nodejs);
    for (const other of ["codedeploy-agent", "cloudwatch-agent", "docker", "nginx"] as const) {
      expect(after.ami.componentVersions[other]).toBe(before.ami.componentVersions[other]);
    }
    expect(after.ami.recipeVersion).not.toBe(before.ami.recipeVersion);
    // Same name, new version, created before the old one is destroyed: never ResourceAlreadyExistsException.
    expect(resource(after.json, "aws_imagebuilder_component", "golden_ami_nodejs").name).toBe(resource(before.json, "aws_imagebuilder_component", "golden_ami_nodejs").name);
  });

  test("a recipe change alone (root volume) keeps every component version", () => {
    const before = synthAmi();
    const after = synthAmi({ rootVolume: { sizeGiB: 50 } });
    expect(after.ami.componentVersions).toEqual(before.ami.componentVersions);
    expect(after.ami.recipeVersion).not.toBe(before.ami.recipeVersion);
  });

  test("the order components are listed in changes nothing", () => {
    expect(synthAmi({ components: ["docker", "nodejs"] }).json).toEqual(synthAmi({ components: ["nodejs", "docker"] }).json);
  });

  test("infrastructure, distribution and pipeline settings do not version the recipe (they update in place)", () => {
    const base = synthAmi().ami;
    const changed = synthAmi({ instanceTypes: ["c7i.large"], terminateInstanceOnFailure: false, distribution: { additionalRegions: ["us-east-1"] }, pipeline: { schedule: "cron(0 1 * * ? *)" } }).ami;
    expect(changed.recipeVersion).toBe(base.recipeVersion);
  });
});

describe("GoldenAmi validation", () => {
  test.each([
    ["unknown component", { components: ["apache"] as any }, /golden-ami: components has "apache"; allowed: "codedeploy-agent", "cloudwatch-agent", "docker", "nodejs", "nginx"/],
    ["no component", { components: [] }, /components is empty; the recipe needs at least one/],
    ["a component twice", { components: ["docker", "docker"] as const }, /components \["docker","docker"\] lists a component twice/],
    ["Node.js 18 (end of life)", { nodejsMajor: 18 }, /nodejsMajor 18 is not packaged by Amazon Linux 2023; allowed: 20, 22, 24/],
    ["Node.js 21 (not an LTS)", { nodejsMajor: 21 }, /nodejsMajor 21 is not packaged/],
    ["zero volume size", { rootVolume: { sizeGiB: 0 } }, /rootVolume\.sizeGiB 0 must be a whole number of GiB from 8/],
    ["negative volume size", { rootVolume: { sizeGiB: -20 } }, /rootVolume\.sizeGiB -20 must be a whole number/],
    ["volume smaller than the parent image", { rootVolume: { sizeGiB: 7 } }, /rootVolume\.sizeGiB 7 must be .* from 8/],
    ["fractional volume size", { rootVolume: { sizeGiB: 30.5 } }, /rootVolume\.sizeGiB 30\.5 must be a whole number/],
    ["io2 without IOPS", { rootVolume: { type: "io2" as const } }, /rootVolume\.iops is required for io2 volumes/],
    ["gp2 with IOPS", { rootVolume: { type: "gp2" as const, iops: 3000 } }, /rootVolume\.iops 3000 is not allowed for gp2/],
    ["no instance type", { instanceTypes: [] }, /instanceTypes is empty/],
    ["a Graviton type for an x86_64 image", { instanceTypes: ["m7g.large"] }, /instanceTypes has m7g\.large, an arm64 type; the image is x86_64/],
    ["an x86 type for an arm64 image", { architecture: "arm64" as const, instanceTypes: ["m5.large"] }, /instanceTypes has m5\.large, an x86_64 type; the image is arm64/],
    ["build timeout too short", { buildTimeoutMinutes: 10 }, /buildTimeoutMinutes 10 must be a whole number from 30 to 1440/],
    ["AMI name without the build date", { distribution: { amiName: "golden" } }, /distribution\.amiName "golden" must contain \{\{ imagebuilder:buildDate \}\}/],
    ["the stack's own region as an additional region", { distribution: { additionalRegions: ["eu-west-1"] } }, /additionalRegions has eu-west-1, the stack's own region/],
    ["a region twice", { distribution: { additionalRegions: ["us-east-1", "us-east-1"] } }, /additionalRegions \["us-east-1","us-east-1"\] lists a region twice/],
    ["a Unix crontab line", { pipeline: { schedule: "0 3 * * 0" } }, /pipeline\.schedule "0 3 \* \* 0" is not an Image Builder cron expression like cron\(0 3 \? \* SUN \*\): it must be written cron\(\.\.\.\)/],
    ["five cron fields", { pipeline: { schedule: "cron(0 3 * * SUN)" } }, /it has 5 fields; six are needed/],
    ["no ? in either day field", { pipeline: { schedule: "cron(0 3 * * SUN *)" } }, /exactly one of day-of-month and day-of-week must be \?/],
    ["minute 60", { pipeline: { schedule: "cron(60 3 ? * SUN *)" } }, /the minutes field "60" is not valid \(0-59\)/],
    ["a bad time zone", { pipeline: { schedule: "cron(0 3 ? * SUN *)", timezone: "Central European Time" } }, /pipeline\.timezone "Central European Time" is not an IANA time zone name/],
  ])("%s", (_label, props, message) => {
    expect(() => synthAmi(props as Partial<GoldenAmiProps>)).toThrow(message);
  });

  test("no private subnets: the build would have no way out", () => {
    expect(() => synthAmi({}, { privateSubnets: false })).toThrow(
      /golden-ami: the network has no private subnets; the build instance needs one with NAT \(Image Builder gives it no public IP/,
    );
  });
});

describe("GoldenAmi lifecycle policy: replaced AMIs and their snapshots are removed", () => {
  const { json, ami } = synthAmi();
  const policy = resource(json, "aws_imagebuilder_lifecycle_policy", "golden_ami_lifecycle");

  test("keeps the 5 newest images of the recipe, deletes the rest with their AMIs and snapshots", () => {
    expect(policy).toMatchObject({
      name: "app-test-golden-ami",
      resource_type: "AMI_IMAGE",
      status: "ENABLED",
      execution_role: ref("aws_iam_role.golden_ami_lifecycle_role", "arn"),
      resource_selection: [{ recipe: [{ name: "app-test-golden-ami", semantic_version: ref("aws_imagebuilder_image_recipe.golden_ami", "version") }] }],
    });
    expect(policy.policy_detail).toEqual([
      {
        action: [{ type: "DELETE", include_resources: [{ amis: true, snapshots: true }] }],
        filter: [{ type: "COUNT", value: 5 }],
        exclusion_rules: [{ tag_map: { "golden-ami:retain": "true" }, amis: [{ tag_map: { "golden-ami:retain": "true" }, last_launched: [{ unit: "DAYS", value: 30 }] }] }],
      },
    ]);
    expect(ami.recipeVersion).toMatch(/^\d+\.\d+\.\d+$/);
  });

  test("Terraform's own image carries the retain tag, so the policy never deletes what the state refers to", () => {
    expect(resource(json, "aws_imagebuilder_image", "golden_ami").tags).toEqual({ "golden-ami:retain": "true" });
  });

  test("the execution role: trusted by Image Builder, the AWS managed lifecycle policy only, created before the policy", () => {
    const role = resource(json, "aws_iam_role", "golden_ami_lifecycle_role");
    expect(role.name).toBe("app-test-golden-ami-lifecycle");
    expect(statements(json, "golden_ami_lifecycle_role_trust")).toEqual([
      expect.objectContaining({ actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: ["imagebuilder.amazonaws.com"] }] }),
    ]);
    const attached = Object.values(resourcesOfType(json, "aws_iam_role_policy_attachment"))
      .filter((a) => a.role === ref("aws_iam_role.golden_ami_lifecycle_role", "name"))
      .map((a) => a.policy_arn);
    expect(attached).toEqual(["arn:aws:iam::aws:policy/service-role/EC2ImageBuilderLifecycleExecutionPolicy"]);
    expect(policy.depends_on).toEqual(expect.arrayContaining(["aws_iam_role.golden_ami_lifecycle_role"]));
  });

  test("retention is configurable and can be switched off", () => {
    const custom = resource(synthAmi({ retention: { keepImages: 2, keepLaunchedWithinDays: 7 } }).json, "aws_imagebuilder_lifecycle_policy", "golden_ami_lifecycle");
    expect(custom.policy_detail[0].filter).toEqual([{ type: "COUNT", value: 2 }]);
    expect(custom.policy_detail[0].exclusion_rules[0].amis[0].last_launched).toEqual([{ unit: "DAYS", value: 7 }]);
    const off = synthAmi({ retention: false }).json;
    expect(resourcesOfType(off, "aws_imagebuilder_lifecycle_policy")).toEqual({});
    expect(resourcesOfType(off, "aws_iam_role").golden_ami_lifecycle_role).toBeUndefined();
  });

  test.each([
    ["no image kept", { keepImages: 0 }, /retention\.keepImages 0 must be a whole number from 1 to 1000/],
    ["a fraction of an image", { keepImages: 2.5 }, /retention\.keepImages 2\.5 must be a whole number/],
    ["more than the API allows", { keepImages: 1001 }, /retention\.keepImages 1001 must be a whole number from 1 to 1000/],
    ["no launch window", { keepLaunchedWithinDays: 0 }, /retention\.keepLaunchedWithinDays 0 must be a whole number of days from 1 to 365/],
    ["over a year", { keepLaunchedWithinDays: 366 }, /retention\.keepLaunchedWithinDays 366 must be/],
  ])("refuses %s", (_label, retention, message) => {
    expect(() => synthAmi({ retention })).toThrow(message);
  });
});
