import { lazy, Suspense } from 'react';
import { Navigate, Route, Routes } from 'react-router-dom';
import { Layout } from './components/Layout.tsx';
import { Loading } from './components/Notice.tsx';
import { NewTranscriptPage } from './pages/NewTranscript.tsx';
import { NotFoundPage } from './pages/NotFound.tsx';

// The transcript, correction and browse pages carry the player and the virtualised lists: loaded on
// demand so the first page stays light.
const UploadPage = lazy(() => import('./pages/Upload.tsx'));
const ProcessingPage = lazy(() => import('./pages/Processing.tsx'));
const TranscriptPage = lazy(() => import('./pages/Transcript.tsx'));
const CorrectPage = lazy(() => import('./pages/Correct.tsx'));
const BrowsePage = lazy(() => import('./pages/Browse.tsx'));
const LoginPage = lazy(() => import('./pages/Login.tsx'));
const AuthCallbackPage = lazy(() => import('./pages/AuthCallback.tsx'));
const ApiKeysPage = lazy(() => import('./pages/ApiKeys.tsx'));

export function App() {
  return (
    <Layout>
      <Suspense fallback={<Loading />}>
        <Routes>
          <Route path="/" element={<Navigate to="/transcripts/new" replace />} />
          <Route path="/transcripts/new" element={<NewTranscriptPage />} />
          <Route path="/transcripts/:id/upload" element={<UploadPage />} />
          <Route path="/transcripts/:id/processing" element={<ProcessingPage />} />
          <Route path="/transcripts/:id/correct" element={<CorrectPage />} />
          <Route path="/transcripts/:id" element={<TranscriptPage />} />
          <Route path="/browse" element={<BrowsePage />} />
          <Route path="/settings/api-keys" element={<ApiKeysPage />} />
          <Route path="/login" element={<LoginPage />} />
          <Route path="/auth/callback" element={<AuthCallbackPage />} />
          <Route path="*" element={<NotFoundPage />} />
        </Routes>
      </Suspense>
    </Layout>
  );
}
