import * as fs from "fs";
import * as path from "path";
import { addressesOf } from "../lib/address";
import { loadConfigFile } from "../lib/config/load";
import { compareWithLock } from "./helpers/address-lock";
import { configWith, ref, resource, statements, synthConfig, synthEnv } from "./helpers/synth";

const root = path.join(__dirname, "..");
const lockDir = path.join(__dirname, "addresses");

describe("EnvironmentStack", () => {
  test("provider: region, default tags (application, environment, managed-by, plus configured), allowed account", () => {
    const json = synthEnv({
      app: { tags: { team: "platform", environment: "ignored" } },
      environments: { qa: { region: "eu-central-1", accountId: "111122223333", tags: { "cost-center": "42" }, network: { cidr: "10.10.0.0/16" } } },
    });
    expect(json.provider.aws).toEqual([
      {
        region: "eu-central-1",
        allowed_account_ids: ["111122223333"],
        default_tags: [{ tags: { team: "platform", environment: "qa", "cost-center": "42", application: "webapp", "managed-by": "cdktf" } }],
      },
    ]);
  });

  test("a configured account replaces the caller identity lookup", () => {
    const pinned = synthEnv({ environments: { qa: { accountId: "111122223333", network: { cidr: "10.10.0.0/16" } } } });
    expect(pinned.data.aws_caller_identity).toBeUndefined();
    expect(synthEnv().data.aws_caller_identity).toEqual({ current: expect.any(Object) });
  });

  test("configured zones replace the zones lookup", () => {
    const json = synthEnv({ environments: { qa: { network: { cidr: "10.10.0.0/16", availabilityZones: ["eu-west-1b", "eu-west-1c", "eu-west-1a"] } } } });
    expect(json.data.aws_availability_zones).toBeUndefined();
    expect(resource(json, "aws_subnet", "network_public_2").availability_zone).toBe("eu-west-1a");
  });

  test("zones otherwise come from the region's zones, azCount of them", () => {
    const json = synthEnv({ environments: { qa: { network: { cidr: "10.10.0.0/16", azCount: 3 } } } });
    expect(resource(json, "aws_subnet", "network_public_2").availability_zone).toBe("${element(data.aws_availability_zones.available.names, 2)}");
  });

  test("outputs: VPC, subnets, bucket, repository, key, golden AMI, fleet, traffic and release pipeline", () => {
    const json = synthEnv();
    expect(Object.keys(json.output).sort()).toEqual([
      "alb_dns_name",
      "artifact_bucket_name",
      "codebuild_project_name",
      "codedeploy_application_name",
      "codedeploy_deployment_group_name",
      "dashboard_name",
      "data_subnet_ids",
      "ecr_repository_url",
      // Blue/green (the default): no output of the live group, which changes with every release.
      "fleet_reconciler_function_name",
      "golden_ami_id",
      "golden_ami_image_arn",
      "golden_ami_parameter_name",
      "kms_key_arn",
      "launch_template_id",
      "notification_topic_arn",
      "pipeline_name",
      "pipeline_source_location",
      "private_subnet_ids",
      "public_subnet_ids",
      "release_parameter_path",
      "target_group_arn",
      "url",
      "vpc_id",
    ]);
    expect(json.output.golden_ami_id.value).toBe('${one([ for key, val in toset(tolist(aws_imagebuilder_image.golden_ami.output_resources[0].amis)): val.image if val.region == "eu-west-1"])}');
    expect(json.output.golden_ami_image_arn.value).toBe(ref("aws_imagebuilder_image.golden_ami", "arn"));
    expect(json.output.vpc_id.value).toBe(ref("aws_vpc.network_vpc", "id"));
    expect(json.output.public_subnet_ids.value).toEqual([ref("aws_subnet.network_public_0", "id"), ref("aws_subnet.network_public_1", "id")]);
    expect(json.output.artifact_bucket_name.value).toBe(ref("aws_s3_bucket.artifacts_bucket", "bucket"));
    expect(json.output.ecr_repository_url.value).toBe(ref("aws_ecr_repository.artifacts_repository", "repository_url"));
    for (const output of Object.values<any>(json.output)) expect(output.description).toMatch(/\w+/);
  });

  test("protection decides force_destroy; nothing branches on the environment's name", () => {
    const both = synthConfig(
      configWith({
        environments: {
          production: { protection: false, network: { cidr: "10.10.0.0/16" } },
          sandbox: { protection: true, network: { cidr: "10.20.0.0/16" } },
        },
      }),
    );
    expect(resource(both.production, "aws_s3_bucket", "artifacts_bucket").force_destroy).toBe(true);
    expect(resource(both.sandbox, "aws_s3_bucket", "artifacts_bucket").force_destroy).toBe(false);
  });

  test("the golden AMI follows configuration: components, Node.js, volume, pipeline, distribution", () => {
    const json = synthEnv({
      environments: {
        qa: {
          network: { cidr: "10.10.0.0/16" },
          goldenAmi: {
            components: ["nodejs", "nginx"],
            nodejsMajor: 20,
            rootVolume: { sizeGiB: 50 },
            terminateInstanceOnFailure: false,
            buildTimeoutMinutes: 90,
            pipeline: { schedule: "cron(0 3 ? * SUN *)" },
            distribution: { additionalRegions: ["eu-central-1"] },
          },
          codedeployAgent: { install: "ssm-association" },
        },
      },
    });
    expect(Object.keys(json.resource.aws_imagebuilder_component).sort()).toEqual(["golden_ami_nginx", "golden_ami_nodejs"]);
    expect(resource(json, "aws_imagebuilder_component", "golden_ami_nodejs").data).toContain("dnf install -y nodejs20 nodejs20-npm");
    expect(resource(json, "aws_imagebuilder_image_recipe", "golden_ami").block_device_mapping[0].ebs.volume_size).toBe(50);
    expect(resource(json, "aws_imagebuilder_infrastructure_configuration", "golden_ami").terminate_instance_on_failure).toBe(false);
    expect(resource(json, "aws_imagebuilder_image", "golden_ami").timeouts).toEqual({ create: "90m" });
    expect(resource(json, "aws_imagebuilder_distribution_configuration", "golden_ami").distribution.map((d: any) => d.region)).toEqual(["eu-west-1", "eu-central-1"]);
    expect(json.output.golden_ami_pipeline_arn.value).toBe(ref("aws_imagebuilder_image_pipeline.golden_ami", "arn"));
  });

  test("a Graviton fleet gets an arm64 golden AMI built on Graviton instances", () => {
    const json = synthEnv({ environments: { qa: { network: { cidr: "10.10.0.0/16" }, fleet: { instanceType: "m7g.large" } } } });
    expect(resource(json, "aws_imagebuilder_image_recipe", "golden_ami").parent_image).toBe("arn:aws:imagebuilder:eu-west-1:aws:image/amazon-linux-2023-arm64/x.x.x");
    expect(resource(json, "aws_imagebuilder_infrastructure_configuration", "golden_ami").instance_types).toEqual(["m7g.large", "m6g.large"]);
  });

  test("build instances and AMIs carry the tags the provider's default tags cannot reach", () => {
    const json = synthEnv({ app: { tags: { team: "platform" } }, environments: { qa: { network: { cidr: "10.10.0.0/16" }, goldenAmi: { distribution: { amiTags: { os: "al2023" } } } } } });
    const common = { team: "platform", application: "webapp", environment: "qa", "managed-by": "cdktf" };
    expect(resource(json, "aws_imagebuilder_infrastructure_configuration", "golden_ami").resource_tags).toEqual({ ...common, Name: "webapp-qa-imagebuilder" });
    expect(resource(json, "aws_imagebuilder_distribution_configuration", "golden_ami").distribution[0].ami_distribution_configuration.ami_tags).toEqual({
      ...common,
      os: "al2023",
      Name: "webapp-qa-golden-ami",
    });
  });

  test("without the golden AMI there are no Image Builder resources and no golden_ami outputs", () => {
    const json = synthEnv({ environments: { qa: { network: { cidr: "10.10.0.0/16", privateSubnets: false }, fleet: { subnets: "public" }, goldenAmi: { enabled: false } } } });
    expect(addressesOf(json).filter((a) => /imagebuilder|golden_ami/.test(a))).toEqual([]);
    expect(Object.keys(json.output).filter((o) => o.startsWith("golden_ami"))).toEqual([]);
  });

  test("names are prefixed with <app>-<environment>", () => {
    const json = synthEnv({ environments: { qa: { network: { cidr: "10.10.0.0/16" } } } });
    expect(resource(json, "aws_ecr_repository", "artifacts_repository").name).toBe("webapp-qa");
    expect(resource(json, "aws_kms_alias", "environment_key").name).toBe("alias/webapp-qa");
    expect(resource(json, "aws_security_group", "network_alb").name).toBe("webapp-qa-alb");
  });
});

