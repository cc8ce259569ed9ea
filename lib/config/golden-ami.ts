import { z } from "zod";
import { AMI_ID_PATTERN, ARCHITECTURES } from "../ec2";
import { CRON_ALLOWED, CRON_EXAMPLE, cronProblem, DEFAULT_NODEJS_MAJOR, IMAGE_COMPONENTS, NODEJS_MAJORS, TIMEZONE_PATTERN } from "../image-builder";
import { instanceType } from "./fleet";
import { bool, integer, oneOf, pattern, region, strictObject, tagMap } from "./primitives";

const COMPONENTS_ALLOWED = `a list of distinct components, each one of ${IMAGE_COMPONENTS.map((c) => JSON.stringify(c)).join(", ")}`;

export const imageComponents = z
  .array(oneOf(IMAGE_COMPONENTS))
  .min(1, { error: "at least one component" })
  .refine((list) => new Set(list).size === list.length, { error: "components without duplicates" })
  .meta({ allowed: COMPONENTS_ALLOWED });

const NODEJS_ALLOWED = `one of ${NODEJS_MAJORS.join(", ")} (the Node.js majors Amazon Linux 2023 packages as nodejs<major>)`;
export const nodejsMajor = z
  .number({ error: NODEJS_ALLOWED })
  .refine((v) => (NODEJS_MAJORS as readonly number[]).includes(v), { error: NODEJS_ALLOWED })
  .meta({ allowed: NODEJS_ALLOWED });

export const imageBuilderCron = z
  .string({ error: CRON_ALLOWED })
  .superRefine((value, ctx) => {
    const problem = cronProblem(value);
    if (problem) ctx.addIssue({ code: "custom", input: value, message: `${CRON_ALLOWED} (${problem})` });
  })
  .meta({ allowed: CRON_ALLOWED });

