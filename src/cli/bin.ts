#!/usr/bin/env node
import { main } from "./main.js";

// A reader that stops early (`layerfix . | head`) closes the pipe; the output
// is no longer wanted then, so stop quietly instead of printing a stack.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code !== "EPIPE") throw error;
  process.exit(process.exitCode ?? 0);
});

main(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
}).then((code) => {
  process.exitCode = code;
});
