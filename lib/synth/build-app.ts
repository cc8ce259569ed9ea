import { App, TerraformStack } from "cdktf";
import { applyPolicyPack } from "../../policy";
import { Config } from "../config/schema";
import { FLEET_PROXY_PORT } from "../release/user-data";
import { EcsEnvironmentStack } from "../../stacks/ecs-environment-stack";
import { EnvironmentStack } from "../../stacks/environment-stack";
import { HostEnvironmentStack } from "../../stacks/host-environment-stack";
import { SHARED_STACK_SUFFIX, SharedLoadBalancerStack } from "../../stacks/shared-load-balancer-stack";

/** Stack name of an environment: `<app>-<environment>`. */
export function stackName(config: Config, envName: string): string {
  return `${config.app.name}-${envName}`;
}

/**
 * Adds the stacks of a validated configuration to `app`: the shared load balancer stack when one is
 * configured, then one stack per environment: EnvironmentStack (platform fleet) or HostEnvironmentStack
 * (platform host). Those in shared mode depend on the shared stack, so
 * `cdktf deploy` applies it first). Every stack is checked by the policy pack during synthesis;
 * deletion protection rules follow each stack's `protection` setting.
 */
export function buildApp(app: App, config: Config): TerraformStack[] {
  const environments = Object.entries(config.environments);
  const shared = config.sharedLoadBalancer
    ? new SharedLoadBalancerStack(app, stackName(config, SHARED_STACK_SUFFIX), {
        app: config.app,
        shared: config.sharedLoadBalancer,
        // What the shared ALB forwards to: the fleet instances' Nginx, or the application port.
        appPorts: environments.filter(([, env]) => env.loadBalancer.mode === "shared").map(([, env]) => (env.platform === "fleet" ? FLEET_PROXY_PORT : env.application.port)),
      })
    : undefined;
  if (shared) applyPolicyPack(shared, { protection: config.sharedLoadBalancer!.protection });
  const stacks = environments.map(([envName, environment]) => {
    if (environment.platform === "host") {
      const host = new HostEnvironmentStack(app, stackName(config, envName), { app: config.app, envName, environment });
      applyPolicyPack(host, { protection: environment.protection });
      return host;
    }
    const stack =
      environment.platform === "ecs"
        ? new EcsEnvironmentStack(app, stackName(config, envName), { app: config.app, envName, environment })
        : new EnvironmentStack(app, stackName(config, envName), { app: config.app, envName, environment, shared: config.sharedLoadBalancer });
    if (shared && environment.loadBalancer.mode === "shared") stack.addDependency(shared);
    applyPolicyPack(stack, { protection: environment.protection });
    return stack;
  });
  return shared ? [shared, ...stacks] : stacks;
}
