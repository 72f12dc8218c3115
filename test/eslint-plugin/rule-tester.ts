// ESLint's RuleTester under node:test, parsing TypeScript as users write it.
import { describe, it } from "node:test";
import { RuleTester } from "eslint";
import tseslint from "typescript-eslint";

RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

export const ruleTester = new RuleTester({ languageOptions: { parser: tseslint.parser } });

/** The import most cases start with. */
export const IMPORTS = `import { workflow, step, steps, transaction, sleep, waitForEvent, child, saga, now } from "endure";\n`;
