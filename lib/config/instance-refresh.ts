import { z } from "zod";
import { ALARM_KINDS } from "../alarms";
import { bool, integer, oneOf, strictObject } from "./primitives";

/*
 * `fleet.instanceRefresh`: how an in-place fleet rolls when its launch template changes
 * (aws_autoscaling_group.instance_refresh). `true` is the object with its defaults
 * (resolveInstanceRefresh, the one place they are applied); `false` (the default) is no refresh. Every rule here comes from the EC2 Auto Scaling API reference,
 * RefreshPreferences (https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_RefreshPreferences.html),
 * and the provider 5.100 documentation of `instance_refresh.preferences`
 * (https://registry.terraform.io/providers/hashicorp/aws/5.100.0/docs/resources/autoscaling_group#instance_refresh).
 */

export const SCALE_IN_PROTECTED_BEHAVIOURS = ["Refresh", "Ignore", "Wait"] as const;
export const STANDBY_BEHAVIOURS = ["Terminate", "Ignore", "Wait"] as const;

const CHECKPOINTS_ALLOWED = "a list of distinct percentages from 1 to 100 in ascending order whose last value is 100";
const ALARMS_ALLOWED = `a list of distinct alarm kinds, each one of ${ALARM_KINDS.map((k) => JSON.stringify(k)).join(", ")} (an empty list: no alarms)`;

export const checkpointsSchema = strictObject({
  percentages: z
    .array(integer(1, 100, "a percentage"), { error: CHECKPOINTS_ALLOWED })
    .min(1, { error: CHECKPOINTS_ALLOWED })
    .meta({ allowed: CHECKPOINTS_ALLOWED })
    .describe(
      "Share of the group replaced before each pause, e.g. [20, 50, 100]. AWS: unique, ascending; the last must be 100 to replace every instance (a refresh that stops below 100 leaves a mixed fleet).",
    ),
  delaySeconds: integer(0, 172800, "a number of seconds")
    .default(3600)
    .describe("Pause at each checkpoint before the refresh goes on (CheckpointDelay; AWS's default, 3600, when absent). A pause is the time to watch the alarms and cancel."),
}).describe("Checkpoints: pause the refresh after a share of the group is replaced. Without it the refresh replaces the whole group in one pass.");

export const instanceRefreshObjectSchema = strictObject({
  minHealthyPercent: integer(0, 100, "a percentage")
    .default(90)
    .describe("Share of desired capacity that stays in service and healthy while instances are replaced (MinHealthyPercentage)."),
  maxHealthyPercent: integer(100, 200, "a percentage")
    .default(100)
    .describe(
      "Share of desired capacity that may be in service or pending (MaxHealthyPercentage): above 100 launches replacements before terminating the instances they replace (extra instance hours while it runs); at most minHealthyPercent + 100.",
    ),
  checkpoints: checkpointsSchema.optional(),
  skipMatching: bool
    .default(false)
    .describe(
      "Leave instances that already run the new template version (SkipMatching). Off by default: the template resolves the golden AMI at launch, so an instance of the current version may still run an older image.",
    ),
  autoRollback: bool
    .default(false)
    .describe(
      "Let Auto Scaling roll back a failed refresh (AutoRollback). Needs goldenAmi.pinnedImageId (AWS refuses a rollback to a template whose image is resolve:ssm:). Off by default: provider 5.100 saves the new template version on the group before it starts the refresh, so a rollback restores that same version (hashicorp/terraform-provider-aws#34189); roll back by reverting the configuration and applying (docs/release-pipeline.md).",
    ),
  alarms: z
    .array(oneOf(ALARM_KINDS), { error: ALARMS_ALLOWED })
    .refine((kinds) => new Set(kinds).size === kinds.length, { error: ALARMS_ALLOWED })
    .optional()
    .meta({ allowed: ALARMS_ALLOWED })
    .describe("Alarms that fail the refresh when they go into ALARM (AlarmSpecification). Default: observability.alarms.stopDeployments, the alarms that stop a CodeDeploy deployment."),
  scaleInProtectedInstances: oneOf(SCALE_IN_PROTECTED_BEHAVIOURS)
    .default("Ignore")
    .describe("Instances protected from scale-in: Refresh (replace them too), Ignore (leave them) or Wait (up to one hour for the protection to go, then fail)."),
  standbyInstances: oneOf(STANDBY_BEHAVIOURS)
    .default("Ignore")
    .describe("Instances in Standby: Terminate (and replace them), Ignore (leave them) or Wait (up to one hour for them to return to service, then fail)."),
});

