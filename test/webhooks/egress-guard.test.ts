import type { LookupAddress } from 'node:dns'
import { createServer, type RequestListener, type Server } from 'node:http'
import net, { type AddressInfo } from 'node:net'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import {
  type AllowedCidrs,
  assertEgressConfigSafe,
  checkWebhookUrl,
  classifyAddress,
  createGuardedDispatcher,
  type DnsLookup,
  EgressBlockedError,
  type LookupAll,
  parseAllowedCidrs,
} from '../../src/webhooks/egress-guard.js'

// Rule of this file: only loopback is ever connected to. Private and metadata addresses appear only as
// strings for the classifier or as answers of a DNS stub, and the guard refuses them before net.connect.

const NONE: AllowedCidrs = []
const LOOPBACK_V4 = parseAllowedCidrs('127.0.0.1/32')

describe('classifyAddress', () => {
  it.each([
    ['8.8.8.8', true, 'unicast'],
    ['1.1.1.1', true, 'unicast'],
    ['172.32.0.1', true, 'unicast'],
    ['127.0.0.1', false, 'loopback'],
    ['127.255.255.254', false, 'loopback'],
    ['10.0.0.1', false, 'private'],
    ['172.16.0.1', false, 'private'],
    ['172.31.255.255', false, 'private'],
    ['192.168.1.1', false, 'private'],
    ['169.254.169.254', false, 'linkLocal'],
    ['100.64.0.1', false, 'carrierGradeNat'],
    ['100.100.100.200', false, 'carrierGradeNat'],
    ['0.0.0.0', false, 'unspecified'],
    ['255.255.255.255', false, 'broadcast'],
    ['224.0.0.1', false, 'multicast'],
    ['192.0.2.1', false, 'reserved'],
    ['198.18.0.1', false, 'reserved'],
    ['240.0.0.1', false, 'reserved'],
    ['2606:4700:4700::1111', true, 'unicast'],
    ['::1', false, 'loopback'],
    ['::', false, 'unspecified'],
    ['fe80::1', false, 'linkLocal'],
    ['fe80::1%eth0', false, 'linkLocal'],
    ['fc00::1', false, 'uniqueLocal'],
    ['fd00:ec2::254', false, 'uniqueLocal'],
    ['ff02::1', false, 'multicast'],
    ['2002:a00:1::', false, '6to4'],
    ['64:ff9b::a00:1', false, 'rfc6052'],
    ['2001::1', false, 'teredo'],
    ['2001:db8::1', false, 'reserved'],
    ['fec0::1', false, 'deprecatedSiteLocal'],
    ['::127.0.0.1', false, 'reserved'],
    ['::8.8.8.8', false, 'reserved'],
    ['1::1', false, 'reserved'],
    ['::ffff:127.0.0.1', false, 'loopback'],
    ['::ffff:7f00:1', false, 'loopback'],
    ['::ffff:10.0.0.1', false, 'private'],
    ['::ffff:169.254.169.254', false, 'linkLocal'],
    ['::ffff:8.8.8.8', true, 'unicast'],
    ['::ffff:0:7f00:1', false, 'rfc6145'],
    ['localhost', false, 'invalid'],
    ['', false, 'invalid'],
  ])('%s → allowed %s (%s)', (ip, allowed, range) => {
    expect(classifyAddress(ip, NONE)).toEqual({ allowed, range })
  })

  it('lets an explicit allow-list win, exactly', () => {
    expect(classifyAddress('127.0.0.1', LOOPBACK_V4)).toEqual({ allowed: true, range: 'loopback' })
    expect(classifyAddress('::ffff:127.0.0.1', LOOPBACK_V4)).toEqual({ allowed: true, range: 'loopback' })
    expect(classifyAddress('127.0.0.2', LOOPBACK_V4).allowed).toBe(false)
    expect(classifyAddress('::1', LOOPBACK_V4).allowed).toBe(false)
    expect(classifyAddress('::1', parseAllowedCidrs('::1/128')).allowed).toBe(true)
    expect(classifyAddress('10.1.2.3', parseAllowedCidrs('10.0.0.0/8')).allowed).toBe(true)
  })
})

