// ESLint: typescript-eslint's type-aware recommended rules on every TypeScript file,
// eslint-plugin-svelte on the windows. The layers (which folder may import which, no
// cycles, electron only in the shell) are checked by dependency-cruiser
// (.dependency-cruiser.cjs); `npm run lint` runs both.
import js from '@eslint/js';
import globals from 'globals';
import svelte from 'eslint-plugin-svelte';
import tseslint from 'typescript-eslint';
import svelteConfig from './svelte.config.mjs';

const untyped = tseslint.configs.disableTypeChecked;

export default tseslint.config(
  { ignores: ['dist/**', 'release/**', 'node_modules/**', '.cache/**', 'test-results/**', 'src-renderer/public/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['vite.config.mts'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // node:test's describe() and test() return promises the runner itself awaits.
      // `{ drop: _x, ...rest }` omits a field; `_arg` marks a parameter an interface imposes.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }],
      '@typescript-eslint/no-floating-promises': ['error', { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['describe', 'test', 'it', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] }] }],
    },
  },
  // Node: the core, the shell, tests, benchmarks.
  {
    files: ['src-main/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    languageOptions: { globals: { ...globals.node } },
  },
  // Plain JavaScript (scripts, config files): no type information.
  {
    files: ['**/*.{js,mjs,cjs}'],
    ...untyped,
    languageOptions: { ...untyped.languageOptions, globals: { ...globals.node } },
  },
  // Svelte components: eslint-plugin-svelte's rules; svelte-check (npm run build:renderer) type-checks them.
  ...svelte.configs.recommended,
  {
    files: ['src-renderer/**/*.svelte'],
    ...untyped,
    languageOptions: {
      ...untyped.languageOptions,
      globals: { ...globals.browser },
      parserOptions: { ...untyped.languageOptions?.parserOptions, parser: tseslint.parser, svelteConfig, extraFileExtensions: ['.svelte'] },
    },
  },
  // CommonJS files load modules with require() by definition.
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  // The windows' TypeScript (runes modules *.svelte.ts too): typed by their own tsconfig (DOM, bundler resolution).
  {
    files: ['src-renderer/**/*.ts'],
    languageOptions: {
      globals: { ...globals.browser },
      parserOptions: { parser: tseslint.parser, svelteConfig, projectService: false, project: './tsconfig.renderer.json', tsconfigRootDir: import.meta.dirname },
    },
  },
);