describe("state backends", () => {
  const backendOf = (backend: unknown) => synthEnv({ environments: { qa: { backend, network: { cidr: "10.10.0.0/16" } } } }).terraform;

  test("local by default, beside the project and the same on every machine", () => {
    expect(backendOf(undefined).backend).toEqual({ local: { path: "../../../terraform.webapp-qa.tfstate" } });
    expect(backendOf({ type: "local", path: "/var/state/qa.tfstate" }).backend).toEqual({ local: { path: "/var/state/qa.tfstate" } });
  });

  test("S3 with S3-native locking, encryption and defaults for key and region", () => {
    expect(backendOf({ type: "s3", bucket: "acme-state" }).backend).toEqual({
      s3: { bucket: "acme-state", key: "webapp/qa/terraform.tfstate", region: "eu-west-1", encrypt: true, use_lockfile: true },
    });
  });

  test("S3 with a KMS key, a DynamoDB lock table, no lockfile and an assumed role", () => {
    expect(
      backendOf({
        type: "s3",
        bucket: "acme-state",
        key: "apps/qa.tfstate",
        region: "us-east-1",
        kmsKeyId: "alias/state",
        useLockfile: false,
        dynamodbTable: "terraform-locks",
        roleArn: "arn:aws:iam::111122223333:role/terraform",
      }).backend,
    ).toEqual({
      s3: {
        bucket: "acme-state",
        key: "apps/qa.tfstate",
        region: "us-east-1",
        encrypt: true,
        kms_key_id: "alias/state",
        dynamodb_table: "terraform-locks",
        assume_role: { role_arn: "arn:aws:iam::111122223333:role/terraform" },
      },
    });
  });

  test("Terraform Cloud writes a cloud block with organization, workspace and project", () => {
    const terraform = backendOf({ type: "cloud", organization: "acme", workspace: "webapp-qa", project: "web" });
    expect(terraform.backend).toBeUndefined();
    expect(terraform.cloud).toEqual({ hostname: "app.terraform.io", organization: "acme", workspaces: { name: "webapp-qa", project: "web" } });
  });

  test("the provider constraint accepts the mirrored 5.100.0", () => {
    expect(backendOf(undefined).required_providers.aws).toEqual({ source: "aws", version: "5.100.0" });
  });
});

