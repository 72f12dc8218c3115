import { defineConfig } from "vitest/config";

// Named *.vitest.ts so that node:test (which runs every *.test.ts in npm test) leaves them alone.
export default defineConfig({
  test: { include: ["**/*.vitest.ts"] },
});
