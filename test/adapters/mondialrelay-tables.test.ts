import { describe, expect, it } from 'vitest'
import { findLabelStatus } from '../../adapters/mondialrelay/event-labels.js'
import {
  MONDIALRELAY_STATUS_BY_CODE,
  PARCEL_STATE_WORDING,
  STAT_MEANINGS,
  type StatMeaning,
} from '../../adapters/mondialrelay/stat-codes.js'
import { fixture } from './mondialrelay-setup.js'

/** The cells of a CSV line; a quoted cell may hold commas. */
const cellsOf = (line: string) =>
  [...line.matchAll(/(?:^|,)(?:"([^"]*)"|([^,]*))/g)].map((match) => match[1] ?? match[2] ?? '')

function rowsOf(name: string): string[][] {
  return fixture(name).trim().split(/\r?\n/).slice(1).map(cellsOf)
}

/** A STAT's handling in the words of the CSV's `suggested_colis_handling` column. */
function handlingOf(meaning: StatMeaning): string {
  if (meaning.answer === 'error') return meaning.kind
  return meaning.code ? MONDIALRELAY_STATUS_BY_CODE[meaning.code] : 'ok'
}

describe('mondialrelay: STAT table', () => {
  const rows = rowsOf('stat-codes.csv').map(([stat, , , , handling]) => ({
    stat: stat ?? '',
    handling: handling ?? '',
  }))

  it('holds every code of the published table, and no other', () => {
    expect(rows).toHaveLength(91)
    expect(Object.keys(STAT_MEANINGS).sort()).toEqual(rows.map((row) => row.stat).sort())
  })

  it('handles each code as the table suggests; 99 (unknown number, or technical) is not found', () => {
    for (const { stat, handling } of rows) {
      const meaning = STAT_MEANINGS[stat]
      if (!meaning) throw new Error(`STAT ${stat} missing`)
      const suggested = stat === '99' ? 'not_found' : (handling.split(/[ (]/)[0] ?? '')
      expect(handlingOf(meaning), `STAT ${stat}`).toBe(suggested)
    }
  })

  it('words every parcel-level state', () => {
    expect(Object.keys(PARCEL_STATE_WORDING).sort()).toEqual(Object.keys(MONDIALRELAY_STATUS_BY_CODE).sort())
  })
})

describe('mondialrelay: event labels', () => {
  it.each(rowsOf('event-labels.csv').map(([label, language, , status]) => [label, language, status]))(
    '"%s" (%s) is %s',
    (label, _language, status) => {
      expect(findLabelStatus(label ?? '')).toBe(status)
    },
  )

  it('reads labels whatever their case and accents, and returns before delivery wording', () => {
    expect(findLabelStatus('colis livre')).toBe('delivered')
    expect(findLabelStatus('Colis Livré Au Destinataire')).toBe('delivered')
    expect(findLabelStatus('COLIS REMIS AU LIVREUR')).toBe('out_for_delivery')
    expect(findLabelStatus("RETOUR : COLIS LIVRÉ À L'EXPÉDITEUR")).toBe('returned_to_sender')
    expect(findLabelStatus('PRISE EN CHARGE POINT RELAIS')).toBe('in_transit')
  })

  it('knows nothing of a label it has never seen', () => {
    for (const label of ['', 'COLIS EN ATTENTE DE TRI MANUEL', 'LIVREUR ABSENT', 'DISPONIBLEMENT']) {
      expect(findLabelStatus(label), label).toBeUndefined()
    }
  })
})
