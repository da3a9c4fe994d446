/** The seed nodes of a Redis Cluster (REDIS_CLUSTER_NODES); the client finds the other nodes from them. */
export interface ClusterSeeds {
  nodes: Array<{ host: string; port: number }>
  /** TLS to every node (`rediss://` seeds). */
  tls: boolean
  /** ACL user and password of every node, from the seeds given as URLs. */
  username?: string
  password?: string
}

export type ClusterSeedsParse = { seeds: ClusterSeeds } | { error: string }

const HOST_PORT = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/

/**
 * `host:port,…`, each seed also allowed as `redis://[user:password@]host:port` or `rediss://…` (TLS).
 * A cluster has one password and one TLS setting, so the URL seeds must agree on them and the
 * `host:port` seeds take theirs.
 */
export function parseClusterSeeds(text: string): ClusterSeedsParse {
  const entries = text
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
  if (entries.length === 0) return { error: 'no seed node: give host:port, host:port,…' }
  const nodes: ClusterSeeds['nodes'] = []
  let access: Omit<ClusterSeeds, 'nodes'> | undefined
  for (const entry of entries) {
    const parsed = /^rediss?:\/\//.test(entry) ? parseSeedUrl(entry) : parseHostPort(entry)
    if ('error' in parsed) return parsed
    nodes.push(parsed.node)
    if (!parsed.access) continue
    if (access && !sameAccess(access, parsed.access)) {
      return {
        error: 'the seeds given as URLs differ in scheme, user or password: one cluster has one of each',
      }
    }
    access = parsed.access
  }
  return { seeds: { nodes, ...(access ?? { tls: false }) } }
}

type SeedParse =
  | { node: ClusterSeeds['nodes'][number]; access?: Omit<ClusterSeeds, 'nodes'> }
  | { error: string }

function parseHostPort(entry: string): SeedParse {
  const match = entry.match(HOST_PORT)
  const port = Number(match?.[2])
  if (!match?.[1] || !(port >= 1 && port <= 65535)) {
    return { error: `"${entry}" is not host:port (such as 10.0.0.5:6379) nor a redis:// or rediss:// URL` }
  }
  return { node: { host: match[1].replace(/^\[(.*)\]$/, '$1'), port } }
}

function parseSeedUrl(entry: string): SeedParse {
  const url = URL.canParse(entry) ? new URL(entry) : undefined
  const describe = `"${entry.replace(/\/\/.*@/, '//…@')}"`
  if (!url?.hostname || !url.port) return { error: `${describe} is not a URL such as redis://host:6379` }
  if (!['', '/', '/0'].includes(url.pathname) || url.search || url.hash) {
    return { error: `${describe}: a Redis Cluster has database 0 only; give no path or query` }
  }
  const node = parseHostPort(`${url.hostname}:${url.port}`)
  if ('error' in node) return { error: `${describe} is not a URL such as redis://host:6379` }
  const access: Omit<ClusterSeeds, 'nodes'> = { tls: url.protocol === 'rediss:' }
  if (url.username) access.username = decodeURIComponent(url.username)
  if (url.password) access.password = decodeURIComponent(url.password)
  return { node: node.node, access }
}

function sameAccess(a: Omit<ClusterSeeds, 'nodes'>, b: Omit<ClusterSeeds, 'nodes'>): boolean {
  return a.tls === b.tls && a.username === b.username && a.password === b.password
}

/** Seeds as `host:port,…`, for a person: never a password. */
export function describeClusterSeeds(seeds: ClusterSeeds): string {
  const hosts = seeds.nodes.map(({ host, port }) => `${host.includes(':') ? `[${host}]` : host}:${port}`)
  return `${hosts.join(',')}${seeds.tls ? ' (TLS)' : ''}`
}

/**
 * The hash tag every key under `prefix` carries, if the prefix fixes one: Redis Cluster hashes only the
 * text between the first `{` of a key and the next `}` when that text is not empty.
 */
export function hashTagOf(prefix: string): string | undefined {
  const open = prefix.indexOf('{')
  if (open === -1) return undefined
  const close = prefix.indexOf('}', open + 1)
  return close > open + 1 ? prefix.slice(open + 1, close) : undefined
}
