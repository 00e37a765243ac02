import { build, transform } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileModule } from 'svelte/compiler';
import { repoRoot } from '../../support/paths.js';

/**
 * Loads a renderer module that uses Svelte runes (`*.svelte.ts`) in Node: esbuild bundles it
 * with what it imports, each `.svelte.ts` compiled by Svelte's compiler for the client (the
 * runes need no DOM), and `svelte` itself is loaded from node_modules.
 */
export async function loadRuneModule<T>(pathInRenderer: string): Promise<T> {
  const entry = join(repoRoot(), 'src-renderer', 'src', pathInRenderer);
  const outfile = fileURLToPath(new URL(`./rune-modules/${basename(entry).replace(/\.ts$/, '')}.mjs`, import.meta.url));
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    external: ['svelte', 'svelte/*'],
    logLevel: 'warning',
    plugins: [
      {
        name: 'svelte-runes',
        setup(b) {
          b.onLoad({ filter: /\.svelte\.ts$/ }, async (args) => {
            const js = (await transform(await readFile(args.path, 'utf8'), { loader: 'ts' })).code;
            return { contents: compileModule(js, { filename: args.path, generate: 'client' }).js.code, loader: 'js' };
          });
        },
      },
    ],
  });
  return (await import(outfile)) as T;
}
