import type { AlertType } from '../../domain/alert.js'
import type { PageLanguage } from '../tracking-page/page-language.js'

/** Why the sign-in form is shown again. */
export type SignInNotice = 'wrong_key' | 'missing_key' | 'expired' | 'key_revoked' | 'form_expired'

const LOCALES = { fr: 'fr-FR', en: 'en-GB' } as const satisfies Record<PageLanguage, string>

export function formatPercent(share: number, lang: PageLanguage): string {
  return new Intl.NumberFormat(LOCALES[lang], { style: 'percent', maximumFractionDigits: 0 }).format(share)
}

export function formatNumber(value: number, lang: PageLanguage, fractionDigits = 0): string {
  return new Intl.NumberFormat(LOCALES[lang], { maximumFractionDigits: fractionDigits }).format(value)
}

/** `S47` / `W47`: a week on a chart's axis. */
export const shortWeek = (week: string, lang: PageLanguage) => `${lang === 'fr' ? 'S' : 'W'}${week.slice(6)}`

export interface DashboardWording {
  signInTitle: string
  signInIntro: (idleMinutes: number) => string
  apiKey: string
  apiKeyHint: string
  signIn: string
  notices: Record<SignInNotice, string>
  tooManyTitle: string
  tooMany: string
  refusedTitle: string
  refused: string
  backToDashboard: string
  title: (merchant: string) => string
  heading: string
  signedInAs: (merchant: string) => string
  signOut: string
  period: (from: string, to: string, weeks: number) => string
  weeksNav: string
  weeksOption: (weeks: number) => string
  empty: string
  dataTable: string
  scorecard: {
    heading: string
    carrier: string
    parcels: string
    delivered: string
    onTime: string
    transitP50: string
    transitP80: string
    firstAttempt: string
    returns: string
    totals: string
  }
  onTime: {
    heading: string
    desc: (carriers: number, weeks: number) => string
    none: string
    week: string
  }
  transit: {
    heading: string
    intro: string
    chartTitle: (carrier: string, delivered: number) => string
    desc: (carrier: string, mostDays: string, share: string) => string
    days: (days: number, orMore: boolean) => string
    axis: string
    none: string
  }
  destinations: {
    heading: string
    intro: (minSample: number) => string
    desc: (count: number) => string
    destination: string
    unranked: (count: number, minSample: number) => string
    none: (minSample: number) => string
  }
  alerts: {
    heading: string
    desc: (total: number) => string
    type: string
    open: string
    none: string
    types: Record<AlertType, string>
  }
  /** A rate and the parcels it is measured on: `62 % (13 colis)`. */
  rateOn: (rate: string, sample: number) => string
  noRate: string
}

const FR: DashboardWording = {
  signInTitle: 'Tableau de bord marchand',
  signInIntro: (idleMinutes) =>
    `Connectez-vous avec une clé d’API de votre boutique. La clé n’est pas gardée dans le navigateur : elle ouvre une session, fermée après ${idleMinutes} minutes sans activité.`,
  apiKey: 'Clé d’API',
  apiKeyHint: 'Elle commence par colis_.',
  signIn: 'Se connecter',
  notices: {
    wrong_key: 'Cette clé d’API n’ouvre pas de session : vérifiez-la et réessayez.',
    missing_key: 'Saisissez votre clé d’API.',
    expired: 'Votre session a pris fin : connectez-vous à nouveau.',
    key_revoked: 'La clé d’API de cette session a été révoquée : connectez-vous avec une clé valable.',
    form_expired: 'Le formulaire a expiré : saisissez votre clé à nouveau.',
  },
  tooManyTitle: 'Trop de tentatives',
  tooMany: 'Trop de connexions échouées depuis cette adresse. Réessayez plus tard.',
  refusedTitle: 'Demande refusée',
  refused: 'Cette demande ne venait pas du tableau de bord lui-même : elle a été refusée.',
  backToDashboard: 'Revenir au tableau de bord',
  title: (merchant) => `Tableau de bord – ${merchant}`,
  heading: 'Performance des transporteurs',
  signedInAs: (merchant) => `Connecté : ${merchant}`,
  signOut: 'Se déconnecter',
  period: (from, to, weeks) =>
    `Colis terminés, remis au transporteur du ${from} au ${to} (${weeks} semaines ISO, heure de Paris).`,
  weeksNav: 'Période',
  weeksOption: (weeks) => `${weeks} semaines`,
  empty:
    'Aucun colis terminé (livré, retourné ou expiré) n’a été remis au transporteur sur cette période. Les graphiques apparaîtront avec les premiers colis.',
  dataTable: 'Données du graphique',
  scorecard: {
    heading: 'Par transporteur',
    carrier: 'Transporteur',
    parcels: 'Colis',
    delivered: 'Livrés',
    onTime: 'À la date promise',
    transitP50: 'Délai médian (jours ouvrés)',
    transitP80: 'Délai à 80 % (jours ouvrés)',
    firstAttempt: 'Livrés au premier passage',
    returns: 'Retours',
    totals: 'Tous',
  },
  onTime: {
    heading: 'Livraison à la date promise, par semaine',
    desc: (carriers, weeks) =>
      `Courbes de la part des colis livrés au plus tard à la date promise, pour ${carriers} transporteur(s) sur ${weeks} semaines ; une semaine sans colis promis est un trou dans la courbe.`,
    none: 'Aucun colis livré avec une date promise sur cette période.',
    week: 'Semaine',
  },
  transit: {
    heading: 'Délai de livraison',
    intro: 'Jours ouvrés du transporteur entre la remise du colis et sa livraison.',
    chartTitle: (carrier, delivered) => `${carrier} : ${delivered} colis livrés`,
    desc: (carrier, mostDays, share) =>
      `Histogramme des délais de ${carrier} ; le plus fréquent : ${mostDays} (${share} des colis).`,
    days: (days, orMore) => (orMore ? `${days} j et plus` : `${days} j`),
    axis: 'Jours ouvrés',
    none: 'Aucun colis livré sur cette période.',
  },
  destinations: {
    heading: 'Destinations les moins ponctuelles',
    intro: (minSample) =>
      `Par taux de livraison à la date promise, parmi les destinations d’au moins ${minSample} colis livrés avec une date promise.`,
    desc: (count) =>
      `Barres horizontales : les ${count} destinations au plus faible taux de livraison à temps, du plus faible au plus élevé.`,
    destination: 'Destination',
    unranked: (count, minSample) =>
      `${count} destination(s) de moins de ${minSample} colis promis ne sont pas classées.`,
    none: (minSample) =>
      `Aucune destination n’a encore ${minSample} colis livrés avec une date promise sur cette période.`,
  },
  alerts: {
    heading: 'Alertes ouvertes',
    desc: (total) => `Barres horizontales : ${total} alerte(s) ouverte(s), par type.`,
    type: 'Type',
    open: 'Ouvertes',
    none: 'Aucune alerte ouverte en ce moment.',
    types: {
      late: 'En retard',
      at_risk: 'Retard probable',
      stalled: 'Sans nouvelles',
      exception: 'Incident',
      failed_attempt: 'Échec de livraison',
      pickup_expiring: 'Retrait bientôt expiré',
      returned: 'Retourné',
    },
  },
  rateOn: (rate, sample) => `${rate} (${sample} colis)`,
  noRate: '—',
}

