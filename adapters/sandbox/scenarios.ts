import type { SandboxCode } from './event-codes.js'

export interface SandboxPlace {
  city: string
  postalCode: string
  countryCode: string
}

/** Fictional but plausible sites; no personal data. */
export const SANDBOX_PLACES = {
  parisHub: { city: 'Paris', postalCode: '75018', countryCode: 'FR' },
  lyonSorting: { city: 'Lyon', postalCode: '69007', countryCode: 'FR' },
  roissy: { city: 'Roissy-en-France', postalCode: '95700', countryCode: 'FR' },
  montreal: { city: 'Montréal', postalCode: 'H4T 1A1', countryCode: 'CA' },
} as const satisfies Record<string, SandboxPlace>

/** Delivery sites, picked by the number's 3-digit suffix (suffix modulo length). */
export const SANDBOX_DESTINATIONS: readonly SandboxPlace[] = [
  { city: 'Bordeaux', postalCode: '33000', countryCode: 'FR' },
  { city: 'Marseille', postalCode: '13002', countryCode: 'FR' },
  { city: 'Lille', postalCode: '59000', countryCode: 'FR' },
  { city: 'Nantes', postalCode: '44000', countryCode: 'FR' },
  { city: 'Toulouse', postalCode: '31000', countryCode: 'FR' },
]

export interface SandboxStep {
  /** Simulated hours after registration when the scan happened. */
  hours: number
  /** Simulated hours after registration when the carrier shows it (a late upload); default `hours`. */
  shownAtHours?: number
  code: SandboxCode | (string & {})
  label: string
  place?: keyof typeof SANDBOX_PLACES | 'destination'
  /** Written without its offset in the raw feed, as some carriers do. */
  withoutOffset?: boolean
}

export type SandboxPlay =
  | { kind: 'journey'; steps: readonly SandboxStep[] }
  | { kind: 'not_found' | 'rate_limited' | 'garbage' }

/** A code the sandbox's code table leaves out on purpose. */
export const SANDBOX_UNKNOWN_CODE = 'SBX_XFER'

const LABEL: SandboxStep = {
  hours: 0,
  code: 'SBX_LABEL',
  label: "Étiquette créée : colis annoncé par l'expéditeur",
}
const PICKUP: SandboxStep = {
  hours: 6,
  code: 'SBX_PICKUP',
  label: 'Colis pris en charge par le transporteur',
  place: 'parisHub',
}
const LYON: SandboxStep = {
  hours: 18,
  code: 'SBX_TRANSIT',
  label: 'Colis trié sur la plateforme de Lyon',
  place: 'lyonSorting',
}
const SORTED: SandboxStep = {
  hours: 30,
  code: 'SBX_SORTED',
  label: 'Colis arrivé sur son site de distribution',
  place: 'destination',
}
const OUT: SandboxStep = {
  hours: 34,
  code: 'SBX_OUT',
  label: 'Colis en cours de livraison',
  place: 'destination',
}
const DELIVERED: SandboxStep = {
  hours: 38,
  code: 'SBX_DELIVERED',
  label: 'Colis livré',
  place: 'destination',
}
const ABSENT: SandboxStep = {
  hours: 37,
  code: 'SBX_ABSENT',
  label: 'Destinataire absent : avis de passage déposé',
  place: 'destination',
}
const PARIS_TRANSIT: SandboxStep = {
  hours: 10,
  code: 'SBX_TRANSIT',
  label: 'Colis en transit sur la plateforme de Paris',
  place: 'parisHub',
}

export const SANDBOX_SCENARIO_NAMES = [
  'DELIVERED',
  'PICKUP',
  'REDELIVERED',
  'RETURNED',
  'CUSTOMS',
  'STALLED',
  'NOTFOUND',
  'OUTOFORDER',
  'UNKNOWNCODE',
  'RATELIMITED',
  'GARBAGE',
] as const
export type SandboxScenarioName = (typeof SANDBOX_SCENARIO_NAMES)[number]

export const SANDBOX_SCENARIOS = {
  DELIVERED: 'Delivered to the door after 38 simulated hours',
  PICKUP: 'Recipient absent, parcel left at a pickup point, collected there (delivered)',
  REDELIVERED: 'Recipient absent at the first attempt, delivered to the door at the second',
  RETURNED: 'Recipient absent, returned to the sender (final)',
  CUSTOMS: 'International parcel held in customs (exception), stays there',
  STALLED: 'Picked up, one transit scan, then nothing more',
  NOTFOUND: 'Never found by the carrier (not_found)',
  OUTOFORDER: 'Delivered; a scan is uploaded late with an earlier time, one time has no offset',
  UNKNOWNCODE: `Delivered; one scan carries a code colis does not know (${SANDBOX_UNKNOWN_CODE})`,
  RATELIMITED: 'The carrier always answers rate_limited (retry after 1 s)',
  GARBAGE: 'The carrier answers a format colis cannot read (unexpected_response)',
} as const satisfies Record<SandboxScenarioName, string>

/** A journey up to a first delivery attempt that found nobody home. */
const FIRST_ATTEMPT_MISSED = [LABEL, PICKUP, LYON, SORTED, OUT, ABSENT]

