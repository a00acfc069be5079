import { readFileSync } from 'node:fs';

export interface DocColumn {
  name: string;
  type: string;
  constraints: string;
  description: string;
}

export interface DocTable {
  name: string;
  columns: DocColumn[];
  uniqueCombinations: string[][];
}

export interface SchemaDoc {
  tables: DocTable[];
  enums: Record<string, string[]>;
}

/** Where docs/schema.md's own additions (helper tables) begin; everything before it is the given design. */
const EXTENSIONS_HEADING = /\n+## Extensions: helper tables\n/;

/** The given design: the document without its extensions section. */
export function givenSchema(text: string): string {
  const match = EXTENSIONS_HEADING.exec(text);
  return match ? text.slice(0, match.index) : text;
}

/** Reads the tables, composite constraints and enums out of the schema document's markdown. */
export function parseSchemaDoc(path: string): SchemaDoc {
  const text = givenSchema(readFileSync(path, 'utf8'));
  const [tablesPart, enumsPart = ''] = text.split(/^## Enums\s*$/m);
  const tables = tablesPart!
    .split(/^### \d+\. /m)
    .slice(1)
    .map((section) => {
      const name = section.split('\n', 1)[0]!.trim();
      const columns = section
        .split('\n')
        .filter((line) => line.startsWith('| ') && !line.startsWith('| Column') && !line.startsWith('|--'))
        .map((line) => {
          const [column, type, constraints, description] = line
            .split('|')
            .slice(1, 5)
            .map((cell) => cell.trim());
          return { name: column!, type: type!, constraints: constraints!, description: description! };
        });
      const uniqueCombinations = [...section.matchAll(/^- Unique combination of (\w+) and (\w+)/gm)].map((m) => [m[1]!, m[2]!]);
      return { name, columns, uniqueCombinations };
    });
  const enums: Record<string, string[]> = {};
  for (const section of enumsPart.split(/^### /m).slice(1)) {
    const [heading, ...lines] = section.split('\n');
    enums[heading!.trim()] = lines.filter((l) => l.startsWith('- ')).map((l) => l.slice(2).trim());
  }
  return { tables, enums };
}
