import * as fs from "fs";
import * as path from "path";
import { configJsonSchema, configReference } from "../lib/config/docs";

const root = path.join(__dirname, "..");

describe("generated configuration docs", () => {
  test("docs/configuration.md is current (regenerate with npm run docs)", () => {
    expect(fs.readFileSync(path.join(root, "docs", "configuration.md"), "utf8")).toBe(configReference());
  });

  test("config/schema.json is current (regenerate with npm run docs)", () => {
    expect(JSON.parse(fs.readFileSync(path.join(root, "config", "schema.json"), "utf8"))).toEqual(configJsonSchema());
  });

  test("every key of the reference has a description", () => {
    const undocumented = configReference()
      .split("\n")
      .filter((l) => l.startsWith("| `") && !/\.<env>` \|/.test(l) && !/\(type: \w+\)` \|/.test(l))
      .filter((l) => l.trimEnd().endsWith("|  |"));
    expect(undocumented).toEqual([]);
  });
});
