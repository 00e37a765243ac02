/** The few words the shell itself shows (tray menu, notifications), in the UI languages. */
const strings = {
  en: {
    incoming: 'Incoming call on line {line}',
    from: '{caller} → {dialled}',
    accept: 'Accept',
    decline: 'Decline',
    dashboard: 'Show dashboard',
    settings: 'Settings…',
    team: 'Team…',
    available: 'Available',
    pause: 'Pause',
    offline: 'Offline',
    quit: 'Quit LineDesk',
    startFailed: 'LineDesk could not start',
  },
  'zh-CN': {
    incoming: '线路 {line} 有来电',
    from: '{caller} → {dialled}',
    accept: '接听',
    decline: '拒接',
    dashboard: '显示工作台',
    settings: '设置…',
    team: '团队…',
    available: '空闲可用',
    pause: '暂停',
    offline: '离线',
    quit: '退出 LineDesk',
    startFailed: 'LineDesk 无法启动',
  },
} as const;

export type ShellStringKey = keyof (typeof strings)['en'];

export function shellText(locale: string, key: ShellStringKey, params: Record<string, string> = {}): string {
  const table = locale === 'zh-CN' ? strings['zh-CN'] : strings.en;
  return table[key].replace(/\{(\w+)\}/g, (whole, name: string) => params[name] ?? whole);
}
