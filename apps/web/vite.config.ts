import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// In development the API runs on its own port (PORT of `reflector all`, 1250 by default); the dev server
// forwards /v1 to it, WebSockets included, so the app always talks to its own origin.
const api = process.env.REFLECTOR_API ?? 'http://localhost:1250';

export default defineConfig({
  plugins: [react()],
  server: {
    port: 3000,
    proxy: { '/v1': { target: api, ws: true, changeOrigin: true } },
  },
  preview: { port: 3000 },
  build: {
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 600,
  },
});
