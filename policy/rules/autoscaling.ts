import { Rule } from "../engine";
import { isBehindLoadBalancer } from "../relations";
import { block, blocks, shown, strings } from "../terraform";

const GROUP = ["aws_autoscaling_group"];

export const ASG_RULES: Rule[] = [
  {
    id: "ASG.LAUNCH_TEMPLATE",
    title: "Auto Scaling groups launch from a launch template, not a launch configuration.",
    rationale: "Launch configurations are deprecated, cannot require IMDSv2 on newer instance types and receive no new EC2 features.",
    fix: "Set launch_template { id, version } (or mixed_instances_policy.launch_template) and remove launch_configuration.",
    checkov: ["CKV_AWS_315"],
    resourceTypes: GROUP,
    check: (asg) => {
      const v = asg.values;
      if (v.launch_configuration !== undefined) return `launch_configuration is ${shown(v.launch_configuration)}`;
      const template = block(v.launch_template);
      const mixed = block(block(block(v.mixed_instances_policy).launch_template).launch_template_specification);
      const chosen = [template.id, template.name, mixed.launch_template_id, mixed.launch_template_name].some((x) => x !== undefined);
      return chosen ? undefined : "neither launch_template nor mixed_instances_policy.launch_template is set";
    },
  },
  {
    id: "ASG.ELB_HEALTH_CHECK",
    title: "Auto Scaling groups behind a load balancer replace instances that fail the load balancer's health check.",
    rationale: "With EC2 health checks a running instance whose application is down stays in service forever; ELB health checks replace it.",
    fix: "Set health_check_type = \"ELB\" (with a health_check_grace_period that covers boot and deployment).",
    checkov: ["CKV2_AWS_15"],
    resourceTypes: GROUP,
    scope: "groups registered with a target group or load balancer",
    appliesTo: (asg, stack) => isBehindLoadBalancer(stack, asg),
    check: (asg) => (asg.values.health_check_type === "ELB" ? undefined : `health_check_type is ${shown(asg.values.health_check_type, "EC2 by default")}`),
  },
  {
    id: "ASG.IGNORE_DESIRED_CAPACITY",
    title: "A desired capacity set at creation is ignored afterwards (lifecycle.ignore_changes).",
    rationale: "Scaling policies and CodeDeploy change the desired capacity; without ignore_changes every apply resets it and scales the fleet in or out.",
    fix: "Add lifecycle { ignore_changes = [desired_capacity] } to the aws_autoscaling_group, or leave desired_capacity unset.",
    resourceTypes: GROUP,
    scope: "groups that set desired_capacity",
    appliesTo: (asg) => asg.values.desired_capacity !== undefined,
    check: (asg) => {
      const ignored = block(asg.values.lifecycle).ignore_changes;
      return ignored === "all" || strings(ignored).includes("desired_capacity") ? undefined : `lifecycle.ignore_changes is ${shown(ignored)}`;
    },
  },
  {
    id: "ASG.INSTANCE_REFRESH_ALARMS",
    title: "An instance refresh rolls to a numbered launch template version and stops on CloudWatch alarms.",
    rationale:
      "A refresh replaces every instance of the group: without an alarm specification nothing stops it while the new instances answer 5xx or fail their health checks; with $Latest or $Default the provider starts no refresh at all and Auto Scaling cannot roll one back.",
    fix: "Set launch_template.version (or the mixed instances policy's) to aws_launch_template.<name>.latest_version and instance_refresh.preferences.alarm_specification.alarms to the alarms that stop a deployment.",
    resourceTypes: GROUP,
    scope: "groups with an instance_refresh block",
    appliesTo: (asg) => blocks(asg.values.instance_refresh).length > 0,
    check: (asg) => {
      const v = asg.values;
      const version = block(v.launch_template).version ?? block(block(block(v.mixed_instances_policy).launch_template).launch_template_specification).version;
      if (version === undefined || version === "$Latest" || version === "$Default") return `the launch template version is ${shown(version)}`;
      const alarms = strings(block(block(block(v.instance_refresh).preferences).alarm_specification).alarms);
      return alarms.length > 0 ? undefined : "instance_refresh.preferences.alarm_specification.alarms is not set";
    },
  },
];
