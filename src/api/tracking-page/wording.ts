import type { EventStatus } from '../../domain/tracking-status.js'
import type { Headline, JourneyVariant } from './page-facts.js'
import type { PageLang } from './paris-dates.js'

type FourSteps = readonly [string, string, string, string]

/** Everything a tracking page writes, in one language; dates come already written. */
export interface PageWording {
  title: (merchant: string) => string
  languageNav: string
  headline: Record<Headline, string>
  stepsHeading: string
  steps: Record<JourneyVariant, FourSteps>
  /** Read before a reached step, for those who do not see its tick. */
  stepDone: string
  estimate: Record<'carrier' | 'promise', string>
  deliveredOn: string
  collectedOn: string
  collectBy: string
  collectSoon: string
  /** colis' own forecast, beside the carrier's estimate: its first and last days, already written. */
  forecast: (days: { from: string; to?: string }, chancesInTen: number) => string
  failedAttempt: (reason: string | undefined) => string
  exception: (reason: string | undefined) => string
  returned: (merchant: string) => string
  late: (when: { newEstimate?: string; promised?: string }) => string
  atRisk: (newEstimate: string) => string
  stalled: (since: string | undefined) => string
  pickup: { heading: string; point: string; address: string; lastDay: string; bring: string }
  shipment: {
    heading: string
    carrier: string
    number: string
    order: string
    link: (carrier: string) => string
  }
  timeline: { heading: string; empty: string; older: (count: number) => string }
  event: Record<EventStatus, string>
  deadlines: {
    heading: string
    intro: string
    withdrawal: string
    carrierProtest: string
    conformityGuarantee: string
    until: string
  }
  support: { question: string; contact: (merchant: string) => string }
}

/** A carrier's own words, quoted: they are the carrier's, and may be in another language than the page. */
const quoteFr = (reason: string) => `«\u00a0${reason.replace(/[\s.]+$/, '')}\u00a0»`
const quoteEn = (reason: string) => `“${reason.replace(/[\s.]+$/, '')}”`

const FR: PageWording = {
  title: (merchant) => `Suivi de votre colis – ${merchant}`,
  languageNav: 'Langue',
  headline: {
    pending: 'Votre colis sera bientôt confié au transporteur',
    info_received: 'Le transporteur attend votre colis',
    in_transit: 'Votre colis est en route',
    out_for_delivery: 'Votre colis est en cours de livraison',
    failed_attempt: "La livraison n'a pas pu se faire",
    available_for_pickup: 'Votre colis vous attend au point de retrait',
    delivered: 'Votre colis a été livré',
    collected: 'Vous avez retiré votre colis',
    returning: "Votre colis est renvoyé à l'expéditeur",
    returned_to_sender: "Votre colis est revenu chez l'expéditeur",
    exception: 'Votre colis rencontre un problème',
    expired: "Ce colis n'est plus suivi",
  },
  stepsHeading: 'Étapes',
  steps: {
    home: ['Annoncé', 'En route', 'En cours de livraison', 'Livré'],
    pickup: ['Annoncé', 'En route', 'Au point de retrait', 'Retiré'],
  },
  stepDone: 'Étape franchie : ',
  estimate: { carrier: 'Livraison estimée :', promise: 'Livraison prévue :' },
  deliveredOn: 'Livré le',
  collectedOn: 'Retiré le',
  collectBy: 'À retirer au plus tard le',
  collectSoon: 'À retirer dès que possible : le point de retrait ne le garde que quelques jours.',
  forecast: ({ from, to }, chances) =>
    to
      ? `D’après les colis de ce transporteur : entre ${from} et ${to} (${chances} chances sur 10).`
      : `D’après les colis de ce transporteur : ${from} (${chances} chances sur 10).`,
  failedAttempt: (reason) =>
    `${reason ? `Le transporteur n'a pas pu livrer : ${quoteFr(reason)}` : "Le transporteur n'a pas pu livrer votre colis"}. Prochaine étape : il repasse ou dépose votre colis dans un point de retrait ; son avis de passage vous dit lequel.`,
  exception: (reason) =>
    `${reason ? `Le transporteur signale : ${quoteFr(reason)}.` : 'Le transporteur signale un incident sans en donner le détail.'} Cette page se met à jour dès qu'il en dit plus.`,
  returned: (merchant) => `Contactez ${merchant} pour un nouvel envoi ou un remboursement.`,
  late: ({ newEstimate, promised }) => {
    if (newEstimate) return `Votre colis a du retard — nouvelle estimation : ${newEstimate}.`
    return promised
      ? `Votre colis a du retard : il était attendu le ${promised}.`
      : 'Votre colis a du retard.'
  },
  atRisk: (newEstimate) => `Votre colis risque d'arriver en retard — nouvelle estimation : ${newEstimate}.`,
  stalled: (since) =>
    `Pas de nouvelles du transporteur depuis ${since ? `le ${since}` : 'plusieurs jours'} : nous continuons de suivre votre colis.`,
  pickup: {
    heading: 'Votre point de retrait',
    point: 'Point de retrait',
    address: 'Lieu',
    lastDay: 'Dernier jour pour le retirer',
    bring: "Munissez-vous d'une pièce d'identité et du code de retrait envoyé par le transporteur.",
  },
  shipment: {
    heading: 'Expédition',
    carrier: 'Transporteur',
    number: 'Numéro de suivi',
    order: 'Commande',
    link: (carrier) => `Suivre le colis sur le site de ${carrier}`,
  },
  timeline: {
    heading: 'Historique',
    empty: "Le transporteur n'a encore rien signalé.",
    older: (count) =>
      count === 1
        ? "Un événement plus ancien n'est pas affiché."
        : `${count} événements plus anciens ne sont pas affichés.`,
  },
  event: {
    info_received: 'Colis annoncé',
    in_transit: 'En transit',
    out_for_delivery: 'En cours de livraison',
    failed_attempt: 'Livraison impossible',
    available_for_pickup: 'Disponible au point de retrait',
    delivered: 'Livré',
    returned_to_sender: "Retour à l'expéditeur",
    exception: 'Incident',
    unknown: 'Information du transporteur',
  },
  deadlines: {
    heading: 'Vos délais',
    intro: 'Comptés à partir de la livraison, selon le droit français.',
    withdrawal: "Changer d'avis et renvoyer l'article (rétractation)",
    carrierProtest: 'Signaler au transporteur un colis abîmé ou incomplet',
    conformityGuarantee: 'Garantie légale de conformité',
    until: "jusqu'au",
  },
  support: {
    question: 'Une question sur votre commande ?',
    contact: (merchant) => `Contacter ${merchant}`,
  },
}