/**
 * Terraform addresses are a public contract. This locks the address list of every stack of the
 * default and example configurations: an address that disappears without a `moved` block would
 * make Terraform destroy and recreate the resource. Update on purpose with
 * `UPDATE_ADDRESS_LOCK=1 npx jest environment-stack`.
 */
describe("address lock", () => {
  const configs = ["config/default.yaml", ...fs.readdirSync(path.join(root, "config/examples")).filter((f) => /\.ya?ml$/.test(f)).map((f) => `config/examples/${f}`)];
  const cases = configs.flatMap((file) => Object.entries(synthConfig(loadConfigFile(path.join(root, file)))).map(([env, json]) => ({ file, env, json })));

  test.each(cases.map((c) => [`${path.basename(c.file)} ${c.env}`, c] as const))("%s", (_label, { file, env, json }) => {
    const name = `${path.basename(file).replace(/\.[^.]+$/, "")}.${env}.txt`;
    const lockFile = path.join(lockDir, name);
    if (process.env.UPDATE_ADDRESS_LOCK === "1") {
      fs.mkdirSync(lockDir, { recursive: true });
      fs.writeFileSync(lockFile, `${addressesOf(json).join("\n")}\n`);
    }
    expect({ lockFile: name, exists: fs.existsSync(lockFile) }).toEqual({ lockFile: name, exists: true });
    const locked = fs.readFileSync(lockFile, "utf8").split("\n").filter(Boolean);
    expect(compareWithLock(json, locked)).toEqual({ destroyedWithoutMovedBlock: [], addedButNotLocked: [] });
  });
});

