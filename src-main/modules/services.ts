/**
 * Services modules give each other (VS Code's service identifiers, in small): a module
 * declares the ids it provides and the ids it needs; the core installs it after the
 * providers of what it needs, and a module reads a service with `services.get(id)`.
 */
export interface ServiceId<T> {
  readonly name: string;
  /** Carries the type only; never set. */
  readonly _type?: T;
}

export function serviceId<T>(name: string): ServiceId<T> {
  return { name };
}

export class ServiceRegistry {
  readonly #services = new Map<string, unknown>();

  provide<T>(id: ServiceId<T>, service: T): void {
    if (this.#services.has(id.name)) throw new Error(`service "${id.name}" is already provided`);
    this.#services.set(id.name, service);
  }

  get<T>(id: ServiceId<T>): T {
    if (!this.#services.has(id.name)) throw new Error(`service "${id.name}" is not provided (is the module that provides it installed, and listed in this module's needs?)`);
    return this.#services.get(id.name) as T;
  }

  has(id: ServiceId<unknown>): boolean {
    return this.#services.has(id.name);
  }
}
