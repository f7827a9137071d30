import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

// The app is served by the recoup binary at /; `npm run dev` proxies the API
// to a running `recoup serve` on 127.0.0.1:8080.
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
    rollupOptions: {
      output: {
        manualChunks(id: string): string | undefined {
          if (id.includes('node_modules/echarts') || id.includes('node_modules/zrender')) return 'charts';
          if (id.includes('node_modules/react') || id.includes('node_modules/scheduler')) return 'react';
          return undefined;
        },
      },
    },
  },
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
    // antd in jsdom is slow on a loaded 2-core machine: a form test that
    // takes 2 s alone took over 30 s beside parallel builds.
    testTimeout: 120_000,
  },
});
