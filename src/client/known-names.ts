/**
 * Names a store knows (the workflows and the queues workers registered), for checking the names a
 * client is given. Neither is ever unregistered, so a name once found stays known: the store is
 * asked again only for a name not seen yet, and a start by name costs no read after the first.
 */
export class KnownNames {
  private readonly names = new Set<string>();

  constructor(
    private readonly load: () => Promise<string[]>,
    private readonly unknown: (name: string, known: string[]) => Error,
  ) {}

  /** @throws the `unknown` error when the store does not know the name either. */
  async check(name: string): Promise<void> {
    if (this.names.has(name)) return;
    const known = await this.load();
    for (const each of known) this.names.add(each);
    if (!this.names.has(name)) throw this.unknown(name, known);
  }
}
