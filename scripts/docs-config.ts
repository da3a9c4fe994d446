// `npm run docs:config`: rewrites the configuration reference of docs/configuration.md from CONFIG_SCHEMA.
import { readFileSync, writeFileSync } from 'node:fs'
import { renderConfigReference, replaceConfigReference } from '../src/config-reference.js'

const pagePath = new URL('../docs/configuration.md', import.meta.url)
const before = readFileSync(pagePath, 'utf8')
const after = replaceConfigReference(before, renderConfigReference())
if (after === before) {
  process.stdout.write('docs/configuration.md: configuration reference already up to date\n')
} else {
  writeFileSync(pagePath, after)
  process.stdout.write('docs/configuration.md: configuration reference rewritten from src/config.ts\n')
}
