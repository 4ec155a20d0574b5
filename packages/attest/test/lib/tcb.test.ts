// TCB level matching on Intel's real (signed) TCB info, for the real platform and for hypothetical
// older ones; and Intel's convergence of platform and QE / TDX module statuses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { converge, matchPlatformTcbLevel } from '../../src/lib/tcb.ts';
import { parseCollateral } from '../../src/index.ts';
import { vecText } from '../helpers/vectors.ts';

const sgxInfo = JSON.parse(parseCollateral(vecText('sgx/dcap-qvl_sgx_quote_collateral.json')).tcb_info);
const tdxInfo = JSON.parse(parseCollateral(vecText('tdx/dcap-qvl_tdx_quote_collateral.json')).tcb_info);
// The dcap-qvl SGX quote's PCK: components 11,11,2,2,255,1,0,… and PCESVN 13 (MANIFEST status
// ConfigurationAndSWHardeningNeeded).
const real = { tcbComponents: [11, 11, 2, 2, 255, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], pceSvn: 13 };

test('the real platform, newer and older hypothetical platforms', () => {
  assert.deepEqual(matchPlatformTcbLevel(sgxInfo, 3, real, undefined), {
    status: 'ConfigurationAndSWHardeningNeeded',
    advisoryIds: ['INTEL-SA-00289', 'INTEL-SA-00615'],
    tcbDate: '2024-03-13T00:00:00Z',
  });
  const comps = (c: number[]) => ({ ...real, tcbComponents: [...c, ...real.tcbComponents.slice(c.length)] });
  assert.equal(matchPlatformTcbLevel(sgxInfo, 3, comps([11, 11, 2, 2, 255, 1, 12]), undefined).status, 'SWHardeningNeeded');
  assert.equal(matchPlatformTcbLevel(sgxInfo, 3, comps([10, 11, 2, 2, 255, 1, 12]), undefined).status, 'OutOfDate');
  assert.deepEqual(matchPlatformTcbLevel(sgxInfo, 3, comps([10, 10, 2, 2, 255, 1, 0]), undefined).advisoryIds, [
    'INTEL-SA-00289',
    'INTEL-SA-00828',
    'INTEL-SA-00615',
  ]);
  assert.equal(matchPlatformTcbLevel(sgxInfo, 3, { ...comps([5, 5, 2, 2, 255, 1, 4]), pceSvn: 10 }, undefined).status, 'OutOfDate');
  assert.throws(() => matchPlatformTcbLevel(sgxInfo, 3, { ...real, pceSvn: 4 }, undefined), (e: { code?: string }) => e.code === 'ERR_QUOTE_TCB_UNKNOWN');
  assert.throws(() => matchPlatformTcbLevel(sgxInfo, 3, comps([4, 5, 2, 2, 255, 1, 4]), undefined), (e: { code?: string }) => e.code === 'ERR_QUOTE_TCB_UNKNOWN');
});

test('TDX: TEE_TCB_SVN against tdxtcbcomponents, bytes 0–1 left to the module identity', () => {
  // The dcap-qvl TDX quote: PCK components 2,2,2,2,3,1,0,5,… PCESVN 11, TEE_TCB_SVN 06 01 03 00….
  const pck = { tcbComponents: [2, 2, 2, 2, 3, 1, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0], pceSvn: 11 };
  const svn = (b: number[]) => Uint8Array.from([...b, ...new Array(16 - b.length).fill(0)]);
  assert.equal(matchPlatformTcbLevel(tdxInfo, 3, pck, svn([6, 1, 3])).status, 'UpToDate');
  // Module SVN byte 0 is not compared when byte 1 (module version) is set …
  assert.equal(matchPlatformTcbLevel(tdxInfo, 3, pck, svn([0, 1, 3])).status, 'UpToDate');
  // … but byte 2 is.
  assert.notEqual(
    (() => {
      try {
        return matchPlatformTcbLevel(tdxInfo, 3, pck, svn([6, 1, 0])).status;
      } catch (e) {
        return (e as { code: string }).code;
      }
    })(),
    'UpToDate',
  );
});

test('convergence with the QE / TDX module status (Intel QVL)', () => {
  assert.equal(converge('UpToDate', 'UpToDate'), 'UpToDate');
  assert.equal(converge('SWHardeningNeeded', 'UpToDate'), 'SWHardeningNeeded');
  assert.equal(converge('UpToDate', 'OutOfDate'), 'OutOfDate');
  assert.equal(converge('SWHardeningNeeded', 'OutOfDate'), 'OutOfDate');
  assert.equal(converge('ConfigurationNeeded', 'OutOfDate'), 'OutOfDateConfigurationNeeded');
  assert.equal(converge('ConfigurationAndSWHardeningNeeded', 'OutOfDate'), 'OutOfDateConfigurationNeeded');
  assert.equal(converge('UpToDate', 'Revoked'), 'Revoked');
  assert.equal(converge('Revoked', 'UpToDate'), 'Revoked');
});
