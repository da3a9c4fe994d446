/**
 * How deep `npm test` searches: each property test's runs, the depth it names scaled by
 * COLIS_PROPERTY_DEPTH (a quarter unless set, never below a hundred runs). `COLIS_PROPERTY_DEPTH=1`
 * runs every property test as deep as it names, and a larger factor searches further, as a nightly
 * or pre-release run does.
 */
const DEPTH = Number(process.env.COLIS_PROPERTY_DEPTH ?? '0.25')

export function propertyRuns(named: number): number {
  if (!(DEPTH > 0)) throw new Error(`COLIS_PROPERTY_DEPTH must be a positive number, not ${DEPTH}`)
  return Math.max(Math.min(named, 100), Math.round(named * DEPTH))
}
