// The layers of LineDesk, checked on every `npm run lint` (docs/architecture.md draws them).
// Each folder of src-main may import only the folders listed for it; since that list is a
// DAG, folders cannot form a cycle, and no-circular catches cycles between files.

/** folder → the src-main folders it may import (besides itself). */
const allowed = {
  contract: [],
  common: [],
  sip: ['common', 'contract'],
  config: ['common', 'contract', 'sip'],
  recording: ['common', 'contract'],
  media: ['common', 'contract', 'recording'],
  calls: ['common', 'contract', 'media', 'sip'],
  dispatch: ['common', 'contract', 'config', 'calls'],
  agent: ['common', 'contract'],
  presence: ['common', 'contract'],
  stats: ['common', 'contract', 'config'],
  team: ['common', 'contract', 'config', 'stats'],
  integrations: ['common', 'contract', 'config', 'stats'],
  modules: ['common', 'contract', 'config', 'sip', 'recording', 'media', 'calls', 'dispatch', 'agent', 'presence', 'stats', 'team', 'integrations'],
  core: ['common', 'contract', 'config', 'sip', 'recording', 'media', 'calls', 'dispatch', 'agent', 'presence', 'stats', 'team', 'integrations', 'modules'],
  desk: ['common', 'contract', 'config'],
  web: ['common', 'contract', 'config', 'core', 'desk'],
  headless: ['common', 'contract', 'config', 'core', 'team'],
  'electron-main': ['common', 'contract', 'config', 'core', 'desk'],
  'electron-preload': ['contract'],
};

const layerRules = Object.entries(allowed).map(([folder, may]) => ({
  name: `layer-${folder}`,
  comment: `src-main/${folder} may import only ${may.length ? may.map((f) => `src-main/${f}`).join(', ') : 'nothing else in src-main'} (docs/architecture.md)`,
  severity: 'error',
  from: { path: `^src-main/${folder}/` },
  to: { path: '^src-main/', pathNot: `^src-main/(${[folder, ...may].join('|')})/` },
}));

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'No import cycles between files.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'electron-only-in-the-shell',
      comment: 'Only src-main/electron-* may import electron: everything else runs under plain Node (tests, benchmarks, the headless runner, browser mode).',
      severity: 'error',
      from: { pathNot: '^src-main/electron-' },
      to: { path: '(^|/)node_modules/electron/' },
    },
    {
      name: 'renderer-imports-the-contract-only',
      comment: 'The windows import src-main/contract and nothing else from src-main.',
      severity: 'error',
      from: { path: '^src-renderer/' },
      to: { path: '^src-main/', pathNot: '^src-main/contract/' },
    },
    {
      name: 'no-unknown-src-main-folder',
      comment: 'A new folder under src-main needs its place in the layers (.dependency-cruiser.cjs and docs/architecture.md).',
      severity: 'error',
      from: { path: '^src-main/', pathNot: `^src-main/(${Object.keys(allowed).join('|')})/` },
      to: {},
    },
    ...layerRules,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|release)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js', '.mjs', '.cjs', '.svelte', '.d.ts'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
