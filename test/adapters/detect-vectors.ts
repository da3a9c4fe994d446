import { readFileSync } from 'node:fs'

/**
 * Every number of the two vector files with what detection must make of it: `winner` when the shape,
 * a documented prefix or range makes the carrier certain; `first` when the shape is shared (it ranks
 * first, no winner); `rejected` when it is no number of `carrier`, which some carrier says why;
 * `needs-postal-code` when it is only half of the carrier's credential.
 */
export interface VectorCase {
  number: string
  group: string
  carrier: string
  expect: 'winner' | 'first' | 'rejected' | 'needs-postal-code'
}

type Entry = { number: string; carrier?: string }
const read = (name: string) =>
  JSON.parse(readFileSync(new URL(`../fixtures/samples/${name}`, import.meta.url), 'utf8')) as Record<
    string,
    Record<string, unknown>
  >

const numbersOf = (list: unknown): string[] =>
  (list as Array<Entry | string>).map((entry) =>
    typeof entry === 'string' ? (entry.split(' ')[0] ?? '') : entry.number,
  )

function casesOf(
  group: string,
  list: unknown,
  carrier: string | ((entry: Entry) => string),
  expect: VectorCase['expect'] | ((number: string) => VectorCase['expect']),
): VectorCase[] {
  return (list as Array<Entry | string>).map((entry, index) => {
    const number = numbersOf(list)[index] ?? ''
    const own = typeof carrier === 'string' ? carrier : carrier(entry as Entry)
    return { number, group, carrier: own, expect: typeof expect === 'string' ? expect : expect(number) }
  })
}

export function vectorCases(): VectorCase[] {
  const base = read('tracking-numbers.json')
  const more = read('tracking-numbers-more.json')
  const s10Carrier = (entry: Entry) => (entry.carrier?.includes('Chronopost') ? 'chronopost' : 'laposte')
  const relaisColisObserved = String(more.relaiscolis?.regex).match(/[0-9A-Z]{2}\d{12}/g) ?? []
  // DHL Express waybills of 11 digits are GLS's shape too.
  const dhlExpress = (number: string) => (number.length === 10 ? 'winner' : 'first')
  const dhlParcel = (number: string) => (number.startsWith('00340434') ? 'winner' : 'first')
  return [
    ...casesOf('s10_upu.valid', base.s10_upu?.valid, s10Carrier, 'winner'),
    ...casesOf('s10_upu.invalid', base.s10_upu?.invalid, 'laposte', 'rejected'),
    ...casesOf('laposte_13.valid', base.laposte_13?.valid, 'laposte', 'winner'),
    ...casesOf('laposte_13.invalid', base.laposte_13?.invalid, 'laposte', 'rejected'),
    // Outside La Poste's 86…/87… and DPD France's ranges, the shape DPD shares decides nothing.
    ...casesOf('laposte_15.valid', base.laposte_15_mod37_36?.valid, 'laposte', (number) =>
      /^8[67]/.test(number) ? 'winner' : 'first',
    ),
    ...casesOf('laposte_15.invalid', base.laposte_15_mod37_36?.invalid, 'laposte', 'rejected'),
    ...casesOf('chronopost_14', base.chronopost_14_digits?.examples, 'chronopost', 'winner'),
    ...casesOf('okapi_sandbox', base.okapi_sandbox_numbers, 'laposte', 'winner'),
    ...casesOf('mondialrelay_expedition', more.mondialrelay_expedition?.examples, 'mondialrelay', 'winner'),
    ...casesOf('mondialrelay_26.valid', more.mondialrelay_label_barcode_26?.valid, 'mondialrelay', 'winner'),
    ...casesOf(
      'mondialrelay_26.invalid',
      more.mondialrelay_label_barcode_26?.invalid,
      'mondialrelay',
      'rejected',
    ),
    ...casesOf('dpd_14_plus_check.valid', more.dpd_14_plus_check?.valid, 'dpd', 'winner'),
    ...casesOf('dpd_14_plus_check.invalid', more.dpd_14_plus_check?.invalid, 'dpd', 'rejected'),
    ...casesOf('dpd_28.valid', more.dpd_28_barcode?.valid, 'dpd', 'winner'),
    ...casesOf('dpd_28.invalid', more.dpd_28_barcode?.invalid, 'dpd', 'rejected'),
    ...casesOf('dpd_france.valid', more.dpd_france?.valid, 'dpd', 'winner'),
    ...casesOf('dpd_france.invalid', more.dpd_france?.invalid, 'dpd', 'rejected'),
    // Twelve digits are Colis Privé's and DHL Paket's shape too: a GLS check digit that holds ranks it first.
    ...casesOf('gls.valid', more.gls_parcel_number?.valid, 'gls', 'first'),
    ...casesOf('gls.unit_11', more.gls_parcel_number?.examples_11_digit_unitno, 'gls', 'winner'),
    ...casesOf('gls.trackid', more.gls_parcel_number?.trackid_examples, 'gls', 'first'),
    // Only GLS's contract API finds a parcel by its card: the public service colis reads does not.
    ...casesOf('gls.card', more.gls_parcel_number?.notification_card_examples, 'gls', 'rejected'),
    ...casesOf('ups_1z.valid', more.ups_1z?.valid, 'ups', 'winner'),
    ...casesOf('ups_1z.invalid', more.ups_1z?.invalid, 'ups', 'rejected'),
    ...casesOf('dhl_express.valid', more.dhl_express_10?.valid, 'dhl', dhlExpress),
    ...casesOf('dhl_express.invalid', more.dhl_express_10?.invalid, 'dhl', 'rejected'),
    ...casesOf('dhl_parcel_de', more.dhl_other?.parcel_de_examples, 'dhl', dhlParcel),
    ...casesOf('relaiscolis', relaisColisObserved, 'relaiscolis', 'winner'),
    ...casesOf('colisprive.valid', more.colisprive?.examples, 'colisprive', 'winner'),
    ...casesOf('colisprive.invalid', more.colisprive?.invalid, 'colisprive', (number) =>
      number.length === 12 ? 'needs-postal-code' : 'rejected',
    ),
  ]
}
