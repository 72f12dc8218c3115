/**
 * Listens from the call on (call it before telling anyone the command is up, or a signal in between
 * ends the process at once): resolves on the first SIGINT or SIGTERM, or when the `endure dev` that spawned this process goes
 * away (its IPC channel closes), so the command can stop gracefully. A second signal exits at once
 * (130) for someone who does not want to wait.
 */
export function untilStopSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop).off("SIGTERM", stop).off("disconnect", stop);
      process.once("SIGINT", () => process.exit(130)).once("SIGTERM", () => process.exit(130));
      resolve();
    };
    process.on("SIGINT", stop).on("SIGTERM", stop);
    if (process.connected) process.on("disconnect", stop);
  });
}
