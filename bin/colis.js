#!/usr/bin/env node
import { existsSync } from 'node:fs'

const entry = new URL('../dist/src/cli.js', import.meta.url)
if (!existsSync(entry)) {
  process.stderr.write('colis is not built yet: run `npm run build` (`npm start` builds it for you)\n')
  process.exit(1)
}
const { main } = await import(entry.href)
await main(process.argv.slice(2))
