import { App, TerraformStack, Testing } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { buildApp } from "../../lib/synth/build-app";
import { parseConfig } from "../../lib/config/load";
import { Config } from "../../lib/config/schema";
import { AccountContext, AccountContextProps } from "../../constructs/account-context";

/** Synthesized Terraform JSON of one stack. */
export type Synth = Record<string, any>;

/** A minimal valid configuration; `environments` are merged over the default staging one. */
export function configWith(raw: { app?: Record<string, unknown>; defaults?: Record<string, unknown>; environments?: Record<string, unknown> } = {}): Config {
  return parseConfig({
    app: { name: "webapp", region: "eu-west-1", ...raw.app },
    ...(raw.defaults ? { defaults: raw.defaults } : {}),
    environments: raw.environments ?? { staging: { network: { cidr: "10.10.0.0/16" } } },
  });
}

/** Synthesizes every environment of a configuration; returns the JSON by environment name. */
export function synthConfig(config: Config): Record<string, Synth> {
  const app = Testing.app({ stackTraces: false });
  const stacks = buildApp(app, config);
  return Object.fromEntries(stacks.map((s) => [s.node.id.slice(config.app.name.length + 1), JSON.parse(Testing.synth(s))]));
}

/** Synthesizes the single environment of a configuration. */
export function synthEnv(raw: Parameters<typeof configWith>[0] = {}): Synth {
  const all = synthConfig(configWith(raw));
  return Object.values(all)[0];
}

/** A bare stack with a provider and an AccountContext, for testing one construct. */
export function bareStack(props: Partial<AccountContextProps> = {}): { app: App; stack: TerraformStack } {
  const app = Testing.app({ stackTraces: false });
  const stack = new TerraformStack(app, "test");
  new AwsProvider(stack, "aws", { region: props.region ?? "eu-west-1" });
  new AccountContext(stack, { region: props.region ?? "eu-west-1", accountId: props.accountId ?? "123456789012", availabilityZones: props.availabilityZones });
  return { app, stack };
}

export function synthStack(stack: TerraformStack): Synth {
  return JSON.parse(Testing.synth(stack));
}

/** One resource's synthesized arguments; fails the test when absent. */
export function resource(json: Synth, type: string, name: string): Record<string, any> {
  const found = json.resource?.[type]?.[name];
  if (!found) {
    const names = Object.keys(json.resource?.[type] ?? {});
    throw new Error(`${type}.${name} not found; ${type} has: ${names.join(", ") || "(none)"}`);
  }
  return found;
}

export function resourcesOfType(json: Synth, type: string): Record<string, Record<string, any>> {
  return json.resource?.[type] ?? {};
}

export function data(json: Synth, type: string, name: string): Record<string, any> {
  const found = json.data?.[type]?.[name];
  if (!found) throw new Error(`data.${type}.${name} not found`);
  return found;
}

/** Statements of a policy document data source. */
export function statements(json: Synth, documentName: string): Array<Record<string, any>> {
  return data(json, "aws_iam_policy_document", documentName).statement;
}

/** `${aws_x.name.attr}` — how a reference appears in synthesized JSON. */
export function ref(address: string, attribute: string): string {
  return `\${${address}.${attribute}}`;
}
