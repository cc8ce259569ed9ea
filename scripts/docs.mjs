#!/usr/bin/env node
// npm run docs: regenerates docs/configuration.md and config/schema.json from the schema.
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const { configReference, configJsonSchema } = require(path.join(root, "dist", "lib", "config", "docs.js"));
fs.writeFileSync(path.join(root, "docs", "configuration.md"), configReference());
fs.writeFileSync(path.join(root, "config", "schema.json"), `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
console.log("wrote docs/configuration.md and config/schema.json");
