import { readdirSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { SCRIPT_FILE_NAMES } from '../../../src/store/redis/lua-scripts.js'
import {
  decodeRefreshAnswer,
  decodeRotateAnswer,
  decodeSaveAnswer,
} from '../../../src/store/redis/script-answers.js'

const SCRIPTS_DIR = new URL('../../../src/store/redis/scripts/', import.meta.url)

/** A script's code, its comments left out. */
function codeOf(file: string): string {
  return readFileSync(new URL(file, SCRIPTS_DIR), 'utf8')
    .replace(/--\[\[[\s\S]*?\]\]/g, '')
    .replace(/--.*$/gm, '')
}

describe('the store scripts', () => {
  it('defines every .lua file of scripts/, each named for its key count when it has a fixed one', () => {
    const files = readdirSync(SCRIPTS_DIR).map((file) => file.replace(/\.lua$/, ''))
    expect([...SCRIPT_FILE_NAMES].sort()).toEqual(files.sort())
    for (const name of files) expect(name).toMatch(/^[a-z][A-Za-z]+(-\d+)?$/)
  })

  it('says what each takes and answers in a header', () => {
    for (const file of readdirSync(SCRIPTS_DIR)) {
      const source = readFileSync(new URL(file, SCRIPTS_DIR), 'utf8')
      expect(source, file).toMatch(/^--\[\[[\s\S]*Input[\s\S]*Output[\s\S]*?\]\]/)
    }
  })

  it('builds no key and runs no command list: every key comes in KEYS (Redis Cluster routes by them)', () => {
    for (const file of readdirSync(SCRIPTS_DIR)) {
      const code = codeOf(file)
      expect(code, file).not.toMatch(/\.\./)
      expect(code, file).not.toMatch(/cjson|unpack\(op|loadstring/)
      // The first argument of every call naming a key is one of KEYS (directly, or a local set from it).
      const aliases = new Set(
        [...code.matchAll(/local ([\w, ]+) = (KEYS\[[^\n]*)/g)].flatMap((m) => (m[1] ?? '').split(/,\s*/)),
      )
      for (const [, command, key] of code.matchAll(/redis\.call\('(\w+)', ([^,)]+)/g)) {
        if (command === 'TIME') continue
        expect(
          key?.startsWith('KEYS[') || aliases.has(key ?? '') || key === 'key',
          `${file}: ${command} ${key}`,
        ).toBe(true)
      }
    }
  })
})

describe('script answers', () => {
  it('names each answer a script documents, and refuses one it never gives', () => {
    expect([1, 3, 2, 0, -1].map(decodeSaveAnswer)).toEqual([
      'saved',
      'saved_unheard',
      'payloads_needed',
      'conflict',
      'gone',
    ])
    expect([0, 1, 2, 3].map(decodeRefreshAnswer)).toEqual(['gone', 'queued', 'due', 'running'])
    expect([1, 0, -1].map(decodeRotateAnswer)).toEqual(['rotated', 'conflict', 'gone'])
    expect(() => decodeSaveAnswer(-2)).toThrow(/saveTrackings answered -2/)
  })
})
