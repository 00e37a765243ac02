import type { UiLocale } from '../../../src-main/contract/ipc-contract.js';
import { en, type MessageKey } from './en.js';
import { zhCN } from './zh-CN.js';

/** The UI languages the settings accept; each must have a dictionary below. */
export type LocaleId = UiLocale;

export const localeChoices: readonly { id: LocaleId; name: string }[] = [
  { id: 'en', name: 'English' },
  { id: 'zh-CN', name: '简体中文' },
];

const dictionaries: Record<LocaleId, Record<MessageKey, string>> = { en, 'zh-CN': zhCN };

export function isLocale(s: string): s is LocaleId {
  return s in dictionaries;
}

export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

/** The window's language; components read `t` and re-render when `locale` changes. */
export class I18n {
  locale = $state<LocaleId>('en');

  t: Translate = (key, params) => {
    const text = dictionaries[this.locale][key];
    return params ? text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole)) : text;
  };

  set(locale: string): void {
    if (!isLocale(locale)) return;
    this.locale = locale;
    document.documentElement.lang = locale;
  }

  /** Numbers and times in the window's language. */
  get numberFormat(): Intl.NumberFormat {
    return new Intl.NumberFormat(this.locale, { maximumFractionDigits: 1 });
  }

  formatTime(ms: number): string {
    return new Intl.DateTimeFormat(this.locale, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }).format(ms);
  }
}
