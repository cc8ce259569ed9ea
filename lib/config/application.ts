import { z } from "zod";
import { integer, oneOf, pattern, strictObject } from "./primitives";

/** A shell command on one line (it goes into buildspec.yml and the Dockerfile as written). */
const command = (example: string) => pattern(/^[^\n\r]*\S[^\n\r]*$/, `a shell command on one line, such as ${example}`);

const IMAGE_ALLOWED =
  "an image reference with a registry, a repository and a pinned tag other than latest, or a digest, such as public.ecr.aws/docker/library/node:22-alpine";
/** registry/repository:tag (tag not "latest") or registry/repository@sha256:digest. */
const baseImage = pattern(
  /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d+)?\/[a-z0-9]+([._/-][a-z0-9]+)*(:(?!latest$)[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[a-f0-9]{64})$/,
  IMAGE_ALLOWED,
);

/** One `docker run` argument; no whitespace or shell syntax, so it is placed in the script verbatim. */
const runArgument = pattern(/^[A-Za-z0-9=:,./_@%+-]+$/, "one docker run argument without spaces, quotes or shell syntax, such as --memory=512m");

const releaseSchema = strictObject({
  testCommand: command("npm test").default("npm test").describe("Runs the tests in CodeBuild (Node.js) or in the Dockerfile's build stage (Docker); a failure stops the release."),
  buildCommand: command("npm run build --if-present")
    .default("npm run build --if-present")
    .describe("Builds the application after `npm ci` and the tests, before development dependencies are pruned."),
  baseImage: baseImage
    .optional()
    .describe(
      "Base image of both Dockerfile stages (Docker runtime). Default: public.ecr.aws/docker/library/node:<goldenAmi.nodejsMajor>-alpine (ECR Public: no Docker Hub pull rate limit in CodeBuild).",
    ),
  containerRunArguments: z
    .array(runArgument)
    .default([])
    .describe("Extra `docker run` arguments for the application container (Docker runtime), e.g. --memory=512m or --cpus=1."),
  validateTimeoutSeconds: integer(60, 3600, "a number of seconds")
    .default(300)
    .describe("Timeout of the ValidateService hook; the health check retries on 127.0.0.1 for up to this time minus 30 seconds."),
})
  .prefault({})
  .describe("The release files generated into generated/<env>/ (appspec.yml, scripts/, buildspec.yml, Dockerfile).");

export const applicationSchema = strictObject({
  runtime: oneOf(["nodejs", "docker"])
    .default("nodejs")
    .describe("nodejs: CodeDeploy copies the build into `directory` and a systemd unit runs `npm start`. docker: instances pull and run the image from the environment's ECR repository."),
  port: integer(1024, 65535, "an unprivileged TCP port").default(3000).describe("Port the application listens on. On fleet instances Nginx (port 80, the load balancer's target) proxies to it, and only Nginx reaches it."),
  directory: pattern(/^\/[A-Za-z0-9._/-]+$/, "an absolute directory path such as /opt/webapp")
    .optional()
    .describe("Where the application lives on the instances. Default: /opt/<app>."),
  release: releaseSchema,
})
  .prefault({})
  .describe("The application the fleet runs.");

export type ApplicationConfig = z.output<typeof applicationSchema>;
