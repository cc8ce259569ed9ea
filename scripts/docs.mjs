#!/usr/bin/env node
// npm run docs: regenerates docs/configuration.md and config/schema.json from the schema, and
// docs/policy-rules.md and the rules table of docs/policy-pack.md from the policy pack's rule definitions.
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const { configReference, configJsonSchema } = require(path.join(root, "dist", "lib", "config", "docs.js"));
const { policyReference, policyRulesTable } = require(path.join(root, "dist", "policy", "docs.js"));
fs.writeFileSync(path.join(root, "docs", "configuration.md"), configReference());
fs.writeFileSync(path.join(root, "config", "schema.json"), `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
fs.writeFileSync(path.join(root, "docs", "policy-rules.md"), policyReference());

const packPagePath = path.join(root, "docs", "policy-pack.md");
const packPage = fs.readFileSync(packPagePath, "utf8");
const markers = /(<!-- policy-rules:start -->\n)[\s\S]*?(<!-- policy-rules:end -->)/;
if (!markers.test(packPage)) throw new Error("docs/policy-pack.md has no <!-- policy-rules:start --> ... <!-- policy-rules:end --> markers");
fs.writeFileSync(packPagePath, packPage.replace(markers, (_m, start, end) => `${start}${policyRulesTable()}\n${end}`));
console.log("wrote docs/configuration.md, config/schema.json, docs/policy-rules.md and the rules table of docs/policy-pack.md");
