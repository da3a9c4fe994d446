/** The secret part of `colis_<12-char id>_<secret>`; the secret's alphabet includes `_`, so not split('_'). */
export function secretOf(key: string): string {
  const match = key.match(/^colis_[A-Za-z0-9]{12}_(.+)$/)
  if (!match?.[1]) throw new Error(`not an API key: ${key.slice(0, 8)}…`)
  return match[1]
}
