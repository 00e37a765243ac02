import type { ChartConfiguration } from 'chart.js';
import type { StatsSummary } from '../../../../src-main/contract/control-events.js';
import type { Translate } from '../../i18n/i18n.svelte.js';

/** Colours with at least 3:1 contrast against the card background (WCAG 1.4.11). */
const palette = ['#1f6feb', '#1a7f37', '#bc4c00', '#8250df', '#cf222e', '#6e7781'];

export function perHourChart(s: StatsSummary, t: Translate): { config: ChartConfiguration<'bar'>; summary: string } {
  const hours = s.callsPerHour.map((_, h) => String(h).padStart(2, '0'));
  const busy = s.callsPerHour.map((n, h) => ({ n, h })).filter((x) => x.n > 0);
  return {
    config: {
      type: 'bar',
      data: { labels: hours, datasets: [{ label: t('stats.calls'), data: s.callsPerHour, backgroundColor: palette[0] }] },
      options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
    },
    summary: `${t('stats.perHour')}: ${busy.map((x) => `${String(x.h).padStart(2, '0')}h ${x.n}`).join(', ') || '0'}`,
  };
}

export function dispositionsChart(s: StatsSummary, t: Translate): { config: ChartConfiguration<'doughnut'>; summary: string } {
  const parts: [string, number][] = [
    [t('disp.answered'), s.answered],
    [t('disp.declined'), s.declined],
    [t('disp.missed'), s.missed],
    [t('stats.abandoned'), s.abandoned],
    [t('stats.elsewhere'), s.answeredElsewhere],
    [t('stats.failed'), s.failed],
  ];
  return {
    config: {
      type: 'doughnut',
      data: { labels: parts.map((p) => p[0]), datasets: [{ data: parts.map((p) => p[1]), backgroundColor: palette }] },
      options: { plugins: { legend: { position: 'right' } } },
    },
    summary: `${t('stats.dispositions')}: ${parts.map(([label, n]) => `${label} ${n}`).join(', ')}`,
  };
}
