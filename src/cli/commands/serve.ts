import { Command } from "commander";
import { examples, storeOption, withEndure } from "../client-options.js";
import { startApi } from "../http-api.js";
import { cliLogger } from "../logger.js";
import { type ServerOptions, serverOptions } from "../server-options.js";
import { untilStopSignal } from "../stop-signal.js";

interface ServeOptions extends ServerOptions {
  store?: string;
}

export function serveCommand(): Command {
  const command = new Command("serve").description("serve the HTTP API (and the dashboard) over a store, without running workflows").addOption(storeOption());
  serverOptions(command, { port: 7070 }).action((options: ServeOptions) => serve(options));
  return examples(command, "endure serve --port 7070", "ENDURE_API_TOKEN=s3cret endure serve --host 0.0.0.0 --store postgres://endure:secret@db:5432/app");
}

async function serve(options: ServeOptions): Promise<void> {
  await withEndure(options, async (endure) => {
    const server = await startApi({ endure, host: options.host, port: options.port, token: options.token, cors: options.cors, logger: cliLogger });
    try {
      console.log(`Endure API listening at ${server.url}. Ctrl-C stops it.`);
      await untilStopSignal();
    } finally {
      await server.close();
    }
  });
}
