#!/usr/bin/env node
// Builds dist/ when it is missing or older than the sources, so `npm start` works on a fresh clone.
//
// --typecheck-all: compile every TypeScript file of the repository (tests, bench and scripts too), which
// is the full typecheck, and keep what it emits as dist/: `npm test` then needs no second compilation
// for the tests that run the built bin.
import { execFileSync } from 'node:child_process'
import { cpSync, existsSync, readdirSync, statSync, utimesSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const marker = join(root, 'dist', 'src', 'cli.js')
const typecheckAll = process.argv.includes('--typecheck-all')

function newestMtime(dir) {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path))
    else if (/\.(tsx?|lua)$/.test(entry.name)) newest = Math.max(newest, statSync(path).mtimeMs)
  }
  return newest
}

// TypeScript 7, the native compiler: several times faster than 6, which stays installed as `typescript`
// for the tools that call its JavaScript API (openapi-typescript, dependency-cruiser).
const tsc = join(root, 'node_modules', 'typescript-native', 'bin', 'tsc')

function compile(project) {
  try {
    execFileSync(process.execPath, [tsc, '-p', project], {
      cwd: root,
      stdio: 'inherit',
    })
  } catch {
    process.exit(1)
  }
  // tsc compiles the TypeScript only: the Lua scripts are read from beside their modules.
  cpSync(join(root, 'src'), join(root, 'dist', 'src'), {
    recursive: true,
    filter: (path) => statSync(path).isDirectory() || path.endsWith('.lua'),
  })
}

if (typecheckAll) {
  compile('tsconfig.json')
  // The full typecheck is incremental: it rewrites only what changed, so the marker is touched to say
  // that dist/ now matches every source (the e2e setup would otherwise build it all again).
  const now = new Date()
  utimesSync(marker, now, now)
} else {
  const sources = Math.max(...['src', 'adapters', 'workers'].map((dir) => newestMtime(join(root, dir))))
  if (!existsSync(marker) || statSync(marker).mtimeMs < sources) {
    process.stderr.write('colis: building (tsc)…\n')
    compile('tsconfig.build.json')
  }
}