const EN: DashboardWording = {
  signInTitle: 'Merchant dashboard',
  signInIntro: (idleMinutes) =>
    `Sign in with one of your shop’s API keys. The key is not kept in the browser: it opens a session, closed after ${idleMinutes} minutes without activity.`,
  apiKey: 'API key',
  apiKeyHint: 'It starts with colis_.',
  signIn: 'Sign in',
  notices: {
    wrong_key: 'This API key opens no session: check it and try again.',
    missing_key: 'Enter your API key.',
    expired: 'Your session has ended: sign in again.',
    key_revoked: 'The API key of this session was revoked: sign in with a valid key.',
    form_expired: 'The form expired: enter your key again.',
  },
  tooManyTitle: 'Too many attempts',
  tooMany: 'Too many failed sign-ins from this address. Try again later.',
  refusedTitle: 'Request refused',
  refused: 'This request did not come from the dashboard itself: it was refused.',
  backToDashboard: 'Back to the dashboard',
  title: (merchant) => `Dashboard – ${merchant}`,
  heading: 'Carrier performance',
  signedInAs: (merchant) => `Signed in: ${merchant}`,
  signOut: 'Sign out',
  period: (from, to, weeks) =>
    `Finished parcels handed over to the carrier from ${from} to ${to} (${weeks} ISO weeks, Paris time).`,
  weeksNav: 'Period',
  weeksOption: (weeks) => `${weeks} weeks`,
  empty:
    'No finished parcel (delivered, returned or expired) was handed over to a carrier in this period. The charts appear with the first ones.',
  dataTable: 'Chart data',
  scorecard: {
    heading: 'By carrier',
    carrier: 'Carrier',
    parcels: 'Parcels',
    delivered: 'Delivered',
    onTime: 'By the promised date',
    transitP50: 'Median transit (business days)',
    transitP80: '80th percentile transit (business days)',
    firstAttempt: 'Delivered at the first attempt',
    returns: 'Returns',
    totals: 'All',
  },
  onTime: {
    heading: 'Delivered by the promised date, per week',
    desc: (carriers, weeks) =>
      `Lines of the share of parcels delivered no later than their promised date, for ${carriers} carrier(s) over ${weeks} weeks; a week without a promised parcel is a gap in the line.`,
    none: 'No parcel with a promised date was delivered in this period.',
    week: 'Week',
  },
  transit: {
    heading: 'Transit time',
    intro: 'Business days of the carrier between the handover of the parcel and its delivery.',
    chartTitle: (carrier, delivered) => `${carrier}: ${delivered} parcels delivered`,
    desc: (carrier, mostDays, share) =>
      `Histogram of ${carrier}’s transit times; the most frequent: ${mostDays} (${share} of parcels).`,
    days: (days, orMore) => (orMore ? `${days}+ d` : `${days} d`),
    axis: 'Business days',
    none: 'No parcel was delivered in this period.',
  },
  destinations: {
    heading: 'Least punctual destinations',
    intro: (minSample) =>
      `By the share delivered by the promised date, among destinations with at least ${minSample} delivered parcels that had a promised date.`,
    desc: (count) =>
      `Horizontal bars: the ${count} destinations with the lowest on-time share, lowest first.`,
    destination: 'Destination',
    unranked: (count, minSample) =>
      `${count} destination(s) with fewer than ${minSample} promised parcels are not ranked.`,
    none: (minSample) =>
      `No destination has ${minSample} delivered parcels with a promised date in this period yet.`,
  },
  alerts: {
    heading: 'Open alerts',
    desc: (total) => `Horizontal bars: ${total} open alert(s), by type.`,
    type: 'Type',
    open: 'Open',
    none: 'No open alert right now.',
    types: {
      late: 'Late',
      at_risk: 'At risk',
      stalled: 'Stalled',
      exception: 'Exception',
      failed_attempt: 'Failed attempt',
      pickup_expiring: 'Pickup expiring',
      returned: 'Returned',
    },
  },
  rateOn: (rate, sample) => `${rate} (${sample} parcels)`,
  noRate: '—',
}

export const DASHBOARD_WORDING: Record<PageLanguage, DashboardWording> = { fr: FR, en: EN }
