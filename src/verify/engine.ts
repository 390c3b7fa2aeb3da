import {
  checkEngine,
  findDockerClient,
  type DockerClient,
  type FindClientOptions,
} from "../docker/client.js";

/**
 * The paths findDockerClient tries after `docker` on PATH by default. The
 * docker module keeps the same list private, so it is repeated here.
 */
const PACKAGED_CLIENTS = ["/usr/bin/docker"];

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
  options: FindClientOptions,
): Promise<DockerClient> {
  const env = options.env ?? process.env;
  const packagedClients = options.packagedClients ?? PACKAGED_CLIENTS;
  const client = await findDockerClient({ ...options, packagedClients });
  if (client === undefined) {
    const tried = ["`docker` on PATH", ...packagedClients].join(", ");
    throw new EngineUnavailableError(
      `no Docker client that builds with BuildKit was found (tried ` +
        `${tried}). Install Docker, or pass the client's path with ` +
        "--docker or LAYERFIX_DOCKER.",
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
