import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// In development the API runs on DOLLY_PORT (8080); in production the API serves dist/ itself.
export default defineConfig({
  plugins: [react()],
  server: {
    port: 5173,
    proxy: { '/api': `http://127.0.0.1:${process.env.DOLLY_PORT ?? 8080}` },
  },
  build: { outDir: 'dist', sourcemap: true, chunkSizeWarningLimit: 600 },
});
