/**
 * An image archive or folder that cannot be read. The message starts with
 * the path and ends with what to do next.
 */
export class ImageReadError extends Error {
  constructor(
    readonly path: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`${path}: ${message}`, options);
    this.name = "ImageReadError";
  }
}

/** A layout, JSON document or tar archive that breaks its format. */
export class ImageFormatError extends ImageReadError {
  constructor(path: string, message: string, options?: ErrorOptions) {
    super(path, message, options);
    this.name = "ImageFormatError";
  }
}

/** A manifest, config or layer that the image refers to but does not contain. */
export class MissingBlobError extends ImageReadError {
  constructor(
    path: string,
    readonly entry: string,
    readonly digest: string | undefined,
    message: string,
  ) {
    super(path, message);
    this.name = "MissingBlobError";
  }
}

/** No image, or more than one, fits the requested reference or platform. */
export class ImageSelectionError extends ImageReadError {
  constructor(
    path: string,
    readonly available: readonly string[],
    message: string,
  ) {
    super(path, message);
    this.name = "ImageSelectionError";
  }
}

/** A layer whose tar stream or entries cannot be applied. */
export class LayerFormatError extends ImageReadError {
  constructor(
    path: string,
    readonly layer: number,
    message: string,
    options?: ErrorOptions,
  ) {
    super(path, `layer ${layer}: ${message}`, options);
    this.name = "LayerFormatError";
  }
}

/** A tar stream that breaks the ustar, GNU or PAX format. */
export class TarFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TarFormatError";
  }
}

/** A `--platform` value that is not `os/architecture[/variant]`. */
export class PlatformSyntaxError extends Error {
  constructor(readonly value: string) {
    super(
      `invalid platform \`${value}\`. ` +
        "Write it as os/architecture[/variant], for example linux/arm64/v8.",
    );
    this.name = "PlatformSyntaxError";
  }
}

/** Compressed layer data that the gzip or zstd decoder rejects. */
export class CompressedDataError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "CompressedDataError";
  }
}

/** A size or share given as an option that cannot be parsed. */
export class OptionValueError extends Error {
  constructor(
    readonly value: string,
    message: string,
  ) {
    super(message);
    this.name = "OptionValueError";
  }
}
