// The signed-in person and their API keys.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ApiError, unwrap } from './client.ts';
import { getToken } from './session.ts';
import type { paths } from './schema';

type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;
export type Me = NonNullable<Json<paths['/v1/me']['get']['responses'][200]>>;
export type ApiKey = Json<paths['/v1/user/api-keys']['get']['responses'][200]>[number];
export type NewApiKey = Json<paths['/v1/user/api-keys']['post']['responses'][200]>;

export const accountKeys = {
  me: ['me'] as const,
  apiKeys: ['me', 'api-keys'] as const,
};

/** The signed-in user, or null: without a token, or with one the server no longer accepts. */
export function useMe() {
  return useQuery({
    queryKey: accountKeys.me,
    queryFn: async (): Promise<Me | null> => {
      if (!getToken()) return null;
      try {
        return (await unwrap(api.GET('/v1/me'))) ?? null;
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) return null;
        throw err;
      }
    },
    staleTime: 5 * 60_000,
  });
}

export function useApiKeys(enabled: boolean) {
  return useQuery({
    queryKey: accountKeys.apiKeys,
    queryFn: () => unwrap(api.GET('/v1/user/api-keys')),
    enabled,
  });
}

export function useCreateApiKey() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (name: string | null) => unwrap(api.POST('/v1/user/api-keys', { body: { name } })),
    onSuccess: () => void qc.invalidateQueries({ queryKey: accountKeys.apiKeys }),
    meta: { showsOwnError: true },
  });
}

export function useDeleteApiKey() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (keyId: string) => unwrap(api.DELETE('/v1/user/api-keys/{key_id}', { params: { path: { key_id: keyId } } })),
    onSuccess: () => void qc.invalidateQueries({ queryKey: accountKeys.apiKeys }),
  });
}
