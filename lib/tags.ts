import { AutoscalingGroupTag } from "@cdktf/provider-aws/lib/autoscaling-group";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformStack, Token } from "cdktf";
import { IConstruct } from "constructs";

/**
 * The `tag` blocks of an Auto Scaling group: the group's own tags (`own`, in their order), then
 * every default tag of the stack's AWS provider that `own` does not name, by key, each with
 * `propagate_at_launch`.
 *
 * The provider's `default_tags` do not reach `aws_autoscaling_group` (its tags are `tag` blocks
 * with a propagate flag, not a `tags` map; HashiCorp, "Configure default tags for AWS resources",
 * section "Propagate default tags to Auto Scaling group"), so without these blocks the group and
 * the instances it launches carry none of the cost tags. Propagated tags also reach the groups
 * CodeDeploy copies for a blue/green release, which copy the original group's tags.
 */
export function autoScalingGroupTags(scope: IConstruct, own: readonly AutoscalingGroupTag[] = []): AutoscalingGroupTag[] {
  const named = new Set(own.map((t) => t.key));
  const defaults = Object.entries(stackDefaultTags(scope))
    .filter(([key]) => !named.has(key))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => ({ key, value, propagateAtLaunch: true }));
  return [...own, ...defaults];
}

/** The default tags of the stack's (unaliased) AWS provider; none without one. */
export function stackDefaultTags(scope: IConstruct): Record<string, string> {
  const stack = TerraformStack.of(scope);
  const providers = stack.node.findAll().filter((c): c is AwsProvider => c instanceof AwsProvider && c.alias === undefined);
  if (providers.length === 0) return {};
  const blocks = providers[0].defaultTags;
  if (blocks === undefined) return {};
  if (Token.isUnresolved(blocks) || !Array.isArray(blocks)) {
    throw new Error(`${scope.node.path}: the AWS provider's default_tags are a token; Auto Scaling group tags need them as literal values`);
  }
  const tags: Record<string, string> = {};
  for (const block of blocks) {
    for (const [key, value] of Object.entries(block.tags ?? {})) tags[key] = value;
  }
  return tags;
}
