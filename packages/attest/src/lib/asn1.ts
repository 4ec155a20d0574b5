/**
 * Reading vendor-defined X.509 extension values (Intel SGX PCK, AMD VCEK) with asn1js: no X.509
 * library knows these structures. Used only on certificates whose chain is already verified, so the
 * bytes are the vendor's; each helper checks the ASN.1 type it expects and throws `code` otherwise.
 */
import * as asn1js from 'asn1js';
import { fail } from './bytes.ts';

/** Decodes exactly one element spanning all of `bytes`. */
export function asn1Single(bytes: Uint8Array, code: string, what: string): asn1js.AsnType {
  let parsed: ReturnType<typeof asn1js.fromBER>;
  try {
    parsed = asn1js.fromBER(bytes);
  } catch (e) {
    fail(code, `${what}: not DER`, e);
  }
  if (parsed.offset !== bytes.length || parsed.result.error) fail(code, `${what}: not one DER element`);
  return parsed.result;
}

/** The elements of a SEQUENCE (given as bytes or as a decoded element). */
export function sequenceOf(input: Uint8Array | asn1js.AsnType, code: string, what: string): asn1js.AsnType[] {
  const node = input instanceof Uint8Array ? asn1Single(input, code, what) : input;
  if (!(node instanceof asn1js.Sequence)) fail(code, `${what}: not a SEQUENCE`);
  return node.valueBlock.value;
}

/** An OID-tagged entry SEQUENCE { OBJECT IDENTIFIER, value }: the dotted OID and the value. */
export function oidEntry(node: asn1js.AsnType, code: string, what: string): [string, asn1js.AsnType] {
  const [oid, value] = sequenceOf(node, code, what);
  if (!(oid instanceof asn1js.ObjectIdentifier) || !value) fail(code, `${what}: malformed entry`);
  return [oid.valueBlock.toString(), value];
}

/** Content bytes of an OCTET STRING. */
export function octets(node: asn1js.AsnType, code: string, what: string): Uint8Array {
  if (!(node instanceof asn1js.OctetString) || node.idBlock.isConstructed) fail(code, `${what}: not an OCTET STRING`);
  return node.valueBlock.valueHexView;
}

/** A non-negative INTEGER of at most 6 content bytes, as a number. */
export function smallUint(node: asn1js.AsnType, code: string, what: string): number {
  if (!(node instanceof asn1js.Integer)) fail(code, `${what}: not an INTEGER`);
  const v = node.valueBlock.valueHexView;
  if (v.length === 0 || v.length > 6 || (v[0]! & 0x80) !== 0) fail(code, `${what}: integer out of range`);
  let n = 0;
  for (const b of v) n = n * 256 + b;
  return n;
}