describe('parseAllowedCidrs', () => {
  it('reads comma-separated CIDRs; empty or unset is an empty list', () => {
    expect(parseAllowedCidrs(' 127.0.0.1/32 , ::1/128 ').map(([net, bits]) => `${net}/${bits}`)).toEqual([
      '127.0.0.1/32',
      '::1/128',
    ])
    expect(parseAllowedCidrs(undefined)).toEqual([])
    expect(parseAllowedCidrs('')).toEqual([])
  })

  it('unwraps IPv4-mapped CIDRs, as addresses are', () => {
    expect(parseAllowedCidrs('::ffff:127.0.0.1/128').map(([net, bits]) => `${net}/${bits}`)).toEqual([
      '127.0.0.1/32',
    ])
  })

  it.each(['127.0.0.1', '127.0.0.1/33', 'localhost/32', '::1/129'])('refuses %s, naming it', (bad) => {
    expect(() => parseAllowedCidrs(`::1/128,${bad}`)).toThrow(`"${bad}"`)
  })
})

describe('checkWebhookUrl', () => {
  const answers = (table: Record<string, string[]>) => {
    const asked: string[] = []
    const lookup: LookupAll = async (hostname) => {
      asked.push(hostname)
      const addresses = table[hostname]
      if (!addresses)
        throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' })
      return addresses.map((address) => ({ address, family: net.isIP(address) }))
    }
    return { lookup, asked }
  }
  const dns = answers({
    'hooks.shop.example': ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'],
    'intranet.shop.example': ['10.0.0.1'],
    'rebind.shop.example': ['93.184.215.14', '127.0.0.1'],
    'metadata.shop.example': ['169.254.169.254'],
    'localhost.shop.example': ['127.0.0.1'],
    'empty.shop.example': [],
  })
  const check = (url: string, production = false, allowed = NONE) =>
    checkWebhookUrl(url, { allowed, production, lookup: dns.lookup })

  afterEach(() => {
    dns.asked.length = 0
  })

  it('accepts a hostname whose every answer is public', async () => {
    const result = await check('https://hooks.shop.example/colis?x=1')
    expect(result).toEqual({ ok: true, url: new URL('https://hooks.shop.example/colis?x=1') })
    expect(dns.asked).toEqual(['hooks.shop.example'])
  })

  it.each([
    [
      'https://intranet.shop.example/',
      'intranet.shop.example resolves to 10.0.0.1, which is private (RFC 1918)',
    ],
    ['https://rebind.shop.example/', 'rebind.shop.example resolves to 127.0.0.1, which is loopback'],
    [
      'https://metadata.shop.example/',
      'metadata.shop.example resolves to 169.254.169.254, which is link-local (cloud metadata)',
    ],
    ['https://empty.shop.example/', 'empty.shop.example has no address'],
    ['https://nowhere.shop.example/', 'cannot resolve nowhere.shop.example: ENOTFOUND'],
  ])('refuses %s when any answer is refused', async (url, reason) => {
    expect(await check(url)).toEqual({ ok: false, reason })
  })

  it.each([
    ['http://169.254.169.254/latest/meta-data/', '169.254.169.254 is link-local (cloud metadata)'],
    ['http://2130706433/', '127.0.0.1 is loopback'],
    ['http://0x7f.1/', '127.0.0.1 is loopback'],
    ['http://0177.0.0.1/', '127.0.0.1 is loopback'],
    ['http://127.1/', '127.0.0.1 is loopback'],
    ['http://0xa9fea9fe/', '169.254.169.254 is link-local (cloud metadata)'],
    ['http://0/', '0.0.0.0 is unspecified'],
    ['http://[::]/', ':: is unspecified'],
    ['http://[::1]:8080/', '::1 is loopback'],
    ['http://[::ffff:127.0.0.1]/', '::ffff:7f00:1 is loopback'],
    ['http://[0:0:0:0:0:ffff:a9fe:a9fe]/', '::ffff:a9fe:a9fe is link-local'],
    ['http://[fd00:ec2::254]/', 'fd00:ec2::254 is unique-local (fc00::/7) (cloud metadata)'],
    ['http://10.0.0.1/', '10.0.0.1 is private (RFC 1918)'],
    ['http://100.64.0.1/', '100.64.0.1 is carrier-grade NAT (100.64.0.0/10)'],
  ])('checks the IP literal of %s without DNS', async (url, reason) => {
    expect(await check(url)).toEqual({ ok: false, reason })
    expect(dns.asked).toEqual([])
  })

  it.each([
    ['not a url', 'not a valid URL'],
    ['ftp://hooks.shop.example/', 'scheme ftp: is not allowed (http or https only)'],
    ['file:///etc/passwd', 'scheme file: is not allowed (http or https only)'],
    ['https://user:secret@hooks.shop.example/', 'credentials in the URL are not allowed'],
    ['https://hooks.shop.example:0/', 'port 0 is not allowed'],
  ])('refuses %s', async (url, reason) => {
    expect(await check(url)).toEqual({ ok: false, reason })
  })

  it('allows http outside production; in production only for allow-listed addresses', async () => {
    expect((await check('http://hooks.shop.example/')).ok).toBe(true)
    expect(await check('http://hooks.shop.example/', true)).toEqual({
      ok: false,
      reason: 'http is not allowed in production (use https)',
    })
    expect((await check('https://hooks.shop.example/', true)).ok).toBe(true)
    expect((await check('http://127.0.0.1:3000/', true, LOOPBACK_V4)).ok).toBe(true)
    expect((await check('http://localhost.shop.example/', true, LOOPBACK_V4)).ok).toBe(true)
  })

  it('keeps the allow-list exact', async () => {
    expect((await check('http://127.0.0.1:3000/hook', false, LOOPBACK_V4)).ok).toBe(true)
    expect(await check('http://127.0.0.2/', false, LOOPBACK_V4)).toEqual({
      ok: false,
      reason: '127.0.0.2 is loopback',
    })
    expect(await check('http://[::1]/', false, LOOPBACK_V4)).toEqual({ ok: false, reason: '::1 is loopback' })
  })
})

