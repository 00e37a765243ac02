/**
 * The config LineDesk starts with when there is none yet (first launch of the desktop app,
 * `npm start` without --config): one line on a registrar on this machine, so the app opens
 * at once (the line shows its registration state) and the settings window can point it at
 * the real PBX. Valid against the config schema; no password.
 */
export function starterConfig(): Record<string, unknown> {
  return {
    transport: { protocol: 'udp', bind: '0.0.0.0:0' },
    registrar: { uri: 'sip:127.0.0.1:5060', backups: [] },
    lines: [{ id: 'line1', aor: 'sip:100@127.0.0.1', username: '100', password: '' }],
    store: { path: 'linedesk.sqlite' },
  };
}
