import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { describeClusterSeeds, hashTagOf, parseClusterSeeds } from '../../src/redis/cluster-seeds.js'
import { anyText } from '../support/arbitraries.js'

const hostname = fc.oneof(
  fc.ipV4(),
  fc.domain().filter((domain) => !domain.endsWith('.')),
  fc.constantFrom('localhost', 'redis-0'),
)
const port = fc.integer({ min: 1, max: 65535 })
const node = fc.record({ host: hostname, port })
const secret = anyText(40).filter((text) => text.length > 0)

describe('parseClusterSeeds', () => {
  it('reads host:port seeds, in order, without TLS or credentials', () => {
    fc.assert(
      fc.property(fc.array(node, { minLength: 1, maxLength: 6 }), (nodes) => {
        const text = nodes.map(({ host, port }) => ` ${host}:${port} `).join(',')
        expect(parseClusterSeeds(text)).toEqual({ seeds: { nodes, tls: false } })
      }),
    )
  })

  it('gives every seed the scheme and credentials of the seeds given as URLs, decoded', () => {
    fc.assert(
      fc.property(
        fc.array(node, { minLength: 1, maxLength: 4 }),
        node,
        fc.boolean(),
        fc.option(secret, { nil: undefined }),
        secret,
        (plain, first, tls, username, password) => {
          const userinfo = `${username === undefined ? '' : encodeURIComponent(username)}:${encodeURIComponent(password)}@`
          const url = `${tls ? 'rediss' : 'redis'}://${userinfo}${first.host}:${first.port}`
          const text = [url, ...plain.map(({ host, port }) => `${host}:${port}`)].join(',')
          expect(parseClusterSeeds(text)).toEqual({
            seeds: {
              nodes: [first, ...plain],
              tls,
              password,
              ...(username === undefined ? {} : { username }),
            },
          })
        },
      ),
    )
  })

  it('reads an IPv6 seed in brackets', () => {
    expect(parseClusterSeeds('[::1]:7000,rediss://[fd00::5]:7001')).toEqual({
      seeds: {
        nodes: [
          { host: '::1', port: 7000 },
          { host: 'fd00::5', port: 7001 },
        ],
        tls: true,
      },
    })
  })

  it.each([
    ['', 'no seed node'],
    [' , ', 'no seed node'],
    ['redis-0', 'is not host:port'],
    ['redis-0:0', 'is not host:port'],
    ['redis-0:65536', 'is not host:port'],
    ['redis-0:6379/1', 'is not host:port'],
    ['redis://redis-0', 'is not a URL such as redis://host:6379'],
    ['redis://redis-0:6379/2', 'database 0 only'],
    ['redis://a:6379,rediss://b:6379', 'differ in scheme, user or password'],
    ['redis://:one@a:6379,redis://:two@b:6379', 'differ in scheme, user or password'],
  ])('refuses %j: %s', (text, message) => {
    const parsed = parseClusterSeeds(text)
    expect(parsed).toEqual({ error: expect.stringContaining(message) })
  })

  it('never throws, and never repeats a password in its error', () => {
    fc.assert(
      fc.property(anyText(80), secret, (text, secretPart) => {
        const password = encodeURIComponent(`S3cret-${secretPart}`)
        const parsed = parseClusterSeeds(`redis://:${password}@/x,${text}`)
        expect(parsed).toEqual({ error: expect.not.stringContaining(password) })
        const any = parseClusterSeeds(text)
        if ('seeds' in any) for (const { port } of any.seeds.nodes) expect(port).toBeGreaterThanOrEqual(1)
      }),
    )
  })
})

describe('describeClusterSeeds', () => {
  it('names the seeds and TLS, never the credentials', () => {
    fc.assert(
      fc.property(fc.array(node, { minLength: 1, maxLength: 3 }), secret, (nodes, password) => {
        const described = describeClusterSeeds({ nodes, tls: true, username: 'colis', password })
        expect(described).toBe(`${nodes.map(({ host, port }) => `${host}:${port}`).join(',')} (TLS)`)
      }),
    )
  })
})

describe('hashTagOf', () => {
  const braceless = fc.string({ maxLength: 12 }).filter((text) => !/[{}]/.test(text))

  it('is the text between the first { and the next }, when not empty', () => {
    fc.assert(
      fc.property(braceless, braceless, fc.string({ maxLength: 12 }), (before, tag, after) => {
        expect(hashTagOf(`${before}{${tag}}${after}`)).toBe(tag === '' ? undefined : tag)
      }),
    )
  })

  it.each(['colis', 'colis}', '{colis', '{}colis', 'co}{lis'])('finds none in %j', (prefix) => {
    expect(hashTagOf(prefix)).toBeUndefined()
  })
})
