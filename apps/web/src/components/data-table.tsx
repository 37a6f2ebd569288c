import { useVirtualizer } from '@tanstack/react-virtual';
import { type ReactNode, useMemo, useRef } from 'react';
import { nextSort, type SortState, sortBy } from '../lib/table-sort.ts';

export interface Column<T> {
  key: string;
  header: string;
  cell: (row: T) => ReactNode;
  /** Makes the column sortable by this value. */
  sortValue?: (row: T) => string | number | null | undefined;
  align?: 'start' | 'end';
  width?: string;
}

interface DataTableProps<T> {
  rows: readonly T[];
  columns: readonly Column<T>[];
  rowKey: (row: T) => string;
  /** Describes the table for screen readers (visually hidden). */
  caption: string;
  sort?: SortState;
  onSortChange?: (sort: SortState) => void;
  empty?: ReactNode;
  /** Rows are virtualised inside a scroll box of at most this height. */
  maxHeight?: number;
  rowHeight?: number;
  rowProps?: (row: T) => Record<string, string | undefined>;
}

/**
 * A sortable table that only renders the rows in view, so thousands of clusters or runs stay
 * smooth. It stays a real <table> (spacer rows above and below the window) so headers, reading
 * order and aria-rowcount work with assistive technology.
 */
export function DataTable<T>({
  rows,
  columns,
  rowKey,
  caption,
  sort,
  onSortChange,
  empty,
  maxHeight = 560,
  rowHeight = 41,
  rowProps,
}: DataTableProps<T>) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const sorted = useMemo(() => {
    const column = sort && columns.find((c) => c.key === sort.key);
    return column?.sortValue && sort ? sortBy(rows, column.sortValue, sort.direction) : [...rows];
  }, [rows, columns, sort]);
  const virtualizer = useVirtualizer({
    count: sorted.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowHeight,
    overscan: 12,
    initialRect: { width: 1000, height: maxHeight },
  });
  const items = virtualizer.getVirtualItems();
  const top = items[0]?.start ?? 0;
  const bottom = virtualizer.getTotalSize() - (items.at(-1)?.end ?? 0);
  return (
    <div className="table-scroll" ref={scrollRef} style={{ maxHeight }}>
      <table className="data-table" aria-rowcount={sorted.length + 1}>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr aria-rowindex={1}>
            {columns.map((c) => {
              const active = sort?.key === c.key;
              return (
                <th
                  key={c.key}
                  scope="col"
                  style={c.width ? { width: c.width } : undefined}
                  className={c.align === 'end' ? 'num' : undefined}
                  aria-sort={active ? (sort.direction === 'asc' ? 'ascending' : 'descending') : undefined}
                >
                  {c.sortValue && onSortChange ? (
                    <button
                      type="button"
                      className="sort"
                      onClick={() => onSortChange(nextSort(sort, c.key))}
                    >
                      {c.header}
                      <span aria-hidden="true">
                        {active ? (sort.direction === 'asc' ? ' ▲' : ' ▼') : ' ↕'}
                      </span>
                    </button>
                  ) : (
                    c.header
                  )}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {sorted.length === 0 && (
            <tr>
              <td colSpan={columns.length} className="empty">
                {empty ?? 'Nothing to show'}
              </td>
            </tr>
          )}
          {top > 0 && (
            <tr className="spacer">
              <td colSpan={columns.length} style={{ height: top }} />
            </tr>
          )}
          {items.map((item) => {
            const row = sorted[item.index] as T;
            return (
              <tr
                key={rowKey(row)}
                aria-rowindex={item.index + 2}
                data-index={item.index}
                ref={virtualizer.measureElement}
                {...rowProps?.(row)}
              >
                {columns.map((c) => (
                  <td key={c.key} className={c.align === 'end' ? 'num' : undefined}>
                    {c.cell(row)}
                  </td>
                ))}
              </tr>
            );
          })}
          {bottom > 0 && (
            <tr className="spacer">
              <td colSpan={columns.length} style={{ height: bottom }} />
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
