import { App } from "cdktf";
import { Config } from "./config/schema";
import { EnvironmentStack } from "../stacks/environment-stack";

/** Stack name of an environment: `<app>-<environment>`. */
export function stackName(config: Config, envName: string): string {
  return `${config.app.name}-${envName}`;
}

/** Adds one stack per environment of a validated configuration to `app`. */
export function buildApp(app: App, config: Config): EnvironmentStack[] {
  return Object.entries(config.environments).map(
    ([envName, environment]) => new EnvironmentStack(app, stackName(config, envName), { app: config.app, envName, environment }),
  );
}