describe('createGuardedDispatcher, against a loopback receiver', () => {
  let server: Server
  let target: Server
  let port: number
  let targetPort: number
  let connections = 0
  let targetConnections = 0

  const listen = async (handler: RequestListener) => {
    const created = createServer(handler)
    await new Promise<void>((resolve) => created.listen(0, '127.0.0.1', resolve))
    return created
  }

  beforeAll(async () => {
    target = await listen((_req, res) => res.end('internal'))
    target.on('connection', () => targetConnections++)
    targetPort = (target.address() as AddressInfo).port
    server = await listen((req, res) => {
      if (req.url === '/redirect') {
        res.writeHead(302, { location: `http://127.0.0.1:${targetPort}/internal` }).end()
      } else {
        res.end('ok')
      }
    })
    server.on('connection', () => connections++)
    port = (server.address() as AddressInfo).port
  })

  afterAll(async () => {
    for (const created of [server, target]) {
      created.closeAllConnections()
      await new Promise((resolve) => created.close(resolve))
    }
  })

  afterEach(() => {
    connections = 0
    targetConnections = 0
    vi.restoreAllMocks()
  })

  const setup = (allowed: AllowedCidrs, answers?: Record<string, string[]>) => {
    const connected: string[] = []
    const asked: string[] = []
    const lookup: DnsLookup | undefined = answers
      ? (hostname, _options, callback) => {
          asked.push(hostname)
          const found = answers[hostname] ?? []
          const addresses: LookupAddress[] = found.map((address) => ({ address, family: net.isIP(address) }))
          if (addresses.length > 0) return process.nextTick(callback, null, addresses)
          const error = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' })
          process.nextTick(callback, error, [])
        }
      : undefined
    const dispatcher = createGuardedDispatcher({
      allowed,
      timeoutMs: 5_000,
      ...(lookup ? { lookup } : {}),
      onConnect: (host) => connected.push(host),
    })
    const get = (url: string) =>
      // @ts-expect-error undici's dispatcher option is not in the DOM RequestInit type
      globalThis.fetch(url, { dispatcher, redirect: 'manual', signal: AbortSignal.timeout(5_000) })
    return { dispatcher, connected, asked, get }
  }

  const blockedCause = async (request: Promise<Response>) => {
    const error = await request.then(
      () => undefined,
      (failure: unknown) => failure,
    )
    expect(error).toBeInstanceOf(TypeError)
    const cause = (error as TypeError).cause
    expect(cause).toBeInstanceOf(EgressBlockedError)
    expect(cause).toMatchObject({ code: 'ESSRFBLOCKED' })
    return (cause as EgressBlockedError).message
  }

  it('blocks the loopback receiver without an allow-list: 0 connect calls, 0 connections', async () => {
    const connect = vi.spyOn(net, 'connect')
    const { get, connected, dispatcher } = setup(NONE)
    expect(await blockedCause(get(`http://127.0.0.1:${port}/`))).toBe('egress blocked: 127.0.0.1 is loopback')
    expect(connect).not.toHaveBeenCalled()
    expect(connected).toEqual([])
    expect(connections).toBe(0)
    await dispatcher.close()
  })

  it('reaches it with 127.0.0.1/32 allow-listed', async () => {
    const connect = vi.spyOn(net, 'connect')
    const { get, connected, dispatcher } = setup(LOOPBACK_V4)
    const response = await get(`http://127.0.0.1:${port}/`)
    expect(response.status).toBe(200)
    expect(await response.text()).toBe('ok')
    expect(connect).toHaveBeenCalledTimes(1)
    expect(connected).toEqual(['127.0.0.1'])
    expect(connections).toBe(1)
    await dispatcher.close()
  })

  it('still blocks 127.0.0.2 and ::1 with that allow-list, before connecting', async () => {
    const connect = vi.spyOn(net, 'connect')
    const { get, connected, dispatcher } = setup(LOOPBACK_V4)
    expect(await blockedCause(get(`http://127.0.0.2:${port}/`))).toBe('egress blocked: 127.0.0.2 is loopback')
    expect(await blockedCause(get(`http://[::1]:${port}/`))).toBe('egress blocked: ::1 is loopback')
    expect(await blockedCause(get(`http://2130706434:${port}/`))).toBe(
      'egress blocked: 127.0.0.2 is loopback',
    )
    expect(connect).not.toHaveBeenCalled()
    expect(connected).toEqual([])
    expect(connections).toBe(0)
    await dispatcher.close()
  })

  it('does not follow a redirect to another loopback port', async () => {
    const { get, dispatcher } = setup(LOOPBACK_V4)
    const response = await get(`http://127.0.0.1:${port}/redirect`)
    expect(response.status).toBe(302)
    expect(response.headers.get('location')).toBe(`http://127.0.0.1:${targetPort}/internal`)
    expect(connections).toBe(1)
    expect(targetConnections).toBe(0)
    await dispatcher.close()
  })

  it('refuses a hostname resolving to 169.254.169.254 before connecting', async () => {
    const { get, connected, asked, dispatcher } = setup(LOOPBACK_V4, { 'metadata.test': ['169.254.169.254'] })
    expect(await blockedCause(get(`http://metadata.test:${port}/latest/meta-data/`))).toBe(
      'egress blocked: metadata.test resolves to 169.254.169.254, which is link-local (cloud metadata)',
    )
    expect(asked).toEqual(['metadata.test'])
    expect(connected).toEqual([])
    await dispatcher.close()
  })

  it('refuses a hostname when any answer is refused, and resolves allowed ones through the stub', async () => {
    const { get, connected, dispatcher } = setup(LOOPBACK_V4, {
      'mixed.test': ['127.0.0.1', '127.0.0.2'],
      'receiver.test': ['127.0.0.1'],
    })
    expect(await blockedCause(get(`http://mixed.test:${port}/`))).toBe(
      'egress blocked: mixed.test resolves to 127.0.0.2, which is loopback',
    )
    expect(connections).toBe(0)
    const response = await get(`http://receiver.test:${port}/`)
    expect(response.status).toBe(200)
    await response.text()
    expect(connected).toEqual(['receiver.test'])
    expect(connections).toBe(1)
    await dispatcher.close()
  })

  it('passes DNS failures through as they are', async () => {
    const { get, dispatcher } = setup(NONE, {})
    const error = await get(`http://nowhere.test:${port}/`).catch((failure: unknown) => failure)
    expect((error as TypeError).cause).toMatchObject({ code: 'ENOTFOUND' })
    await dispatcher.close()
  })
})

describe('assertEgressConfigSafe', () => {
  it('refuses an allow-list in production only', () => {
    expect(() => assertEgressConfigSafe({ production: true, allowed: LOOPBACK_V4 })).toThrow(
      /WEBHOOK_ALLOWED_CIDRS/,
    )
    expect(() => assertEgressConfigSafe({ production: true, allowed: NONE })).not.toThrow()
    expect(() => assertEgressConfigSafe({ production: false, allowed: LOOPBACK_V4 })).not.toThrow()
  })
})
