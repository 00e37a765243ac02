import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseConfig } from '../../../src-main/config/load-config.js';
import { configIssues, minimalConfig } from '../../support/config-fixture.js';

describe('config: security', () => {
  test('defaults: no trusted source besides the PBX, MD5 and up, no RFC 2069 challenges, no version in User-Agent', () => {
    const c = parseConfig(minimalConfig);
    assert.deepEqual(c.security, { trustedSources: [], digest: { minAlgorithm: 'MD5', allowNoQop: false } });
    assert.equal(c.userAgent, 'LineDesk');
  });

  test('trustedSources takes IPv4/IPv6 addresses and CIDR ranges, and names what is wrong otherwise', () => {
    const ok = parseConfig({ ...minimalConfig, security: { trustedSources: ['192.0.2.10', '10.1.0.0/16', '2001:db8::/32', '::1'] } });
    assert.equal(ok.security.trustedSources.length, 4);
    assert.deepEqual(configIssues({ ...minimalConfig, security: { trustedSources: ['pbx.example.com', '10.0.0.0/33', '1.2.3.4/8/9'] } }), [
      'security.trustedSources[0]: "pbx.example.com" is not an IP address or CIDR range (e.g. "192.0.2.10" or "10.1.0.0/16")',
      'security.trustedSources[1]: "10.0.0.0/33" has a bad prefix length (0-32)',
      'security.trustedSources[2]: "1.2.3.4/8/9" is not an IP address or CIDR range (e.g. "192.0.2.10" or "10.1.0.0/16")',
    ]);
  });

  test('digest.minAlgorithm is MD5 or SHA-256', () => {
    assert.equal(parseConfig({ ...minimalConfig, security: { digest: { minAlgorithm: 'SHA-256', allowNoQop: true } } }).security.digest.minAlgorithm, 'SHA-256');
    assert.equal(configIssues({ ...minimalConfig, security: { digest: { minAlgorithm: 'SHA-1' } } }).length, 1);
  });
});
