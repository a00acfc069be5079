import type { ComponentChildren } from 'preact';

/**
 * A table in a box that scrolls sideways on narrow screens (the page itself never does); the caption
 * is for screen readers, `actions` adds a last column of buttons with a hidden heading.
 */
export function Table({
  caption,
  columns,
  actions = false,
  name,
  children,
}: {
  caption: string;
  columns: string[];
  actions?: boolean;
  /** A class for the table, for styles and tests. */
  name?: string;
  children: ComponentChildren;
}) {
  return (
    <div class="table-scroll">
      <table class={name}>
        <caption class="sr-only">{caption}</caption>
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column} scope="col">
                {column}
              </th>
            ))}
            {actions && (
              <th scope="col">
                <span class="sr-only">Actions</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}
