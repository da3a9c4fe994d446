import dns, { type LookupAddress, type LookupAllOptions, type LookupOptions } from 'node:dns'
import net from 'node:net'
import ipaddr from 'ipaddr.js'
import { Agent, buildConnector } from 'undici'

type Address = ipaddr.IPv4 | ipaddr.IPv6
export type AllowedCidrs = readonly (readonly [Address, number])[]
/** Promise-style resolver used at subscription time; answers every A and AAAA record. */
export type LookupAll = (hostname: string) => Promise<readonly LookupAddress[]>
/** `dns.lookup`-style resolver used at connect time; always called with `all: true`. */
export type DnsLookup = (
  hostname: string,
  options: LookupAllOptions,
  callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void

export class EgressBlockedError extends Error {
  readonly code = 'ESSRFBLOCKED'
  override readonly name = 'EgressBlockedError'
  constructor(readonly reason: string) {
    super(`egress blocked: ${reason}`)
  }
}

/** Parses WEBHOOK_ALLOWED_CIDRS: comma-separated `address/prefix` items; empty or unset → []. */
export function parseAllowedCidrs(text: string | undefined): AllowedCidrs {
  const items = (text ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)
  return items.map((item) => {
    let cidr: [Address, number]
    try {
      cidr = ipaddr.parseCIDR(item)
    } catch {
      throw new Error(
        `WEBHOOK_ALLOWED_CIDRS: invalid CIDR "${item}" (expected address/prefix, e.g. 127.0.0.1/32)`,
      )
    }
    const [network, bits] = cidr
    // Addresses are unwrapped before matching, so a mapped CIDR must be unwrapped too.
    if (network instanceof ipaddr.IPv6 && network.isIPv4MappedAddress() && bits >= 96) {
      return [network.toIPv4Address(), bits - 96] as const
    }
    return [network, bits] as const
  })
}

const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR('2000::/3')
const CLOUD_METADATA = new Set(['169.254.169.254', '169.254.170.2', '100.100.100.200', 'fd00:ec2::254'])

export function classifyAddress(ip: string, allowed: AllowedCidrs): { allowed: boolean; range: string } {
  const { range, allowListed } = classify(ip, allowed)
  return { allowed: allowListed || range === 'unicast', range }
}

function classify(ip: string, allowed: AllowedCidrs): { range: string; allowListed: boolean } {
  if (!ipaddr.isValid(ip)) return { range: 'invalid', allowListed: false }
  let address: Address = ipaddr.parse(net.isIPv6(ip) ? hexTail(ip) : ip)
  if (address instanceof ipaddr.IPv6 && address.isIPv4MappedAddress()) address = address.toIPv4Address()
  let range: string = address.range()
  // ipaddr.js calls all of ::/8 (IPv4-compatible ::a.b.c.d included) unicast; only 2000::/3 is routable.
  if (range === 'unicast' && address instanceof ipaddr.IPv6 && !address.match(GLOBAL_UNICAST_V6)) {
    range = 'reserved'
  }
  const current = address
  const allowListed = allowed.some(
    ([network, bits]) => current.kind() === network.kind() && current.match(network, bits),
  )
  return { range, allowListed }
}

/** `::127.0.0.1` → `::7f00:1`: ipaddr.js reads the former as the IPv4-mapped `::ffff:127.0.0.1`. */
function hexTail(ip: string): string {
  return ip.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_tail, a, b, c, d) => {
    const group = (high: string, low: string) => ((Number(high) << 8) | Number(low)).toString(16)
    return `${group(a, b)}:${group(c, d)}`
  })
}

const RANGE_NAMES: Record<string, string> = {
  linkLocal: 'link-local',
  private: 'private (RFC 1918)',
  carrierGradeNat: 'carrier-grade NAT (100.64.0.0/10)',
  uniqueLocal: 'unique-local (fc00::/7)',
  invalid: 'not an IP address',
}

/** `169.254.169.254 is link-local (cloud metadata)` */
function describeAddress(ip: string, range: string): string {
  return `${ip} is ${describeRange(ip, range)}`
}

function describeRange(ip: string, range: string): string {
  const metadata = CLOUD_METADATA.has(ip.toLowerCase()) ? ' (cloud metadata)' : ''
  return `${RANGE_NAMES[range] ?? range}${metadata}`
}

function ipLiteral(hostname: string): string | undefined {
  const bare = hostname.replace(/^\[(.*)\]$/, '$1')
  return net.isIP(bare) ? bare : undefined
}

