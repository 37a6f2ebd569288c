import type { RequestBody, Schemas } from '@dolly/api-client';
import { useQuery } from '@tanstack/react-query';
import { dolly, unwrap } from '../../lib/api-client.ts';

/** /api/v1/recipes (docs/environments.md, "Scheduled refresh"), through the typed client. */
export type Recipe = Schemas['EnvironmentRecipe'];
export type NewRecipe = RequestBody<'/api/v1/recipes', 'post'>;

export const recipeKeys = {
  all: ['recipes'] as const,
  runs: (id: string) => ['recipes', id, 'runs'] as const,
};

const byId = (id: string) => ({ params: { path: { id } } });

export const recipesApi = {
  list: async () => (await unwrap(dolly.GET('/api/v1/recipes'))).items,
  create: (body: NewRecipe) => unwrap(dolly.POST('/api/v1/recipes', { body })),
  setEnabled: (id: string, enabled: boolean) =>
    unwrap(dolly.PATCH('/api/v1/recipes/{id}', { ...byId(id), body: { enabled } })),
  remove: (id: string) => unwrap(dolly.DELETE('/api/v1/recipes/{id}', byId(id))),
  run: (id: string) => unwrap(dolly.POST('/api/v1/recipes/{id}/run', byId(id))),
};

export function useRecipes() {
  // a run's status changes while the page is open: the last-run column follows it
  return useQuery({ queryKey: recipeKeys.all, queryFn: recipesApi.list, refetchInterval: 5000 });
}
