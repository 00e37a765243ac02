import type { CoreModule } from '../modules/module-api.js';

/**
 * The order modules are installed in: each after the providers of what it needs (a
 * topological sort, ties kept in the given order). Throws, naming the modules, when a need
 * has no provider, a service has two, or the needs form a cycle.
 */
export function installOrder(modules: readonly CoreModule[]): CoreModule[] {
  const provider = new Map<string, CoreModule>();
  for (const m of modules) {
    for (const id of m.provides ?? []) {
      const other = provider.get(id.name);
      if (other) throw new Error(`modules ${other.name} and ${m.name} both provide "${id.name}"`);
      provider.set(id.name, m);
    }
  }
  const deps = new Map<CoreModule, CoreModule[]>();
  for (const m of modules) {
    deps.set(
      m,
      (m.needs ?? []).map((id) => {
        const p = provider.get(id.name);
        if (!p) throw new Error(`module ${m.name} needs "${id.name}", which no installed module provides`);
        return p;
      }),
    );
  }
  const order: CoreModule[] = [];
  const state = new Map<CoreModule, 'visiting' | 'done'>();
  const visit = (m: CoreModule, path: CoreModule[]): void => {
    const s = state.get(m);
    if (s === 'done') return;
    if (s === 'visiting') {
      const cycle = [...path.slice(path.indexOf(m)), m].map((x) => x.name).join(' → ');
      throw new Error(`modules need each other in a cycle: ${cycle}`);
    }
    state.set(m, 'visiting');
    for (const d of deps.get(m) ?? []) visit(d, [...path, m]);
    state.set(m, 'done');
    order.push(m);
  };
  for (const m of modules) visit(m, []);
  return order;
}