export const SANDBOX_PLAYS: Record<SandboxScenarioName, SandboxPlay> = {
  DELIVERED: { kind: 'journey', steps: [LABEL, PICKUP, PARIS_TRANSIT, LYON, SORTED, OUT, DELIVERED] },
  PICKUP: {
    kind: 'journey',
    steps: [
      ...FIRST_ATTEMPT_MISSED,
      {
        hours: 44,
        code: 'SBX_RELAY',
        label: 'Colis disponible dans votre point de retrait',
        place: 'destination',
      },
      {
        hours: 70,
        code: 'SBX_COLLECTED',
        label: 'Colis retiré par le destinataire au point de retrait',
        place: 'destination',
      },
    ],
  },
  REDELIVERED: {
    kind: 'journey',
    steps: [
      ...FIRST_ATTEMPT_MISSED,
      { ...OUT, hours: 58, label: 'Colis en cours de livraison : deuxième présentation' },
      { ...DELIVERED, hours: 62 },
    ],
  },
  RETURNED: {
    kind: 'journey',
    steps: [
      LABEL,
      PICKUP,
      LYON,
      SORTED,
      OUT,
      ABSENT,
      {
        hours: 60,
        code: 'SBX_RETURN',
        label: "Colis non distribué : retour vers l'expéditeur",
        place: 'destination',
      },
      {
        hours: 72,
        code: 'SBX_RETURN_TRANSIT',
        label: "Colis en retour vers l'expéditeur",
        place: 'lyonSorting',
      },
      {
        hours: 84,
        code: 'SBX_RETURN_TRANSIT',
        label: "Colis en retour vers l'expéditeur",
        place: 'parisHub',
      },
      { hours: 96, code: 'SBX_RETURNED', label: "Colis livré à l'expéditeur", place: 'parisHub' },
    ],
  },
  CUSTOMS: {
    kind: 'journey',
    steps: [
      { ...LABEL, place: 'montreal' },
      { ...PICKUP, hours: 8, place: 'montreal' },
      { hours: 20, code: 'SBX_EXPORT', label: "Colis expédié depuis le pays d'origine", place: 'montreal' },
      { hours: 32, code: 'SBX_ARRIVAL', label: 'Colis arrivé dans le pays de destination', place: 'roissy' },
      { hours: 34, code: 'SBX_CUSTOMS', label: 'Colis présenté en douane', place: 'roissy' },
      {
        hours: 40,
        code: 'SBX_CUSTOMS_HOLD',
        label: 'Colis retenu en douane : documents manquants',
        place: 'roissy',
      },
    ],
  },
  STALLED: { kind: 'journey', steps: [LABEL, PICKUP, LYON] },
  NOTFOUND: { kind: 'not_found' },
  OUTOFORDER: {
    kind: 'journey',
    steps: [
      LABEL,
      PICKUP,
      { ...PARIS_TRANSIT, hours: 12, shownAtHours: 24 },
      LYON,
      { ...SORTED, withoutOffset: true },
      OUT,
      DELIVERED,
    ],
  },
  UNKNOWNCODE: {
    kind: 'journey',
    steps: [
      LABEL,
      PICKUP,
      { hours: 14, code: SANDBOX_UNKNOWN_CODE, label: 'Transfert inter-sites', place: 'parisHub' },
      LYON,
      SORTED,
      OUT,
      DELIVERED,
    ],
  },
  RATELIMITED: { kind: 'rate_limited' },
  GARBAGE: { kind: 'garbage' },
}

export interface SandboxNumber {
  scenario: SandboxScenarioName
  /** 0–999: varies minor things (the delivery site), never randomly. */
  suffix: number
}

const SANDBOX_NUMBER = /^SBX([A-Z]+)(\d{3})$/

function isScenarioName(name: string): name is SandboxScenarioName {
  return (SANDBOX_SCENARIO_NAMES as readonly string[]).includes(name)
}

/** Reads a normalized sandbox number (`SBXDELIVERED001`), with a reason a merchant can act on. */
export function readSandboxNumber(
  trackingNumber: string,
): { ok: true; number: SandboxNumber } | { ok: false; reason: string } {
  const match = trackingNumber.match(SANDBOX_NUMBER)
  if (!match) {
    return {
      ok: false,
      reason: `not a sandbox number: expected SBX + scenario + 3 digits, e.g. SBXDELIVERED001 (scenarios: ${SANDBOX_SCENARIO_NAMES.join(', ')})`,
    }
  }
  const name = match[1] ?? ''
  if (!isScenarioName(name)) {
    return {
      ok: false,
      reason: `unknown sandbox scenario "${name}"; use one of ${SANDBOX_SCENARIO_NAMES.join(', ')}`,
    }
  }
  return { ok: true, number: { scenario: name, suffix: Number(match[2]) } }
}

export interface SandboxScenarioInfo {
  scenario: SandboxScenarioName
  exampleNumber: string
  description: string
  /** Simulated hours until the last scan is shown; absent for scenarios that always fail. */
  durationHours?: number
}

export function journeyDurationHours(steps: readonly SandboxStep[]): number {
  return Math.max(0, ...steps.map((step) => step.shownAtHours ?? step.hours))
}

export function describeSandboxScenarios(): SandboxScenarioInfo[] {
  return SANDBOX_SCENARIO_NAMES.map((scenario) => {
    const play = SANDBOX_PLAYS[scenario]
    return {
      scenario,
      exampleNumber: `SBX${scenario}001`,
      description: SANDBOX_SCENARIOS[scenario],
      ...(play.kind === 'journey' ? { durationHours: journeyDurationHours(play.steps) } : {}),
    }
  })
}
