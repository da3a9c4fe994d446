import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { CONFIG_SCHEMA } from '../src/config.js'
import {
  CONFIG_REFERENCE_END,
  CONFIG_REFERENCE_START,
  listConfigVariables,
  renderConfigReference,
  replaceConfigReference,
} from '../src/config-reference.js'

const CONFIGURATION_PAGE = new URL('../docs/configuration.md', import.meta.url)

describe('configuration reference', () => {
  it('has a description for every variable of the config schema', () => {
    const undescribed = listConfigVariables()
      .filter((variable) => !variable.description?.trim())
      .map((variable) => variable.name)
    expect(undescribed, 'give these fields of CONFIG_SCHEMA (src/config.ts) a .describe(…)').toEqual([])
    expect(listConfigVariables().map((variable) => variable.name)).toEqual(Object.keys(CONFIG_SCHEMA.shape))
  })

  it('is what docs/configuration.md shows between the config markers (else: run npm run docs:config)', () => {
    const page = readFileSync(CONFIGURATION_PAGE, 'utf8')
    const shown = page.slice(
      page.indexOf(CONFIG_REFERENCE_START) + CONFIG_REFERENCE_START.length,
      page.indexOf(CONFIG_REFERENCE_END),
    )
    expect(page).toContain(CONFIG_REFERENCE_START)
    expect(
      shown.trim(),
      'the configuration reference of docs/configuration.md is stale: run npm run docs:config',
    ).toBe(renderConfigReference().trim())
  })

  it('lives in docs/configuration.md only: the README links to it instead of keeping a copy', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
    expect(readme).not.toContain(CONFIG_REFERENCE_START)
    expect(readme).toContain('docs/configuration.md')
  })

  it('renders defaults, unset variables and enum values through defaults, pipes and transforms', () => {
    const schema = z.object({
      A_DURATION: z
        .string()
        .default('10s')
        .transform((text) => text.length)
        .describe('a | piped transform'),
      A_PORT: z.coerce.number().default(3000).pipe(z.number().max(9)).describe('a number'),
      A_SECRET: z.string().optional().describe('a secret'),
      A_LIST: z.string().default('').describe('a list'),
      A_MODE: z.enum(['on', 'off']).default('on').describe('a mode'),
      A_NAMED_MODE: z.enum(['on', 'off']).default('off').describe('`on` or `off`'),
    })
    expect(renderConfigReference(schema).split('\n').slice(3)).toEqual([
      '| `A_DURATION` | `10s` | a \\| piped transform |',
      '| `A_PORT` | `3000` | a number |',
      '| `A_SECRET` | unset | a secret |',
      '| `A_LIST` | empty | a list |',
      '| `A_MODE` | `on` | a mode (one of `on`, `off`) |',
      '| `A_NAMED_MODE` | `off` | `on` or `off` |',
    ])
  })

  it('replaces only the text between the markers, and refuses a page without them', () => {
    const page = `# x\n\n${CONFIG_REFERENCE_START}\nold table\n${CONFIG_REFERENCE_END}\n\n## next\n`
    const updated = replaceConfigReference(page, 'new table')
    expect(updated).toBe(`# x\n\n${CONFIG_REFERENCE_START}\nnew table\n${CONFIG_REFERENCE_END}\n\n## next\n`)
    expect(replaceConfigReference(updated, 'new table')).toBe(updated)
    expect(() => replaceConfigReference('# x\n', 'table')).toThrow(/config:start/)
  })
})
