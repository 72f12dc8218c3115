/**
 * Resolves on the first SIGINT or SIGTERM, so the command can stop gracefully; a second one exits
 * at once (130) for someone who does not want to wait.
 */
export function untilStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off("SIGINT", onSignal).off("SIGTERM", onSignal);
      process.once("SIGINT", () => process.exit(130)).once("SIGTERM", () => process.exit(130));
      resolve(signal);
    };
    process.on("SIGINT", onSignal).on("SIGTERM", onSignal);
  });
}
