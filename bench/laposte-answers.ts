/**
 * La Poste Suivi v2 answers as the benchmarks' loopback carrier sends them: deterministic histories of
 * real scan codes and labels, in the full shape of an item.
 */

/**
 * The histories asked for: each parcel's history holds `knownEvents` events on average (1 to
 * 2 × knownEvents − 1, by its id), and from `generation` 1 on, `newsShare` of the parcels (by id) show
 * one event more.
 */
export interface FakeLaPosteMix {
  knownEvents: number
  newsShare: number
  generation: number
}

/** An in-transit journey as La Poste tells it, oldest first; a history is a prefix of it. */
const JOURNEY = [
  [
    'DR1',
    'Votre Colissimo va bientôt nous être confié ! Il est en cours de préparation chez votre expéditeur.',
  ],
  ['PC1', 'Votre colis a été déposé dans un point postal.'],
  ['ET1', 'Votre colis est en transit sur nos plateformes logistiques.'],
  ['ET1', 'Votre colis est en transit sur nos plateformes logistiques.'],
  ['ET2', 'Votre colis est prêt à partir de son territoire d’expédition.'],
  ['ET4', 'Votre colis est en cours de traitement dans un pays de transit.'],
  ['ET3', 'Votre colis est arrivé dans le pays du destinataire.'],
  ['ET1', "Votre colis est en cours d'acheminement."],
  ['EP1', 'Votre colis est en attente de présentation.'],
  ['ET1', 'Votre colis est en transit sur nos plateformes logistiques.'],
  ['ET1', "Votre colis est en cours d'acheminement."],
] as const
const HOUR_MS = 3_600_000

/** La Poste's date form, to the minute (`2026-06-03T14:43:00+00:00`). */
function laPosteDate(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16)}:00+00:00`
}

/** A number from the id's characters: the same id always gets the same history. */
function hashOf(id: string, salt: number): number {
  let hash = salt
  for (let index = 0; index < id.length; index++) hash = Math.imul(hash ^ id.charCodeAt(index), 16777619)
  return (hash >>> 0) % 1_000_000
}

function eventsOf(id: string, mix: FakeLaPosteMix, latestScanMs: number) {
  const known = Math.min(
    JOURNEY.length - 1,
    1 + (hashOf(id, 2166136261) % (2 * Math.round(mix.knownEvents) - 1)),
  )
  const news = mix.generation > 0 && hashOf(id, 374761393) < mix.newsShare * 1_000_000 ? 1 : 0
  const events = []
  for (let index = 0; index < known + news; index++) {
    const [code, label] = JOURNEY[index] as (typeof JOURNEY)[number]
    // Scans five hours apart up to the latest; the news came half an hour after it.
    const at = index < known ? latestScanMs - (known - 1 - index) * 5 * HOUR_MS : latestScanMs + HOUR_MS / 2
    events.push({ code, label, date: laPosteDate(at) })
  }
  return events.reverse()
}

/** One Suivi v2 item for `id`, whole (timeline, contextData, url), its history given by `mix`. */
export function laPosteItem(id: string, mix: FakeLaPosteMix, latestScanMs: number) {
  const event = eventsOf(id, mix, latestScanMs)
  const steps = [
    'Votre colis est entre nos mains.',
    'Il est en chemin.',
    'Votre colis est arrivé sur son site de livraison.',
    'Nous préparons votre colis pour sa livraison.',
    'Votre colis a été livré',
  ]
  return {
    lang: 'fr_FR',
    scope: 'open',
    returnCode: 200,
    shipment: {
      idShip: id,
      holder: 4,
      product: 'colissimo',
      isFinal: false,
      entryDate: event[event.length - 1]?.date,
      timeline: steps.map((shortLabel, index) => ({
        shortLabel,
        longLabel: '',
        id: index + 1,
        country: 'FR',
        status: index < 2,
        type: 1,
      })),
      event,
      contextData: { deliveryChoice: { deliveryChoice: 0 }, originCountry: 'FR', arrivalCountry: 'FR' },
      url: `https://www.laposte.fr/outils/suivre-vos-envois?code=${id}`,
    },
  }
}
