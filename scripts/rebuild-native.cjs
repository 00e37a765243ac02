// electron-builder `beforeBuild` hook: rebuilds the native modules that need it for the
// Electron being packaged, then tells electron-builder to skip its own rebuild (returning
// false), which would also try audify. audify is N-API and builds with cmake-js, which
// @electron/rebuild cannot drive; its Node build loads in Electron unchanged.
// better-sqlite3 is rebuilt (or its Electron prebuild fetched) by @electron/rebuild.
const NEEDS_REBUILD = ['better-sqlite3'];

module.exports = async function rebuildNative(context) {
  const { rebuild } = await import('@electron/rebuild');
  await rebuild({
    buildPath: context.appDir,
    electronVersion: context.electronVersion,
    arch: context.arch,
    onlyModules: NEEDS_REBUILD,
    force: true,
  });
  return false;
};