describe("address lock check", () => {
  const json = { resource: { aws_vpc: { network_vpc: {} }, aws_subnet: { network_public_0: {} } }, data: { aws_caller_identity: { current: {} } } };

  test("an address that disappears is a destroy", () => {
    expect(compareWithLock(json, ["aws_vpc.network_vpc", "aws_vpc.main", "aws_subnet.network_public_0", "data.aws_caller_identity.current"])).toEqual({
      destroyedWithoutMovedBlock: ["aws_vpc.main"],
      addedButNotLocked: [],
    });
  });

  test("a moved block covers a rename; a removed data source destroys nothing", () => {
    const renamed = { ...json, moved: [{ from: "aws_vpc.main", to: "aws_vpc.network_vpc" }] };
    expect(compareWithLock(renamed, ["aws_vpc.main", "aws_subnet.network_public_0", "data.aws_region.current"])).toEqual({
      destroyedWithoutMovedBlock: [],
      addedButNotLocked: ["aws_vpc.network_vpc", "data.aws_caller_identity.current"],
    });
  });
});

describe("golden snapshots", () => {
  const stacks = synthConfig(loadConfigFile(path.join(root, "config/default.yaml")));
  test.each(Object.keys(stacks))("default configuration, %s", (env) => {
    expect(stacks[env]).toMatchSnapshot();
  });

  test("the shared load balancer stack (config/examples/shared-alb.yaml)", () => {
    expect(synthConfig(loadConfigFile(path.join(root, "config/examples/shared-alb.yaml"))).shared).toMatchSnapshot();
  });
});

describe("the fleet's image", () => {
  const imageId = (json: any) => resource(json, "aws_launch_template", "fleet_template").image_id;
  const resolveGrant = (json: any) => statements(json, "deployment_role_policy").find((s) => s.sid === "ResolveLaunchImage");

  test("the launch template resolves the newest golden AMI build at each launch; CodeDeploy may read it to copy the group", () => {
    const json = synthEnv();
    expect(imageId(json)).toBe("resolve:ssm:${aws_ssm_parameter.golden_ami_image_id.name}");
    expect(json.output.golden_ami_parameter_name.value).toBe("/imagebuilder/webapp-staging/golden-ami-id");
    expect(resolveGrant(json)).toEqual({
      sid: "ResolveLaunchImage",
      effect: "Allow",
      actions: ["ssm:GetParameters"],
      resources: ["arn:aws:ssm:eu-west-1:${data.aws_caller_identity.current.account_id}:parameter/imagebuilder/webapp-staging/golden-ami-id"],
    });
  });

  test("a pinned AMI is launched as it is: nothing to resolve; builds and their parameter go on", () => {
    const json = synthEnv({ environments: { qa: { network: { cidr: "10.10.0.0/16" }, goldenAmi: { pinnedImageId: "ami-0123456789abcdef0" } } } });
    expect(imageId(json)).toBe("ami-0123456789abcdef0");
    expect(resolveGrant(json)).toBeUndefined();
    expect(resource(json, "aws_ssm_parameter", "golden_ami_image_id").name).toBe("/imagebuilder/webapp-qa/golden-ami-id");
    expect(json.output.golden_ami_parameter_name).toBeDefined();
  });

  test("without a golden AMI: the newest stock Amazon Linux 2023 from AWS's public parameter, which has no account in its ARN", () => {
    const json = synthEnv({ environments: { qa: { network: { cidr: "10.10.0.0/16", privateSubnets: false }, fleet: { subnets: "public", instanceType: "t4g.small" }, goldenAmi: { enabled: false } } } });
    expect(imageId(json)).toBe("resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64");
    expect(resolveGrant(json)?.resources).toEqual(["arn:aws:ssm:eu-west-1::parameter/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64"]);
    expect(json.resource.aws_ssm_parameter?.golden_ami_image_id).toBeUndefined();
  });

  test("in-place releases copy no group: CodeDeploy's role gets no parameter", () => {
    const json = synthEnv({ environments: { qa: { network: { cidr: "10.10.0.0/16" }, deployment: { mode: "in-place" } } } });
    expect(imageId(json)).toBe("resolve:ssm:${aws_ssm_parameter.golden_ami_image_id.name}");
    expect(resolveGrant(json)).toBeUndefined();
  });
});

