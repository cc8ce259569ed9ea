import * as ipaddr from "ipaddr.js";

/** An IPv4 block as two 32-bit unsigned numbers: its first address and its prefix length. */
export interface Ipv4Cidr {
  readonly network: number;
  readonly prefix: number;
}

/**
 * Parses an IPv4 CIDR that is written in network form (host bits zero).
 * `10.0.0.1/16` is refused: AWS would silently widen it, and a typo there
 * usually means the author meant another block.
 */
export function parseCidr(text: string): Ipv4Cidr | undefined {
  if (!ipaddr.IPv4.isValidCIDR(text)) return undefined;
  const [address, prefix] = ipaddr.IPv4.parseCIDR(text);
  const network = toNumber(address.toByteArray());
  if ((network & hostMask(prefix)) >>> 0 !== 0) return undefined;
  return { network, prefix };
}

/** True for an IPv4 or IPv6 CIDR such as `203.0.113.0/24` or `::/0`. */
export function isCidr(text: string): boolean {
  if (ipaddr.IPv4.isValidCIDR(text)) return parseCidr(text) !== undefined;
  return ipaddr.IPv6.isValidCIDR(text);
}

export function isIpv6Cidr(text: string): boolean {
  return ipaddr.IPv6.isValidCIDR(text);
}

export function formatCidr(cidr: Ipv4Cidr): string {
  const n = cidr.network;
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}/${cidr.prefix}`;
}

/** Terraform's `cidrsubnet(prefix, newbits, netnum)`, computed at synth time so plans show real blocks. */
export function cidrSubnet(parent: Ipv4Cidr, newBits: number, netNum: number): Ipv4Cidr {
  const prefix = parent.prefix + newBits;
  if (prefix > 32) throw new Error(`cannot add ${newBits} bits to /${parent.prefix}`);
  if (netNum < 0 || netNum >= 2 ** newBits) throw new Error(`network number ${netNum} does not fit in ${newBits} bits`);
  return { network: (parent.network + netNum * 2 ** (32 - prefix)) >>> 0, prefix };
}

export function overlaps(a: Ipv4Cidr, b: Ipv4Cidr): boolean {
  const prefix = Math.min(a.prefix, b.prefix);
  const mask = ~hostMask(prefix) >>> 0;
  return (a.network & mask) >>> 0 === (b.network & mask) >>> 0;
}

function hostMask(prefix: number): number {
  return prefix === 0 ? 0xffffffff : (2 ** (32 - prefix) - 1) >>> 0;
}

function toNumber(bytes: number[]): number {
  return ((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0;
}
