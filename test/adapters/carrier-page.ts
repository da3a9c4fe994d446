import { readFileSync } from 'node:fs'
import { expect } from 'vitest'

/** Each code of `table` is on a row of the carrier's page (`docs/carriers/<id>.md`) with its status. */
export function expectPageListsCodes(carrier: string, table: Readonly<Record<string, string>>): void {
  const page = readFileSync(new URL(`../../docs/carriers/${carrier}.md`, import.meta.url), 'utf8')
  const rows = page.split('\n').filter((line) => line.startsWith('|'))
  expect(Object.keys(table).length).toBeGreaterThan(4)
  for (const [code, status] of Object.entries(table)) {
    const row = rows.find((line) => line.includes(`\`${code}\``))
    expect(row, code).toContain(`\`${status}\``)
  }
}
