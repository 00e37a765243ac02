/** The address of each window in browser mode; the token rides in the fragment, which never reaches a server log. */
export function windowUrls(origin: string, token: string, lines: string[], opts: { team?: boolean } = {}): { label: string; url: string }[] {
  const url = (query: string): string => `${origin}/?${query}#token=${token}`;
  return [
    { label: 'dashboard:', url: url('window=dashboard') },
    ...lines.map((line) => ({ label: `line ${line}:`, url: url(`window=line&line=${encodeURIComponent(line)}`) })),
    ...(opts.team ? [{ label: 'team:', url: url('window=team') }] : []),
    { label: 'settings:', url: url('window=settings') },
  ];
}