const EN: PageWording = {
  title: (merchant) => `Track your parcel – ${merchant}`,
  languageNav: 'Language',
  headline: {
    pending: 'Your parcel will soon be handed to the carrier',
    info_received: 'The carrier is expecting your parcel',
    in_transit: 'Your parcel is on its way',
    out_for_delivery: 'Your parcel is out for delivery',
    failed_attempt: 'The delivery could not be made',
    available_for_pickup: 'Your parcel is waiting at the pickup point',
    delivered: 'Your parcel has been delivered',
    collected: 'Your parcel has been collected',
    returning: 'Your parcel is being returned to the sender',
    returned_to_sender: 'Your parcel has been returned to the sender',
    exception: 'There is a problem with your parcel',
    expired: 'This parcel is no longer tracked',
  },
  stepsHeading: 'Steps',
  steps: {
    home: ['Announced', 'On its way', 'Out for delivery', 'Delivered'],
    pickup: ['Announced', 'On its way', 'At the pickup point', 'Collected'],
  },
  stepDone: 'Step reached: ',
  estimate: { carrier: 'Estimated delivery:', promise: 'Expected delivery:' },
  deliveredOn: 'Delivered on',
  collectedOn: 'Collected on',
  collectBy: 'Collect it by',
  collectSoon: 'Collect it soon: the pickup point keeps it only a few days.',
  forecast: ({ from, to }, chances) =>
    to
      ? `From this carrier’s parcels: between ${from} and ${to} (${chances} chances in 10).`
      : `From this carrier’s parcels: ${from} (${chances} chances in 10).`,
  failedAttempt: (reason) =>
    `${reason ? `The carrier could not deliver: ${quoteEn(reason)}` : 'The carrier could not deliver your parcel'}. Next step: the carrier tries again or leaves your parcel at a pickup point; its delivery notice tells you which.`,
  exception: (reason) =>
    `${reason ? `The carrier reports: ${quoteEn(reason)}.` : 'The carrier reports a problem without details.'} This page updates as soon as it says more.`,
  returned: (merchant) => `Contact ${merchant} about a new shipment or a refund.`,
  late: ({ newEstimate, promised }) => {
    if (newEstimate) return `Your parcel is late — new estimate: ${newEstimate}.`
    return promised ? `Your parcel is late: it was expected on ${promised}.` : 'Your parcel is late.'
  },
  atRisk: (newEstimate) => `Your parcel may be late — new estimate: ${newEstimate}.`,
  stalled: (since) =>
    `No news from the carrier since ${since ?? 'several days'}: we keep following your parcel.`,
  pickup: {
    heading: 'Your pickup point',
    point: 'Pickup point',
    address: 'Where',
    lastDay: 'Last day to collect',
    bring: 'Bring an identity document and the collection code the carrier sent you.',
  },
  shipment: {
    heading: 'Shipment',
    carrier: 'Carrier',
    number: 'Tracking number',
    order: 'Order',
    link: (carrier) => `Track the parcel on the ${carrier} website`,
  },
  timeline: {
    heading: 'History',
    empty: 'The carrier has not reported anything yet.',
    older: (count) =>
      count === 1 ? 'One older event is not shown.' : `${count} older events are not shown.`,
  },
  event: {
    info_received: 'Parcel announced',
    in_transit: 'In transit',
    out_for_delivery: 'Out for delivery',
    failed_attempt: 'Delivery attempt failed',
    available_for_pickup: 'Ready at the pickup point',
    delivered: 'Delivered',
    returned_to_sender: 'Returned to sender',
    exception: 'Problem reported',
    unknown: 'Carrier update',
  },
  deadlines: {
    heading: 'Your deadlines',
    intro: 'Counted from delivery, under French law.',
    withdrawal: 'Change your mind and send the item back (right of withdrawal)',
    carrierProtest: 'Report a damaged or incomplete parcel to the carrier',
    conformityGuarantee: 'Legal guarantee of conformity',
    until: 'until',
  },
  support: {
    question: 'A question about your order?',
    contact: (merchant) => `Contact ${merchant}`,
  },
}

export const PAGE_WORDING: Record<PageLang, PageWording> = { fr: FR, en: EN }
