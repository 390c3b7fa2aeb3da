/**
 * A failure to use the Docker client or engine. Messages of user-facing
 * cases end with what to do next.
 */
export class DockerError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "DockerError";
  }
}

/**
 * A Docker client that was requested by path (`--docker` or LAYERFIX_DOCKER)
 * but cannot be used: the file is missing, or it cannot build with BuildKit.
 */
export class DockerClientError extends DockerError {
  constructor(
    readonly path: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "DockerClientError";
  }
}

/** A Docker command that could not start, timed out or exited non-zero. */
export class DockerCommandError extends DockerError {
  constructor(
    message: string,
    readonly args: readonly string[],
    readonly exitCode: number | undefined,
    /** The last part of the command's stderr. */
    readonly stderr: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "DockerCommandError";
  }
}

/** An image reference that the engine has no image for. */
export class ImageNotFoundError extends DockerError {
  constructor(readonly reference: string) {
    super(
      `image \`${reference}\` is not found in the Docker engine. ` +
        "Build or load it first.",
    );
    this.name = "ImageNotFoundError";
  }
}

/** A build option that the client's builder does not support. */
export class BuildOptionError extends DockerError {
  constructor(
    readonly option: string,
    message: string,
  ) {
    super(message);
    this.name = "BuildOptionError";
  }
}
