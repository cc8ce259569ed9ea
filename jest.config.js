/** Jest transpiles with SWC only; types are checked once by `tsc --noEmit` (npm run typecheck). */
module.exports = {
  testEnvironment: "node",
  // One worker per core: the default (cores - 1) leaves half of a 2-core machine idle.
  maxWorkers: "100%",
  roots: ["<rootDir>/__tests__"],
  testMatch: ["**/*.test.ts"],
  setupFiles: ["<rootDir>/__tests__/helpers/setup.ts"],
  globalSetup: "<rootDir>/__tests__/helpers/global-setup.ts",
  globalTeardown: "<rootDir>/__tests__/helpers/global-teardown.ts",
  transform: { "^.+\\.ts$": ["@swc/jest", { jsc: { parser: { syntax: "typescript" }, target: "es2022", keepClassNames: true } }] },
  moduleFileExtensions: ["ts", "js", "json"],
  snapshotFormat: { escapeString: false, printBasicPrototype: false },
};
