// `npm run docs:config`: rewrites README.md's configuration reference from CONFIG_SCHEMA.
import { readFileSync, writeFileSync } from 'node:fs'
import { renderConfigReference, replaceConfigReference } from '../src/config-reference.js'

const readmePath = new URL('../README.md', import.meta.url)
const before = readFileSync(readmePath, 'utf8')
const after = replaceConfigReference(before, renderConfigReference())
if (after === before) {
  process.stdout.write('README.md: configuration reference already up to date\n')
} else {
  writeFileSync(readmePath, after)
  process.stdout.write('README.md: configuration reference rewritten from src/config.ts\n')
}
