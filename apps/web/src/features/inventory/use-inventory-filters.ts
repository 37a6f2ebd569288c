import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router';
import { type InventoryFilters, inventorySearchParams, parseInventoryFilters } from './inventory-filters.ts';

/** Filters live in the URL: typing replaces the history entry, so Back leaves the page. */
export function useInventoryFilters() {
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => parseInventoryFilters(params), [params]);
  const update = useCallback(
    (patch: Partial<InventoryFilters>) => {
      setParams((current) => inventorySearchParams({ ...parseInventoryFilters(current), ...patch }), {
        replace: true,
      });
    },
    [setParams],
  );
  return { filters, update };
}
