import { z } from "zod";
import { integer, oneOf, pattern, strictObject } from "./primitives";

export const applicationSchema = strictObject({
  runtime: oneOf(["nodejs", "docker"])
    .default("nodejs")
    .describe("nodejs: CodeDeploy copies the build into `directory` and a systemd unit runs `npm start`. docker: instances pull and run the image from the environment's ECR repository."),
  port: integer(1024, 65535, "an unprivileged TCP port").default(3000).describe("Port the application listens on behind the load balancer."),
  directory: pattern(/^\/[A-Za-z0-9._/-]+$/, "an absolute directory path such as /opt/webapp")
    .optional()
    .describe("Where the application lives on the instances. Default: /opt/<app>."),
})
  .prefault({})
  .describe("The application the fleet runs.");

export type ApplicationConfig = z.output<typeof applicationSchema>;
