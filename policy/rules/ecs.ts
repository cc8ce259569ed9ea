import { Rule } from "../engine";
import { block, isSet, isTrue, StackView } from "../terraform";

/** A role argument as the role's address when it is in the stack, else as written. */
function roleKey(stack: StackView, value: unknown): string {
  return stack.refs(value, "aws_iam_role")[0]?.address ?? String(value);
}

/** Names of privileged containers (JSON definitions), or a marker when only the raw text shows one. */
function privilegedContainers(definitions: unknown): string[] {
  if (typeof definitions !== "string") return [];
  try {
    const parsed = JSON.parse(definitions);
    return (Array.isArray(parsed) ? parsed : []).filter((c) => c?.privileged === true).map((c) => String(c.name ?? "unnamed"));
  } catch {
    // jsonencode(...) expressions: look for the attribute in the text.
    return /"?privileged"?\s*[:=]\s*true\b/.test(definitions) ? ["a container"] : [];
  }
}

export const ECS_RULES: Rule[] = [
  {
    id: "ECS.SEPARATE_TASK_ROLE",
    title: "Task definitions use different roles for the task and for task execution.",
    rationale: "The execution role pulls images and reads secrets for the agent; giving the application the same role hands it those permissions too.",
    fix: "Create a task role with the application's permissions and a separate execution role with image pull, log and secret read permissions.",
    checkov: ["CKV_AWS_249"],
    resourceTypes: ["aws_ecs_task_definition"],
    scope: "task definitions that set both roles",
    appliesTo: (task) => isSet(task.values.task_role_arn) && isSet(task.values.execution_role_arn),
    check: (task, stack) => (roleKey(stack, task.values.task_role_arn) === roleKey(stack, task.values.execution_role_arn) ? `task_role_arn and execution_role_arn are both ${roleKey(stack, task.values.task_role_arn)}` : undefined),
  },
  {
    id: "ECS.NO_PRIVILEGED_CONTAINERS",
    title: "No container runs privileged.",
    rationale: "A privileged container is root on the container instance: it can read other tasks' credentials and escape to the host.",
    fix: "Remove privileged = true from the container definition and grant the specific Linux capabilities the container needs.",
    checkov: ["CKV_AWS_334"],
    resourceTypes: ["aws_ecs_task_definition"],
    check: (task) => privilegedContainers(task.values.container_definitions).map((name) => `container ${name} has privileged = true`),
  },
  {
    id: "ECS.NO_PUBLIC_IP",
    title: "Services do not assign public IP addresses to their tasks.",
    rationale: "Tasks with public addresses are reachable from the internet whenever a security group allows it; they belong in private subnets behind the load balancer.",
    fix: "Set network_configuration.assign_public_ip = false and run the service in private subnets with NAT or VPC endpoints.",
    checkov: ["CKV_AWS_333"],
    resourceTypes: ["aws_ecs_service"],
    check: (service) => (isTrue(block(service.values.network_configuration).assign_public_ip) ? "network_configuration.assign_public_ip is true" : undefined),
  },
];
