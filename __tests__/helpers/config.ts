import { ConfigError, parseConfig } from "../../lib/config/load";

/** The problem lines (`path: received X; allowed: Y`) of a configuration that must be rejected. */
export function configProblems(raw: unknown): string[] {
  try {
    parseConfig(raw, "test.yaml");
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.map((p) => `${p.path}: received ${p.received}; allowed: ${p.allowed}`);
    throw e;
  }
  throw new Error("expected the configuration to be rejected");
}

/** Asserts that `lines` has a problem at `path` with the received value and an allowed part matching `allowed`. */
export function expectProblemLine(lines: readonly string[], path: string, received: string, allowed: RegExp): void {
  const line = lines.find((l) => l.startsWith(`${path}: `));
  expect({ lines, found: line !== undefined }).toEqual({ lines, found: true });
  expect(line).toContain(`received ${received}`);
  expect(line!.split("; allowed: ")[1]).toMatch(allowed);
}