/** The first refused answer, as a reason, or undefined when every answer is allowed. */
function refusedAnswer(host: string, addresses: readonly LookupAddress[], allowed: AllowedCidrs) {
  if (addresses.length === 0) return `${host} has no address`
  for (const { address } of addresses) {
    const verdict = classifyAddress(address, allowed)
    if (!verdict.allowed)
      return `${host} resolves to ${address}, which is ${describeRange(address, verdict.range)}`
  }
  return undefined
}

const defaultLookupAll: LookupAll = (hostname) => dns.promises.lookup(hostname, { all: true })

/** Subscription-time check, for fast feedback; the connect-time guard is the one that counts. */
export async function checkWebhookUrl(
  url: string,
  options: { allowed: AllowedCidrs; production: boolean; lookup?: LookupAll },
): Promise<{ ok: true; url: URL } | { ok: false; reason: string }> {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return { ok: false, reason: 'not a valid URL' }
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    return { ok: false, reason: `scheme ${parsed.protocol} is not allowed (http or https only)` }
  }
  if (parsed.username || parsed.password)
    return { ok: false, reason: 'credentials in the URL are not allowed' }
  if (parsed.port === '0') return { ok: false, reason: 'port 0 is not allowed' }

  const literal = ipLiteral(parsed.hostname)
  let addresses: readonly LookupAddress[]
  if (literal) {
    const verdict = classifyAddress(literal, options.allowed)
    if (!verdict.allowed) return { ok: false, reason: describeAddress(literal, verdict.range) }
    addresses = [{ address: literal, family: net.isIP(literal) }]
  } else {
    try {
      addresses = await (options.lookup ?? defaultLookupAll)(parsed.hostname)
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? String(error)
      return { ok: false, reason: `cannot resolve ${parsed.hostname}: ${code}` }
    }
    const refused = refusedAnswer(parsed.hostname, addresses, options.allowed)
    if (refused) return { ok: false, reason: refused }
  }

  if (options.production && parsed.protocol === 'http:') {
    const allowListed = addresses.every(({ address }) => classify(address, options.allowed).allowListed)
    if (!allowListed) return { ok: false, reason: 'http is not allowed in production (use https)' }
  }
  return { ok: true, url: parsed }
}

export interface GuardedDispatcherOptions {
  allowed: AllowedCidrs
  /** headersTimeout and bodyTimeout of the Agent; the connect timeout is capped at 10 s. */
  timeoutMs: number
  /** Defaults to `dns.lookup`; tests inject a stub so that no real DNS query is made. */
  lookup?: DnsLookup
  /** Called just before a socket is opened, with the host it is opened for. */
  onConnect?: (host: string) => void
}

/**
 * An undici Agent that checks the address of every connection. A custom `lookup` alone is not enough:
 * net.connect never calls it for IP-literal hosts, so those are checked here first.
 */
export function createGuardedDispatcher(options: GuardedDispatcherOptions): Agent {
  const { allowed, onConnect } = options
  const resolve: DnsLookup = options.lookup ?? dns.lookup

  // net.connect asks for all answers when it races address families; any refused answer refuses the host.
  const guardedLookup = (
    hostname: string,
    lookupOptions: LookupOptions,
    callback: (
      error: NodeJS.ErrnoException | null,
      address: string | LookupAddress[],
      family?: number,
    ) => void,
  ) => {
    resolve(hostname, { ...lookupOptions, all: true }, (error, addresses) => {
      if (error) return callback(error, '')
      const refused = refusedAnswer(hostname, addresses, allowed)
      if (refused) return callback(new EgressBlockedError(refused), '')
      onConnect?.(hostname)
      const [first] = addresses
      if (lookupOptions.all || !first) return callback(null, addresses)
      callback(null, first.address, first.family)
    })
  }
  const connectTimeoutMs = Math.min(10_000, options.timeoutMs)
  const connectToChecked = buildConnector({ lookup: guardedLookup, timeout: connectTimeoutMs })

  return new Agent({
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
    maxResponseSize: 64 * 1024,
    connect: (connectOptions, callback) => {
      const literal = ipLiteral(connectOptions.hostname)
      if (literal) {
        const verdict = classifyAddress(literal, allowed)
        if (!verdict.allowed)
          return callback(new EgressBlockedError(describeAddress(literal, verdict.range)), null)
        onConnect?.(literal)
      }
      connectToChecked(connectOptions, callback)
    },
  })
}

/** The app refuses to start with an egress allow-list in production: it would open loopback or LAN to merchants. */
export function assertEgressConfigSafe(options: { production: boolean; allowed: AllowedCidrs }): void {
  if (options.production && options.allowed.length > 0) {
    throw new Error(
      'WEBHOOK_ALLOWED_CIDRS must be empty in production: it lets webhooks reach internal addresses',
    )
  }
}
