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
    if (forwarded && ipaddr.isValid(forwarded)) return normalize(forwarded)
  }
  // @hono/node-server passes the Node request as `c.env.incoming`.
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined
  const peer = env?.incoming?.socket?.remoteAddress
  return peer && ipaddr.isValid(peer) ? normalize(peer) : 'unknown'
}

/** `::ffff:10.0.0.1` is 10.0.0.1: one client, one key. */
function normalize(address: string): string {
  const parsed = ipaddr.parse(address)
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    return (parsed as ipaddr.IPv6).toIPv4Address().toString()
  }
  return parsed.toString()
}
