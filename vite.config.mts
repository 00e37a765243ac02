import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

/**
 * The renderer: src-renderer → dist/renderer. `base: './'` keeps asset URLs relative, so
 * the same build loads from browser mode's http://127.0.0.1:PORT/ and from the Electron
 * shell's linedesk://app/. No inlined assets and no module-preload polyfill: nothing that
 * the Content-Security-Policy (script-src 'self', no inline) would have to allow.
 */
export default defineConfig({
  root: here('./src-renderer'),
  base: './',
  plugins: [svelte({ configFile: here('./svelte.config.mjs') })],
  build: {
    outDir: here('./dist/renderer'),
    emptyOutDir: true,
    target: 'chrome120',
    sourcemap: false,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 600,
  },
  server: { host: '127.0.0.1', strictPort: false },
});