const REFRESH_ALLOWED = "true, false or an object of refresh preferences";

export const instanceRefreshSchema = z
  .union([bool, instanceRefreshObjectSchema], { error: REFRESH_ALLOWED })
  .default(false)
  .meta({ allowed: REFRESH_ALLOWED })
  .describe(
    "Roll the fleet (instance refresh) when Terraform changes the launch template: true takes the defaults below. In-place deployments only: with blue/green, CodeDeploy replaces the whole fleet on every release (docs/release-pipeline.md).",
  );

export type InstanceRefreshConfig = z.output<typeof instanceRefreshObjectSchema>;

/** The refresh preferences of `fleet.instanceRefresh`: `true` is every default; `false` is no refresh. */
export function resolveInstanceRefresh(value: boolean | InstanceRefreshConfig): InstanceRefreshConfig | undefined {
  if (value === false) return undefined;
  return value === true ? instanceRefreshObjectSchema.parse({}) : value;
}

/**
 * Rules across the refresh preferences and the rest of the environment (called from the
 * environment's superRefine). Looks only at fields that parsed.
 */
export function checkInstanceRefresh(env: Record<string, any>, ctx: z.RefinementCtx): void {
  const fleet: Record<string, any> = isRecord(env.fleet) ? env.fleet : {};
  const refresh: Record<string, any> | undefined = isRecord(fleet.instanceRefresh) ? fleet.instanceRefresh : undefined;
  if (!refresh) return;
  const at = (...path: (string | number)[]) => ["fleet", "instanceRefresh", ...path];
  const percentages: unknown[] = isRecord(refresh.checkpoints) && Array.isArray(refresh.checkpoints.percentages) ? refresh.checkpoints.percentages : [];
  percentages.forEach((value, i) => {
    const before = percentages[i - 1];
    if (i > 0 && typeof value === "number" && typeof before === "number" && value <= before) {
      ctx.addIssue({ code: "custom", path: at("checkpoints", "percentages", i), input: value, message: `a percentage above the one before it (${before}): checkpoints are unique and ascending (RefreshPreferences.CheckpointPercentages)` });
    }
  });
  const last = percentages[percentages.length - 1];
  if (typeof last === "number" && last !== 100) {
    ctx.addIssue({
      code: "custom",
      path: at("checkpoints", "percentages", percentages.length - 1),
      input: last,
      message: "100 as the last checkpoint: a refresh whose last checkpoint is below 100 ends with part of the fleet on the old template (RefreshPreferences.CheckpointPercentages)",
    });
  }
  if (typeof refresh.minHealthyPercent === "number" && typeof refresh.maxHealthyPercent === "number" && refresh.maxHealthyPercent - refresh.minHealthyPercent > 100) {
    ctx.addIssue({
      code: "custom",
      path: at("maxHealthyPercent"),
      input: refresh.maxHealthyPercent,
      message: `a percentage of at most minHealthyPercent + 100 (${refresh.minHealthyPercent + 100}): AWS refuses a wider range (RefreshPreferences.MaxHealthyPercentage)`,
    });
  }
  const goldenAmi: Record<string, any> = isRecord(env.goldenAmi) ? env.goldenAmi : {};
  if (refresh.autoRollback === true && typeof goldenAmi.pinnedImageId !== "string") {
    ctx.addIssue({
      code: "custom",
      path: at("autoRollback"),
      input: true,
      message:
        "false unless goldenAmi.pinnedImageId is set: the launch template's image is then resolve:ssm:<parameter>, and AWS supports no rollback to a template that uses a Systems Manager parameter (https://docs.aws.amazon.com/autoscaling/ec2/userguide/instance-refresh-rollback.html)",
    });
  }
}

function isRecord(value: unknown): value is Record<string, any> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
