import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

// Development server: the API (uvicorn on :8000 by default, `make serve`) answers every
// data path; the build is served by the API itself at `/`.
const api = process.env.TOWNSHIP_API ?? 'http://127.0.0.1:8000'
const proxied = ['/api', '/collections', '/map', '/tiles', '/glyphs', '/fonts']

export default defineConfig({
  base: '/',
  plugins: [vue()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 1600,
    rolldownOptions: {
      output: {
        // MapLibre and Element Plus change rarely: their own files stay cached.
        codeSplitting: {
          groups: [
            { name: 'maplibre', test: /node_modules[\\/]maplibre-gl/ },
            { name: 'element-plus', test: /node_modules[\\/](element-plus|@element-plus|@floating-ui|lodash)/ },
          ],
        },
      },
    },
  },
  server: {
    proxy: Object.fromEntries(proxied.map((p) => [p, { target: api, changeOrigin: false }])),
  },
})
