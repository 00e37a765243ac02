#!/usr/bin/env node
// Renders LineDesk's icons from SVG with Debian's Chromium (playwright-core), so no image
// tools are needed: assets/icon/icon.png (512), icon.ico (16-256) and icon.icns (128-1024)
// from assets/icon/linedesk.svg, and one tray icon per agent state (16 px and @2x) in the
// colours of src-main/electron-main/tray-state.ts. Run after `npm run build`:
//   node scripts/make-icons.mjs
// The outputs are committed; rerun only when the artwork or the colours change.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, process.env.LINEDESK_DIST ?? 'dist', 'src-main/electron-main/tray-state.js');
const { trayColours } = await import(built).catch(() => {
  console.error('make-icons: run "npm run build" first (it reads the tray colours from dist/)');
  process.exit(1);
});
const appSvg = readFileSync(join(root, 'assets/icon/linedesk.svg'), 'utf8');
const traySvg = (colour) => `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">
  <circle cx="16" cy="16" r="15" fill="${colour}" stroke="#ffffff" stroke-width="1.5"/>
  <path fill="#ffffff" d="M10.5 8.5c1-1 2.6-1 3.6 0l1.6 1.6c.8.8.8 2.2 0 3l-.9.9c-.3.3-.3.8-.1 1.2.9 1.6 2.2 2.9 3.8 3.8.4.2.9.2 1.2-.1l.9-.9c.8-.8 2.2-.8 3 0l1.6 1.6c1 1 1 2.6 0 3.6l-.9.9c-1.5 1.5-3.8 1.8-5.6.8-4-2.3-7.3-5.6-9.6-9.6-1-1.8-.7-4.1.8-5.6z"/>
</svg>`;

const profile = mkdtempSync(join(tmpdir(), 'linedesk-icons-'));
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const page = await browser.newPage();
async function render(svg, size) {
  await page.setViewportSize({ width: size, height: size });
  await page.setContent(`<html><body style="margin:0;background:transparent">${svg.replace('<svg ', `<svg style="display:block;width:${size}px;height:${size}px" `)}</body></html>`);
  return page.screenshot({ omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } });
}

try {
  const iconDir = join(root, 'assets/icon');
  const png = {};
  for (const size of [16, 32, 48, 128, 256, 512, 1024]) png[size] = await render(appSvg, size);
  writeFileSync(join(iconDir, 'icon.png'), png[512]);
  writeFileSync(join(iconDir, 'icon.ico'), ico([16, 32, 48, 256].map((s) => [s, png[s]])));
  writeFileSync(join(iconDir, 'icon.icns'), icns([['ic07', png[128]], ['ic08', png[256]], ['ic09', png[512]], ['ic10', png[1024]]]));
  const trayDir = join(root, 'assets/tray');
  mkdirSync(trayDir, { recursive: true });
  for (const [state, colour] of Object.entries(trayColours)) {
    writeFileSync(join(trayDir, `tray-${state}.png`), await render(traySvg(colour), 16));
    writeFileSync(join(trayDir, `tray-${state}@2x.png`), await render(traySvg(colour), 32));
  }
  console.log(`make-icons: assets/icon/icon.{png,ico,icns}, assets/tray/tray-{${Object.keys(trayColours).join(',')}}.png`);
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}

/** An .ico of PNG images (Windows Vista and later read PNG entries). */
function ico(images) {
  const header = Buffer.alloc(6 + 16 * images.length);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(images.length, 4);
  let offset = header.length;
  images.forEach(([size, data], i) => {
    const e = 6 + 16 * i;
    header.writeUInt8(size >= 256 ? 0 : size, e);
    header.writeUInt8(size >= 256 ? 0 : size, e + 1);
    header.writeUInt16LE(1, e + 4);
    header.writeUInt16LE(32, e + 6);
    header.writeUInt32LE(data.length, e + 8);
    header.writeUInt32LE(offset, e + 12);
    offset += data.length;
  });
  return Buffer.concat([header, ...images.map(([, d]) => d)]);
}

/** An .icns of PNG entries (ic07 128 px … ic10 1024 px). */
function icns(entries) {
  const parts = entries.map(([type, data]) => {
    const head = Buffer.alloc(8);
    head.write(type, 0, 'ascii');
    head.writeUInt32BE(data.length + 8, 4);
    return Buffer.concat([head, data]);
  });
  const body = Buffer.concat(parts);
  const head = Buffer.alloc(8);
  head.write('icns', 0, 'ascii');
  head.writeUInt32BE(body.length + 8, 4);
  return Buffer.concat([head, body]);
}
