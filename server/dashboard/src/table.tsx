import type { ComponentChildren } from 'preact';

/**
 * A table in a box that scrolls sideways on narrow screens (the page itself never does); the caption
 * is for screen readers, `actions` adds a last column of buttons with a hidden heading. With `stacked`,
 * each row becomes a card on a phone, its cells labelled by their `data-label`.
 */
export function Table({
  caption,
  columns,
  actions = false,
  name,
  stacked = false,
  children,
}: {
  caption: string;
  columns: string[];
  actions?: boolean;
  /** A class for the table, for styles and tests. */
  name?: string;
  stacked?: boolean;
  children: ComponentChildren;
}) {
  return (
    <div class="table-scroll">
      <table class={[name, stacked && 'stacked'].filter(Boolean).join(' ')}>
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
