import { describe, expect, it } from "vitest";
import { ParseError } from "../src/parse/errors.js";
import { parseDockerfile } from "../src/parse/index.js";
import { scanDockerfile } from "../src/parse/scanner.js";
import { validateInstructions } from "../src/parse/validate.js";

function validationError(text: string): ParseError {
  try {
    validateInstructions(scanDockerfile(text, "Dockerfile"));
  } catch (error) {
    if (error instanceof ParseError) return error;
    throw error;
  }
  return expect.fail("the instructions passed validation");
}

describe("validateInstructions", () => {
  it("places the error at the instruction's keyword", () => {
    const error = validationError("FROM a\n  ENV PATH\n");

    expect(error.line).toBe(2);
    expect(error.column).toBe(3);
    expect(error.path).toBe("Dockerfile");
    expect(error.describe()).toBe(
      "Dockerfile:2:3: ENV `PATH` has a name but no value. " +
        "Write `ENV PATH=value`, or `ENV PATH=` for an empty value",
    );
  });

  it("rejects a LABEL pair without =", () => {
    const error = validationError("FROM a\nLABEL a=1 \\\n  b\n");

    expect(error.line).toBe(2);
    expect(error.message).toMatch(/^LABEL `b` has no `=`/);
  });

  it("rejects non-string JSON in each exec form", () => {
    const cases = [
      'CMD [ "echo", [ "nested json" ] ]',
      'ENTRYPOINT ["a", 1]',
      'RUN ["a", true]',
      'SHELL ["a", {}]',
      'COPY ["a", null]',
      'ADD ["a", 2]',
      'VOLUME ["/a", 3]',
      'HEALTHCHECK CMD ["a", 4]',
      'ONBUILD RUN ["a", 5]',
    ];

    for (const line of cases) {
      const error = validationError(`FROM a\n${line}\n`);
      expect(error.line, line).toBe(2);
      expect(error.message, line).toMatch(/which is not a string/);
    }
  });

  it("accepts what only later BuildKit checks reject", () => {
    const text = [
      "FROM a",
      "HEALTHCHECK",
      "HEALTHCHECK CONNECT TCP 7000",
      "SHELL /bin/sh -c",
      "COPY --bogus=1 a b",
      "CMD --doit [ ]",
      "FOO bar",
      "ENV",
      "ONBUILD ONBUILD RUN a",
      "",
    ].join("\n");

    expect(() => validateInstructions(scanDockerfile(text))).not.toThrow();
  });

  it("accepts invalid JSON as the shell form", () => {
    const text = "FROM a\nCMD ['a']\nCMD [\"a\"\nRUN [1, 2\n";

    expect(() => validateInstructions(scanDockerfile(text))).not.toThrow();
  });

  it("runs inside parseDockerfile", () => {
    expect(() => parseDockerfile("FROM a\nENV PATH\n")).toThrow(ParseError);
  });
});
