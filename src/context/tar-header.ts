/** Size of a tar header block. */
export const TAR_BLOCK_SIZE = 512;

const CHECKSUM_START = 148;
const CHECKSUM_END = 156;

/**
 * Reports whether a block passes the header check of Go's `archive/tar`,
 * which BuildKit runs before it unpacks an `ADD` source. The stored
 * checksum is octal and must equal the sum of the block's bytes, counted
 * unsigned or signed, with the checksum field read as eight spaces. Any
 * header format passes, including V7 headers without the `ustar` magic.
 */
export function hasTarChecksum(block: Uint8Array): boolean {
  // NOTE: Go's reader also rejects a header whose numeric fields are
  // invalid, or whose PAX or GNU long-name data is cut short. Such files
  // pass here, so ADD stays where it would in fact copy the file.
  if (block.length < TAR_BLOCK_SIZE) return false;
  const stored = readOctal(block.subarray(CHECKSUM_START, CHECKSUM_END));
  if (stored === undefined) return false;
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < TAR_BLOCK_SIZE; i++) {
    const byte = i >= CHECKSUM_START && i < CHECKSUM_END ? 0x20 : block[i]!;
    unsigned += byte;
    signed += byte < 0x80 ? byte : byte - 0x100;
  }
  return stored === unsigned || stored === signed;
}

/**
 * Reads an octal field as Go's tar reader does: NULs and spaces around it
 * are trimmed and the digits end at the first NUL. An empty field reads
 * as 0, which no checksum equals, and other text is invalid.
 */
function readOctal(field: Uint8Array): number | undefined {
  const text = Buffer.from(field)
    .toString("latin1")
    .replace(/^[ \0]+|[ \0]+$/g, "");
  if (text === "") return 0;
  const digits = text.split("\0")[0]!;
  return /^[0-7]+$/.test(digits) ? parseInt(digits, 8) : undefined;
}
