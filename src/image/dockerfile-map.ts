import type { InspectReport, LayerReport } from "./report.js";

/** A Dockerfile instruction as the caller's parser reports it. */
export interface DockerfileInstruction {
  /** 1-based line where the instruction starts. */
  line: number;
  /** Instruction keyword, in any case: `RUN`, `copy`. */
  keyword: string;
  /** Instruction text as written, with or without the keyword. */
  text: string;
}

/** The layerfix transforms that remove waste found in an image. */
export type WasteTransformId = "apt-lists-cleanup" | "merge-runs";

export interface WasteFix {
  transform: WasteTransformId;
  /**
   * Wasted bytes the fix removes. For apt-lists-cleanup only the listed
   * largest files count, so the real number can be higher.
   */
  bytes: number;
  /** The layer that deletes the bytes, for merge-runs. */
  hidingLayer?: number;
  hidingInstruction?: DockerfileInstruction;
  message: string;
}

export interface LayerWasteMapping {
  layer: number;
  /** The matching instruction, or undefined when no text matched. */
  instruction?: DockerfileInstruction;
  wastedBytes: number;
  fixes: WasteFix[];
}

const APT_LISTS = "/var/lib/apt/lists/";
const APT_UPDATE = /\bapt(?:-get)?\s+(?:-\S+\s+)*update\b/;

/** Classic builder history for COPY and ADD: `COPY file:<hash> in /app`. */
const CLASSIC_COPY = /^(?:file|dir|multi):\S+ in (.+)$/;

/**
 * Matches each layer's instruction to a Dockerfile instruction by text, in
 * order, and names the transform that would remove the layer's waste:
 * apt-lists-cleanup for package lists that `apt-get update` wrote, and
 * merge-runs for files that a later RUN deletes. Layers of the base image
 * match nothing, so they get no instruction.
 */
export function mapWasteToDockerfile(
  report: InspectReport,
  instructions: readonly DockerfileInstruction[],
): LayerWasteMapping[] {
  const matched = matchInstructions(report.layers, instructions);
  return report.layers.map((layer, index) => ({
    layer: layer.index,
    instruction: matched[index],
    wastedBytes: layer.wastedBytes,
    fixes: findFixes(report, layer, matched),
  }));
}

/**
 * Matches layers to instructions in order: each match starts after the
 * previous one, so repeated text maps to the right copy.
 */
function matchInstructions(
  layers: readonly LayerReport[],
  instructions: readonly DockerfileInstruction[],
): (DockerfileInstruction | undefined)[] {
  let next = 0;
  return layers.map((layer) => {
    if (layer.instruction === undefined) return undefined;
    const expected = splitInstruction(layer.instruction);
    const position = instructions.findIndex(
      (instruction, i) => i >= next && isSameInstruction(expected, instruction),
    );
    if (position === -1) return undefined;
    next = position + 1;
    return instructions[position];
  });
}

interface InstructionText {
  keyword: string;
  /** Arguments with flags dropped and whitespace collapsed. */
  arguments: string;
}

function splitInstruction(text: string): InstructionText {
  const flat = text
    .replace(/\\\r?\n/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  const space = flat.indexOf(" ");
  const keyword = (space === -1 ? flat : flat.slice(0, space)).toUpperCase();
  const rest = space === -1 ? "" : flat.slice(space + 1);
  // BuildKit's history text can leave out flags such as --mount and
  // --from, so flags are dropped on both sides.
  return { keyword, arguments: rest.replace(/^(?:--\S+\s+)*/, "") };
}

function isSameInstruction(
  expected: InstructionText,
  instruction: DockerfileInstruction,
): boolean {
  const keyword = instruction.keyword.toUpperCase();
  const asWritten = splitInstruction(instruction.text);
  const written =
    asWritten.keyword === keyword
      ? asWritten
      : splitInstruction(`${keyword} ${instruction.text}`);
  if (expected.keyword !== written.keyword) return false;
  if (expected.arguments === written.arguments) return true;
  const destination = CLASSIC_COPY.exec(expected.arguments)?.[1];
  return (
    destination !== undefined && lastWord(written.arguments) === destination
  );
}

function lastWord(text: string): string {
  return text.split(" ").at(-1) ?? "";
}

function findFixes(
  report: InspectReport,
  layer: LayerReport,
  matched: readonly (DockerfileInstruction | undefined)[],
): WasteFix[] {
  if (layer.wastedBytes === 0 || !isRun(layer.instruction)) return [];
  const fixes: WasteFix[] = [];
  const aptFix = findAptListsFix(layer);
  if (aptFix !== undefined) fixes.push(aptFix);
  for (const group of layer.hiddenBy) {
    const hiding = report.layers[group.layer];
    if (group.reason !== "deleted" || group.layer === layer.index) continue;
    if (!isRun(hiding?.instruction)) continue;
    const hidingInstruction = matched[group.layer];
    fixes.push({
      transform: "merge-runs",
      bytes: group.bytes,
      hidingLayer: group.layer,
      hidingInstruction,
      message:
        `${describeRun(group.layer, hidingInstruction)} deletes ` +
        `${group.files === 1 ? "a file" : `${group.files} files`} that ` +
        "this `RUN` wrote, but they stay in this layer",
    });
  }
  return fixes;
}

function findAptListsFix(layer: LayerReport): WasteFix | undefined {
  if (!APT_UPDATE.test(layer.instruction ?? "")) return undefined;
  const lists = layer.largestWasted.filter((f) => f.path.startsWith(APT_LISTS));
  if (lists.length === 0) return undefined;
  return {
    transform: "apt-lists-cleanup",
    bytes: lists.reduce((total, file) => total + file.size, 0),
    message:
      "`apt-get update` leaves package lists in this layer, " +
      "and a later layer hides them",
  };
}

function isRun(instruction: string | undefined): boolean {
  return instruction !== undefined && /^RUN\s/i.test(instruction);
}

function describeRun(
  layer: number,
  instruction: DockerfileInstruction | undefined,
): string {
  return instruction === undefined
    ? `the \`RUN\` of layer ${layer}`
    : `the \`RUN\` at line ${instruction.line}`;
}
