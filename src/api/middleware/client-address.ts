import type { Context } from 'hono'
import ipaddr from 'ipaddr.js'

/**
 * The address of the client: the TCP peer, or, behind a trusted reverse proxy, the last address of
 * X-Forwarded-For (the one that proxy appended; the earlier ones are whatever the client sent).
 */
export function clientAddress(c: Context, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = c.req
      .header('x-forwarded-for')
      ?.split(',')
      .map((part) => part.trim())
      .at(-1)
    const address = forwarded && normalize(forwarded)
    if (address) return address
  }
  // @hono/node-server passes the Node request as `c.env.incoming`.
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined
  const peer = env?.incoming?.socket?.remoteAddress
  return (peer && normalize(peer)) || 'unknown'
}

/** Valid addresses normalized lately: a client sends many requests, and parsing is most of the cost. */
const normalized = new Map<string, string>()
const NORMALIZED_MAX = 10_000

/** `::ffff:10.0.0.1` is 10.0.0.1: one client, one key. Undefined for what is not an IP address. */
function normalize(address: string): string | undefined {
  const known = normalized.get(address)
  if (known !== undefined) return known
  if (!ipaddr.isValid(address)) return undefined
  const parsed = ipaddr.parse(address)
  const result =
    parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()
      ? (parsed as ipaddr.IPv6).toIPv4Address().toString()
      : parsed.toString()
  if (normalized.size >= NORMALIZED_MAX) normalized.clear()
  normalized.set(address, result)
  return result
}
