import {
  checkEngine,
  findDockerClient,
  type DockerClient,
} from "../docker/client.js";

/** No usable Docker client, or an engine that does not respond to it. */
export class EngineUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EngineUnavailableError";
  }
}

/**
 * Finds a Docker client as findDockerClient does and checks that its
 * engine responds. Throws EngineUnavailableError, whose message names the
 * client tried and how to point at another, and DockerClientError for an
 * unusable client from `--docker` or LAYERFIX_DOCKER.
 */
export async function connectDocker(
  docker: string | undefined,
  env: NodeJS.ProcessEnv,
): Promise<DockerClient> {
  const client = await findDockerClient({ docker, env });
  if (client === undefined) {
    throw new EngineUnavailableError(
      "no Docker client that builds with BuildKit was found: tried " +
        "`docker` on PATH and /usr/bin/docker. Install Docker, or pass " +
        "the client's path with --docker or LAYERFIX_DOCKER.",
    );
  }

  const status = await checkEngine(client);
  if (status.available) return client;
  throw new EngineUnavailableError(
    `the Docker engine does not respond to \`${client.path}\` ` +
      `(${describeEndpoint(env)}): ${status.reason}. Start the engine, ` +
      "point at a running one with DOCKER_HOST or DOCKER_CONTEXT, or pass " +
      "another client with --docker.",
  );
}

function describeEndpoint(env: NodeJS.ProcessEnv): string {
  if (env.DOCKER_HOST) return `DOCKER_HOST=${env.DOCKER_HOST}`;
  if (env.DOCKER_CONTEXT) return `DOCKER_CONTEXT=${env.DOCKER_CONTEXT}`;
  return "the client's default engine";
}
