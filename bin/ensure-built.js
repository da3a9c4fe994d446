#!/usr/bin/env node
// Builds dist/ when it is missing or older than the sources, so `npm start` works on a fresh clone.
import { execFileSync } from 'node:child_process'
import { cpSync, existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const marker = join(root, 'dist', 'src', 'cli.js')

function newestMtime(dir) {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path))
    else if (/\.(ts|lua)$/.test(entry.name)) newest = Math.max(newest, statSync(path).mtimeMs)
  }
  return newest
}

const sources = Math.max(...['src', 'adapters', 'workers'].map((dir) => newestMtime(join(root, dir))))
if (!existsSync(marker) || statSync(marker).mtimeMs < sources) {
  process.stderr.write('colis: building (tsc)…\n')
  execFileSync(
    process.execPath,
    [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'],
    {
      cwd: root,
      stdio: 'inherit',
    },
  )
  // tsc compiles the TypeScript only: the Lua scripts are read from beside their modules (as `npm run build` copies them).
  cpSync(join(root, 'src'), join(root, 'dist', 'src'), {
    recursive: true,
    filter: (path) => statSync(path).isDirectory() || path.endsWith('.lua'),
  })
}
