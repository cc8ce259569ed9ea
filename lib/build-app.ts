import { App } from "cdktf";
import { applyPolicyPack } from "../policy";
import { Config } from "./config/schema";
import { EnvironmentStack } from "../stacks/environment-stack";

/** Stack name of an environment: `<app>-<environment>`. */
export function stackName(config: Config, envName: string): string {
  return `${config.app.name}-${envName}`;
}

/**
 * Adds one stack per environment of a validated configuration to `app`, each checked by the policy
 * pack during synthesis. Deletion protection rules follow the environment's `protection` setting.
 */
export function buildApp(app: App, config: Config): EnvironmentStack[] {
  return Object.entries(config.environments).map(([envName, environment]) => {
    const stack = new EnvironmentStack(app, stackName(config, envName), { app: config.app, envName, environment });
    applyPolicyPack(stack, { protection: environment.protection });
    return stack;
  });
}