describe("fleet without a golden AMI", () => {
  const userData = (json: any) => Buffer.from(resource(json, "aws_launch_template", "fleet_template").user_data, "base64").toString("utf8");

  test("the stock image installs the configured components at first boot, before anything uses them", () => {
    const json = synthEnv({
      environments: { qa: { network: { cidr: "10.10.0.0/16", privateSubnets: false }, fleet: { subnets: "public" }, goldenAmi: { enabled: false, nodejsMajor: 20 } } },
    });
    const script = userData(json);
    expect(script).toContain("retry 3 codedeploy_agent_InstallAgent");
    expect(script).toContain("https://aws-codedeploy-eu-west-1.s3.eu-west-1.amazonaws.com/latest/install");
    expect(script).toContain("dnf install -y nodejs20 nodejs20-npm");
    expect(script.indexOf("dnf install -y amazon-cloudwatch-agent")).toBeLessThan(script.indexOf("amazon-cloudwatch-agent-ctl"));
    expect(script.indexOf("dnf install -y nginx")).toBeLessThan(script.indexOf("cat >/etc/nginx/conf.d/webapp.conf"));
    // The agent comes last and starts once user data (cloud-final) has finished.
    expect(script.indexOf("retry 3 codedeploy_agent_InstallAgent")).toBeGreaterThan(script.indexOf("systemctl restart nginx"));
    expect(script.trimEnd().endsWith("systemctl start --no-block codedeploy-agent")).toBe(true);
  });

  test("with the agent left to an SSM association, boot neither installs nor starts it", () => {
    const json = synthEnv({
      environments: {
        qa: {
          network: { cidr: "10.10.0.0/16", privateSubnets: false },
          fleet: { subnets: "public" },
          goldenAmi: { enabled: false, components: ["cloudwatch-agent", "nodejs", "nginx"] },
          codedeployAgent: { install: "ssm-association" },
        },
      },
    });
    const script = userData(json);
    expect(script).toContain("retry 3 cloudwatch_agent_InstallAgent");
    expect(script).not.toMatch(/codedeploy_agent_|systemctl (enable|start)[^\n]*codedeploy-agent/);
    // The association may install (and start) the agent while user data runs: the drop-in that
    // holds it back until cloud-final has finished is written before anything else.
    expect(script.indexOf("/etc/systemd/system/codedeploy-agent.service.d/10-after-first-boot.conf")).toBeGreaterThan(-1);
    expect(script.indexOf("/etc/systemd/system/codedeploy-agent.service.d/10-after-first-boot.conf")).toBeLessThan(script.indexOf("retry 3 cloudwatch_agent_InstallAgent"));
  });
});