/** Image Builder AMI names: 1-127 characters of these; the build date placeholder keeps every build's name unique. */
export const amiName = pattern(
  /^(?=.{1,127}$)(?=.*\{\{ *imagebuilder:buildDate *\}\})[A-Za-z0-9 ()[\]./'@_{}:-]+$/,
  "an AMI name of at most 127 characters (letters, digits, spaces and ( ) [ ] . / - ' @ _) that contains {{ imagebuilder:buildDate }}, so every build gets a unique name",
);

export const snsTopicArn = pattern(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/, "an SNS topic ARN: arn:aws:sns:<region>:<account>:<topic>");

export const parentImage = pattern(
  /^(arn:aws[a-z-]*:imagebuilder:[a-z0-9-]+:(aws|\d{12}):image\/[a-z0-9-_]+\/(\d+|x)\.(\d+|x)\.(\d+|x)(\/\d+)?|ssm:\/?[A-Za-z0-9_./-]+|ami-[0-9a-f]{8,17})$/,
  "an Image Builder image ARN (version x.x.x follows the newest release), ssm:<parameter name> or an AMI ID",
);

export const rootVolumeSchema = strictObject({
  sizeGiB: integer(8, 16384, "a size in GiB").default(30).describe("Root volume size; the AL2023 image needs 8, Docker images and logs need more."),
  type: oneOf(["gp3", "gp2", "io1", "io2"]).default("gp3").describe("Root volume type."),
  iops: integer(100, 256000, "a number of IOPS").optional().describe("Provisioned IOPS: required for io1 and io2, optional for gp3 (3000 included), not allowed for gp2."),
})
  .prefault({})
  .describe("Root volume of the image, always encrypted with the environment's KMS key.");

export const imagePipelineSchema = strictObject({
  schedule: imageBuilderCron.describe(`When Image Builder considers a rebuild, in its own six-field cron format, e.g. ${CRON_EXAMPLE}.`),
  startCondition: oneOf(["updates-available", "always"])
    .default("updates-available")
    .describe("updates-available: build only when the parent image (x.x.x) has a newer release. always: build at every scheduled time."),
  timezone: pattern(TIMEZONE_PATTERN, "an IANA time zone name such as Etc/UTC or Europe/Berlin").default("Etc/UTC").describe("Time zone of the schedule."),
})
  .optional()
  .describe("A scheduled Image Builder pipeline for periodic rebuilds (new AMIs outside Terraform state; see docs/golden-ami.md). Default: no pipeline.");

export const imageDistributionSchema = strictObject({
  amiName: amiName.optional().describe("Name of each AMI. Default: <app>-<env>-golden-ami-{{ imagebuilder:buildDate }}."),
  amiTags: tagMap.describe("Tags on the AMIs, besides the application, environment and configured tags (which the provider's default tags do not reach)."),
  additionalRegions: z
    .array(region)
    .default([])
    .refine((list) => new Set(list).size === list.length, { error: "regions without duplicates" })
    .meta({ allowed: "a list of distinct AWS region codes" })
    .describe("Regions the AMI is copied to besides the environment's own (encrypted there with the region's default EBS key)."),
})
  .prefault({})
  .describe("AMI name, tags and regions of every build.");

export const goldenAmiSchema = strictObject({
  enabled: bool
    .default(true)
    .describe("Bake the application image with EC2 Image Builder. Needs network.privateSubnets: the build instance gets no public IP and reaches package repositories through NAT."),
  components: imageComponents.default([...IMAGE_COMPONENTS]).describe("What the image contains; the recipe always runs them in the order of the allowed list."),
  nodejsMajor: nodejsMajor.default(DEFAULT_NODEJS_MAJOR).describe("Node.js major of the nodejs component."),
  architecture: oneOf(ARCHITECTURES).optional().describe("CPU architecture of the image. Default: the architecture of fleet.instanceType (arm64 for Graviton types such as m7g.large)."),
  parentImage: parentImage
    .optional()
    .describe("Image the recipe starts from. Default: arn:<partition>:imagebuilder:<region>:aws:image/amazon-linux-2023-<x86|arm64>/x.x.x, the newest Amazon Linux 2023 at build time."),
  rootVolume: rootVolumeSchema,
  instanceTypes: z
    .array(instanceType)
    .min(1, { error: "at least one instance type" })
    .optional()
    .meta({ allowed: "a list of EC2 instance types of the image's architecture" })
    .describe("Build and test instance types. Default: m6i.large and m5.large (x86_64), m7g.large and m6g.large (arm64)."),
  terminateInstanceOnFailure: bool.default(true).describe("Terminate the build instance when a build fails; false keeps it for debugging over Session Manager (and costs until you terminate it)."),
  notificationTopicArn: snsTopicArn.optional().describe("SNS topic Image Builder notifies of every build's result."),
  buildTimeoutMinutes: integer(30, 1440, "a number of minutes").default(120).describe("How long terraform apply waits for a build, tests included."),
  imageTests: bool.default(true).describe("Launch an instance from the new image and run every component's test phase before the image is available."),
  pipeline: imagePipelineSchema,
  distribution: imageDistributionSchema,
  pinnedImageId: pattern(AMI_ID_PATTERN, "an AMI ID: ami- and 8 or 17 hexadecimal digits, such as ami-0123456789abcdef0")
    .optional()
    .describe(
      "Launch this AMI instead of the newest build. Default: none; instances resolve the SSM parameter every build updates (/imagebuilder/<app>-<env>/golden-ami-id) at launch, so a scheduled rebuild reaches the next release or scale-out. Pin to hold the fleet (or host) on a known image, e.g. while a new build is investigated; builds go on and the parameter keeps following them. The AMI must be of the instances' architecture: with goldenAmi.enabled an earlier build of this golden AMI (user data installs nothing), otherwise an Amazon Linux 2023 image (user data installs the components).",
    ),
})
  .prefault({})
  .describe("Golden AMI built with EC2 Image Builder: components, recipe, build infrastructure, image and optional pipeline.");

export type GoldenAmiConfig = z.output<typeof goldenAmiSchema>;
