import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router-dom';
import { ApiError, errorMessage } from './api/client.ts';
import { prefetchForLocation } from './api/prefetch.ts';
import { App } from './App.tsx';
import { authConfigQuery } from './api/auth.ts';
import { AuthGate } from './components/AuthGate.tsx';
import { toast } from './components/toasts.ts';
import './styles/app.css';

// Failures of mutations without their own error display, and of background refetches, reach the person
// as a toast; nothing fails silently.
const queryClient = new QueryClient({
  queryCache: new QueryCache({
    onError: (err, query) => {
      if (query.state.data !== undefined) toast(`Could not refresh: ${errorMessage(err)}`, 'error');
    },
  }),
  mutationCache: new MutationCache({
    onError: (err, _v, _c, mutation) => {
      if (!mutation.meta?.showsOwnError) toast(errorMessage(err), 'error');
    },
  }),
  defaultOptions: {
    queries: {
      staleTime: 10_000,
      refetchOnWindowFocus: false,
      retry: (count, err) => !(err instanceof ApiError && err.status >= 400 && err.status < 500) && count < 2,
    },
  },
});

void queryClient.prefetchQuery(authConfigQuery);
prefetchForLocation(queryClient, window.location.pathname);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <BrowserRouter>
        <AuthGate>
          <App />
        </AuthGate>
      </BrowserRouter>
    </QueryClientProvider>
  </StrictMode>,
);
