import { Command } from "commander";
import { createMetrics } from "../../index.js";
import { examples, storeOption, withEndure } from "../client-options.js";
import { commandLogger } from "../logger.js";
import { type ListenOptions, listenOptions, serveApi } from "../server-options.js";
import { untilStopSignal } from "../stop-signal.js";

interface ServeOptions extends ListenOptions {
  store?: string;
}

export function serveCommand(): Command {
  const command = new Command("serve").description("serve the HTTP API over a store, without running workflows").addOption(storeOption());
  listenOptions(command, { port: 7070 }).action((options: ServeOptions) => serve(options));
  return examples(command, "endure serve --port 7070", "ENDURE_API_TOKEN=s3cret endure serve --host 0.0.0.0 --store postgres://endure:secret@db:5432/app");
}

async function serve(options: ServeOptions): Promise<void> {
  await withEndure(options, async (endure) => {
    const logger = commandLogger("json");
    const server = await serveApi(endure, options, { logger, metrics: createMetrics({ endure, logger }) });
    try {
      // Listening before saying so: a Ctrl-C right after the line stops the server gracefully.
      const stopSignal = untilStopSignal();
      console.log(`Endure API listening at ${server.url}. Ctrl-C stops it.`);
      await stopSignal;
    } finally {
      await server.close();
    }
  });
}
