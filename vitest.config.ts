import { defineConfig } from "vitest/config";

// The conformance test reads BuildKit's parser test files from ../shared,
// which only CI has, so it runs on its own: npm run test:conformance.
const conformance = process.env.LAYERFIX_CONFORMANCE === "1";

export default defineConfig({
  test: {
    include: conformance ? ["test/conformance.test.ts"] : ["test/**/*.test.ts"],
    exclude: conformance
      ? ["node_modules/**"]
      : ["test/engine/**", "test/conformance.test.ts", "node_modules/**"],
    testTimeout: 30_000,
  },
});
