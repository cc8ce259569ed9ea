import { z } from "zod";
import { integer, oneOf, pattern, strictObject } from "./primitives";

export const instanceType = pattern(/^[a-z][a-z0-9-]*\d[a-z0-9-]*\.(nano|micro|small|medium|large|metal|\d*xlarge)$/, "an EC2 instance type such as t3.small or m7g.large");

export const fleetSchema = strictObject({
  instanceType: instanceType.default("t3.small").describe("Instance type of the application fleet."),
  minSize: integer(0, 1000, "a number of instances").default(1).describe("Smallest number of instances."),
  maxSize: integer(1, 1000, "a number of instances").default(2).describe("Largest number of instances."),
  desiredCapacity: integer(0, 1000, "a number of instances")
    .optional()
    .describe("Instances at creation only; afterwards Auto Scaling and CodeDeploy own it. Default: minSize."),
  subnets: oneOf(["private", "public"]).default("private").describe("Tier the instances run in."),
  appPort: integer(1024, 65535, "an unprivileged TCP port").default(3000).describe("Port the application listens on behind the load balancer."),
})
  .prefault({})
  .describe("Launch template and Auto Scaling group.");

export type FleetConfig = z.output<typeof fleetSchema>;
