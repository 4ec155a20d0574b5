// AMD SEV-SNP: MANIFEST facts for every report, VCEK windows, wrong VCEK, pinned ARK.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeEvidence, verifySevReport, AMD_ARK_GENOA_DER } from '../src/index.ts';
import { SEV_FACTS } from './helpers/manifest-facts.ts';
import { SEV_CASES, vec, vecText } from './helpers/vectors.ts';

async function rejects(p: Promise<unknown>, code: string) {
  await assert.rejects(p, (e: { code?: string }) => {
    assert.equal(e.code, code);
    return true;
  });
}

const opts = (c: (typeof SEV_CASES)[number], at: string | Date) => ({
  at: new Date(at),
  vcek: c.vcek.endsWith('.pem') ? vecText(c.vcek) : vec(c.vcek),
  certChain: vecText(c.chain),
});

for (const c of SEV_CASES) {
  const e = SEV_FACTS[c.report] as Record<string, any>;
  test(`${c.report}: verifies with the MANIFEST facts`, async () => {
    const f = await verifySevReport(decodeEvidence(vec(c.report)), opts(c, c.at));
    const d = f.details as Record<string, any>;
    assert.equal(f.tee, 'sev-snp');
    assert.equal(f.measurement, e.measurement);
    assert.equal(f.reportData, e.reportData);
    assert.equal(f.debug, e.debug);
    assert.equal(d.version, e.version);
    assert.equal(d.vmpl, e.vmpl);
    assert.equal(d.guestSvn, e.guestSvn);
    assert.equal(d.policy, e.policy);
    assert.equal(d.smtAllowed, true);
    assert.equal(d.platformInfo, e.platformInfo);
    assert.equal(d.chipId, e.chipId);
    assert.equal(d.reportId, e.reportId);
    assert.equal(d.reportedTcb.raw, e.reportedTcb);
    assert.deepEqual([d.reportedTcb.bootloader, d.reportedTcb.tee, d.reportedTcb.snp, d.reportedTcb.microcode], e.tcb);
    assert.match(f.measurements.host_data!, /^(00)+$/);
    assert.equal(d.chainValidity.notBefore, new Date(e.chainWindow[0]).toISOString());
    assert.equal(d.chainValidity.notAfter, new Date(e.chainWindow[1]).toISOString());
  });

  test(`${c.report}: chain window edges`, async () => {
    const r = decodeEvidence(vec(c.report));
    await rejects(verifySevReport(r, opts(c, new Date(Date.parse(e.chainWindow[0]) - 1000))), 'ERR_CERT_NOT_YET_VALID');
    await rejects(verifySevReport(r, opts(c, new Date(Date.parse(e.chainWindow[1]) + 1000))), 'ERR_CERT_EXPIRED');
  });
}

test('a VCEK from another chip, a foreign ARK, a missing ASK', async () => {
  const [milan, gcp] = SEV_CASES;
  const report = vec(gcp.report);
  await rejects(verifySevReport(report, { ...opts(gcp, gcp.at), vcek: vec(milan.vcek) }), 'ERR_SEV_SIGNATURE');
  await rejects(verifySevReport(report, { ...opts(gcp, gcp.at), trustedRoots: [AMD_ARK_GENOA_DER] }), 'ERR_ROOT_UNTRUSTED');
  await rejects(verifySevReport(report, { ...opts(gcp, gcp.at), certChain: undefined }), 'ERR_CERT_CHAIN');
  // The GCP reports differ only in VMPL/report_data; each verifies only as itself.
  await rejects(verifySevReport(vec('sev/teekit_sev-gcp.bin'), { ...opts(gcp, gcp.at), reportData: SEV_FACTS['sev/teekit_sev-gcp-reportdata.bin'].reportData }), 'ERR_REPORT_DATA_MISMATCH');
  await verifySevReport(report, { ...opts(gcp, gcp.at), measurements: [SEV_FACTS[gcp.report].measurement] });
  await assert.rejects(verifySevReport(report, { at: new Date() } as never), TypeError);
});
