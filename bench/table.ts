/** A section of a printed table: a title line, then its rows. */
export interface Section {
  title: string;
  rows: string[][];
}

/**
 * Prints `sections` under `header`, each column as wide as its widest cell. Columns listed in
 * `rightAligned` (by index) are padded on the left, so numbers line up.
 */
export function printTable(header: string[], sections: readonly Section[], rightAligned: readonly number[] = []): void {
  const all = [header, ...sections.flatMap((section) => section.rows)];
  const widths = header.map((_, column) => Math.max(...all.map((row) => (row[column] ?? "").length)));
  const line = (row: string[]) =>
    ("  " + widths.map((width, column) => {
      const cell = row[column] ?? "";
      return rightAligned.includes(column) ? cell.padStart(width) : cell.padEnd(width);
    }).join("  ")).trimEnd();
  const rule = "  " + "-".repeat(widths.reduce((sum, width) => sum + width, 0) + 2 * (widths.length - 1));
  console.log(line(header));
  for (const section of sections) {
    console.log(rule);
    console.log(section.title);
    for (const row of section.rows) console.log(line(row));
  }
}
