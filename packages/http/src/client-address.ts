import proxyAddr from '@fastify/proxy-addr';
import ipaddr from 'ipaddr.js';
import { configError } from '@org/core/internal';

/** Decides which peers are trusted proxies; `undefined` trusts none. */
export type TrustedProxies = ((address: string, hop: number) => boolean) | undefined;

/**
 * Compiles the `trustProxy` option: addresses, CIDR ranges, or `loopback`/`linklocal`/`uniquelocal`
 * (Express's `trust proxy` list syntax, through `@fastify/proxy-addr`).
 *
 * @param trust - The option.
 * @throws BadRequest `invalid-configuration` for an entry that is not an address or range.
 */
export function compileTrustedProxies(trust: false | readonly string[] | undefined): TrustedProxies {
  if (trust === undefined || trust === false) return undefined;
  if (!Array.isArray(trust) || trust.some((entry) => typeof entry !== 'string')) {
    throw configError('trustProxy must be false or a list of proxy addresses or CIDR ranges');
  }
  try {
    return proxyAddr.compile([...trust]);
  } catch (error) {
    throw configError(`trustProxy: ${(error as Error).message}`);
  }
}

/**
 * The client's address: the peer's, unless it is a trusted proxy, in which case `X-Forwarded-For` is
 * walked from the right past every trusted hop (an untrusted peer's header is ignored: anyone can send one).
 *
 * @param peer - The socket's remote address.
 * @param forwardedFor - The `X-Forwarded-For` header.
 * @param trusted - From {@link compileTrustedProxies}.
 */
export function clientAddress(
  peer: string | undefined,
  forwardedFor: string | undefined,
  trusted: TrustedProxies,
): string | undefined {
  if (peer === undefined || trusted === undefined || forwardedFor === undefined) return peer;
  const request = { headers: { 'x-forwarded-for': forwardedFor }, socket: { remoteAddress: peer } };
  return proxyAddr(request as never, trusted);
}

/**
 * The key an address is counted under: IPv4 as it is (an IPv4-mapped IPv6 address as its IPv4), IPv6
 * by its /64 prefix, since one subscriber usually holds a whole /64.
 * @param address - A client address.
 */
export function addressKey(address: string): string {
  if (!ipaddr.isValid(address)) return address;
  const parsed = ipaddr.process(address);
  if (parsed.kind() === 'ipv4') return parsed.toString();
  const parts = (parsed as ipaddr.IPv6).parts.slice(0, 4).map((part) => part.toString(16));
  return `${parts.join(':')}::/64`;
}
