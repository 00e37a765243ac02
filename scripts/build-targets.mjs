// What `npm run build` makes, as separate targets, each with the sources it is made from:
// scripts/build-if-stale.mjs rebuilds a target only when one of them changed since its
// last build. The headless runner needs only `headless` (an esbuild bundle, under a second);
// the desktop windows need `renderer` (svelte-check and vite, the slow part).
import { join } from 'node:path';

const nodeTool = (root, ...path) => [process.execPath, join(root, 'node_modules', ...path)];

/** Files every target depends on: the dependencies and how they were installed. */
const manifests = ['package.json', 'package-lock.json', 'node_modules/.package-lock.json'];

/**
 * name → { inputs: folders and files (relative to the root; a folder counts its files with
 * one of `exts`, or all files without), outputs: files that must exist, steps }.
 * A step is a command [program, ...args] or an async function (root) that returns the files
 * the target was made from (then those are its inputs next time, besides `inputs`).
 */
export function buildTargets(root) {
  return {
    tsc: {
      inputs: ['src-main', 'test', 'bench', 'scripts', 'tsconfig.json', ...manifests],
      exts: ['.ts'],
      outputs: ['dist/.tsbuildinfo', 'dist/src-main/headless/cli.js'],
      steps: [[...nodeTool(root, 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json']],
    },
    renderer: {
      inputs: ['src-renderer', 'src-main/contract', 'tsconfig.renderer.json', 'vite.config.mts', 'svelte.config.mjs', ...manifests],
      outputs: ['dist/renderer/index.html'],
      steps: [
        [...nodeTool(root, 'svelte-check', 'bin', 'svelte-check'), '--tsconfig', './tsconfig.renderer.json', '--fail-on-warnings'],
        [...nodeTool(root, 'vite', 'bin', 'vite.js'), 'build'],
      ],
    },
    shell: {
      inputs: ['src-main', 'scripts/build-shell.mjs', ...manifests],
      exts: ['.ts'],
      outputs: ['dist/shell/main.js', 'dist/shell/preload.cjs'],
      steps: [[process.execPath, join(root, 'scripts', 'build-shell.mjs')]],
    },
    headless: {
      // The bundle holds dependencies too, but their files are not stat'ed one by one (a
      // start checks these, ~500 files otherwise): npm rewrites node_modules/.package-lock.json
      // whenever it changes the tree, and patches/ holds what postinstall applies on top.
      inputs: ['scripts/build-headless.mjs', 'patches', ...manifests],
      outputs: ['dist/linedesk/linedesk.cjs', 'dist/linedesk/media-worker-main.js'],
      steps: [async (r) => (await import('./build-headless.mjs')).buildHeadless(r).then((files) => files.filter((f) => !f.startsWith('node_modules/')))],
    },
  };
}

/** The order `npm run build` builds them in. */
export const allTargets = ['tsc', 'renderer', 'shell', 'headless'];
