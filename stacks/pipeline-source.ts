import { PipelineSource } from "../constructs/pipeline";
import { DEFAULT_SOURCE_OBJECT_KEY, PipelineSourceConfig } from "../lib/config/release";

/**
 * The pipeline source a configuration describes (validation guarantees the fields each provider
 * needs). `objectKey` is the key of an s3 source when the configuration sets none.
 */
export function pipelineSource(config: PipelineSourceConfig, objectKey = DEFAULT_SOURCE_OBJECT_KEY): PipelineSource {
  switch (config.provider) {
    case "s3":
      return { kind: "s3", objectKey: config.objectKey ?? objectKey };
    case "codecommit":
      return { kind: "codecommit", repository: config.repository!, branch: config.branch! };
    default:
      return { kind: "connection", connectionArn: config.connectionArn!, repository: config.repository!, branch: config.branch! };
  }
}
