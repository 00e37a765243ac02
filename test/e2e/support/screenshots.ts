import { join } from 'node:path';
import { repoRoot } from '../../support/paths.js';

/**
 * Where the e2e suites save their screenshots: test-results/screenshots on every run; the
 * README's copies in docs/screenshots only when LINEDESK_UPDATE_SCREENSHOTS=1 asks for it.
 */
export const screenshotDir = process.env.LINEDESK_UPDATE_SCREENSHOTS === '1' ? join(repoRoot(), 'docs', 'screenshots') : join(repoRoot(), 'test-results', 'screenshots');
