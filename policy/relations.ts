/**
 * Relations between resources that several rule families need: which Auto Scaling groups sit
 * behind a load balancer, which security groups belong to such fleets, which service uses a role.
 */
import { permissionDocumentsOf, Statement } from "./iam";
import { block, blocks, StackView, strings, TfResource } from "./terraform";

export const LOAD_BALANCER_TYPES = ["aws_lb", "aws_alb"];
export const LISTENER_TYPES = ["aws_lb_listener", "aws_alb_listener"];
export const LISTENER_RULE_TYPES = ["aws_lb_listener_rule", "aws_alb_listener_rule"];
export const TARGET_GROUP_TYPES = ["aws_lb_target_group", "aws_alb_target_group"];
export const SECURITY_GROUP_TYPES = ["aws_security_group", "aws_default_security_group"];

/** True when the group registers its instances with a load balancer (target group or classic ELB). */
export function isBehindLoadBalancer(stack: StackView, asg: TfResource): boolean {
  const v = asg.values;
  if (strings(v.target_group_arns).length > 0 || strings(v.load_balancers).length > 0) return true;
  if (blocks(v.traffic_source).length > 0) return true;
  return stack.referrers(asg, ["aws_autoscaling_attachment"], "autoscaling_group_name").length > 0;
}

/** Target groups of this stack the group registers with (directly, by traffic source or by attachment). */
export function targetGroupsOf(stack: StackView, asg: TfResource): TfResource[] {
  const attachments = stack.referrers(asg, ["aws_autoscaling_attachment"], "autoscaling_group_name").map((a) => a.values.lb_target_group_arn);
  return stack.refs([asg.values.target_group_arns, asg.values.traffic_source, attachments], ...TARGET_GROUP_TYPES);
}

export function launchTemplatesOf(stack: StackView, asg: TfResource): TfResource[] {
  return stack.refs([asg.values.launch_template, asg.values.mixed_instances_policy], "aws_launch_template");
}

/** Security groups referenced by the load balancers of the stack. */
export function loadBalancerSecurityGroups(stack: StackView): Set<string> {
  return new Set(stack.resources(...LOAD_BALANCER_TYPES).flatMap((lb) => stack.refs(lb.values.security_groups, ...SECURITY_GROUP_TYPES).map((g) => g.address)));
}

/** Ports a target group sends traffic and health checks to (literal numbers only). */
function targetPorts(tg: TfResource): number[] {
  const ports = [tg.values.port, block(tg.values.health_check).port].map(Number).filter((p) => Number.isInteger(p) && p > 0);
  return [...new Set(ports)];
}

const fleetCache = new WeakMap<StackView, Map<string, Set<number>>>();

/**
 * Security groups of instances that serve behind a load balancer of this stack, each with the
 * ports their target groups use: launch templates of load-balanced Auto Scaling groups, and
 * instances registered through `aws_lb_target_group_attachment`.
 */
export function fleetSecurityGroups(stack: StackView): Map<string, Set<number>> {
  const cached = fleetCache.get(stack);
  if (cached) return cached;
  const fleets = new Map<string, Set<number>>();
  fleetCache.set(stack, fleets);
  const add = (groups: TfResource[], ports: number[]) => {
    for (const group of groups) {
      const known = fleets.get(group.address) ?? new Set<number>();
      ports.forEach((p) => known.add(p));
      fleets.set(group.address, known);
    }
  };
  for (const asg of stack.resources("aws_autoscaling_group").filter((a) => isBehindLoadBalancer(stack, a))) {
    const ports = targetGroupsOf(stack, asg).flatMap(targetPorts);
    for (const template of launchTemplatesOf(stack, asg)) {
      add(stack.refs([template.values.vpc_security_group_ids, template.values.security_group_names, template.values.network_interfaces], ...SECURITY_GROUP_TYPES), ports);
    }
  }
  for (const attachment of stack.resources("aws_lb_target_group_attachment")) {
    const ports = stack.refs(attachment.values.target_group_arn, ...TARGET_GROUP_TYPES).flatMap(targetPorts);
    if (typeof attachment.values.port === "number") ports.push(attachment.values.port);
    for (const instance of stack.refs(attachment.values.target_id, "aws_instance")) {
      add(stack.refs([instance.values.vpc_security_group_ids, instance.values.security_groups], ...SECURITY_GROUP_TYPES), ports);
    }
  }
  return fleets;
}

/** Arguments through which AWS services assume a role, and the service principal each implies. */
export const ROLE_CONSUMERS: ReadonlyArray<{ readonly type: string; readonly field: string; readonly service: string }> = [
  { type: "aws_iam_instance_profile", field: "role", service: "ec2" },
  { type: "aws_flow_log", field: "iam_role_arn", service: "vpc-flow-logs" },
  { type: "aws_codebuild_project", field: "service_role", service: "codebuild" },
  { type: "aws_codedeploy_deployment_group", field: "service_role_arn", service: "codedeploy" },
  { type: "aws_codepipeline", field: "role_arn", service: "codepipeline" },
  { type: "aws_ecs_task_definition", field: "task_role_arn", service: "ecs-tasks" },
  { type: "aws_ecs_task_definition", field: "execution_role_arn", service: "ecs-tasks" },
  { type: "aws_lambda_function", field: "role", service: "lambda" },
  { type: "aws_autoscaling_lifecycle_hook", field: "role_arn", service: "autoscaling" },
  { type: "aws_cloudwatch_event_target", field: "role_arn", service: "events" },
  { type: "aws_sfn_state_machine", field: "role_arn", service: "states" },
  { type: "aws_db_instance", field: "monitoring_role_arn", service: "monitoring.rds" },
  { type: "aws_imagebuilder_image", field: "execution_role", service: "imagebuilder" },
  { type: "aws_imagebuilder_image_pipeline", field: "execution_role", service: "imagebuilder" },
];

/** Services that assume `role`, judged by the resources of the stack that hand it to a service. */
export function expectedServices(stack: StackView, role: TfResource): Map<string, string[]> {
  const services = new Map<string, string[]>();
  for (const consumer of ROLE_CONSUMERS) {
    for (const user of stack.referrers(role, [consumer.type], consumer.field)) {
      services.set(consumer.service, [...(services.get(consumer.service) ?? []), user.address]);
    }
  }
  return services;
}

/** Permission statements granted to a role: inline policies, role policies and attached customer policies of the stack. */
export function roleStatements(stack: StackView, role: TfResource): Statement[] {
  const holders = [
    role,
    ...stack.referrers(role, ["aws_iam_role_policy"], "role"),
    ...stack.referrers(role, ["aws_iam_role_policy_attachment"], "role").flatMap((a) => stack.refs(a.values.policy_arn, "aws_iam_policy")),
  ];
  return holders.flatMap((h) => permissionDocumentsOf(h, stack)).flatMap((d) => d.statements);
}
