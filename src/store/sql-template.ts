/**
 * Turns a tagged template (`tx.sql\`... ${value} ...\``) into SQL text with one placeholder per
 * value, in the database's own style, and the values as parameters: never spliced into the text.
 */
export function fromTemplate(
  strings: TemplateStringsArray,
  values: readonly unknown[],
  placeholder: (index: number) => string,
): { text: string; params: unknown[] } {
  let text = strings[0]!;
  values.forEach((_, index) => {
    text += placeholder(index) + strings[index + 1]!;
  });
  return { text, params: [...values] };
}
